"""Search parameters shared by the search page and /api/search, parsed once, never trusted."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Request

from kb.paging import page_number
from kb.query import MAX_QUERY_CHARS

# What a request may carry. kb.query keeps the first MAX_QUERY_CHARS characters and says so;
# cutting here at that length would cut silently.
MAX_QUERY = 4 * MAX_QUERY_CHARS
SORTS = ("relevance", "date")


@dataclass
class SearchParams:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def query_args(self, **changes: object) -> dict:
        """URL arguments for this search with ``changes`` applied (for links)."""
        args: dict = {"q": self.q, "sort": self.sort, "page": self.page}
        for key, values in self.filters.items():
            args[key] = list(values)
        args.update(changes)
        return {k: v for k, v in args.items() if v not in ("", [], None, 1, "relevance")}

    def toggled(self, key: str, value: str) -> dict:
        """Arguments with the filter value switched on or off, back on page 1."""
        values = list(self.filters.get(key, []))
        if value in values:
            values.remove(value)
        else:
            values.append(value)
        return self.query_args(**{key: values, "page": 1})

    def is_active(self, key: str, value: str) -> bool:
        return value in self.filters.get(key, [])


def _int(text: str | None, default: int, low: int, high: int) -> int:
    try:
        return min(max(int(text or default), low), high)
    except ValueError:
        return default


def parse_search_params(request: Request, default_per_page: int) -> SearchParams:
    args = request.args
    filters = {
        key: [v.strip()[:100] for v in args.getlist(key) if v.strip()][:10]
        for key in ("type", "year", "issuer")
    }
    return SearchParams(
        q=(args.get("q") or "").strip()[:MAX_QUERY],
        filters={k: v for k, v in filters.items() if v},
        sort=args.get("sort", "") if args.get("sort") in SORTS else "relevance",
        page=page_number(args.get("page")),
        per_page=_int(args.get("per_page"), default_per_page, 1, 100),
    )
