"""案例教材 as a Word document: a cover page (title, the trainer's unit and date lines), then
one numbered section per case: facts, 处理结果, 出处 and, when asked, a 讨论题 block of
numbered blank lines for the trainer to fill in."""

from __future__ import annotations

from collections.abc import Sequence

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Pt

from kb.numbering import numbered
from web.exports.docx import (
    BODY_FONT,
    TITLE_FONT,
    _paragraph,
    body,
    body_line,
    heading,
    new_document,
    subheading,
    to_bytes,
)
from web.exports.draft_docx import DraftCase

QUESTION_LINES = 3
BLANK_LINE = "____________________________________"
COVER_TITLE_SIZE = 26


def _cover(document, title_text: str, unit: str, date: str, notes: list[str]) -> None:
    for _ in range(6):
        body_line(document, "", indent=False)
    _paragraph(
        document,
        title_text,
        TITLE_FONT,
        Pt(COVER_TITLE_SIZE),
        indent=False,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    for _ in range(8):
        body_line(document, "", indent=False)
    for line in (unit, date, *notes):
        if line:
            _paragraph(document, line, BODY_FONT, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def build_casepack_docx(
    title_text: str,
    unit: str,
    date: str,
    cases: list[DraftCase],
    questions: bool = False,
    notes: Sequence[str] = (),
) -> bytes:
    document = new_document(title_text, author=unit)
    _cover(document, title_text, unit, date, list(notes))
    for number, case in enumerate(cases, 1):
        heading(document, numbered(number, 1, case.summary))
        if case.who:
            body_line(document, f"当事人：{case.who}")
        subheading(document, numbered(1, 2, "基本事实"))
        body(document, case.text)
        subheading(document, numbered(2, 2, "处理结果"))
        body_line(document, "、".join(case.sanctions) or "（通报未列明）")
        subheading(document, numbered(3, 2, "出处"))
        body_line(document, case.citation)
        if questions:
            subheading(document, numbered(4, 2, "讨论题"))
            for line in range(1, QUESTION_LINES + 1):
                body_line(document, numbered(line, 3, f" {BLANK_LINE}"))
    return to_bytes(document)
