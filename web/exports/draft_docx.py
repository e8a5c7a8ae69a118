"""The 对照检查材料 as a 公文-style Word document: 一、对照要求查摆的问题 (each requirement
quoted with its citation, then the user's 本人差距 and 具体事例), 二、典型案例警示, and
三、整改措施 as a real table (序号, 问题, 措施, 责任人, 完成时限, 销号情况) whose columns are
sized for their content. The same ledger as a spreadsheet: web.exports.ledger_xlsx."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Mm

from kb.numbering import numbered
from web.exports.docx import (
    HEADING_FONT,
    body,
    body_line,
    cell_text,
    cite,
    column_widths,
    heading,
    new_document,
    subheading,
    title,
    to_bytes,
)

BLANK = "________"
TABLE_HEADERS = ("序号", "问题", "措施", "责任人", "完成时限", "销号情况")
# The 156 mm text block shared out: the two text columns take what the short ones leave
# (a 12 pt header of n characters needs about 4.3n mm plus the cell margins).
TABLE_WIDTHS = tuple(Mm(w) for w in (13, 41.5, 41.5, 18, 21, 21))
SECTIONS = tuple(
    numbered(n, 1, name)
    for n, name in enumerate(("对照要求查摆的问题", "典型案例警示", "整改措施"), 1)
)


@dataclass
class DraftItem:
    text: str  # verbatim from the index
    citation: str
    gap: str = ""  # the user's own words from here on
    example: str = ""
    measure: str = ""
    owner: str = ""
    deadline: str = ""
    topics: list[str] = field(default_factory=list)  # the requirement's, for the ledger


@dataclass
class DraftCase:
    summary: str
    who: str
    problems: list[str]
    sanctions: list[str]
    text: str
    citation: str


def _labelled(document, label: str, text: str) -> None:
    """本人差距：… with the user's text, or a line to write on when they left it empty."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    body_line(document, f"{label}{lines[0] if lines else BLANK}")
    for line in lines[1:]:
        body_line(document, line)


def build_draft_docx(
    title_text: str, items: list[DraftItem], cases: list[DraftCase], notes: Sequence[str] = ()
) -> bytes:
    document = new_document(title_text)
    title(document, title_text, "".join(notes))
    heading(document, SECTIONS[0])
    for number, item in enumerate(items, 1):
        subheading(document, numbered(number, 2, "对照要求"))
        body(document, item.text)
        cite(document, item.citation)
        _labelled(document, "本人差距：", item.gap)
        _labelled(document, "具体事例：", item.example)
    heading(document, SECTIONS[1])
    if not cases:
        body_line(document, "（未选择典型案例）")
    for number, case in enumerate(cases, 1):
        subheading(document, numbered(number, 2, case.summary))
        if case.who:
            body_line(document, f"当事人：{case.who}")
        if case.problems:
            body_line(document, f"问题类别：{'、'.join(case.problems)}")
        if case.sanctions:
            body_line(document, f"处理结果：{'、'.join(case.sanctions)}")
        cite(document, case.citation)
    heading(document, SECTIONS[2])
    table = document.add_table(rows=1, cols=len(TABLE_HEADERS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, name in zip(table.rows[0].cells, TABLE_HEADERS, strict=True):
        cell_text(cell, name, HEADING_FONT)
    for number, item in enumerate(items, 1):
        cells = table.add_row().cells
        problem = item.gap or item.text
        values = (str(number), problem, item.measure, item.owner, item.deadline, "")
        for cell, value in zip(cells, values, strict=True):
            cell_text(cell, value)
    column_widths(table, TABLE_WIDTHS)
    return to_bytes(document)
