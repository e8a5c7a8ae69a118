"""The side file of a document (``<file>.json``): its fields, how each value is checked, which
files may hold it, and writing it in one step.

The indexer reads side files (``indexer.sidecar``, with the folder's ``metadata.csv``); the
admin's form writes them (``web.views.doc_meta``). Both check values here, so what the form
accepts is exactly what the indexer applies.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

from kb.access import RESTRICTED, check_visibility
from kb.dates import find_date, whole_date
from kb.docno import normalize_doc_no
from kb.doctypes import DocTypes
from kb.indexdir import replace_file, sync_dir

FOLDER_FILE = "metadata.csv"  # a folder's side file: a row per document
FIELDS = ("title", "doc_type", "issuer", "doc_no", "date", "speaker")
# How a user names each field (the order of the admin's form).
LABELS = {
    "title": "标题",
    "doc_type": "文种",
    "date": "成文日期",
    "issuer": "发文机关",
    "speaker": "讲话人",
    "doc_no": "发文字号",
}
# Longest values the form takes: a title may be long, the rest are names and numbers.
MAX_LENGTH = {"title": 200}
DEFAULT_MAX_LENGTH = 100


def check_value(key: str, value: str, doc_types: DocTypes, whole: bool = False) -> tuple[str, str]:
    """``(value as kb stores it, "")``, or ``("", the reason in Chinese)`` when it cannot be
    used. A side file's date may be written inside other words, as the indexer always read it;
    a form's must be a date and nothing else (``whole``)."""
    if key == "doc_type" and value not in doc_types.all:
        return "", f"文种“{value}”不在 {'、'.join(doc_types.all)} 之中"
    if key == "date":
        parsed = whole_date(value) if whole else find_date(value)
        if not parsed:
            return "", f"日期“{value}”无法识别，应写作 2024-03-18 或 2024年3月18日"
        return parsed, ""
    if key == "doc_no":
        return normalize_doc_no(value) or value, ""
    return value, ""


def side_file_candidates(path: Path) -> tuple[Path, ...]:
    """Every file that may hold side metadata for ``path``, present or not, the folder's
    ``metadata.csv`` first; the indexer watches their sizes and times too, so editing one
    re-indexes the file. Of the JSON files the first present one counts."""
    return (
        path.parent / FOLDER_FILE,
        path.with_name(path.name + ".json"),
        path.with_suffix(".json"),
    )


def own_side_file(path: Path) -> Path:
    """``<file>.json``: the side file the admin's form writes, the first the indexer reads."""
    return path.with_name(path.name + ".json")


def read_json_side(path: Path) -> tuple[Path | None, dict, str]:
    """The JSON side file the indexer reads for ``path`` (or None), its object, and why it
    cannot be used (``""`` when it can)."""
    for candidate in side_file_candidates(path)[1:]:
        if candidate.is_file() and candidate != path:
            try:
                raw = json.loads(candidate.read_bytes().decode("utf-8-sig"))
            except (OSError, UnicodeDecodeError, ValueError) as error:
                return candidate, {}, f"{candidate.name} 不是有效的 JSON（{error}）"
            if not isinstance(raw, dict):
                return candidate, {}, f"{candidate.name} 不是 JSON 对象"
            return candidate, raw, ""
    return None, {}, ""


def clean_form_value(value: str) -> str:
    """A form's value on one line, runs of spaces as one: a title pasted from a page keeps
    no line breaks."""
    return " ".join(value.split())


def revise(
    side: dict, indexed: dict[str, str], submitted: dict[str, str], doc_types: DocTypes
) -> tuple[dict, dict[str, str]]:
    """The side file's object after the admin's form, and the reason for each value refused
    (by field; nothing is to be written then).

    A field stays in the side file when the admin kept or changed it there; a field the
    side file lacks is written only when it differs from what the index holds (inferred
    from the text); an emptied field leaves the side file, so kb infers it again. Keys the
    form does not know are kept as they are."""
    revised = {key: value for key, value in side.items() if key not in FIELDS}
    errors: dict[str, str] = {}
    for key in FIELDS:
        value = clean_form_value(submitted.get(key, ""))
        if not value:
            continue
        limit = MAX_LENGTH.get(key, DEFAULT_MAX_LENGTH)
        if len(value) > limit:
            errors[key] = f"{LABELS[key]}太长（{len(value)} 个字），最多 {limit} 个字"
            continue
        checked, problem = check_value(key, value, doc_types, whole=True)
        if problem:
            errors[key] = problem
        elif key in side or checked != indexed.get(key, ""):
            revised[key] = checked
    return revised, errors


ACCESS_KEYS = ("visibility", "departments", "people")  # who may see it (kb.access)


def revise_visibility(side: dict, level: str, departments: str, people: str) -> tuple[dict, str]:
    """The side file's object with the visibility the admin's form chose, and why it was
    refused (``""`` when it was not). An empty ``level`` leaves the choice to the folder's
    rule file (the keys leave the side file); lists are kept only for 限定."""
    revised = {key: value for key, value in side.items() if key not in ACCESS_KEYS}
    if not level.strip():
        return revised, ""
    found, problem = check_visibility(level, departments, people)
    if found is None:
        return side, problem
    revised["visibility"] = found.level
    if found.level == RESTRICTED:
        revised["departments"] = list(found.departments)
        revised["people"] = list(found.people)
    return revised, ""


def write_side_file(path: Path, data: dict) -> None:
    """Write ``data`` as ``path``'s own side file in one step: the indexer, reading at any
    moment, sees the old file or the new one. The temporary file is hidden (a leading dot),
    so neither the indexer nor the admin's list ever takes it for a document."""
    target = own_side_file(path)
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(text.encode("utf-8"))
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp makes the file private; a side file is as readable as the documents.
        mode = target.stat().st_mode & 0o777 if target.is_file() else 0o644
        os.chmod(temporary, mode)
        replace_file(Path(temporary), target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    sync_dir(target.parent)
