"""The search page: one box, passages with their document's context, facets, paging."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for

from kb.paging import Pages
from web.state import searcher
from web.views.params import parse_search_params

blueprint = Blueprint("search", __name__)

FACET_NAMES = {"type": "文种", "year": "年份", "issuer": "发文机关"}
FACET_KEYS = {"type": "doc_type", "year": "year", "issuer": "issuer"}


@blueprint.get("/")
@blueprint.get("/search")
def search_page():
    params = parse_search_params(request, current_app.config["PAGE_SIZE"])
    result = None
    suggestions: list[str] = []
    if params.q or params.filters:
        result = searcher().search(
            params.q,
            limit=params.per_page,
            offset=params.offset,
            sort=params.sort,
            facets=True,
            filters=params.filters,
        )
        if result.total == 0 and params.q:
            suggestions = searcher().suggest(params.q)
    pages = Pages(result.total, params.per_page, params.page) if result is not None else None
    return render_template(
        "search.html",
        params=params,
        result=result,
        suggestions=suggestions,
        pages=pages,
        page_link=lambda number: url_for("search.search_page", **params.query_args(page=number)),
        facet_names=FACET_NAMES,
        facet_keys=FACET_KEYS,
    )
