"""Readers turn a file's bytes into paragraphs (``kb.model.Extracted``); one module per format.

A reader raises ``UnreadableFile`` with a Chinese reason a user can act on; the pipeline
reports it and goes on with the other files. ``read_file`` returns a ``ReadResult``, whose
``warnings`` say what was read despite a problem (for the index summary). What one file may
cost to read is bounded by ``indexer.readers.limits``.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from indexer.readers import limits
from indexer.readers.base import Reader, ReadResult, UnreadableFile
from kb.model import Extracted

__all__ = ["READERS", "ReadResult", "UnreadableFile", "limits", "read_file", "supported"]


def _lazy(module: str, function: str) -> Reader:
    """The reader ``module.function``, imported on its first file: pypdf, bs4 and
    python-docx cost ~0.13 s to import, which an index update with no such file to read
    (the usual rerun) should not pay."""

    def read(data: bytes) -> Extracted:
        return getattr(importlib.import_module(f"indexer.readers.{module}"), function)(data)

    read.__name__ = read.__qualname__ = function
    return read


READERS: dict[str, Reader] = {
    ".txt": _lazy("text", "read_text"),
    ".md": _lazy("markdown", "read_markdown"),
    ".markdown": _lazy("markdown", "read_markdown"),
    ".html": _lazy("html", "read_html"),
    ".htm": _lazy("html", "read_html"),
    ".shtml": _lazy("html", "read_html"),
    ".aspx": _lazy("html", "read_html"),
    ".docx": _lazy("docx", "read_docx"),
    ".pdf": _lazy("pdf", "read_pdf"),
    ".doc": _lazy("legacy", "read_doc"),
    ".wps": _lazy("legacy", "read_wps"),
}


def supported(path: Path) -> bool:
    return path.suffix.lower() in READERS


def read_file(path: Path, data: bytes) -> ReadResult:
    """The paragraphs of a file and the warnings about reading it; UnreadableFile with the
    reason when it cannot be read or passes a limit (see ``limits``)."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise UnreadableFile(f"不支持的文件类型“{path.suffix or '无扩展名'}”")
    if len(data) > limits.MAX_FILE_BYTES:
        raise UnreadableFile(limits.FILE_TOO_BIG)
    if not data or data.isspace():  # (not data.strip(): that copies a 50 MB file)
        raise UnreadableFile("文件为空")
    extracted = reader(data)
    if sum(len(block.text) for block in extracted.blocks) > limits.MAX_CHARS:
        raise UnreadableFile(limits.TOO_MANY_CHARS)
    if not any(block.text.strip() for block in extracted.blocks):
        raise UnreadableFile("文件中没有文字")
    return extracted if isinstance(extracted, ReadResult) else ReadResult.of(extracted)
