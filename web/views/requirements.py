"""要求清单: requirement clauses to check oneself against, browsable and searchable, with a
JSON twin. Also resolves the items a 对照检查 draft names (a requirement id, or a 收集夹
passage by document and ordinal) back to verbatim text from the index."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, jsonify, render_template, request, url_for

from kb.paging import Pages, page_number
from kb.results import RequirementRecord
from kb.workbench import cases_for_item, draft_item, requirements
from web.exports.citation import citation
from web.paths import public_paths
from web.state import searcher
from web.views.params import MAX_QUERY

blueprint = Blueprint("requirements", __name__)

PAGE_SIZE = 20


def _int(text: str | None, default: int, low: int, high: int) -> int:
    try:
        return min(max(int(text or default), low), high)
    except ValueError:
        return default


def _params(args) -> dict:
    """The list's parameters, cleaned: the page and /api/requirements share them."""
    topics = [v.strip()[:40] for v in args.getlist("topic") if v.strip()][:10]
    doc_id = (args.get("doc") or "").strip()
    return {
        "query": (args.get("q") or "").strip()[:MAX_QUERY],
        "topics": topics or None,
        "doc_id": doc_id if doc_id.isalnum() and len(doc_id) <= 64 else None,
    }


@dataclass(frozen=True)
class CitedItem:
    """A requirement clause (or a 收集夹 passage) with its 《标题》（发文字号，日期）section
    citation and a link to its passage."""

    record: RequirementRecord
    citation: str
    link: str

    def as_dict(self) -> dict:
        """The JSON shape of /api/requirements' items: the record, its citation and link."""
        return {**self.record.as_dict(), "citation": self.citation, "link": self.link}


def with_citation(item: RequirementRecord) -> CitedItem:
    """The item with its citation and a link to the passage."""
    return CitedItem(
        record=item,
        citation=citation(item.title, item.doc_no, item.date, item.section),
        link=url_for(
            "docs.document_page", doc_id=item.doc_id, p=item.passage, _anchor=f"p-{item.passage}"
        ),
    )


def resolve(item_id: str) -> CitedItem | None:
    """A draft item by id (kb.workbench.draft_item) with its citation and link, or None."""
    found = draft_item(searcher(), item_id)
    return with_citation(found) if found else None


@blueprint.get("/requirements")
def requirements_page():
    params = _params(request.args)
    page = page_number(request.args.get("page"))
    found = requirements(searcher(), **params, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    active_topics = params["topics"] or []

    def link(**changes) -> dict:
        """URL arguments for this list with ``changes`` applied (back on page 1)."""
        args = {"q": params["query"], "topic": active_topics, "doc": params["doc_id"] or ""}
        args.update(changes)
        return {k: v for k, v in args.items() if v not in ("", [], None, 1)}

    def toggled_topic(name: str) -> dict:
        topics = [t for t in active_topics if t != name]
        return link(topic=topics if name in active_topics else topics + [name])

    return render_template(
        "requirements.html",
        query=params["query"],
        items=[with_citation(item) for item in found.items],
        total=found.total,
        notes=found.notes,
        error=found.error,
        facets=found.facets,
        active_topics=active_topics,
        active_doc=params["doc_id"],
        toggled_topic=toggled_topic,
        link=link,
        pages=Pages(found.total, PAGE_SIZE, page),
        page_link=lambda number: url_for("requirements.requirements_page", page=number, **link()),
    )


@blueprint.get("/api/requirements")
def api_requirements():
    params = _params(request.args)
    limit = _int(request.args.get("limit") or request.args.get("per_page"), PAGE_SIZE, 1, 200)
    offset = _int(request.args.get("offset"), 0, 0, 1_000_000)
    found = requirements(searcher(), **params, limit=limit, offset=offset)
    answer = {
        "total": found.total,
        "items": [with_citation(item).as_dict() for item in found.items],
        "notes": found.notes,
        "facets": {
            "topic": [{"name": n, "count": c} for n, c in found.facets.get("topic", [])],
            "doc": [
                {"doc_id": d, "title": t, "count": c} for d, t, c in found.facets.get("doc", [])
            ],
        },
    }
    if found.error:
        answer["error"] = found.error
    return jsonify(public_paths(answer))


@blueprint.get("/api/requirements/<item_id>")
def api_requirement(item_id: str):
    item = resolve(item_id)
    if item is None:
        abort(404)
    return jsonify(public_paths(item.as_dict()))


@blueprint.get("/api/requirements/<item_id>/cases")
def api_requirement_cases(item_id: str):
    """The requirement (for the draft page to show) and its suggested cases, best first."""
    item = resolve(item_id)
    if item is None:
        abort(404)
    limit = _int(request.args.get("limit"), 5, 1, 20)
    # A score (0..1) where the cases were matched to a requirement; a plain passage's cases
    # come from a case search, in its order.
    cases = [case.as_dict() for case in cases_for_item(searcher(), item.record, limit)]
    return jsonify(public_paths({"requirement": item.as_dict(), "cases": cases}))
