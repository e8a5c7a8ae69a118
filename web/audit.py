"""留痕: an append-only log of who searched, read, downloaded and exported what, and when.

One JSON object per line in ``<instance>/audit/audit.jsonl``; past ``max_bytes`` the file is
closed and renamed ``audit-<time>.jsonl`` and a new one begun; kb never deletes one (the
admin archives them). Entries are written after each response by one hook (``init_app``), from the request's
endpoint: which views count is the table ``ACTIONS``, and any response sent as a file to
download counts as an export. Only named query parameters are kept (never a form's fields,
so never a password). Changes to accounts are written by their views (``record``), and
``kb search`` / ``kb cases`` by the command (``command_entry``): neither ever holds a password.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from flask import Flask, Response, current_app, request

from kb.access import Viewer
from web.auth import ensure_private_folder
from web.state import settings, viewer

AUDIT_FOLDER = "audit"
CURRENT = "audit.jsonl"
MAX_BYTES = 5 * 1024 * 1024
MAX_VALUE = 200  # characters kept of a query parameter

# Endpoint -> what the entry says was done.
ACTIONS = {
    "search.search_page": "检索",
    "api.api_search": "检索（接口）",
    "cases.cases_page": "检索案例",
    "api.api_cases": "检索案例（接口）",
    "requirements.requirements_page": "查阅要求清单",
    "requirements.api_requirements": "查阅要求清单（接口）",
    "requirements.api_requirement": "查阅要求（接口）",
    "requirements.api_requirement_cases": "查阅要求的案例（接口）",
    "docs.document_page": "查看文件",
    "api.api_document": "查看文件（接口）",
    "docs.original": "下载原件",
    "basket.print_page": "打印收集夹",
    "casepack.print_page": "打印案例教材",
    "draft.print_page": "打印对照检查材料",
}
EXPORT = "导出"
# What a change to an account is called in the log (web.views.accounts).
CREATE_ACCOUNT = "新建账户"
RESET_PASSWORD = "重设密码"
DISABLE_ACCOUNT = "停用账户"
ENABLE_ACCOUNT = "启用账户"
UPDATE_ACCOUNT = "修改部门和角色"
COMMAND_LINE = "命令行"
COMMAND_SEARCH = "检索（命令行）"
COMMAND_CASES = "检索案例（命令行）"
COMMAND_ADMIN = "管理员（命令行）"
KEPT_PARAMS = ("q", "type", "year", "issuer", "problem", "sanction", "level", "topic", "page")
COLUMNS = ("时间", "用户", "部门", "角色", "地址", "操作", "对象", "检索词与条件", "结果")

_lock = threading.Lock()


def _folder(instance: Path) -> Path:
    return instance / AUDIT_FOLDER


def append(instance: Path, entry: dict, max_bytes: int = MAX_BYTES) -> None:
    """Add ``entry`` as one line; rotate first when the current file is full."""
    folder = ensure_private_folder(_folder(instance))
    line = json.dumps(entry, ensure_ascii=False) + "\n"
    with _lock:
        current = folder / CURRENT
        try:
            size = current.stat().st_size
        except FileNotFoundError:
            size = 0
        if size and size + len(line.encode("utf-8")) > max_bytes:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
            os.replace(current, folder / f"audit-{stamp}.jsonl")  # kept: never deleted here
        fd = os.open(current, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as stream:
            stream.write(line)


def files(instance: Path) -> list[Path]:
    """The log's files, oldest first."""
    folder = _folder(instance)
    rotated = sorted(folder.glob("audit-*.jsonl"))
    current = folder / CURRENT
    return rotated + ([current] if current.is_file() else [])


def entries(instance: Path) -> Iterator[dict]:
    """Every entry, oldest first (a line that cannot be read is skipped)."""
    for path in files(instance):
        with open(path, encoding="utf-8", errors="replace") as stream:
            for line in stream:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if isinstance(entry, dict):
                    yield entry


def latest(instance: Path, limit: int) -> list[dict]:
    """The newest ``limit`` entries, newest first."""
    found: list[dict] = []
    for path in reversed(files(instance)):
        with open(path, encoding="utf-8", errors="replace") as stream:
            lines = stream.readlines()
        for line in reversed(lines):
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict):
                found.append(entry)
            if len(found) == limit:
                return found
    return found


def row(entry: dict) -> list[str]:
    """An entry as the columns ``COLUMNS`` of the admin's table and of the .csv export."""
    params = entry.get("params") or {}
    return [
        str(entry.get("time", "")),
        str(entry.get("user", "")),
        str(entry.get("department", "")),
        str(entry.get("role", "")),
        str(entry.get("address", "")),
        str(entry.get("action", "")),
        str(entry.get("object", "")),
        "；".join(f"{k}={v}" for k, v in params.items()),
        str(entry.get("status", "")),
    ]


def _action(response: Response) -> str:
    endpoint = request.endpoint or ""
    disposition = response.headers.get("Content-Disposition", "")
    if endpoint != "docs.original" and disposition.startswith("attachment"):
        return EXPORT
    return ACTIONS.get(endpoint, "")


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _requested(action: str, target: str, params: dict[str, str], status: int) -> dict:
    """An entry for the current request: when, who (as the request's viewer), from where."""
    who = viewer()
    return {
        "time": _now(),
        "user": who.name if who.logged_in else "匿名访客",
        "department": who.department,
        "role": who.role,
        "address": request.remote_addr or "",
        "action": action,
        "object": target[:MAX_VALUE],
        "params": params,
        "status": status,
    }


def record(action: str, target: str, params: dict[str, str] | None = None) -> None:
    """Log a change the current request made (an account created, a password reset...):
    who, when, from where, which account; ``params`` must never hold a password."""
    kept = {key: value[:MAX_VALUE] for key, value in (params or {}).items()}
    entry = _requested(action, target, kept, 200)
    try:
        limit = int(current_app.config.get("AUDIT_MAX_BYTES", MAX_BYTES))
        append(settings().instance_dir, entry, limit)
    except OSError:
        current_app.logger.exception("cannot write the audit log")


def command_entry(who: Viewer | None, action: str, query: str, status: int) -> dict:
    """An entry for ``kb search`` / ``kb cases`` run on this machine: ``who`` is the
    ``--as`` account, None for the command's admin; ``status`` the command's exit code."""
    return {
        "time": _now(),
        "user": who.name if who is not None else COMMAND_ADMIN,
        "department": who.department if who is not None else "",
        "role": who.role if who is not None else "管理员",
        "address": COMMAND_LINE,
        "action": action,
        "object": "",
        "params": {"q": query[:MAX_VALUE]} if query else {},
        "status": status,
    }


def _entry(action: str, response: Response) -> dict:
    params = {
        key: request.args.getlist(key)[0][:MAX_VALUE]
        if len(request.args.getlist(key)) == 1
        else "、".join(v[:MAX_VALUE] for v in request.args.getlist(key))
        for key in KEPT_PARAMS
        if request.args.get(key)
    }
    target = (request.view_args or {}).get("doc_id") or (request.view_args or {}).get("item_id")
    if action == EXPORT:
        target = response.headers.get("Content-Disposition", "").split("filename", 1)[-1]
        target = f"{request.endpoint}{target[:MAX_VALUE]}"
    return _requested(action, str(target or ""), params, response.status_code)


def init_app(app: Flask) -> None:
    """Log every search, document view, download, print and export after its response."""

    @app.after_request
    def trace(response: Response) -> Response:
        action = _action(response)
        if not action:
            return response
        if action in (ACTIONS["search.search_page"], ACTIONS["cases.cases_page"]) and not (
            request.args
        ):
            return response  # the empty form, not a search
        try:
            limit = int(app.config.get("AUDIT_MAX_BYTES", MAX_BYTES))
            append(settings().instance_dir, _entry(action, response), limit)
        except OSError:
            app.logger.exception("cannot write the audit log")
        return response
