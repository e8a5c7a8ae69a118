"""What a search answers with: passage hits, case lists, whole documents — plain data, with the
JSON shapes the command line and the API print."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Hit:
    doc_id: str
    path: str
    title: str
    doc_type: str
    date: str
    issuer: str
    doc_no: str
    section: list[str]
    text: str
    snippet: str
    score: float
    also_in: list[dict] = field(default_factory=list)  # reposted copies: doc_id, path, title, date
    ordinal: int = 0  # the passage's place in its document (links to /doc/<id>#p-<ordinal>)
    case_id: str = ""  # set when the passage belongs to a typical case
    # Why it was found (kb.explain.matched): words, expansions, phrases, doc_no, missing.
    matched: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        """The hit as ``kb search --json`` prints it."""
        shown = dict(self.__dict__)
        del shown["ordinal"], shown["case_id"]
        return shown


@dataclass
class SearchResult:
    query: str
    total: int
    hits: list[Hit]
    notes: list[str] = field(default_factory=list)
    # Documents per value among all results: {"doc_type": [("通报", 5), ...], "year", "issuer"}
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    # Set when the search itself failed (the details are in the log); the message is for users.
    error: str = ""

    def as_dict(self) -> dict:
        """The JSON shape of ``kb search --json``: ``error`` only when the search failed."""
        shown = {
            "query": self.query,
            "total": self.total,
            "hits": [h.as_dict() for h in self.hits],
            "notes": list(self.notes),
        }
        if self.error:
            shown["error"] = self.error
        return shown


# A case as kb shows it outside (kb cases --json, /api/cases, a requirement's cases): the
# notice it stands in (title, 发文字号, date) so it can be cited, the case's own fields, and
# the other files that repost it.
CASE_KEYS = (
    "id",
    "doc_id",
    "path",
    "title",
    "doc_no",
    "date",
    "summary",
    "person",
    "position",
    "unit",
    "level",
    "problems",
    "sanctions",
    "years",
    "text",
    "also_in",
)


# The case facets and how a user reads them.
CASE_FACETS = {"problem": "问题类别", "sanction": "处理处分", "level": "干部层级", "year": "年份"}


def public_case(case: dict) -> dict:
    """A case record in the shape of ``CASE_KEYS``."""
    return {key: case[key] for key in CASE_KEYS}


@dataclass
class CaseList:
    total: int
    cases: list[dict]  # records: id, doc_id, path, title, doc_no, date, summary, person, ...
    notes: list[str] = field(default_factory=list)
    error: str = ""  # as SearchResult.error

    def as_dict(self) -> dict:
        """The JSON shape of ``kb cases --json``."""
        shown: dict = {"cases": [public_case(case) for case in self.cases]}
        if self.error:
            shown["error"] = self.error
        return shown

    def facets(self) -> dict[str, list[tuple[str, int]]]:
        """What these cases can be narrowed by, with counts: problem categories, sanctions
        and levels most frequent first, years newest first."""
        counters: dict[str, Counter] = {name: Counter() for name in CASE_FACETS}
        for case in self.cases:
            counters["problem"].update(set(case["problems"]))
            counters["sanction"].update(set(case["sanctions"]))
            counters["level"][case["level"]] += 1
            counters["year"].update(str(year) for year in set(case["years"]))
        ordered = {
            name: sorted(counter.items(), key=lambda item: (-item[1], item[0]))
            for name, counter in counters.items()
        }
        ordered["year"] = sorted(counters["year"].items(), reverse=True)
        return ordered


@dataclass
class DocumentView:
    """A whole document for reading: metadata and every passage in order."""

    doc_id: str
    path: str
    source: str
    title: str
    doc_type: str
    date: str
    issuer: str
    doc_no: str
    speaker: str
    # By ordinal (passages[n] has ordinal n): {"ordinal", "text", "section", "heading",
    # "meta", "place", "requirements"}; metadata lines come after the passages.
    passages: list[dict]

    def in_reading_order(self) -> list[dict]:
        """Passages and metadata lines as they stand in the document: a metadata line before
        the passage its ``place`` names."""
        return sorted(
            self.passages,
            key=lambda p: (p["place"], 0, p["ordinal"]) if p["meta"] else (p["ordinal"], 1, 0),
        )
