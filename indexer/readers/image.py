"""Page images (.png .jpg .jpeg .tif .tiff): each frame a page, read by OCR.

The format is told by Pillow from the bytes, not the name: a JPEG saved as .png (as some sites
serve them) is read all the same. A multi-page TIFF gives one page per frame.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from indexer.readers import limits
from indexer.readers.base import ReadResult, UnreadableFile, guarded
from indexer.readers.ocr import BAD_IMAGE, open_image, read_pages

__all__ = ["read_image"]


@guarded(BAD_IMAGE)
def read_image(data: bytes) -> ReadResult:
    """The text of an image file's pages, by OCR (``indexer.readers.ocr``)."""
    image = open_image(data)
    if getattr(image, "n_frames", 1) > limits.MAX_SCAN_PAGES:
        raise UnreadableFile(limits.TOO_MANY_SCAN_PAGES)
    return read_pages(_frames(image), getattr(image, "n_frames", 1))


def _frames(image: Any) -> Iterator[Any]:
    """The frames of a multi-frame image (TIFF) one after the other; the image itself else."""
    from PIL import ImageSequence

    yield from ImageSequence.Iterator(image)
