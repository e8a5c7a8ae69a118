"""OFD (GB/T 33190), the national fixed-layout format government systems export.

An OFD file is a zip: OFD.xml names one or more documents (DocBody -> DocRoot) and their
metadata (DocInfo); each document lists its pages, and a page draws text (TextObject ->
TextCode, each glyph placed on the page), images and paths, partly from templates (page
furniture) and from composite units kept in the resources. ofdkit (Apache-2.0, stdlib only,
pinned) parses all of that into positioned text runs, resolving the paths producers get wrong
(wrong case, missing namespaces, the "g" shorthand in DeltaX). Reading order is ours: runs
are grouped into lines by baseline, lines top to bottom, runs left to right, side-by-side
prose columns read one after another; the lines are then joined into paragraphs and the page
numbers dropped by ``indexer.readers.lines``, as for a PDF.

Before ofdkit sees the package its members are counted and their sizes checked against
``limits`` (zipfile never inflates a member past its stated size); ofdkit refuses a DOCTYPE.
An OFD holding only images (a scan) is refused with the reason, and ``page_images`` gives
its pictures for OCR.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree import ElementTree as ET

import ofdkit
from ofdkit.package import Package

from indexer.readers import limits
from indexer.readers.base import ReadResult, UnreadableFile, check_chars, guarded
from indexer.readers.lines import Line, drop_furniture, paragraphs
from indexer.readers.zipped import open_package
from kb.dates import find_date, stamp_date
from kb.model import Block

__all__ = ["DAMAGED", "ENCRYPTED", "NO_TEXT", "page_images", "read_ofd"]

DAMAGED = "OFD 文件已损坏或不完整，无法读取，请重新下载或重新导出 OFD"
ENCRYPTED = "OFD 文件已加密，请先在 OFD 阅读器中解除加密后再导入"
NO_TEXT = "OFD 文件中没有文字"
UNSAFE = "OFD 文件中含有 XML 实体声明（DOCTYPE）或超大的部件，可能是恶意构造的文件，已跳过"
PART_TOO_BIG = (
    f"OFD 文件中的某一页解压后超过 {limits.MAX_XML_PART_BYTES // limits.MB} MB，超出处理上限，"
    "已跳过；请拆分成几个文件后再导入"
)

_ZIP_ENCRYPTED = 0x1  # general purpose flag bit 0 of a zip member
_ENCRYPTIONS = "encryptions.xml"  # GM/T 0099: the package-level encryption description

# Baselines closer than this share of the font size are one line (ofdkit measures the same).
_SAME_LINE = 0.5
# A gap between runs wider than this many font sizes gets a space, whatever the letters ...
_WIDE_GAP = 1.0
# ... and between Latin letters or digits, wider than this share of one.
_WORD_GAP = 0.25
# Wider than this, the gap separates pieces of a line: columns or table cells.
_PIECE_GAP = 1.5
# Columns: their left edges within this many font sizes of each other; a region needs this
# many lines with two or more pieces, pieces of this many characters on average, and at least
# this share of each column's pieces nearly (this share) as wide as the column: justified
# prose. Table cells vary, and a table must stay row by row.
_COLUMN_ALIGN = 3.0
_COLUMN_MIN_ROWS = 3
_COLUMN_MIN_CHARS = 6.0
_COLUMN_FULL_SHARE = 0.5
_COLUMN_FULL_LINE = 0.85
# Text in a type size this many times larger or smaller than the body's stands aside.
_ASIDE_SIZE = 1.25
# Rows further apart than this many font sizes have a blank line between them (公文 set
# 三号 on 28.9 pt lines step 1.8 sizes), rows whose sizes differ more than this are apart.
_BLANK_LINE = 2.2
_SIZE_CHANGE = 1.15
# A line this much larger than the body text is a title.
_TITLE_SIZE = 1.15
_LATIN = re.compile(r"[0-9A-Za-z]")
_USELESS_TITLE = re.compile(
    r"^(?:无标题|未命名|untitled|文档\d*|新建.*|.*\.(?:ofd|docx?|wps|pdf))$", re.I
)


@guarded(DAMAGED)
def read_ofd(data: bytes) -> ReadResult:
    """A text OFD: paragraphs in reading order without page numbers; the title and date of
    DocInfo where the text gives none."""
    _check_package(data)
    try:
        with ofdkit.open(data) as document:
            pages, warnings = _pages(document)
            info = document.info
    except ofdkit.OFDLimitError as error:
        raise UnreadableFile(UNSAFE) from error
    except ofdkit.OFDError as error:
        raise UnreadableFile(DAMAGED) from error
    if not any(pages):
        if not any(_image_paths(data)):
            raise UnreadableFile(NO_TEXT)
        from indexer.readers import ocr  # imported on the first scanned OFD

        return ocr.read_page_images(page_images(data))
    imaged = _image_paths(data)
    warnings += [
        f"第 {number + 1} 页只有图片，需要文字识别(OCR)，这一页的文字未编入索引"
        for number, runs in enumerate(pages)
        if not runs and number < len(imaged) and imaged[number]
    ]
    body = _body_size(pages)
    lines = [line for number, runs in enumerate(pages) for line in _page_lines(runs, number, body)]
    check_chars(sum(len(line.text) for line in lines))
    by_page: list[list[Line]] = [[] for _ in pages]
    for line in lines:
        by_page[line.page].append(line)
    kept = [line for page in drop_furniture(by_page) for line in page]
    blocks = [Block(text) for text in _flows(kept)]
    title = "" if _has_title_line(pages, body) else _usable_title(info)
    date = "" if any(find_date(block.text) for block in blocks) else _docinfo_date(info)
    return ReadResult(blocks, title=title, date=date, warnings=warnings)


def page_images(data: bytes) -> list[bytes]:
    """The bytes of the pictures drawn on the pages (ImageObject -> MultiMedia), page by
    page, each page's in drawing order: what OCR reads of an image-only OFD. Raises
    UnreadableFile with the reason for a damaged, encrypted or oversized package."""
    _check_package(data)
    try:
        package = Package(data)
        with package:
            return [package.read(path) for paths in _image_paths(data) for path in paths]
    except ofdkit.OFDLimitError as error:
        raise UnreadableFile(UNSAFE) from error
    except ofdkit.OFDError as error:
        raise UnreadableFile(DAMAGED) from error


# --- the package -----------------------------------------------------------------------------


def _check_package(data: bytes) -> None:
    """Refuse a package past the limits or encrypted, before anything is inflated: zipfile
    stops every member at the size the zip states (and checks its CRC there), so the stated
    sizes bound what reading costs."""
    archive, members = open_package(data, DAMAGED)
    archive.close()
    for info in members:
        if info.flag_bits & _ZIP_ENCRYPTED or info.filename.lower().endswith(_ENCRYPTIONS):
            raise UnreadableFile(ENCRYPTED)
        if info.filename.lower().endswith(".xml") and info.file_size > limits.MAX_XML_PART_BYTES:
            raise UnreadableFile(PART_TOO_BIG)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element: ET.Element | None, *path: str) -> Iterator[ET.Element]:
    """Elements under ``element`` along ``path`` of local names (namespaces vary in the wild)."""
    if element is None:
        return
    if not path:
        yield element
        return
    for child in element:
        if _local(child.tag) == path[0]:
            yield from _children(child, *path[1:])


def _image_paths(data: bytes) -> list[list[str]]:
    """Per page of every document in OFD.xml, the package paths of the images it draws."""
    with Package(data) as package:
        root = package.read_xml(package.find("OFD.xml") or "OFD.xml")
        pages: list[list[str]] = []
        for doc_root in _children(root, "DocBody", "DocRoot"):
            document_path = package.resolve("OFD.xml", doc_root.text)
            if document_path is None:
                continue
            document = package.read_xml(document_path)
            media = _media(package, document_path, document)
            for page in _children(document, "Pages", "Page"):
                location = package.resolve(document_path, page.get("BaseLoc"))
                if location is None:
                    pages.append([])
                    continue
                content = package.read_xml(location)
                resources = [
                    path
                    for element in _children(content, "PageRes")
                    if (path := package.resolve(location, element.text)) is not None
                ]
                local = {**media, **_media_in(package, resources)}
                pages.append(
                    [
                        local[resource]
                        for element in content.iter()
                        if _local(element.tag) == "ImageObject"
                        and (resource := (element.get("ResourceID") or "").strip()) in local
                    ]
                )
        return pages


def _media(package: Package, document_path: str, document: ET.Element) -> dict[str, str]:
    """MultiMedia ID -> package path, from a document's PublicRes and DocumentRes."""
    resources = [
        path
        for name in ("PublicRes", "DocumentRes")
        for element in _children(document, "CommonData", name)
        if (path := package.resolve(document_path, element.text)) is not None
    ]
    return _media_in(package, resources)


def _media_in(package: Package, resource_paths: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for resource_path in resource_paths:
        root = package.read_xml(resource_path)
        base = (root.get("BaseLoc") or "").strip().strip("/")
        for medium in _children(root, "MultiMedias", "MultiMedia"):
            for media_file in _children(medium, "MediaFile"):
                name = (media_file.text or "").strip()
                location = name if name.startswith("/") or not base else f"{base}/{name}"
                path = package.resolve(resource_path, location) or package.resolve(
                    resource_path, name
                )
                if path is not None:
                    found.setdefault((medium.get("ID") or "").strip(), path)
    return found


# --- runs into lines -------------------------------------------------------------------------


@dataclass
class _Run:
    text: str
    x0: float
    x1: float
    y: float  # baseline, millimetres down the page
    size: float


@dataclass
class _Piece:
    """Runs of a line close enough together to read as one stretch of text."""

    runs: list[_Run]

    @property
    def x0(self) -> float:
        return self.runs[0].x0

    @property
    def x1(self) -> float:
        return max(run.x1 for run in self.runs)

    @property
    def text(self) -> str:
        parts = [self.runs[0].text]
        for previous, run in zip(self.runs, self.runs[1:], strict=False):
            gap = run.x0 - previous.x1
            size = min(previous.size, run.size)
            latin = _LATIN.match(previous.text[-1]) and _LATIN.match(run.text[0])
            if gap > _WIDE_GAP * size or (latin and gap > _WORD_GAP * size):
                parts.append(" ")
            parts.append(run.text)
        return "".join(parts)


@dataclass
class _OfdLine(Line):
    flow: int = 0  # lines of one flow share a width: the page's, or a column's


def _pages(document: ofdkit.OFDDocument) -> tuple[list[list[_Run]], list[str]]:
    """Every page's visible text runs, without the doubles that fake bold; a page that
    cannot be read is empty and warned about."""
    pages: list[list[_Run]] = []
    warnings: list[str] = []
    for page in document.pages:
        try:
            x, y, width, height = page.box
            runs = page.runs
        except ofdkit.OFDLimitError:
            raise
        except ofdkit.OFDError:
            warnings.append(f"第 {page.index + 1} 页无法读取，已跳过")
            pages.append([])
            continue
        seen: set[tuple[str, int, int]] = set()
        kept = []
        for run in runs:
            text = run.text.strip()
            key = (run.text, round(run.x * 4), round(run.y * 4))
            on_page = x - 2 <= run.x <= x + width + 2 and y - 2 <= run.y <= y + height + 2
            if text and on_page and key not in seen:
                seen.add(key)
                kept.append(_Run(text, run.x, run.x + run.width, run.y, max(run.size, 1.0)))
        pages.append(kept)
    return pages, warnings


def _body_size(pages: list[list[_Run]]) -> float:
    """The font size most of the text is set in."""
    sizes: Counter[float] = Counter()
    for runs in pages:
        for run in runs:
            sizes[round(run.size, 1)] += len(run.text)
    return sizes.most_common(1)[0][0] if sizes else 1.0


def _page_lines(runs: list[_Run], page: int, body: float) -> list[_OfdLine]:
    """A page's lines in reading order, indent and edge in characters of the body size."""
    rows: list[list[_Run]] = []
    for run in sorted(runs, key=lambda run: (run.y, run.x0)):
        if rows:
            anchor = rows[-1][0]
            if abs(run.y - anchor.y) <= _SAME_LINE * min(run.size, anchor.size):
                rows[-1].append(run)
                continue
        rows.append([run])
    pieces = [_pieces(sorted(row, key=lambda run: run.x0)) for row in rows]
    # A short top or bottom row (a folio, "— 1 —") stays first or last, where page furniture
    # is looked for, whatever the columns beside it.
    head = pieces[:1] if pieces and _short(pieces[0]) else []
    foot = pieces[-1:] if len(pieces) > 1 and _short(pieces[-1]) else []
    middle = pieces[len(head) : len(pieces) - len(foot)]
    blocks = [(head, 0.0, 0), *_blocks(middle, body), (foot, 0.0, 0)]
    lines: list[_OfdLine] = []
    for block, left, flow in blocks:
        previous: _Row | None = None
        lefts, right = _edges(block) if flow else ([], [])
        for number, row in enumerate(block):
            text = " ".join(piece.text for piece in row)
            size = max(run.size for piece in row for run in piece.runs)
            indent: int | None = round((row[0].x0 - (lefts[number] if flow else left)) / body)
            edge = (max(piece.x1 for piece in row) - left) / body
            if flow:  # in a column narrowed beside a picture a full line still reaches its end
                edge = 2 * flow - (right[number] - max(piece.x1 for piece in row)) / body
            if not 1 / _SIZE_CHANGE <= size / body <= _SIZE_CHANGE:
                # A title or a note: its place says nothing about the body's margins.
                indent, edge = None, (max(piece.x1 for piece in row) - row[0].x0) / size
            starts = previous is not None and _apart(previous, row)
            lines.append(_OfdLine(text, indent, edge, page, starts=starts, flow=flow))
            previous = row
    return lines


def _short(row: _Row) -> bool:
    return all(len(piece.text) < _COLUMN_MIN_CHARS for piece in row)


def _edges(column: list[_Row]) -> tuple[list[float], list[float]]:
    """For each row of a column, where the column's text begins and ends around it (three
    rows either side): a column runs narrower beside a picture."""
    starts = [row[0].x0 for row in column]
    ends = [max(piece.x1 for piece in row) for row in column]
    near = [slice(max(0, i - 3), i + 4) for i in range(len(column))]
    return [min(starts[s]) for s in near], [max(ends[s]) for s in near]


def _apart(above: _Row, below: _Row) -> bool:
    """Whether a blank line's space or a change of type size parts two rows: a paragraph
    (the 发文字号 under the 红头, a title under a running head) starts below."""
    size_above = max(run.size for piece in above for run in piece.runs)
    size_below = max(run.size for piece in below for run in piece.runs)
    step = below[0].runs[0].y - above[0].runs[0].y
    ratio = max(size_above, size_below) / min(size_above, size_below)
    return step > _BLANK_LINE * max(size_above, size_below) or ratio > _SIZE_CHANGE


def _pieces(row: list[_Run]) -> list[_Piece]:
    pieces = [_Piece([row[0]])]
    for previous, run in zip(row, row[1:], strict=False):
        if run.x0 - previous.x1 > _PIECE_GAP * min(previous.size, run.size):
            pieces.append(_Piece([run]))
        else:
            pieces[-1].runs.append(run)
    return pieces


# --- columns -------------------------------------------------------------------------------

_Row = list[_Piece]


def _blocks(rows: list[_Row], body: float) -> Iterator[tuple[list[_Row], float, int]]:
    """The page's rows in reading order as blocks, each with the left edge its indents are
    measured from and its flow: the page (0), or one column of side-by-side prose (its
    width in characters), read top to bottom before the next column. Columns are the
    page's: a column that runs beside a picture and then beside another column is one."""
    bounds = _column_bounds(rows, body)
    index = 0
    plain: list[_Row] = []
    while index < len(rows):
        starts = bounds and len(rows[index]) >= 2  # a region starts where columns stand
        region = _column_region(rows, index, bounds, body) if starts else None
        if region is None:
            plain.append(rows[index])
            index += 1
            continue
        end, columns, asides = region
        if plain:
            yield plain, 0.0, 0
            plain = []
        for column in columns:
            left = min(row[0].x0 for row in column)
            width = max(piece.x1 for row in column for piece in row) - left
            yield column, left, max(1, round(width / body / 2))
        plain = asides
        index = end
    if plain:
        yield plain, 0.0, 0


def _column_bounds(rows: list[_Row], body: float) -> list[float]:
    """Where the second and later columns begin: left edges shared by the pieces of lines
    set in several pieces, three lines or more."""
    xs = sorted(piece.x0 for row in rows if len(row) >= 2 for piece in row)
    clusters: list[list[float]] = []
    for x in xs:
        if clusters and x - clusters[-1][-1] <= _COLUMN_ALIGN * body:
            clusters[-1].append(x)
        else:
            clusters.append([x])
    return [min(c) for c in clusters if len(c) >= _COLUMN_MIN_ROWS][1:]


def _column_of(piece: _Piece, bounds: list[float], body: float) -> int | None:
    """The column a piece stands in, None when it reaches into the next one."""
    column = sum(piece.x0 >= bound - body for bound in bounds)
    if column < len(bounds) and piece.x1 > bounds[column] - 0.5 * body:
        return None
    return column


def _column_region(
    rows: list[_Row], first: int, bounds: list[float], body: float
) -> tuple[int, list[list[_Row]], list[_Row]] | None:
    """The rows from ``first`` that stand in the columns, split by column, when they read as
    prose (else None); and asides among them, in another type size (photo captions)."""
    columns: list[list[_Row]] = [[] for _ in range(len(bounds) + 1)]
    asides: list[_Row] = []
    index = first
    multi = 0
    while index < len(rows):
        aside = [
            p for p in rows[index] if not 1 / _ASIDE_SIZE <= p.runs[0].size / body <= _ASIDE_SIZE
        ]
        row = [piece for piece in rows[index] if piece not in aside]
        placed = [_column_of(piece, bounds, body) for piece in row]
        if None in placed or len(set(placed)) < len(placed):
            if any(len(piece.text) >= _COLUMN_MIN_CHARS for piece in row):
                break
            aside, row, placed = aside + row, [], []  # a folio line under the columns
        asides += [[piece] for piece in aside]
        for piece, column in zip(row, placed, strict=True):
            if column is not None:
                columns[column].append([piece])
        multi += len(row) >= 2
        index += 1
    columns = [rows_in for rows_in in columns if rows_in]
    if multi < _COLUMN_MIN_ROWS or len(columns) < 2:
        return None
    for rows_in in columns:
        pieces = [row[0] for row in rows_in]
        chars = sum(len(piece.text) for piece in pieces) / len(pieces)
        left = min(piece.x0 for piece in pieces)
        span = max(piece.x1 for piece in pieces) - left
        full = sum(piece.x1 - left >= _COLUMN_FULL_LINE * span for piece in pieces)
        if chars < _COLUMN_MIN_CHARS or full < _COLUMN_FULL_SHARE * len(pieces):
            return None
    return index, columns, asides


# --- paragraphs and metadata -----------------------------------------------------------------


def _flows(lines: list[Line]) -> list[str]:
    """Paragraphs of each stretch of lines sharing a width: a paragraph goes on from a column
    into the next one, but a layout change (page-wide text after columns) ends it."""
    out: list[str] = []
    stretch: list[Line] = []
    for line in lines:
        if stretch and getattr(line, "flow", 0) != getattr(stretch[-1], "flow", 0):
            out += paragraphs(stretch)
            stretch = []
        stretch.append(line)
    return out + paragraphs(stretch)


def _has_title_line(pages: list[list[_Run]], body: float) -> bool:
    """Whether the first page with text sets a line larger than the body: the title."""
    first = next((runs for runs in pages if runs), [])
    return any(run.size >= _TITLE_SIZE * body for run in first)


def _usable_title(info: ofdkit.DocInfo) -> str:
    """DocInfo's Title, unless it is a placeholder, a file name or the producing software."""
    title = " ".join((info.title or "").split())
    if not title or _USELESS_TITLE.match(title) or title in (info.author, info.creator):
        return ""
    return title


def _docinfo_date(info: ofdkit.DocInfo) -> str:
    """DocInfo's CreationDate (2023-7-12, 2020-06-15T07:29:24, D:20220708103442) as ISO."""
    return stamp_date(info.creation_date or "")
