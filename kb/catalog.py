"""The admin's list of files (文件列表): each file of the documents folder with what the index
holds of it — title, 文种, 成文日期 — or why it holds nothing: not indexed yet, its last
update failed (and why), or a kind of file kb does not index. kb decides the states and their
wording; the web page only renders them."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kb.filenames import doc_id_for
from kb.results import DocumentSummary

# A file's state, and how the list names it.
INDEXED = "indexed"
PENDING = "pending"
FAILED = "failed"
SKIPPED = "skipped"
STATE_LABELS = {
    INDEXED: "已索引",
    PENDING: "尚未索引",
    FAILED: "索引失败",
    SKIPPED: "不索引",
}


@dataclass(frozen=True)
class ListedFile:
    """One row of the list: the file's state and, when indexed, its document's metadata."""

    state: str  # INDEXED, PENDING, FAILED or SKIPPED
    label: str  # the state as the list names it
    detail: str  # a sentence about the state ("" when indexed and nothing went wrong)
    title: str = ""
    doc_type: str = ""
    date: str = ""  # as shown: 2024-03-05, or 2024年 for a document dated by its year only
    doc_id: str = ""


def _key(path: str | Path) -> str:
    with contextlib.suppress(OSError, RuntimeError, ValueError):
        return str(Path(path).resolve())
    return str(path)


def failures_by_file(failed: list[dict]) -> dict[str, str]:
    """The last index report's failures ({"path", "reason"} each) by resolved path."""
    return {
        _key(item["path"]): str(item.get("reason") or "")
        for item in failed
        if isinstance(item, dict) and item.get("path")
    }


def listed_file(
    path: Path,
    indexable: bool,
    catalog: Mapping[str, DocumentSummary],
    failures: Mapping[str, str],
) -> ListedFile:
    """What the list says of the file at ``path`` (``indexable``: a regular file of a type kb
    reads), given the index's ``catalog`` (``SearchCore.catalog``) and the last update's
    failures (``failures_by_file``)."""
    if not indexable:
        return ListedFile(SKIPPED, STATE_LABELS[SKIPPED], "")  # the list says why beside it
    doc_id = doc_id_for(path)
    found = catalog.get(doc_id)
    reason = failures.get(_key(path))
    if found is None:
        if reason is not None:
            return ListedFile(FAILED, STATE_LABELS[FAILED], reason or "无法读取。", doc_id=doc_id)
        return ListedFile(
            PENDING, STATE_LABELS[PENDING], "还不在索引中，下次“更新索引”时加入。", doc_id=doc_id
        )
    date = found.date or (f"{found.year}年" if found.year else "")
    if reason is not None:
        detail = f"上次更新失败：{reason or '无法读取。'}检索到的是此前索引的版本。"
        return ListedFile(
            FAILED, STATE_LABELS[FAILED], detail, found.title, found.doc_type, date, doc_id
        )
    return ListedFile(INDEXED, STATE_LABELS[INDEXED], "", found.title, found.doc_type, date, doc_id)
