"""A 目录 that Word and WPS can update and that LibreOffice prints as it is.

The TOC field (``TOC \\o "1-1" \\h \\z \\u``) lists the paragraphs whose outline level is 1
(``web.exports.docx.outline_level``); Word and WPS rebuild it with page numbers on 更新域.
LibreOffice's PDF conversion does not update fields, so the field carries its entries as its
cached result: the headings' text, without page numbers (those depend on the layout, which
only the word processor knows)."""

from __future__ import annotations

from collections.abc import Sequence
from copy import deepcopy

from docx.document import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.font import CT_RPr
from docx.oxml.xmlchemy import BaseOxmlElement

from web.exports.docx import BODY_FONT, HEADING_FONT, TITLE_FONT, TITLE_SIZE, _paragraph

TOC_TITLE = "目　录"
INSTRUCTION = ' TOC \\o "1-1" \\h \\z \\u '


def _run(kind: str, style: CT_RPr | None) -> BaseOxmlElement:
    """A run holding one part of a complex field: begin, separate, end or the instruction."""
    run = OxmlElement("w:r")
    if style is not None:
        run.append(deepcopy(style))
    if kind == "instruction":
        part = OxmlElement("w:instrText")
        part.set(qn("xml:space"), "preserve")
        part.text = INSTRUCTION
    else:
        part = OxmlElement("w:fldChar")
        part.set(qn("w:fldCharType"), kind)
    run.append(part)
    return run


def add_toc(document: WordDocument, entries: Sequence[str]) -> None:
    """The 目录 heading and a TOC field whose cached result is one line per entry."""
    _paragraph(
        document, TOC_TITLE, TITLE_FONT, TITLE_SIZE, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER
    )
    _paragraph(document, "", HEADING_FONT, indent=False)
    lines = [
        _paragraph(document, entry, BODY_FONT, indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
        for entry in entries or [""]
    ]
    first = lines[0]._p
    style = first.r_lst[0].rPr if first.r_lst else None  # the field's runs in the entries' font
    at = 0 if first.pPr is None else 1
    for offset, kind in enumerate(("begin", "instruction", "separate")):
        first.insert(at + offset, _run(kind, style))
    lines[-1]._p.append(_run("end", style))
