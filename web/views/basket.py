"""收集夹: the browser keeps the collected items (localStorage); the server turns them into a
Word document or a printable page. Items name what they are (a passage by document and
ordinal, a case by id); their text and citation are looked up in the index, never taken from
the request, so an export always quotes the documents exactly."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, render_template

from web.exports.citation import citation
from web.exports.docx import Excerpt, build_docx
from web.state import searcher
from web.views.draft import attachment
from web.views.posted import malformed, posted_list, posted_text, refuse

blueprint = Blueprint("basket", __name__)

MAX_ITEMS = 300
MAX_NOTE = 1000
DEFAULT_TITLE = "检索摘编"
WHAT = "收集夹"


@dataclass
class Collected:
    excerpts: list[Excerpt]
    missing: int
    title: str


def _collected() -> Collected:
    """The posted 收集夹 (hidden field ``items``), resolved; items the index no longer has, or
    that name no passage (a negative or fractional ordinal, a wrong type), count as missing."""
    items = posted_list("items", MAX_ITEMS, WHAT)
    if not items:
        refuse("收集夹是空的，没有导出。请先在检索结果中点“收藏”。")
    title = posted_text("title", 60) or DEFAULT_TITLE
    documents: dict[str, object] = {}
    excerpts: list[Excerpt] = []
    missing = 0
    for item in items:
        if not isinstance(item, dict):
            malformed(WHAT)
        note = item.get("note")
        note = note.strip()[:MAX_NOTE] if isinstance(note, str) else ""
        excerpt = _resolve(item, documents, note)
        if excerpt is None:
            missing += 1
        else:
            excerpts.append(excerpt)
    return Collected(excerpts, missing, title)


def _ordinal(value: object) -> int | None:
    """A passage number as the page sends it (a JSON integer; digits are accepted too)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value >= 0 else None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 9:
        return int(value)
    return None


def _resolve(item: dict, documents: dict, note: str) -> Excerpt | None:
    doc_id = item.get("doc_id")
    if not isinstance(doc_id, str) or not (doc_id.isascii() and doc_id.isalnum()):
        return None
    if len(doc_id) > 64:
        return None
    if doc_id not in documents:
        documents[doc_id] = searcher().document(doc_id)
    view = documents[doc_id]
    if view is None:
        return None
    if item.get("kind") == "case":
        case_id = item.get("case_id")
        case = searcher().case(case_id[:100]) if isinstance(case_id, str) and case_id else None
        if case is None or case.doc_id != doc_id:
            return None
        return Excerpt(
            text=case.text,
            heading=case.summary,
            citation=citation(view.title, view.doc_no, view.date),
            note=note,
        )
    ordinal = _ordinal(item.get("ordinal"))
    if ordinal is None or ordinal >= len(view.passages):
        return None
    passage = view.passages[ordinal]
    section = passage["section"]
    return Excerpt(
        text=passage["text"],
        heading=view.title if not section else section[-1],
        citation=citation(view.title, view.doc_no, view.date, section),
        note=note,
    )


@blueprint.get("/basket")
def basket_page():
    return render_template("basket.html")


@blueprint.post("/basket/export.docx")
def export_docx():
    collected = _collected()
    subtitle = f"（另有 {collected.missing} 条已不在索引中，未导出）" if collected.missing else ""
    return attachment(build_docx(collected.title, collected.excerpts, subtitle), collected.title)


@blueprint.post("/basket/print")
def print_page():
    collected = _collected()
    return render_template("print.html", collected=collected)
