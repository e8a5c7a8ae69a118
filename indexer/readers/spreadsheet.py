"""Spreadsheets (.xlsx, .csv): each data row of a 台账 or 清单 becomes one paragraph that names
its columns, under a heading per sheet.

A row read cell by cell ("淳安县人民法院 13301012001000001 法官助理1 ...") says nothing on its
own; written as "招录单位名称：淳安县人民法院；职位代码：13301012001000001；……" it is found by
the words of its column headings too, and a search result reads without the sheet beside it.

The header is the first row with two or more filled cells; rows above it with a single filled
cell (a title merged across the columns, 填报单位, a date) are the sheet's title lines, and the
first of them titles the document. A second header row under a merged heading ("整改情况" over
"措施" and "时限") is folded in: "整改情况·措施". A cell holding a long multi-line text (a
report pasted into one cell) is read as paragraphs of its own after its row. Sheets past
``MAX_ROWS`` data rows or ``MAX_COLUMNS`` columns are cut there, with a warning.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from indexer.readers import limits
from indexer.readers.base import ReadResult, UnreadableFile, check_chars, guarded
from indexer.readers.docx import DAMAGED as DOCX_DAMAGED
from indexer.readers.docx import check_package
from indexer.readers.formats import read_as
from indexer.readers.text import decode_within_limits
from kb.dates import find_date
from kb.model import Block
from kb.structure import MAX_PASSAGE

__all__ = [
    "DAMAGED",
    "ENCRYPTED",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "read_csv",
    "read_xlsx",
    "table_blocks",
]

DAMAGED = "表格文件已损坏或不是 Excel 工作簿，无法读取；请用 Excel 或 WPS 打开后另存为 .xlsx 再导入"
ENCRYPTED = "表格文件设置了打开密码，请先解除密码保护后再导入"
UNREADABLE_CSV = "无法读取 CSV 表格，请另存为 UTF-8 编码的 CSV 后再导入"
SHEET_TOO_BIG = "工作表“{sheet}”超过 {rows} 行，只索引了前 {rows} 行；请拆分后再导入其余部分"
TOO_MANY_COLUMNS = "工作表“{sheet}”超过 {columns} 列，只索引了前 {columns} 列"

MAX_ROWS = 20_000  # data rows read per sheet: a 台账 rarely has more than a few thousand
MAX_COLUMNS = 200
ROW_LABEL = 30  # characters of a row's first cell in the heading of a long row
LONG_CELL = 200  # characters: a multi-line cell this long is read as paragraphs of its own
_SEPARATOR = "；"
_SUBHEADING = "·"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DEFAULT_SHEET = re.compile(r"^(?:sheet|工作表)\s*\d*$", re.I)
# Columns that title and date a one-row table (a report exported with its metadata in a row).
_TITLE_COLUMNS = {"title", "标题", "名称", "文件名称", "文件标题"}
_DATE_COLUMNS = {"date", "publish_date", "日期", "发布日期", "成文日期", "发文日期"}

# A report pasted whole into one CSV field is longer than csv's default 128 KB field limit.
csv.field_size_limit(limits.MAX_CHARS)


@dataclass
class Table:
    """One sheet: its name ("" for a CSV file) and its rows, cells as read."""

    name: str
    rows: Iterable[Sequence[object]]
    warnings: list[str] = field(default_factory=list)


@guarded(DAMAGED)
def read_xlsx(data: bytes) -> ReadResult:
    """An Excel .xlsx workbook (also what LibreOffice makes of .xls and .et files)."""
    if data.startswith(_OLE_MAGIC):
        # An OLE file named .xlsx: a password-protected workbook, or an old .xls renamed.
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise UnreadableFile(ENCRYPTED)
        return ReadResult.of(read_as(".xls", data))
    try:
        check_package(data)  # a zip bomb or an XML entity bomb is refused before openpyxl
    except UnreadableFile as error:
        if str(error) in (DOCX_DAMAGED, limits.XML_PART_TOO_BIG):
            raise UnreadableFile(DAMAGED) from error
        raise
    import openpyxl  # ~0.2 s to import: only when a workbook is read

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as error:
        raise UnreadableFile(DAMAGED) from error
    try:
        tables = [Table(sheet.title, sheet.iter_rows(values_only=True)) for sheet in workbook]
        core_title = (workbook.properties.title or "").strip()
        return table_blocks(tables, core_title)
    finally:
        workbook.close()


@guarded(UNREADABLE_CSV)
def read_csv(data: bytes) -> ReadResult:
    """A .csv file in any encoding the text reader detects, comma, tab or semicolon separated."""
    decoded = decode_within_limits(data)
    text = decoded.text.removeprefix("\ufeff")
    head = "\n".join(text[:65536].split("\n")[:10])  # a title line may come first
    delimiter = max(",\t;", key=head.count)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise UnreadableFile(UNREADABLE_CSV) from error
    result = table_blocks([Table("", rows)])
    return ReadResult.of(result, decoded.warnings)


def table_blocks(tables: Sequence[Table], core_title: str = "") -> ReadResult:
    """The Blocks of a workbook's sheets: for each, a heading with its name (when it has one),
    its title lines, then one Block per data row; the title is the first sheet's first title
    line, else a one-row table's 标题 column, a single sheet's own name or the workbook's."""
    blocks: list[Block] = []
    warnings: list[str] = []
    title = date = ""
    named = [table for table in tables if table.name]
    chars = 0
    for table in tables:
        sheet = _Sheet(table)
        if not sheet.rows and not sheet.title_lines:
            continue
        lines = sheet.title_lines
        if not title and lines:
            title, lines = lines[0], lines[1:]
        if table.name and len(named) > 1:
            # Level 0: above the numbered headings (一、) a sheet's group rows may have.
            blocks.append(Block(table.name, heading_level=0))
        blocks.extend(Block(line) for line in lines)
        for block in sheet.blocks():
            chars += len(block.text)
            check_chars(chars)
            blocks.append(block)
        warnings.extend(sheet.warnings)
        if len(sheet.rows) == 1 and len(tables) == 1:
            title = title or sheet.named_value(_TITLE_COLUMNS)
            date = find_date(sheet.named_value(_DATE_COLUMNS))
    if not title and len(named) == 1 and not _DEFAULT_SHEET.match(named[0].name):
        title = named[0].name
    # No title at all: the indexer titles the file by its name (formats.TITLED_BY_NAME).
    return ReadResult(blocks, title=title or core_title, date=date, warnings=warnings)


class _Sheet:
    """A sheet's title lines, column names and data rows, cells as text."""

    def __init__(self, table: Table) -> None:
        self.name = table.name
        self.warnings = list(table.warnings)
        self.title_lines: list[str] = []
        self.columns: list[str] = []
        self.rows: list[tuple[int, list[str]]] = []  # (row number, cells)
        self._read(table.rows)

    def _read(self, source: Iterable[Sequence[object]]) -> None:
        rows = self._text_rows(source)
        header: list[str] | None = None
        for number, cells in rows:
            filled = [cell for cell in cells if cell]
            if not filled:
                continue
            if header is None:
                if len(filled) == 1:
                    if len(self.title_lines) >= MAX_ROWS:
                        self.warnings.append(SHEET_TOO_BIG.format(sheet=self._label, rows=MAX_ROWS))
                        break
                    self.title_lines.append(filled[0])
                    continue
                header = cells
                continue
            if not self.columns:
                self.columns = _column_names(header, cells)
                if self.columns != _column_names(header, None):
                    continue  # ``cells`` was a second header row
            if len(self.rows) >= MAX_ROWS:
                self.warnings.append(SHEET_TOO_BIG.format(sheet=self._label, rows=MAX_ROWS))
                break
            self.rows.append((number, cells))
        if header is not None and not self.columns:
            self.columns = _column_names(header, None)
        if header is None and self.title_lines:
            # A one-column list: its lines are the rows, under no column name.
            self.columns = [""]
            self.rows = [(0, [line]) for line in self.title_lines[1:]]
            self.title_lines = self.title_lines[:1]

    def _text_rows(self, source: Iterable[Sequence[object]]) -> Iterator[tuple[int, list[str]]]:
        cut = False
        for number, row in enumerate(source, start=1):
            cells = [_cell_text(value) for value in row[:MAX_COLUMNS]]
            if not cut and any(_cell_text(value) for value in row[MAX_COLUMNS:]):
                cut = True
                self.warnings.append(
                    TOO_MANY_COLUMNS.format(sheet=self._label, columns=MAX_COLUMNS)
                )
            while cells and not cells[-1]:
                cells.pop()
            yield number, cells

    @property
    def _label(self) -> str:
        return self.name or "表格"

    def blocks(self) -> Iterator[Block]:
        """One Block per data row ("列名：值；……"), long multi-line cells after it."""
        read = [(number, cells, *self._fields(cells)) for number, cells in self.rows]
        # A row too long for one passage, or with a long text after it, is headed by its row
        # (so that each part, found alone, says which row it is); then every row is, or the
        # rows after it would stand under that heading.
        headed = any(
            len(_SEPARATOR.join(fields)) > MAX_PASSAGE or (long_cells and len(read) > 1)
            for _, _, fields, long_cells in read
        )
        for number, cells, fields, long_cells in read:
            filled = [cell for cell in cells if cell]
            if len(self.columns) >= 3 and len(filled) == 1 and not _is_number(filled[0]):
                # One text cell across a wide table (merged, as a rule): a group heading.
                yield Block(" ".join(filled[0].split()), heading_level=2)
                continue
            if headed:
                yield Block(self._row_label(number, filled), heading_level=3)
            yield from (Block(_SEPARATOR.join(part)) for part in _parts(fields))
            for value in long_cells:
                yield from (Block(line.strip()) for line in value.split("\n") if line.strip())

    def _fields(self, cells: list[str]) -> tuple[list[str], list[str]]:
        """A row's "列名：值" fields, and its long multi-line cells (read as paragraphs)."""
        fields: list[str] = []
        long_cells: list[str] = []
        for index, value in enumerate(cells):
            if not value:
                continue
            if "\n" in value and len(value) >= LONG_CELL:
                long_cells.append(value)
                continue
            name = self.columns[index] if index < len(self.columns) else ""
            name = name or (f"第{index + 1}列" if len(self.columns) > 1 else "")
            value = " ".join(value.split())
            fields.append(f"{name}：{value}" if name else value)
        return fields, long_cells

    def _row_label(self, number: int, filled: list[str]) -> str:
        """第12行 淳安县人民法院: the row's number and its first cell that is not a number."""
        first = next((cell for cell in filled if not _is_number(cell)), "")
        first = " ".join(first.split())[:ROW_LABEL]
        return f"第{number}行 {first}".rstrip() if number else first

    def named_value(self, names: set[str]) -> str:
        """The first row's value in the first column called one of ``names``."""
        if not self.rows:
            return ""
        cells = self.rows[0][1]
        for index, column in enumerate(self.columns):
            if column.strip().lower() in names and index < len(cells) and "\n" not in cells[index]:
                return cells[index]
        return ""


def _column_names(header: list[str], below: list[str] | None) -> list[str]:
    """Column names from the header row; with ``below``, folded with it when it is a second
    header row: it fills every gap the header leaves within its columns (a heading merged
    across them), with text only. Otherwise the header alone."""
    gaps = [i for i, cell in enumerate(header) if not cell]
    second = (
        below is not None
        and gaps
        and all(i < len(below) and below[i] for i in gaps)
        and not any(_is_number(cell) for cell in below if cell)
    )
    if below is not None and second:
        names = []
        above = ""
        for index in range(max(len(header), len(below))):
            top = header[index] if index < len(header) else ""
            above = top or above
            sub = below[index] if index < len(below) else ""
            if top and not sub:
                names.append(top)
            elif sub and sub != above:
                names.append(f"{above}{_SUBHEADING}{sub}" if above else sub)
            else:
                names.append(sub or above)
        return [" ".join(name.split()) for name in names]
    return [" ".join(cell.split()) for cell in header]


def _parts(fields: list[str]) -> Iterator[list[str]]:
    """``fields`` in runs of at most ``MAX_PASSAGE`` characters once joined (a longer field
    alone; kb.structure cuts it at its sentences)."""
    part: list[str] = []
    size = 0
    for text in fields:
        if part and size + len(text) + 1 > MAX_PASSAGE:
            yield part
            part, size = [], 0
        part.append(text)
        size += len(text) + 1
    if part:
        yield part


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"[-+]?\d+(?:\.\d+)?%?", text))


def _cell_text(value: object) -> str:
    """A cell as a reader would say it: 3 not 3.0, dates as 2024-03-31, booleans 是/否."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:g}"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    return str(value).replace("\r\n", "\n").replace("\r", "\n").replace("_x000D_", "").strip()
