"""PDF with a text layer, via pypdf: lines back into paragraphs, page furniture removed.

pypdf keeps the typeset line wraps, page footers ("— 1 —"), soft hyphens and spaces it infers
between glyphs ("860 号", "税 务 总 局"). A phrase split by a wrap would never be found, so lines
are joined again: a new paragraph starts at an indented line (unless it continues a centred
title), after a short line, at a numbered heading (一、 （一） 1. 第X条), and after a line ending a
sentence, except where the document marks its paragraphs by a first-line indent and the
sentence happens to end at the end of a full line. pypdf's layout mode gives indentation and
line length; when it fails (or a page looks like several columns) the plain mode is used,
without indentation.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from dataclasses import dataclass

from pypdf import PdfReader, apply_configuration
from pypdf.errors import LimitReachedError

from indexer.readers import limits
from indexer.readers.base import Paragraph, ReadResult, UnreadableFile, guarded
from kb.dates import mentions_year
from kb.model import Block
from kb.numbering import BLOCK_START

__all__ = ["DAMAGED", "ENCRYPTED", "GARBLED", "NO_TEXT", "read_pdf"]

DAMAGED = "PDF 文件已损坏或不完整，无法读取，请重新下载或重新导出 PDF"
ENCRYPTED = "文件已加密，请先解除密码保护"
NO_TEXT = "PDF 没有文字层（扫描件），需要先做 OCR 识别"
GARBLED = "PDF 中的文字无法正确提取（字体缺少编码信息），需要先做 OCR 识别"

# pypdf logs every repaired oddity of a file as a warning; users see the reason we raise.
logging.getLogger("pypdf").setLevel(logging.ERROR)

_CJK = "\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef“”‘’—…·"
_SINGLE_DIGITS = re.compile(r"(?<!\d)\d(?: \d)+(?!\d)")
_CJK_GAP = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}\d])|(?<=\d) (?=[{_CJK}])")
_GAP = re.compile(r"\s{2,}")
_SENTENCE_END = re.compile(r"[。！？；：!?;:…][”’」』）)】》\"']*$")
_HEADING_START = BLOCK_START  # a heading or list number begins a paragraph (kb.numbering)
_DECORATED_NUMBER = re.compile(r"^[-—–－―~～]+\s*\d{1,4}\s*[-—–－―~～]+$")
_PAGE_NUMBER = re.compile(
    r"^(?:\d{1,4}"
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*[,，]?\s*第\s*\d{1,4}\s*页"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?)$",
    re.I,
)
_LIGATURES = str.maketrans({"\xad": "-", "\ufb01": "fi", "\ufb02": "fl", "\x00": ""})
_MULTI_COLUMN_GAP = re.compile(r"\S {6,}\S")
_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]")
_GARBAGE = re.compile(r"[\ue000-\uf8ff\ufffd]")
_ALNUM = re.compile(r"[^\W_]")


@dataclass
class _Line:
    text: str  # cleaned
    indent: int | None  # leading columns in layout mode, None in plain mode
    edge: float  # right end: columns (layout) or CJK-character widths (plain)
    page: int


@guarded(DAMAGED)
def read_pdf(data: bytes) -> ReadResult:
    """A text PDF: paragraphs without page numbers, repeated headers or wrap breaks."""
    # pypdf's own limits on what one stream may inflate to, lowered to ours.
    cap = limits.MAX_PDF_STREAM_BYTES
    with apply_configuration(
        zlib_maximum_output_length=cap,
        lzw_maximum_output_length=cap,
        run_length_maximum_output_length=cap,
        brotli_maximum_output_length=cap,
        array_based_stream_maximum_output_length=cap,
        maximum_declared_stream_length=cap,
    ):
        try:
            return _read(data)
        except LimitReachedError as error:
            raise UnreadableFile(limits.PDF_STREAM_TOO_BIG) from error


def _read(data: bytes) -> ReadResult:
    reader = _open(data)
    try:
        count = len(reader.pages)
    except LimitReachedError:
        raise
    except Exception as error:
        raise UnreadableFile(DAMAGED) from error
    if count > limits.MAX_PDF_PAGES:
        raise UnreadableFile(limits.TOO_MANY_PAGES)
    read: list[list[_Line] | None] = []
    chars = 0
    for number in range(count):
        page_lines = _page_lines(reader.pages[number], number)
        chars += sum(len(line.text) for line in page_lines or ())
        if chars > limits.MAX_CHARS:
            raise UnreadableFile(limits.TOO_MANY_CHARS)
        read.append(page_lines)
    if count and all(page_lines is None for page_lines in read):
        raise UnreadableFile(DAMAGED)
    warnings = [
        f"第 {number + 1} 页无法读取，已跳过"
        for number, page_lines in enumerate(read)
        if page_lines is None
    ]
    lines = [
        line
        for page_lines in _drop_furniture([page_lines or [] for page_lines in read])
        for line in page_lines
    ]
    _check_text(lines)
    return ReadResult([Block(text) for text in _paragraphs(lines)], warnings=warnings)


def _open(data: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data))
    except Exception as error:
        raise UnreadableFile(DAMAGED) from error
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")  # owner-password-only files open with an empty one
        except Exception as error:  # AES without a crypto library, malformed dictionaries
            raise UnreadableFile(ENCRYPTED) from error
        if not opened:
            raise UnreadableFile(ENCRYPTED)
    return reader


# --- lines of one page ---------------------------------------------------------------------


def _page_lines(page, number: int) -> list[_Line] | None:
    """Cleaned lines of a page, or None when pypdf cannot read it at all."""
    try:
        text = page.extract_text(extraction_mode="layout")
        rows = [row for row in text.split("\n") if row.strip()]
        if _looks_like_columns(rows):
            raise ValueError("layout mode would interleave the columns")
        layout = True
    except LimitReachedError:
        raise
    except Exception:
        try:
            text = page.extract_text()
        except LimitReachedError:
            raise
        except Exception:
            return None
        rows = [row for row in text.split("\n") if row.strip()]
        layout = False
    lines = []
    for row in rows:
        row = row.translate(_LIGATURES).replace("\u3000", "  ")
        cleaned = _clean(row)
        if not cleaned:
            continue
        if layout:
            indent = len(row) - len(row.lstrip(" "))
            edge: float = len(row.rstrip())
        else:
            indent = None
            edge = _width(cleaned)
        lines.append(_Line(cleaned, indent, edge, number))
    return lines


def _looks_like_columns(rows: list[str]) -> bool:
    """Many lines with wide inner gaps: text columns (or a big table) side by side, which the
    plain mode reads one after the other."""
    gapped = sum(bool(_MULTI_COLUMN_GAP.search(row.strip())) for row in rows)
    return gapped > 0.3 * len(rows)


def _clean(row: str) -> str:
    """Spaces pypdf inferred inside Chinese text and numbers go; real gaps stay as one space."""
    segments = _GAP.split(row.strip())
    out = []
    for segment in segments:
        segment = _SINGLE_DIGITS.sub(lambda m: m.group().replace(" ", ""), segment)
        segment = _CJK_GAP.sub("", segment)
        out.append(segment)
    return " ".join(s for s in out if s)


def _width(text: str) -> float:
    """CJK-character widths: an ASCII character is half of one."""
    return len(text) - 0.5 * len(text.encode("ascii", "ignore"))


# --- page furniture ------------------------------------------------------------------------


def _is_page_number(text: str, at_edge: bool) -> bool:
    bare = text.strip()
    if _DECORATED_NUMBER.match(bare):
        return True
    return at_edge and bool(_PAGE_NUMBER.match(bare))


def _drop_furniture(pages: list[list[_Line]]) -> list[list[_Line]]:
    """Page numbers, and running heads or feet repeated on most pages."""
    repeated: set[str] = set()
    with_text = [p for p in pages if p]
    if len(with_text) >= 3:
        counts: Counter[str] = Counter()
        for page in with_text:
            edges = {_shape(page[0].text), _shape(page[-1].text)}
            counts.update(edges)
        repeated = {shape for shape, n in counts.items() if n >= max(3, len(with_text) / 2)}
    out = []
    for page in pages:
        kept = []
        for i, line in enumerate(page):
            at_edge = i < 2 or i >= len(page) - 2
            if _is_page_number(line.text, at_edge):
                continue
            if at_edge and (i == 0 or i == len(page) - 1) and _shape(line.text) in repeated:
                continue
            kept.append(line)
        out.append(kept)
    return out


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", text.replace(" ", ""))


def _check_text(lines: list[_Line]) -> None:
    text = "".join(line.text for line in lines)
    if not _ALNUM.search(text):
        raise UnreadableFile(NO_TEXT)
    garbage = len(text) - len(_GARBAGE.sub("", text))
    garbage += text.count("(cid:") * 5
    if garbage > 0.2 * len(text):
        raise UnreadableFile(GARBLED)


# --- paragraphs ----------------------------------------------------------------------------


def _mode(values: list[float]) -> float | None:
    return Counter(values).most_common(1)[0][0] if values else None


@dataclass
class _Layout:
    margin: float | None  # indentation of body lines (layout mode)
    full: float | None  # right edge of a full line (layout mode)
    full_plain: float | None  # the same in plain mode
    indents_paragraphs: bool  # paragraphs start with a first-line indent


def _measure(lines: list[_Line]) -> _Layout:
    body = [line for line in lines if len(line.text) >= 8]
    margin = _margin([line.indent for line in body if line.indent is not None])
    full = _full_width([line.edge for line in body if line.indent is not None])
    indents = False
    if margin is not None and full is not None:
        # After a short line ending a sentence (a sure paragraph end), is the next one indented?
        starts = [
            b.indent >= margin + 1
            for a, b in zip(lines, lines[1:], strict=False)
            if a.indent is not None
            and b.indent is not None
            and a.edge < full - 2
            and _SENTENCE_END.search(a.text)
        ]
        indents = len(starts) >= 2 and sum(starts) >= 0.8 * len(starts)
    full_plain = _full_width([line.edge for line in body if line.indent is None])
    return _Layout(margin, full, full_plain, indents)


def _margin(indents: list[int]) -> int | None:
    """The left margin of body lines: the smallest of the common indentations (in a short
    document indented first lines can be as many as the lines at the margin)."""
    if not indents:
        return None
    counts = Counter(indents)
    top = max(counts.values())
    return min(indent for indent, n in counts.items() if n >= top / 2)


def _full_width(edges: list[float]) -> float | None:
    """Where a full line ends: the commonest right edge among the longer lines (titles and
    short last lines must not outvote body lines in a short document)."""
    if not edges:
        return None
    longest = max(edges)
    return _mode([edge for edge in edges if edge >= 0.7 * longest])


def _paragraphs(lines: list[_Line]) -> list[str]:
    """Join wrapped lines: see the module docstring for where a paragraph ends."""
    layout = _measure(lines)
    paragraphs: list[Paragraph] = []
    previous: _Line | None = None
    for line in lines:
        text = _PRIVATE_USE.sub("", line.text).strip()
        if not text:
            continue
        if previous is not None and _continues(previous, line, layout):
            last = paragraphs[-1].last
            paragraphs[-1].add(text, space=_latin(last) and _latin(text[0]))
        else:
            paragraphs.append(Paragraph(text))
        previous = line
    return [paragraph.text for paragraph in paragraphs]


def _continues(a: _Line, b: _Line, layout: _Layout) -> bool:
    if _HEADING_START.match(b.text):
        return False
    if a.indent is not None and b.indent is not None and layout.margin is not None:
        if b.indent >= layout.margin + 1:
            return _centred_continuation(a, b, layout.margin, layout.full)
        if layout.full is not None and a.edge < layout.full - 2:
            return False
        # A full line ending a sentence, followed by an unindented line, ends the paragraph
        # only where paragraphs are not marked by a first-line indent.
        return layout.indents_paragraphs or not _SENTENCE_END.search(a.text)
    if _SENTENCE_END.search(a.text):
        return False
    # Without indentation the first line of a paragraph looks two characters short.
    return not (layout.full_plain is not None and a.edge < layout.full_plain - 4)


def _centred_continuation(a: _Line, b: _Line, margin: float, full: float | None) -> bool:
    """An indented line starts a new paragraph, except in a centred block (a title wrapped
    over two or three lines, a note in brackets under it): a centred line continues a centred
    or full line that does not end a sentence."""
    if full is None or a.page != b.page or _SENTENCE_END.search(a.text):
        return False
    if _HEADING_START.match(a.text):
        return False
    if b.text[0] in "（(" or (mentions_year(b.text) and not mentions_year(a.text)):
        return False
    width: float = full  # known here; the closure below would not know it

    def centred(line: _Line) -> bool:
        left = (line.indent or 0) - margin  # layout mode: always set
        right = width - line.edge
        return left >= 3 and right >= 3 and abs(left - right) <= max(3, (left + right) / 4)

    return centred(b) and (centred(a) or a.edge >= full - 2)


def _latin(char: str) -> bool:
    """Chinese wraps need no space; a wrap between two Latin letters or digits does."""
    return char.isascii() and char.isalnum()
