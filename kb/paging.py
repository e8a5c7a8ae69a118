"""Pages of a result list: one rule for the search page, the case library and the command line,
so each shows the same pager (first and last page always reachable, the current page with its
neighbours, 上一页/下一页) and counts pages the same way."""

from __future__ import annotations

from dataclasses import dataclass

# Page numbers shown on either side of the current one.
AROUND = 2


@dataclass(frozen=True)
class Pages:
    """Page ``page`` (1-based, as asked for) of ``total`` items shown ``per_page`` at a time."""

    total: int
    per_page: int
    page: int = 1

    def __post_init__(self) -> None:
        if self.per_page < 1:
            raise ValueError("per_page must be at least 1")

    @property
    def count(self) -> int:
        """How many pages there are; one for an empty list (it still has a page to say so)."""
        return max(1, -(-max(self.total, 0) // self.per_page))

    @property
    def offset(self) -> int:
        return (max(self.page, 1) - 1) * self.per_page

    @property
    def beyond(self) -> bool:
        """The page asked for lies past the last one (an old link, a typed number)."""
        return self.page > self.count

    @property
    def previous(self) -> int | None:
        """The page 上一页 leads to: the last page when the one asked for lies beyond it."""
        if self.beyond:
            return self.count
        return self.page - 1 if self.page > 1 else None

    @property
    def next(self) -> int | None:
        return self.page + 1 if self.page < self.count else None

    def numbers(self, around: int = AROUND) -> list[int | None]:
        """The page numbers a pager shows: the first, the last, and ``around`` either side of
        the current page, with None where numbers are left out (shown as …). A gap of one
        number shows that number instead: an ellipsis would hide no more than it takes."""
        current = min(max(self.page, 1), self.count)
        shown = {1, self.count, *range(current - around, current + around + 1)}
        kept = sorted(n for n in shown if 1 <= n <= self.count)
        out: list[int | None] = []
        for n in kept:
            if out and out[-1] is not None:
                gap = n - out[-1]
                if gap == 2:
                    out.append(n - 1)
                elif gap > 2:
                    out.append(None)
            out.append(n)
        return out


# The furthest page a request may ask for: deeper paging is what a filter is for.
MAX_PAGE = 1000


def page_number(text: str | None) -> int:
    """The page a request asks for, from 1 to MAX_PAGE: anything but a whole number (empty,
    negative, 1e3, ２) is page 1, a larger number the last page allowed."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()):
        return 1
    return min(max(int(text[:7]), 1), MAX_PAGE)
