"""What kb knows about: documents and the passages they are split into."""

from __future__ import annotations

from dataclasses import dataclass, field

from kb.dates import year_of


@dataclass
class Block:
    """A paragraph as a reader found it; ``heading_level`` (1 = outermost) when the format
    marks it as a heading (a Word heading style, HTML h1-h6, Markdown #); 0 for a part above
    the numbered headings (一、) its text may have, such as a workbook's sheet; ``in_table``
    when it stands in a table."""

    text: str
    heading_level: int | None = None
    # Read from a table cell or row: a form's first cell (一、基本情况, 序号　问题) is no title.
    in_table: bool = False


@dataclass
class Extracted:
    """What a reader gets out of a file: paragraphs in order, and metadata the format itself
    states (an HTML page's article title and 发布时间, a Word file's core title)."""

    blocks: list[Block]
    title: str = ""
    date: str = ""

    @classmethod
    def from_text(cls, text: str) -> Extracted:
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        return cls([Block(line) for line in lines])


@dataclass
class Passage:
    """A paragraph (or part of a long one) with the headings it stands under."""

    text: str
    section: tuple[str, ...] = ()
    heading: bool = False  # a heading line; ``section`` holds the headings above it


@dataclass
class Document:
    """One source file, its metadata and its passages.

    ``date`` is ``YYYY-MM-DD`` or ``""``; ``doc_no`` is normalised (see ``kb.docno``).
    """

    doc_id: str
    path: str
    title: str
    doc_type: str = "其他"
    date: str = ""
    issuer: str = ""
    doc_no: str = ""
    speaker: str = ""
    source: str = ""
    content_hash: str = ""
    passages: list[Passage] = field(default_factory=list)
    # Metadata lines (发文字号, dates, signature ...) with their place: see kb.structure.Outline.
    meta_lines: list[tuple[int, str]] = field(default_factory=list)
    # What was read despite a problem (a broken encoding, a cut-off table), for the report.
    warnings: list[str] = field(default_factory=list)

    month: str = ""  # YYYY-MM, for documents dated by month only
    # Who may see it: kb.access tokens, comma-separated (side files and folder rules set it).
    access: str = "公开"

    @property
    def year(self) -> int | None:
        return year_of(self.date) or year_of(self.month)
