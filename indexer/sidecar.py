"""Metadata an admin states beside the files, overriding what kb infers from the text.

Two places, the file's own first:

* ``<file>.json`` (or ``<file stem>.json``) — ``{"title", "doc_type", "issuer", "doc_no",
  "date", "speaker"}``, any subset;
* ``metadata.csv`` in the file's folder (UTF-8, with or without BOM) — a ``file`` column naming
  the file, then any of the same columns.

Empty values are ignored. A side file that cannot be read is reported, and the document is
indexed with what kb inferred. Values are checked by ``kb.sidecar``, as the admin's form that
writes ``<file>.json`` checks them.

Who may see the document (``kb.access``): ``visibility`` (公开/内部/限定), ``departments`` and
``people`` of the side file (JSON or ``metadata.csv``), else of the nearest folder rule file
(``.kb-access.toml``) between the file and its corpus folder, else 公开. A visibility that
cannot be used is reported and the document is shown to the admin only (never more than
meant).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from kb.access import RESTRICTED, Visibility, check_visibility, read_rule, rule_files
from kb.doctypes import DocTypes, default_doc_types
from kb.sidecar import FIELDS, FOLDER_FILE, check_value, side_file_candidates

__all__ = [
    "FIELDS",
    "FOLDER_FILE",
    "SideMetadata",
    "is_side_file",
    "read_side_metadata",
    "side_file_candidates",
]


@dataclass
class SideMetadata:
    values: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    fingerprint: bytes = b""  # the side files' bytes, so editing them re-indexes the file
    visibility: Visibility = field(default_factory=Visibility)


def is_side_file(path: Path) -> bool:
    return path.name == FOLDER_FILE or path.suffix.lower() == ".json"


def _clean(raw: dict, source: str, problems: list[str], doc_types: DocTypes) -> dict[str, str]:
    values: dict[str, str] = {}
    for key in FIELDS:
        value = str(raw.get(key) or "").strip()
        if not value:
            continue
        checked, problem = check_value(key, value, doc_types)
        if problem:
            problems.append(f"{source}：{problem}，已忽略")
            continue
        values[key] = checked
    return values


ACCESS_KEYS = ("visibility", "departments", "people")
ADMIN_ONLY = Visibility(RESTRICTED)  # what a visibility that cannot be used falls back to


def _side_visibility(raw: dict, source: str, problems: list[str]) -> Visibility | None:
    """The visibility a side file states, None when it states none."""
    if not any(str(raw.get(key) or "").strip() for key in ACCESS_KEYS):
        return None
    found, problem = check_visibility(*(raw.get(key) for key in ACCESS_KEYS))
    if found is None:
        problems.append(f"{source}：{problem}，已按仅管理员可见处理")
        return ADMIN_ONLY
    return found


def _folder_visibility(path: Path, roots: list[Path], side: SideMetadata) -> Visibility:
    """The visibility of the nearest folder rule file (its bytes join the fingerprint)."""
    for rule in rule_files(path, roots):
        if not rule.is_file():
            continue
        data = rule.read_bytes()
        side.fingerprint += data
        found, problem = read_rule(data, str(rule))
        if found is None:
            side.problems.append(f"{problem}，其下的文件已按仅管理员可见处理")
            return ADMIN_ONLY
        return found
    return Visibility()


def read_side_metadata(
    path: Path, doc_types: DocTypes | None = None, roots: list[Path] | None = None
) -> SideMetadata:
    """The side metadata of ``path``; a ``doc_type`` must be one of ``doc_types`` (default:
    kb's own list), the types the index is built with. ``roots`` are the corpus folders:
    rule files are looked for up to the one holding ``path`` (else in its folder only)."""
    doc_types = doc_types or default_doc_types()
    side = SideMetadata()
    stated: Visibility | None = None
    folder_file = path.parent / FOLDER_FILE
    if folder_file.is_file():
        data = folder_file.read_bytes()
        try:
            rows = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
            for row in rows:
                if (row.get("file") or "").strip() == path.name:
                    source = f"{FOLDER_FILE}（{path.name}）"
                    side.values.update(_clean(row, source, side.problems, doc_types))
                    stated = _side_visibility(row, source, side.problems) or stated
                    side.fingerprint += data
        except (UnicodeDecodeError, csv.Error) as error:
            side.problems.append(f"{folder_file.name} 无法读取（{error}），请保存为 UTF-8 的 CSV")
    for candidate in side_file_candidates(path)[1:]:
        if candidate.is_file() and candidate != path:
            data = candidate.read_bytes()
            side.fingerprint += data
            try:
                raw = json.loads(data.decode("utf-8-sig"))
                if not isinstance(raw, dict):
                    raise ValueError("不是 JSON 对象")
            except (UnicodeDecodeError, ValueError) as error:
                side.problems.append(f"{candidate.name} 不是有效的 JSON（{error}），已忽略")
                if b"visibility" in data:  # meant to restrict: never show more than meant
                    stated = ADMIN_ONLY
                    side.problems.append(
                        f"{candidate.name}：可见范围无法读取，已按仅管理员可见处理"
                    )
                break
            side.values.update(_clean(raw, candidate.name, side.problems, doc_types))
            stated = _side_visibility(raw, candidate.name, side.problems) or stated
            break
    side.visibility = stated or _folder_visibility(path, roots or [], side)
    if side.visibility != Visibility():  # 公开 is every document's default (kb.model)
        side.values["access"] = side.visibility.stored()
    return side
