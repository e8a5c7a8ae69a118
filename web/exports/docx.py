"""The 收集夹 as a Word document laid out the way 公文 are (GB/T 9704 habits).

A4; margins 37/35/28/26 mm; title in 方正小标宋简体 二号 (22 pt) centred; body in 仿宋_GB2312
三号 (16 pt) with a fixed 28.95 pt line pitch (22 lines in the 225 mm text block) and a
two-character first-line indent; level-one headings in 黑体, level-two in 楷体_GB2312, level-three
in bold 仿宋, each kept with the paragraph after it; each excerpt followed by its citation. Fonts are named, not
embedded: Word falls back when a machine lacks one. ``new_document`` also gives every export its
page numbers (web.exports.page_numbers) and document properties (title, author, today's dates).

Every run of text goes through ``_run``, which drops what XML cannot hold (web.text): text
from visitors and from the indexed documents alike.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt
from docx.text.paragraph import Paragraph

from kb.numbering import numbered
from web.exports import fonts
from web.exports.page_numbers import add_page_numbers
from web.text import clean_text

TITLE_FONT = fonts.TITLE.word
BODY_FONT = fonts.BODY.word
HEADING_FONT = fonts.HEADING.word
SUBHEADING_FONT = fonts.SUBHEADING.word
BODY_SIZE = Pt(16)
TITLE_SIZE = Pt(22)
LINE_PITCH = Pt(28.95)


@dataclass
class Excerpt:
    text: str
    citation: str
    heading: str = ""
    note: str = ""


def _run(paragraph, text: str, name: str, size=BODY_SIZE, bold: bool = False):
    """A run of ``text`` (cleaned for XML) in the given font: the one way text enters a file."""
    run = paragraph.add_run(clean_text(text))
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    return run


def _paragraph(
    document,
    text: str,
    font: str,
    size=BODY_SIZE,
    indent: bool = True,
    align=None,
    bold: bool = False,
):
    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_PITCH
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size.pt * 2)
        # Two characters whatever the size the user later gives the text.
        paragraph._p.get_or_add_pPr().get_or_add_ind().set(qn("w:firstLineChars"), "200")
    if align is not None:
        paragraph.alignment = align
    _run(paragraph, text, font, size, bold)
    return paragraph


def _properties(document: WordDocument, title_text: str, author: str) -> None:
    """Title, author and dates of this export, not python-docx's template (author python-docx,
    created 2013-12-23), which Word shows under 文件 > 信息."""
    now = datetime.now(UTC).replace(microsecond=0)
    properties = document.core_properties
    properties.title = clean_text(title_text)
    properties.author = properties.last_modified_by = clean_text(author)
    properties.created = properties.modified = now
    properties.comments = properties.subject = properties.keywords = properties.category = ""
    properties.revision = 1


def new_document(title_text: str, author: str = "") -> WordDocument:
    """A blank A4 document with 公文 margins, the 仿宋 三号 body style, page numbers and this
    export's properties (shared by all exports). ``author`` is the unit the user typed, if any."""
    document = Document()
    _properties(document, title_text, author)
    section = document.sections[0]
    section.page_height, section.page_width = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = BODY_SIZE
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    add_page_numbers(document)
    return document


def title(document, text: str, subtitle: str = "", byline: str = "") -> None:
    """The 小标宋 title, the optional 楷体 lines under it (a byline naming the unit and person
    whose material it is, then a subtitle), then one empty line, as 公文 open."""
    _paragraph(
        document, text, TITLE_FONT, TITLE_SIZE, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER
    )
    for line in (byline, subtitle):
        if line:
            _paragraph(
                document, line, SUBHEADING_FONT, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER
            )
    _paragraph(document, "", BODY_FONT, indent=False)


def heading(document: WordDocument, text: str) -> Paragraph:
    """A level-one heading (黑体): 一、…, never left alone at the foot of a page."""
    paragraph = _paragraph(document, text, HEADING_FONT)
    paragraph.paragraph_format.keep_with_next = True
    return paragraph


def subheading(document: WordDocument, text: str) -> Paragraph:
    """A level-two heading (楷体): （一）…, never left alone at the foot of a page."""
    paragraph = _paragraph(document, text, SUBHEADING_FONT)
    paragraph.paragraph_format.keep_with_next = True
    return paragraph


def minor_heading(document: WordDocument, text: str) -> Paragraph:
    """A level-three heading (1.): 仿宋 in bold as GB/T 9704 practice sets it, kept with the
    paragraph after it."""
    paragraph = _paragraph(document, text, BODY_FONT, bold=True)
    paragraph.paragraph_format.keep_with_next = True
    return paragraph


def outline_level(paragraph: Paragraph, level: int) -> None:
    """Mark a heading for Word's navigation pane and TOC fields (``level`` 1 is the outermost),
    since the exports style headings directly rather than with Word's 标题 styles."""
    element = OxmlElement("w:outlineLvl")
    element.set(qn("w:val"), str(level - 1))
    paragraph._p.get_or_add_pPr().insert_element_before(
        element, "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"
    )


def aside(document: WordDocument, text: str) -> Paragraph:
    """A 楷体 line that is no heading (a user's note): set apart, free to end a page."""
    return _paragraph(document, text, SUBHEADING_FONT)


def body(document, text: str) -> None:
    """Body text, one 仿宋 paragraph per non-empty line."""
    for line in text.split("\n"):
        if line.strip():
            _paragraph(document, line.strip(), BODY_FONT)


def body_line(document, text: str, indent: bool = True):
    """Exactly one 仿宋 paragraph (also an empty one, for blank lines to write on)."""
    return _paragraph(document, text, BODY_FONT, indent=indent)


def cite(document, text: str):
    """The citation under a quotation: ——《标题》（…）, right-aligned, 楷体."""
    return _paragraph(document, f"——{text}", SUBHEADING_FONT, align=WD_ALIGN_PARAGRAPH.RIGHT)


TABLE_SIZE = Pt(12)


def cell_text(cell, text: str, font: str = BODY_FONT, size=TABLE_SIZE) -> None:
    """Fill a table cell with one run in the given font (tables use a smaller size)."""
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_before = paragraph.paragraph_format.space_after = Pt(0)
    _run(paragraph, text, font, size)


def column_widths(table, widths: Sequence[Length]) -> None:
    """Fix each column's width (grid and every cell): Word and LibreOffice otherwise share the
    width equally, so a 序号 column takes as much room as the problem text."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width


def to_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def build_docx(title_text: str, excerpts: list[Excerpt], subtitle: str = "") -> bytes:
    document = new_document(title_text)
    title(document, title_text, subtitle)
    for number, excerpt in enumerate(excerpts, 1):
        heading(document, numbered(number, 1, excerpt.heading))
        body(document, excerpt.text)
        cite(document, excerpt.citation)
        if excerpt.note:
            aside(document, f"（备注：{excerpt.note}）")
    return to_bytes(document)
