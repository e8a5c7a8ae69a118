"""GB/T 9704 page numbers for every Word export: “— 1 —” in 4号 (14 pt) 宋体 under the text
block, odd pages on the right and even pages on the left, each one character in from the edge
(单页码居右空一字，双页码居左空一字).

The number is a PAGE field, so Word and WPS count the pages themselves after the user edits
the text; odd and even pages get their own footers (settings.xml w:evenAndOddHeaders).
"""

from __future__ import annotations

from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.run import CT_R
from docx.section import Section
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

PAGE_NUMBER_FONT = "宋体"
PAGE_NUMBER_SIZE = Pt(14)  # 4号
# From the page's bottom edge to the footer: with a 35 mm bottom margin this puts the number
# about 7 mm under the text block, where GB/T 9704 puts it.
FOOTER_DISTANCE = Mm(22)
DASH_BEFORE, DASH_AFTER = "— ", " —"


def _run(paragraph: Paragraph, text: str = "") -> CT_R:
    """A run in 宋体 4号 for ASCII and East Asian text alike (the dashes and digits are 半角)."""
    run = paragraph.add_run(text)
    run.font.name = PAGE_NUMBER_FONT
    run.font.size = PAGE_NUMBER_SIZE
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), PAGE_NUMBER_FONT)
    return run._element


def _field_char(paragraph: Paragraph, kind: str) -> None:
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    _run(paragraph).append(char)


def _page_field(paragraph: Paragraph) -> None:
    """PAGE as a complex field whose cached result is 1 (Word and LibreOffice recompute it)."""
    _field_char(paragraph, "begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    _run(paragraph).append(instruction)
    _field_char(paragraph, "separate")
    _run(paragraph, "1")
    _field_char(paragraph, "end")


def _number_line(paragraph: Paragraph, odd: bool) -> None:
    fmt = paragraph.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    # One character of the number's own size in from the edge; the Chars form keeps it one
    # character if the user changes the font size.
    if odd:
        fmt.right_indent = PAGE_NUMBER_SIZE
    else:
        fmt.left_indent = PAGE_NUMBER_SIZE
    indent = paragraph._p.get_or_add_pPr().get_or_add_ind()
    indent.set(qn("w:rightChars" if odd else "w:leftChars"), "100")
    _run(paragraph, DASH_BEFORE)
    _page_field(paragraph)
    _run(paragraph, DASH_AFTER)


def add_page_numbers(document: Document) -> None:
    """Odd-page and even-page footers carrying “— n —” in every section of ``document``."""
    document.settings.odd_and_even_pages_header_footer = True
    for section in document.sections:
        section.footer_distance = FOOTER_DISTANCE
        for footer, odd in ((section.footer, True), (section.even_page_footer, False)):
            footer.is_linked_to_previous = False
            _number_line(footer.paragraphs[0], odd)


def unnumbered_cover(cover: Section, body: Section) -> None:
    """A cover without a page number before a body numbered from 1.

    ``cover`` and ``body`` are the two sections python-docx's ``add_section`` leaves: the
    cover holds the footer references and the body inherits them. The references move to the
    body, and the cover gets empty footers of its own rather than none, so that no word
    processor falls back to another section's footer."""
    for reference in cover._sectPr.xpath("w:footerReference"):
        body._sectPr.insert(0, reference)  # references come first in a sectPr
    for footer in (cover.footer, cover.even_page_footer):
        footer.is_linked_to_previous = False
    restart_page_numbers(body)


def restart_page_numbers(section: Section, start: int = 1) -> None:
    """Number the pages of ``section`` from ``start`` (the body after a cover is page 1)."""
    sectPr = section._sectPr
    number_type = sectPr.find(qn("w:pgNumType"))
    if number_type is None:
        number_type = OxmlElement("w:pgNumType")
        # Schema order: pgNumType comes before cols, docGrid and the rest.
        following = [sectPr.find(qn(f"w:{tag}")) for tag in ("cols", "formProt", "vAlign")]
        following += [sectPr.find(qn(f"w:{tag}")) for tag in ("noEndnote", "titlePg", "docGrid")]
        anchor = next((element for element in following if element is not None), None)
        if anchor is None:
            sectPr.append(number_type)
        else:
            anchor.addprevious(number_type)
    number_type.set(qn("w:start"), str(start))
