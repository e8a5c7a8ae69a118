"""Readers turn a file's bytes into paragraphs (``kb.model.Extracted``); one module per format.

A reader raises ``UnreadableFile`` with a Chinese reason a user can act on; the pipeline
reports it and goes on with the other files.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from indexer.readers.base import Reader, UnreadableFile
from kb.model import Extracted

__all__ = ["READERS", "UnreadableFile", "read_file", "supported"]


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


def read_file(path: Path, data: bytes) -> Extracted:
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise UnreadableFile(f"不支持的文件类型“{path.suffix or '无扩展名'}”")
    if not data.strip():
        raise UnreadableFile("文件为空")
    extracted = reader(data)
    if not any(block.text.strip() for block in extracted.blocks):
        raise UnreadableFile("文件中没有文字")
    return extracted
