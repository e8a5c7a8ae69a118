"""What the export pages post: a JSON list in one hidden form field (the 收集夹, the 对照检查
draft, the 案例教材 pack) and a few text fields. Read strictly and with limits, in one place:
anything that is not the list a page would send — not JSON, NaN or Infinity, numbers that
overflow, nesting deeper than any page makes, too many items — is refused with a 400 page that
says so in Chinese; every string inside is cleaned (web.text), so a NUL or a lone surrogate
from a hand-made request reaches neither a Word file, a page nor an index look-up."""

from __future__ import annotations

import json
import logging
import math
from typing import NoReturn

from flask import abort, make_response, render_template, request

from web.text import clean_text

log = logging.getLogger("kb.web")

# The pages send a list of objects whose values are strings, numbers or lists of strings.
MAX_DEPTH = 4


class Malformed(ValueError):
    """Posted JSON that no page would send."""


def refuse(message: str) -> NoReturn:
    """Stop with a 400 page carrying ``message`` (the app's own error page, with the reason)."""
    log.warning("%s %s: 400 %s", request.method, request.path, message)
    abort(make_response(render_template("error.html", code=400, message=message), 400))


def malformed(what: str) -> NoReturn:
    """Refuse posted data that no page would send; ``what`` names it (收集夹, …)."""
    refuse(f"{what}的数据无法识别（格式有误），没有导出。请刷新页面后重试。")


def posted_text(name: str, limit: int) -> str:
    """A text field of the form, cleaned, trimmed and cut to ``limit`` characters."""
    return clean_text(request.form.get(name) or "").strip()[:limit]


def posted_list(name: str, limit: int, what: str) -> list:
    """The JSON list in form field ``name`` with its strings cleaned; ``what`` names it in the
    message (收集夹, 对照检查材料, 案例教材) when it is refused."""
    try:
        value = _cleaned(json.loads(request.form.get(name) or "[]", parse_constant=_constant))
    except (Malformed, ValueError, RecursionError) as error:
        log.info("refused %s %s: %s", request.path, name, str(error)[:200])
        malformed(what)
    if not isinstance(value, list):
        malformed(what)
    if len(value) > limit:
        refuse(f"{what}一次最多导出 {limit} 条，现有 {len(value)} 条，请分批导出。")
    return value


def _constant(name: str) -> NoReturn:
    raise Malformed(f"{name} is not JSON")


def _cleaned(value: object, depth: int = 0) -> object:
    if depth > MAX_DEPTH:
        raise Malformed("nested too deep")
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, float) and not math.isfinite(value):
        raise Malformed("a number out of range")  # 1e400 parses as infinity
    if isinstance(value, list):
        return [_cleaned(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {clean_text(k): _cleaned(v, depth + 1) for k, v in value.items()}
    return value
