"""Readers turn a file's bytes into paragraphs (``kb.model.Extracted``); one module per format.

A reader raises ``UnreadableFile`` with a Chinese reason a user can act on; the pipeline
reports it and goes on with the other files.
"""

from __future__ import annotations

from pathlib import Path

from indexer.readers import docx, html, legacy, markdown, pdf, text
from indexer.readers.base import Reader, UnreadableFile
from kb.model import Extracted

__all__ = ["READERS", "UnreadableFile", "read_file", "supported"]

READERS: dict[str, Reader] = {
    ".txt": text.read_text,
    ".md": markdown.read_markdown,
    ".markdown": markdown.read_markdown,
    ".html": html.read_html,
    ".htm": html.read_html,
    ".shtml": html.read_html,
    ".aspx": html.read_html,
    ".docx": docx.read_docx,
    ".pdf": pdf.read_pdf,
    ".doc": legacy.read_doc,
    ".wps": legacy.read_wps,
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
