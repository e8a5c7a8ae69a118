"""The case library: typical cases as cards, filtered by problem, sanction, level and year."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from kb.paging import Pages, page_number
from kb.results import CASE_FACETS
from web.state import searcher
from web.views.params import MAX_QUERY

blueprint = Blueprint("cases", __name__)

PAGE_SIZE = 30


def _years(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit() and len(v) == 4]


def case_query(args) -> dict:
    """The case filters of a request, cleaned; shared by the page and /api/cases."""
    take = lambda key: [v.strip()[:40] for v in args.getlist(key) if v.strip()][:10]  # noqa: E731
    return {
        "query": (args.get("q") or "").strip()[:MAX_QUERY],
        "problems": take("problem"),
        "sanctions": take("sanction"),
        "levels": take("level"),
        "years": _years(take("year")),
    }


def case_listing(args, endpoint: str) -> dict:
    """Template values for a filtered, paged list of cases (the case library, 案例教材, each
    its ``endpoint``): the cases of the page, facets, the active filters and link makers."""
    wanted = case_query(args)
    page = page_number(args.get("page"))
    found = searcher().cases(**wanted, limit=100_000)
    active = {
        "problem": wanted["problems"],
        "sanction": wanted["sanctions"],
        "level": wanted["levels"],
        "year": [str(y) for y in wanted["years"]],
    }

    def toggled(key: str, value: str) -> dict:
        """Arguments with one filter value switched on or off (page 1)."""
        chosen = {k: list(v) for k, v in active.items()}
        chosen[key] = (
            [v for v in chosen[key] if v != value]
            if value in chosen[key]
            else [*chosen[key], value]
        )
        return {k: v for k, v in {"q": wanted["query"], **chosen}.items() if v}

    def at_page(number: int) -> dict:
        return {k: v for k, v in {"q": wanted["query"], "page": number, **active}.items() if v}

    pages = Pages(found.total, PAGE_SIZE, page)
    return {
        "query": wanted["query"],
        "cases": found.cases[pages.offset : pages.offset + PAGE_SIZE],
        "total": found.total,
        "notes": found.notes,
        "error": found.error,
        "facets": found.facets(),
        "filters": CASE_FACETS,
        "active": active,
        "toggled": toggled,
        "at_page": at_page,
        "page_link": lambda number: url_for(endpoint, **at_page(number)),
        "pages": pages,
    }


@blueprint.get("/cases")
def cases_page():
    return render_template("cases.html", **case_listing(request.args, "cases.cases_page"))
