"""Page images -> text lines in reading order, by OCR that runs offline.

The engine is RapidOCR 3.10 (Apache-2.0) on onnxruntime with the PP-OCRv6 small detection and
recognition models that ship inside the ``rapidocr`` wheel; they are named by path, so nothing
is ever downloaded (RapidOCR fetches a model only when none is given and its default is missing).
It is an optional dependency (``pip install 'kb[ocr]'``); without it a scan is reported with the
reason. The engine is loaded once per process, on the first page, in the indexer's workers: the
web server never reads a file.

The angle classifier is off: 公文 scans are upright, and on a line that begins and ends with
quotation marks it turned the line over and lost it (measured on our rendered pages). Boxes
become lines by their vertical overlap after undoing the page's skew, are read left to right,
and a block of lines split by an empty gutter is read column by column. Lines are joined into
paragraphs by ``indexer.readers.lines``, as for a PDF's text layer.
"""

from __future__ import annotations

import io
import math
import statistics
import threading
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from indexer.readers import limits
from indexer.readers.base import ReadResult, UnreadableFile, reading_page
from indexer.readers.lines import Line, drop_furniture, paragraphs
from kb.model import Block

__all__ = [
    "BAD_IMAGE",
    "NOT_INSTALLED",
    "NOTHING_READ",
    "OCR_NOTE",
    "Box",
    "image_lines",
    "open_image",
    "page_lines",
    "read_page_images",
    "read_pages",
    "reading_order",
]

OCR_NOTE = "本文件由文字识别(OCR)读出，可能有错字"
NOT_INSTALLED = (
    "这是扫描件（图片），读取需要文字识别组件：请安装 kb 的 ocr 可选依赖（pip install 'kb[ocr]'）"
)
NOTHING_READ = "扫描件中没有识别出文字（图像可能过于模糊、分辨率过低或不含文字）"
BAD_IMAGE = "图片已损坏或格式不受支持，无法读取"

_MODELS = ("PP-OCRv6_det_small.onnx", "PP-OCRv6_rec_small.onnx")
_MIN_SCORE = 0.5  # recognition confidence below which a box is noise (a stamp, a speck)
_engine: Any = None
_engine_lock = threading.Lock()


@dataclass
class Box:
    """A piece of text the detector found: its bounding box in pixels (after deskewing)."""

    text: str
    left: float
    top: float
    right: float
    bottom: float

    @property
    def height(self) -> float:
        return self.bottom - self.top


def read_page_images(images: list[bytes]) -> ReadResult:
    """The text of page images (PNG, JPEG, TIFF ... the first frame of each), in order, as
    paragraphs; a page without recognised text is a warning, a scan without any is
    UnreadableFile."""
    if len(images) > limits.MAX_SCAN_PAGES:
        raise UnreadableFile(limits.TOO_MANY_SCAN_PAGES)
    return read_pages((open_image(data) for data in images), len(images))


def read_pages(pages: Iterable[Any], count: int | None = None) -> ReadResult:
    """``read_page_images`` for Pillow images, taken one at a time (the frames of a TIFF are
    never all decoded at once)."""
    lines_of: list[list[Line]] = []
    warned: list[str] = []
    for number, image in enumerate(pages):
        if number >= limits.MAX_SCAN_PAGES:
            raise UnreadableFile(limits.TOO_MANY_SCAN_PAGES)
        reading_page(number + 1, count)
        lines = image_lines(image, number)
        if not lines:
            warned.append(f"第 {number + 1} 页没有识别出文字")
        lines_of.append(lines)
    kept = [line for page in drop_furniture(lines_of) for line in page]
    if not kept:
        raise UnreadableFile(NOTHING_READ)
    blocks = [Block(text) for text in paragraphs(kept)]
    return ReadResult(blocks, warnings=[OCR_NOTE, *warned])


def image_lines(image: Any, page: int) -> list[Line]:
    """The lines OCR reads on a Pillow image, in reading order, marked as on ``page``."""
    return page_lines(_recognise(_pixels(image)), page)


def open_image(data: bytes) -> Any:
    """A Pillow image of an image file, its size checked before any pixel is decoded."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise UnreadableFile(limits.IMAGE_TOO_BIG) from error
    except Exception as error:
        raise UnreadableFile(BAD_IMAGE) from error
    return image


def _pixels(image: Any) -> Any:
    """An RGB pixel array of the image's current frame, on white where it is transparent."""
    import numpy
    from PIL import Image

    if image.width * image.height > limits.MAX_IMAGE_PIXELS:
        raise UnreadableFile(limits.IMAGE_TOO_BIG)
    try:
        if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
            rgba = image.convert("RGBA")
            white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            rgb = Image.alpha_composite(white, rgba).convert("RGB")
        else:
            rgb = image.convert("RGB")
    except Exception as error:  # truncated or corrupt pixel data
        raise UnreadableFile(BAD_IMAGE) from error
    return numpy.asarray(rgb)


def _load_engine() -> Any:
    """RapidOCR with the models inside its package, built once per process."""
    global _engine
    with _engine_lock:
        if _engine is None:
            try:
                import rapidocr
            except ImportError as error:
                raise UnreadableFile(NOT_INSTALLED) from error
            models = Path(rapidocr.__file__).parent / "models"
            det, rec = (models / name for name in _MODELS)
            if not (det.is_file() and rec.is_file()):
                raise UnreadableFile(NOT_INSTALLED)
            _engine = rapidocr.RapidOCR(
                params={
                    "Global.use_cls": False,
                    "Global.log_level": "error",
                    "Global.text_score": _MIN_SCORE,
                    "Det.model_path": str(det),
                    "Rec.model_path": str(rec),
                }
            )
        return _engine


def _recognise(pixels: Any) -> list[Box]:
    """The text boxes of one page, deskewed: rotated by the median slope of the wide boxes."""
    result = _load_engine()(pixels)
    if result.boxes is None or result.txts is None:
        return []
    quads = [[(float(x), float(y)) for x, y in quad] for quad in result.boxes.tolist()]
    angle = _skew(quads)
    cos, sin = math.cos(-angle), math.sin(-angle)
    boxes = []
    for quad, text in zip(quads, result.txts, strict=True):
        text = text.strip()
        if not text:
            continue
        turned = [(x * cos - y * sin, x * sin + y * cos) for x, y in quad]
        xs, ys = [x for x, _ in turned], [y for _, y in turned]
        boxes.append(Box(text, min(xs), min(ys), max(xs), max(ys)))
    return boxes


def _skew(quads: list[list[tuple[float, float]]]) -> float:
    """The page's tilt in radians, from the top edges of boxes much wider than high."""
    slopes = []
    for (x0, y0), (x1, y1), _, (_, y3) in quads:
        width, height = x1 - x0, abs(y3 - y0)
        if width > 4 * max(height, 1):
            slopes.append(math.atan2(y1 - y0, width))
    return statistics.median(slopes) if slopes else 0.0


# --- reading order -------------------------------------------------------------------------


def page_lines(boxes: list[Box], page: int) -> list[Line]:
    """The boxes of a page as lines in reading order, measured in character widths."""
    rows = reading_order(boxes)
    if not rows:
        return []
    unit = _char_width(boxes)
    left = min(row[0].left for row in rows)
    lines = []
    for row in rows:
        text = _join(row, unit)
        indent = round((row[0].left - left) / unit)
        size = statistics.median(b.height for b in row)
        lines.append(Line(text, indent, (row[-1].right - left) / unit, page, size=size))
    return lines


def reading_order(boxes: list[Box]) -> list[list[Box]]:
    """Boxes grouped into lines (top to bottom, each left to right); a run of lines split by
    one empty gutter, both sides filled like text columns, is read column by column."""
    rows = _rows(boxes)
    out: list[list[Box]] = []
    i = 0
    while i < len(rows):
        end, gutter = _column_block(rows, i)
        if gutter is None:
            out.append(rows[i])
            i += 1
            continue
        block = rows[i:end]
        for side in (
            [[b for b in row if b.right <= gutter] for row in block],
            [[b for b in row if b.left >= gutter] for row in block],
        ):
            out.extend(row for row in side if row)
        i = end
    return out


def _rows(boxes: list[Box]) -> list[list[Box]]:
    """A box joins a line whose first box it overlaps vertically by at least half the lower of
    the two (the first box, not the line so far: a tall 文件 beside a masthead of two lines
    would otherwise pull both lines into one)."""
    rows: list[list[Box]] = []
    for box in sorted(boxes, key=lambda b: (b.top + b.bottom) / 2):
        for row in reversed(rows[-3:]):
            first = row[0]
            overlap = min(first.bottom, box.bottom) - max(first.top, box.top)
            if overlap >= 0.5 * min(first.height, box.height):
                row.append(box)
                break
        else:
            rows.append([box])
    for row in rows:
        row.sort(key=lambda b: b.left)
    return rows


_MIN_COLUMN_ROWS = 3


def _column_block(rows: list[list[Box]], start: int) -> tuple[int, float | None]:
    """Where a two-column block starting at ``start`` ends, and its gutter's x; (start, None)
    when none starts there. Every row of the block has a box on each side of the gutter and
    none across it; the gutter is narrow (at most four characters) and each column's rows
    mostly fill their column, which a label | value table or a signature line does not."""
    gutter = _gutter(rows[start])
    if gutter is None:
        return start, None
    end = start + 1
    while end < len(rows) and _splits(rows[end], gutter):
        end += 1
    if end - start < _MIN_COLUMN_ROWS:
        return start, None
    block = [box for row in rows[start:end] for box in row]
    left = [box for box in block if box.right <= gutter]
    right = [box for box in block if box.left >= gutter]
    height = statistics.median(box.height for box in block)
    if min(b.left for b in right) - max(b.right for b in left) > 4 * height:
        return start, None
    for side in (left, right):
        span = max(b.right for b in side) - min(b.left for b in side)
        if statistics.median(b.right - b.left for b in side) < 0.6 * span:
            return start, None
    return end, gutter


def _gutter(row: list[Box]) -> float | None:
    """The middle of the widest gap in a row of exactly two or more boxes, if wide."""
    if len(row) < 2:
        return None
    gaps = [(b.left - a.right, (a.right + b.left) / 2) for a, b in zip(row, row[1:], strict=False)]
    width, middle = max(gaps)
    height = statistics.median(b.height for b in row)
    return middle if width >= 2 * height else None


def _splits(row: list[Box], gutter: float) -> bool:
    return (
        any(b.right <= gutter for b in row)
        and any(b.left >= gutter for b in row)
        and not any(b.left < gutter < b.right for b in row)
    )


def _char_width(boxes: list[Box]) -> float:
    """The width of one CJK character: box widths over their characters, an ASCII character
    taken as half of one; the box height where no box has two characters."""
    widths = []
    for box in boxes:
        chars = len(box.text) - 0.5 * len(box.text.encode("ascii", "ignore"))
        if chars >= 2:
            widths.append((box.right - box.left) / chars)
    if widths:
        return max(statistics.median(widths), 1.0)
    return max(statistics.median(b.height for b in boxes), 1.0)


def _join(row: list[Box], unit: float) -> str:
    """A line's boxes as one text: a gap of two characters or more stays as a space."""
    text = row[0].text
    for before, box in zip(row, row[1:], strict=False):
        text += (" " if box.left - before.right >= 2 * unit else "") + box.text
    return text
