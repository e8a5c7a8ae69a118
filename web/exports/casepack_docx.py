"""案例教材 as a Word document: a cover page without a page number (title, the trainer's unit and
date lines), a 目录, then one section per case numbered 案例一, 案例二 …: facts, 处理结果,
出处 and, when asked, a 讨论题 block of numbered blank lines for the trainer to fill in.

A case quoted from a notice keeps its own 一、 and 1. as text. So that the pack's numbers never
collide with them, cases are numbered 案例一 (kb.numbering.case_heading) and the parts of a case
are labelled 【基本事实】 rather than numbered （一）."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Mm, Pt

from kb.numbering import case_heading, numbered
from web.exports.cover_title import title_lines
from web.exports.docx import (
    BODY_FONT,
    TITLE_FONT,
    _paragraph,
    body,
    body_line,
    heading,
    new_document,
    outline_level,
    subheading,
    to_bytes,
)
from web.exports.draft_docx import DraftCase
from web.exports.page_numbers import unnumbered_cover
from web.exports.toc import add_toc

QUESTION_LINES = 3
BLANK_LINE = "____________________________________"
COVER_TITLE_SIZE = 26
# The text block is 156 mm wide (A4 less the 28 and 26 mm margins): 17 characters at 26 pt.
COVER_LINE = int(Mm(210 - 28 - 26).pt / COVER_TITLE_SIZE)
PARTS = ("【基本事实】", "【处理结果】", "【出处】", "【讨论题】")


def _cover(
    document,
    title_text: str,
    unit: str,
    date: str,
    notes: list[str],
    breaks: Collection[int] | None,
) -> None:
    for _ in range(6):
        body_line(document, "", indent=False)
    lines = title_lines(title_text, COVER_LINE, breaks)
    _paragraph(
        document,
        "\n".join(lines),  # python-docx writes each \n as a line break
        TITLE_FONT,
        Pt(COVER_TITLE_SIZE),
        indent=False,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    for _ in range(8 - len(lines)):
        body_line(document, "", indent=False)
    for line in (unit, date, *notes):
        if line:
            _paragraph(document, line, BODY_FONT, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)


def build_casepack_docx(
    title_text: str,
    unit: str,
    date: str,
    cases: list[DraftCase],
    questions: bool = False,
    notes: Sequence[str] = (),
    title_breaks: Collection[int] | None = None,
) -> bytes:
    """The pack as .docx bytes. ``title_breaks`` are the offsets between the title's words
    (web.exports.cover_title.word_boundaries), where a long cover title may break."""
    document = new_document(title_text, author=unit)
    _cover(document, title_text, unit, date, list(notes), title_breaks)
    # The cover ends its own section: no page number on it, the body counts from 1.
    body_section = document.add_section(WD_SECTION.NEW_PAGE)
    unnumbered_cover(document.sections[0], body_section)
    headings = [case_heading(number, case.summary) for number, case in enumerate(cases, 1)]
    if headings:
        add_toc(document, headings)
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    for text, case in zip(headings, cases, strict=True):
        outline_level(heading(document, text), 1)
        if case.who:
            body_line(document, f"当事人：{case.who}")
        subheading(document, PARTS[0])
        body(document, case.text)
        subheading(document, PARTS[1])
        body_line(document, "、".join(case.sanctions) or "（通报未列明）")
        subheading(document, PARTS[2])
        body_line(document, case.citation)
        if questions:
            subheading(document, PARTS[3])
            for line in range(1, QUESTION_LINES + 1):
                body_line(document, numbered(line, 3, f" {BLANK_LINE}"))
    return to_bytes(document)
