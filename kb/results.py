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
    ocr: bool = False  # its document was read by OCR: a character may be misread

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
    # How many documents the ``total`` passages come from (the unit the facets count in).
    documents: int = 0

    def as_dict(self) -> dict:
        """The JSON shape of ``kb search --json``: ``error`` only when the search failed."""
        shown = {
            "query": self.query,
            "total": self.total,
            "documents": self.documents,
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


@dataclass
class CaseRecord:
    """A typical case as kb shows it: the fields of ``CASE_KEYS`` (``as_dict``), and where the
    case starts in its notice for links."""

    id: str  # "<doc_id>-c<ordinal>"
    doc_id: str
    path: str
    title: str  # of the notice the case stands in
    doc_no: str
    date: str
    summary: str
    person: str
    position: str
    unit: str
    level: str
    problems: list[str]  # taxonomy labels, a sub-kind as "形式主义官僚主义/数据造假"
    sanctions: list[str]
    years: list[int]  # when the conduct happened
    text: str
    also_in: list[dict] = field(default_factory=list)  # reposted copies: doc_id, path, title, date
    ordinal: int = 0  # the case's place in its notice
    first_passage: int = 0  # the ordinal of the notice's passage where the case starts
    # How well the case fits a requirement (0..1), set only where cases are matched to one
    # (kb.workbench.suggest_cases).
    score: float | None = None

    @classmethod
    def from_stored(cls, case_id: str, row: dict) -> CaseRecord:
        """The case from the stored fields of its first passage (an index row whose ``case``
        holds the record ``indexer.pipeline.case_fields`` wrote)."""
        case = row["case"]
        return cls(
            id=case_id,
            doc_id=row["doc_id"],
            path=row["path"],
            title=row.get("title", ""),
            doc_no=row.get("doc_no", ""),
            date=row.get("date", ""),
            summary=case["summary"],
            person=case["person"],
            position=case["position"],
            unit=case["unit"],
            level=case["level"],
            problems=list(case["problems"]),
            sanctions=list(case["sanctions"]),
            years=list(case["years"]),
            text=case["text"],
            ordinal=case["ordinal"],
            first_passage=row["ordinal"],
        )

    def as_dict(self) -> dict:
        """The case in the shape of ``CASE_KEYS``, and its ``score`` where it has one."""
        shown = {key: getattr(self, key) for key in CASE_KEYS}
        for key in ("problems", "sanctions", "years"):
            shown[key] = list(shown[key])
        shown["also_in"] = [dict(copy) for copy in self.also_in]
        if self.score is not None:
            shown["score"] = self.score
        return shown


@dataclass
class CaseList:
    total: int
    cases: list[CaseRecord]
    notes: list[str] = field(default_factory=list)
    error: str = ""  # as SearchResult.error

    def as_dict(self) -> dict:
        """The JSON shape of ``kb cases --json``."""
        shown: dict = {"cases": [case.as_dict() for case in self.cases]}
        if self.error:
            shown["error"] = self.error
        return shown

    def facets(self) -> dict[str, list[tuple[str, int]]]:
        """What these cases can be narrowed by, with counts: problem categories, sanctions
        and levels most frequent first, years newest first."""
        counters: dict[str, Counter] = {name: Counter() for name in CASE_FACETS}
        for case in self.cases:
            counters["problem"].update(set(case.problems))
            counters["sanction"].update(set(case.sanctions))
            counters["level"][case.level] += 1
            counters["year"].update(str(year) for year in set(case.years))
        # A category shown with sub-kinds counts their cases too, as its filter finds them
        # (the index files 形式主义官僚主义/数据造假 under 形式主义官僚主义 as well).
        for category in [c for c in counters["problem"] if "/" not in c]:
            counters["problem"][category] = sum(
                any(p == category or p.startswith(category + "/") for p in case.problems)
                for case in self.cases
            )
        ordered = {
            name: sorted(counter.items(), key=lambda item: (-item[1], item[0]))
            for name, counter in counters.items()
        }
        ordered["year"] = sorted(counters["year"].items(), reverse=True)
        return ordered


@dataclass
class RequirementRecord:
    """A requirement clause as kb shows it (要求清单, /api/requirements, a 对照检查 draft's
    item): the clause and the document it stands in. A 收集夹 passage a draft names takes
    the same shape (``kind`` 段落, its text as ``text`` and ``full_text``)."""

    id: str  # "<doc_id>-r<n>" for a clause, "<doc_id>-p<ordinal>" for a 收集夹 passage
    doc_id: str
    path: str
    title: str
    doc_no: str
    date: str
    doc_type: str
    section: list[str]  # the headings the clause stands under, outermost first
    passage: int  # the ordinal of its passage
    text: str  # verbatim from the passage
    full_text: str  # with the article's further paragraphs
    kind: str  # 要求, 禁止, 条款, 分项; 段落 for a 收集夹 passage
    topics: list[str]
    # The other documents stating the same clause (kb.requirement_copies): doc_id, path,
    # title, date, as a hit's also_in.
    also_in: list[dict] = field(default_factory=list)

    @classmethod
    def from_stored(cls, view: DocumentView, passage: dict, stored: dict) -> RequirementRecord:
        """The clause from a passage of ``view`` (``DocumentView.passages``) and one of the
        requirements stored with it (``indexer.pipeline.requirement_fields``)."""
        return cls(
            id=stored["id"],
            doc_id=view.doc_id,
            path=view.path,
            title=view.title,
            doc_no=view.doc_no,
            date=view.date,
            doc_type=view.doc_type,
            section=list(stored.get("section", passage["section"])),
            passage=passage["ordinal"],
            text=stored["text"],
            full_text=stored["full_text"],
            kind=stored["kind"],
            topics=list(stored["topics"]),
        )

    def as_dict(self) -> dict:
        """The JSON shape of /api/requirements' items (before the web adds citation and link)."""
        shown = dict(self.__dict__)
        shown["section"] = list(self.section)
        shown["topics"] = list(self.topics)
        shown["also_in"] = [dict(copy) for copy in self.also_in]
        return shown


@dataclass(frozen=True)
class DocumentSummary:
    """A document as a list of files shows it (the admin's 文件列表): what the index holds of
    it, read from its first passage."""

    doc_id: str
    path: str
    title: str
    doc_type: str
    date: str  # YYYY-MM-DD or ""
    year: int | None  # the year the year filter uses (a document dated by month has one)
    issuer: str
    doc_no: str


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
    # How the file was read, for its reader: ``ocr`` when by OCR (characters may be misread),
    # ``notes`` the readers' own words (indexer.readers' warnings: OCR, skipped pages ...).
    ocr: bool = False
    notes: list[str] = field(default_factory=list)

    def in_reading_order(self) -> list[dict]:
        """Passages and metadata lines as they stand in the document: a metadata line before
        the passage its ``place`` names."""
        return sorted(
            self.passages,
            key=lambda p: (p["place"], 0, p["ordinal"]) if p["meta"] else (p["ordinal"], 1, 0),
        )
