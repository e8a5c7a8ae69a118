"""The 整改台账 and 问题清单 of a 对照检查 draft as an .xlsx workbook a cadre hands in after
light editing (issue 16 item 2), laid out the way such ledgers are printed: a merged title
row, a bold filled header that stays frozen on screen and repeats on every printed page,
columns sized for Chinese text, wrapped top-aligned cells with thin borders, A4 landscape
fitted to the page width. Fonts are named (宋体 header, 仿宋 body), not embedded.

Every value is written as text: a problem typed as ``=1+1`` stays those characters, never a
formula. A deadline typed as a date (2025-12-31, 2025/12/31) becomes a real date shown
yyyy-mm-dd, so the ledger sorts by it; anything else (2025年12月底) stays as typed."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, date, datetime

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from kb.dates import whole_date
from web.exports.draft_docx import DraftItem
from web.exports.ledger import LEDGER_HEADERS, LIST_HEADERS, LedgerRow, ledger_rows
from web.text import clean_text

LEDGER_SHEET = "整改台账"
LIST_SHEET = "问题清单"
HEADER_FONT = Font(name="宋体", size=11, bold=True)
TITLE_FONT = Font(name="宋体", size=16, bold=True)
BODY_FONT = Font(name="仿宋", size=11)
NOTE_FONT = Font(name="仿宋", size=10, italic=True)
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTRED = Alignment(wrap_text=True, vertical="center", horizontal="center")
# Widths in Excel's units (one digit of the default font); a Chinese character takes two.
# The text columns are wide, the short ones just hold their header.
WIDTHS = {
    "序号": 6,
    "问题类别": 14,
    "问题表现": 34,
    "对应要求及出处": 48,
    "整改措施": 34,
    "责任人": 10,
    "完成时限": 13,
    "整改进展/销号情况": 18,
}
TITLE_ROW, HEADER_ROW = 1, 2
LINE_HEIGHT = 14.5  # points per line of 11 pt text
MAX_ROW_HEIGHT = 409  # Excel's limit
MAX_CELL = 32767  # characters a cell holds


def _width(text: str) -> int:
    """Display width in Excel units: CJK and full-width characters count two."""
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def _lines(text: str, width: int) -> int:
    """How many lines ``text`` wraps to in a column ``width`` units wide (an estimate: Excel
    does not size wrapped rows by itself when opening a file, LibreOffice and WPS do)."""
    usable = max(width - 1, 1)
    return sum(max(1, -(-_width(line) // usable)) for line in text.split("\n"))


def _deadline(text: str) -> date | str:
    """A date typed as one becomes a real date; 2025年12月底 and the like stay text."""
    day = whole_date(text)  # kb.dates: 2025-12-31, 2025/12/31, 2025年12月31日 …
    return date.fromisoformat(day) if day else text


def _put(cell: Cell, value: object) -> None:
    """Write ``value`` as what it is: text stays text (never a formula), dates show as dates."""
    if isinstance(value, date):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, int):
        cell.value = value
    elif value:
        text = clean_text(str(value))
        cell.value = text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"
        cell.data_type = "s"  # openpyxl would store "=…" as a formula


def _sheet(
    sheet: Worksheet,
    heading: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    notes: Sequence[str],
) -> None:
    """Title, frozen header and rows, formatted and set up to print on A4 landscape."""
    last = get_column_letter(len(headers))
    sheet.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    _put(sheet.cell(TITLE_ROW, 1), heading)
    sheet.cell(TITLE_ROW, 1).font = TITLE_FONT
    sheet.cell(TITLE_ROW, 1).alignment = CENTRED
    sheet.row_dimensions[TITLE_ROW].height = 30
    for column, name in enumerate(headers, 1):
        cell = sheet.cell(HEADER_ROW, column)
        _put(cell, name)
        cell.font, cell.fill, cell.border, cell.alignment = (
            HEADER_FONT,
            HEADER_FILL,
            BORDER,
            CENTRED,
        )
        sheet.column_dimensions[get_column_letter(column)].width = WIDTHS[name]
    sheet.row_dimensions[HEADER_ROW].height = 20
    for number, values in enumerate(rows, HEADER_ROW + 1):
        lines = 1
        for column, (name, value) in enumerate(zip(headers, values, strict=True), 1):
            cell = sheet.cell(number, column)
            _put(cell, _deadline(str(value)) if name == "完成时限" else value)
            cell.font, cell.border = BODY_FONT, BORDER
            cell.alignment = CENTRED if name == "序号" else WRAP
            lines = max(lines, _lines(str(cell.value or ""), WIDTHS[name]))
        sheet.row_dimensions[number].height = min(lines * LINE_HEIGHT + 4, MAX_ROW_HEIGHT)
    if notes:
        row = HEADER_ROW + len(rows) + 1
        sheet.merge_cells(f"A{row}:{last}{row}")
        _put(sheet.cell(row, 1), "".join(notes))
        sheet.cell(row, 1).font = NOTE_FONT
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = sheet.ORIENTATION_LANDSCAPE
    setup.fitToWidth, setup.fitToHeight = 1, 0  # one page wide, as many pages long as needed
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins = PageMargins(left=0.6, right=0.6, top=0.7, bottom=0.7, header=0.3)
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"


def _base(title: str) -> str:
    """对照检查材料 -> 对照检查: the sheets' titles name the ledger, not the material."""
    return title.removesuffix("材料") or title


def build_ledger_xlsx(
    title: str, items: Sequence[DraftItem], notes: Sequence[str] = (), unit: str = ""
) -> bytes:
    """The workbook: sheet 整改台账 (every column), then 问题清单 (the problems alone)."""
    rows: list[LedgerRow] = ledger_rows(items)
    workbook = Workbook()
    ledger = workbook.active
    assert ledger is not None  # a new workbook has one sheet
    ledger.title = LEDGER_SHEET
    _sheet(ledger, f"{_base(title)}整改台账", LEDGER_HEADERS, [r.ledger() for r in rows], notes)
    problems = workbook.create_sheet(LIST_SHEET)
    _sheet(problems, f"{_base(title)}问题清单", LIST_HEADERS, [r.problem_list() for r in rows], ())
    now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    properties = workbook.properties
    properties.title = clean_text(title)
    properties.creator = clean_text(unit) or None  # never openpyxl's own name
    properties.lastModifiedBy = properties.creator
    properties.created = properties.modified = now
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
