"""PDF with a text layer, via pypdf: lines back into paragraphs, page furniture removed.

pypdf keeps the typeset line wraps, page footers ("— 1 —"), soft hyphens and spaces it infers
between glyphs ("860 号", "税 务 总 局"). The spaces are removed here; the lines are joined into
paragraphs and the furniture dropped by ``indexer.readers.lines``, shared with the OFD reader and OCR.
pypdf's layout mode gives indentation and line length; when it fails (or a page looks like
several columns) the plain mode is used, without indentation.
"""

from __future__ import annotations

import io
import logging
import re

from pypdf import PdfReader, apply_configuration
from pypdf.errors import LimitReachedError

from indexer.readers import limits
from indexer.readers.base import ReadResult, UnreadableFile, guarded, reading_page
from indexer.readers.lines import Line, drop_furniture, paragraphs
from kb.model import Block

__all__ = ["DAMAGED", "ENCRYPTED", "GARBLED", "NO_TEXT", "read_pdf"]

DAMAGED = "PDF 文件已损坏或不完整，无法读取，请重新下载或重新导出 PDF"
ENCRYPTED = "文件已加密，请先解除密码保护"
NO_TEXT = "PDF 中既没有文字，也没有可供文字识别(OCR)的页面图片"
GARBLED = "PDF 中的文字无法正确提取（字体缺少编码信息），需要先做 OCR 识别"

# pypdf logs every repaired oddity of a file as a warning; users see the reason we raise.
logging.getLogger("pypdf").setLevel(logging.ERROR)

_CJK = "\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef“”‘’—…·"
_SINGLE_DIGITS = re.compile(r"(?<!\d)\d(?: \d)+(?!\d)")
_CJK_GAP = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}\d])|(?<=\d) (?=[{_CJK}])")
_GAP = re.compile(r"\s{2,}")
_LIGATURES = str.maketrans({"\xad": "-", "\ufb01": "fi", "\ufb02": "fl", "\x00": ""})
_MULTI_COLUMN_GAP = re.compile(r"\S {6,}\S")
_GARBAGE = re.compile(r"[\ue000-\uf8ff\ufffd]")
_ALNUM = re.compile(r"[^\W_]")


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
    read: list[list[Line] | None] = []
    scans = _Scans()
    chars = 0
    for number in range(count):
        page = reader.pages[number]
        page_lines = _page_lines(page, number)
        if page_lines is not None and sum(len(line.text) for line in page_lines) < _SCAN_CHARS:
            page_lines = scans.read(page, number, count) or page_lines
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
        for page_lines in drop_furniture([page_lines or [] for page_lines in read])
        for line in page_lines
    ]
    if not _ALNUM.search("".join(line.text for line in lines)):
        scans.check()
    _check_text(lines)
    return ReadResult(
        [Block(text) for text in paragraphs(lines)], warnings=warnings + scans.warnings(count)
    )


# A page with less text than this that shows an image is a scan: what text it has is at most
# an overlay (a form's typed-in field values), and the image is read by OCR instead.
_SCAN_CHARS = 30
# Images smaller than this (pixels) are logos, seals or rules, not pages of text.
_SCAN_MIN_PIXELS = 40_000


class _Scans:
    """The pages of a PDF read by OCR (``indexer.readers.ocr``, imported on the first scanned
    page), the pages without text or image, and why OCR failed if it did."""

    def __init__(self) -> None:
        self.read_pages: list[int] = []
        self.blank: list[int] = []
        self.unread: list[int] = []  # OCR found no text in the page's images
        self.failure = ""

    def read(self, page, number: int, count: int) -> list[Line]:
        """The OCR lines of ``page`` (``number`` of ``count``, from 0)'s images, one image
        after the other; [] when it has none (or OCR found nothing, or failed: the reason is
        kept)."""
        images = self._images(page)
        if not images:
            self.blank.append(number)
            return []
        from indexer.readers import ocr

        reading_page(number + 1, count)

        lines: list[Line] = []
        try:
            for image in images:
                lines += ocr.image_lines(image, number)
        except UnreadableFile as error:
            self.failure = self.failure or str(error)
            return []
        (self.read_pages if lines else self.unread).append(number)
        return lines

    def check(self) -> None:
        """A PDF without any text: say why when OCR failed or found nothing."""
        if self.failure:
            raise UnreadableFile(self.failure)
        if self.unread:
            from indexer.readers.ocr import NOTHING_READ

            raise UnreadableFile(NOTHING_READ)

    @staticmethod
    def _images(page) -> list:
        found = []
        try:
            for image in page.images:
                try:
                    picture = image.image
                except LimitReachedError:
                    raise
                except Exception:  # a filter pypdf cannot decode (JBIG2 ...)
                    continue
                if picture is not None and picture.width * picture.height >= _SCAN_MIN_PIXELS:
                    found.append(picture)
        except LimitReachedError:
            raise
        except Exception:
            return found
        return found

    def warnings(self, count: int) -> list[str]:
        if not self.read_pages:
            return [self.failure] if self.failure else []
        from indexer.readers.ocr import OCR_NOTE

        told = []
        if len(self.read_pages) == count:
            told.append(OCR_NOTE)
        else:
            told.append(f"第 {_pages(self.read_pages)} 页是扫描图片，{OCR_NOTE}")
        if self.blank:
            told.append(f"第 {_pages(self.blank)} 页既没有文字也没有可识别的图片，已跳过")
        if self.unread:
            told.append(f"第 {_pages(self.unread)} 页的图片中没有识别出文字")
        if self.failure:
            told.append(self.failure)
        return told


def _pages(numbers: list[int]) -> str:
    return "、".join(str(number + 1) for number in numbers)


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


def _page_lines(page, number: int) -> list[Line] | None:
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
        lines.append(Line(cleaned, indent, edge, number))
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


def _check_text(lines: list[Line]) -> None:
    text = "".join(line.text for line in lines)
    if not _ALNUM.search(text):
        raise UnreadableFile(NO_TEXT)
    garbage = len(text) - len(_GARBAGE.sub("", text))
    garbage += text.count("(cid:") * 5
    if garbage > 0.2 * len(text):
        raise UnreadableFile(GARBLED)
