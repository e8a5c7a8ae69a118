"""收集夹: the browser keeps the collected items (localStorage); the server turns them into a
Word document or a printable page. Items name what they are (a passage by document and
ordinal, a case by id); their text and citation are looked up in the index, never taken from
the request, so an export always quotes the documents exactly."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import quote

from flask import Blueprint, Response, abort, render_template, request

from web.app import searcher
from web.exports.citation import citation
from web.exports.docx import Excerpt, build_docx

blueprint = Blueprint("basket", __name__)

MAX_ITEMS = 300
MAX_NOTE = 1000
DEFAULT_TITLE = "检索摘编"


@dataclass
class Collected:
    excerpts: list[Excerpt]
    missing: int
    title: str


def _collected() -> Collected:
    try:
        items = json.loads(request.form.get("items") or "[]")
    except ValueError:
        abort(400)
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        abort(400)
    title = (request.form.get("title") or "").strip()[:60] or DEFAULT_TITLE
    documents: dict[str, object] = {}
    excerpts: list[Excerpt] = []
    missing = 0
    for item in items:
        if not isinstance(item, dict):
            abort(400)
        note = str(item.get("note") or "").strip()[:MAX_NOTE]
        excerpt = _resolve(item, documents, note)
        if excerpt is None:
            missing += 1
        else:
            excerpts.append(excerpt)
    return Collected(excerpts, missing, title)


def _resolve(item: dict, documents: dict, note: str) -> Excerpt | None:
    doc_id = str(item.get("doc_id") or "")
    if not doc_id.isalnum():
        return None
    if doc_id not in documents:
        documents[doc_id] = searcher().document(doc_id)
    view = documents[doc_id]
    if view is None:
        return None
    if item.get("kind") == "case":
        case = searcher().case(str(item.get("case_id") or ""))
        if case is None or case["doc_id"] != doc_id:
            return None
        return Excerpt(
            text=case["text"],
            heading=case["summary"],
            citation=citation(view.title, view.doc_no, view.date),
            note=note,
        )
    try:
        passage = view.passages[int(item.get("ordinal"))]
    except (TypeError, ValueError, IndexError):
        return None
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
    data = build_docx(collected.title, collected.excerpts, subtitle)
    filename = quote(f"{collected.title}.docx")
    return Response(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        headers={
            "Content-Disposition": f"attachment; filename=export.docx; filename*=UTF-8''{filename}"
        },
    )


@blueprint.post("/basket/print")
def print_page():
    collected = _collected()
    return render_template("print.html", collected=collected)
