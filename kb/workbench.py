"""The self-examination workbench's questions to the index: requirement clauses to pick, and
typical cases that match a requirement (kb.requirements extracts both sides' data)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from kb.dictionaries import Dictionaries
from kb.requirement_copies import merge_copies
from kb.requirements import match_cases, states_duty
from kb.resources import DEFAULT_DICT
from kb.results import CaseRecord, DocumentView, RequirementRecord
from kb.search import EMPTY_QUERY_NOTE, SearchCore

MAX_CANDIDATES = 100_000


@dataclass
class RequirementList:
    total: int
    items: list[RequirementRecord]
    # {"topic": [(name, count)], "doc": [(doc_id, title, count)]} over all matching items
    facets: dict[str, list[tuple]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # the search's messages for the user
    error: str = ""  # as kb.results.SearchResult.error

    def as_dict(self) -> dict:
        shown: dict = {
            "total": self.total,
            "requirements": [item.as_dict() for item in self.items],
            "notes": self.notes,
        }
        if self.error:
            shown["error"] = self.error
        return shown


def requirements(
    searcher: SearchCore,
    query: str = "",
    topics: list[str] | None = None,
    doc_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> RequirementList:
    """Requirement clauses, best match first (without a query by document type, newest
    documents first within one; ``order_requirements``),
    filtered by topic (all given topics) and document; a clause stated in several documents
    is one item, credited to its source (kb.requirement_copies), and counted once."""
    wanted = set(topics or [])
    result = searcher.search(
        query,
        limit=MAX_CANDIDATES,
        per_doc=0,
        filters={"topic": sorted(wanted), "doc": [doc_id] if doc_id else []},
        requirements_only=True,
    )
    views: dict[str, DocumentView | None] = {}
    found: list[tuple[RequirementRecord, DocumentView]] = []
    for hit in result.hits:
        if hit.doc_id not in views:
            views[hit.doc_id] = searcher.document(hit.doc_id)
        view = views[hit.doc_id]
        if view is None or hit.ordinal >= len(view.passages):
            continue
        passage = view.passages[hit.ordinal]
        for requirement in passage.get("requirements") or []:
            if wanted <= set(requirement["topics"]):
                found.append((RequirementRecord.from_stored(view, passage, requirement), view))
    dictionaries = searcher.segmenter.dictionaries
    items = order_requirements(merge_copies(found, dictionaries), dictionaries, bool(query.strip()))
    topic_counts = Counter(t for item in items for t in item.topics)
    doc_counts = Counter((item.doc_id, item.title) for item in items)
    facets: dict[str, list[tuple]] = {
        "topic": sorted(topic_counts.items(), key=lambda i: (-i[1], i[0])),
        "doc": [(d, t, n) for (d, t), n in doc_counts.most_common()],
    }
    notes = [n for n in result.notes if n != EMPTY_QUERY_NOTE]
    return RequirementList(len(items), items[offset : offset + limit], facets, notes, result.error)


def order_requirements(
    items: list[RequirementRecord], dictionaries: Dictionaries, queried: bool
) -> list[RequirementRecord]:
    """What a cadre checks against first. Without a query: by document type in the order of
    [提出要求的文种] (条例 and 规定 first, 决定 such as a 表彰决定 last), then the clauses that
    say who is responsible (kb.requirements.states_duty) after the others, newest documents
    first within that (the order given). With a query, the best matches first, but a clause
    that only says who is responsible after those one checks against."""
    cues = dictionaries.requirement_cues
    types = dictionaries.doc_types

    def key(item: RequirementRecord) -> tuple[int, bool]:
        rank = 0 if queried else types.requirement_rank(item.doc_type)
        return rank, states_duty(item.full_text, cues)

    return sorted(items, key=key)


def requirement(searcher: SearchCore, requirement_id: str) -> RequirementRecord | None:
    """One requirement clause by id ("<doc_id>-r<n>"), or None."""
    doc_id, _, number = requirement_id.rpartition("-r")
    if not doc_id.isalnum() or not number.isdigit():
        return None
    view = searcher.document(doc_id)
    if view is None:
        return None
    for passage in view.passages:
        for found in passage.get("requirements") or []:
            if found["id"] == requirement_id:
                return RequirementRecord.from_stored(view, passage, found)
    return None


def suggest_cases(searcher: SearchCore, requirement_id: str, limit: int = 5) -> list[CaseRecord]:
    """Typical cases matching a requirement (by topic and text), best first, each with a
    ``score`` in 0..1; reposted cases appear once (Searcher.cases collapses them)."""
    wanted = requirement(searcher, requirement_id)
    if wanted is None:
        return []
    cases = searcher.cases(limit=MAX_CANDIDATES).cases
    ranked = match_cases(
        wanted.full_text, wanted.topics, cases, searcher.segmenter.dictionaries.topics
    )
    return [replace(cases[index], score=round(score, 3)) for index, score in ranked[:limit]]


# "<doc_id>-r<n>" is a requirement; "<doc_id>-p<ordinal>" a passage kept in the 收集夹.
ITEM_ID = re.compile(r"^([A-Za-z0-9]{1,64})-([rp])(\d{1,6})$")
PASSAGE_KIND = "段落"  # the ``kind`` of a 收集夹 passage in a 对照检查 draft


def draft_item(searcher: SearchCore, item_id: str) -> RequirementRecord | None:
    """An item a 对照检查 draft names, in the requirement shape, its text read from the
    index: a requirement clause, or a 收集夹 passage by document and ordinal (or None)."""
    match = ITEM_ID.match(item_id or "")
    if not match:
        return None
    if match.group(2) == "r":
        return requirement(searcher, item_id)
    doc_id, ordinal = match.group(1), int(match.group(3))
    view = searcher.document(doc_id)
    if view is None or ordinal >= len(view.passages):
        return None
    passage = view.passages[ordinal]
    text = passage["text"]
    kept = {"id": item_id, "text": text, "full_text": text, "kind": PASSAGE_KIND, "topics": []}
    return RequirementRecord.from_stored(view, passage, kept)


def cases_for_item(
    searcher: SearchCore, item: RequirementRecord, limit: int = 5
) -> list[CaseRecord]:
    """Cases to cite beside a draft item: for a requirement, ``suggest_cases``; for a
    passage, those of the requirement stated in that same passage if any, else a case
    search with the passage's first words."""
    if item.kind != PASSAGE_KIND:
        return suggest_cases(searcher, item.id, limit=limit)
    same = requirements(searcher, doc_id=item.doc_id, limit=1000)
    for other in same.items:
        if other.passage == item.passage:
            return suggest_cases(searcher, other.id, limit=limit)
    return searcher.cases(item.text[:60], limit=limit).cases


# --------------------------------------------------------------------------------------------
# The parts of a 对照检查材料's 原因剖析: data an admin extends (corpus/dict/draft_causes.txt)
# --------------------------------------------------------------------------------------------

CAUSES_FILE = "draft_causes.txt"
_CAUSE_LINE = re.compile(r"^([^:：]+)(?:[:：](.*))?$")


@dataclass(frozen=True)
class CausePart:
    """One part of 二、问题产生的原因剖析 (理想信念 …) and the hint its form field shows."""

    name: str
    hint: str = ""


def parse_causes(text: str) -> list[CausePart]:
    """The parts in file order, the first of each name kept (format: the file's header)."""
    parts: list[CausePart] = []
    for raw in text.splitlines():
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        match = _CAUSE_LINE.match(line)
        name = match.group(1).strip() if match else ""
        if name and all(part.name != name for part in parts):
            parts.append(CausePart(name, (match.group(2) or "").strip() if match else ""))
    return parts


def load_causes(folder: Path | None = None) -> list[CausePart]:
    """The 原因剖析 parts of ``folder``'s list, else the project's own: read on every call, so
    an admin's edit shows on the next page load without a restart."""
    for where in (folder, DEFAULT_DICT):
        path = where / CAUSES_FILE if where is not None else None
        if path is not None and path.is_file():
            parts = parse_causes(path.read_text(encoding="utf-8-sig", errors="replace"))
            if parts:
                return parts
    return []
