"""Plain text and Markdown in UTF-8 (with or without BOM, LF or CRLF)."""

from __future__ import annotations

from indexer.readers.base import UnreadableFile
from kb.model import Extracted


def read_text(data: bytes) -> Extracted:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            f"无法按 UTF-8 解码（第 {error.start} 字节附近），请另存为 UTF-8"
        ) from error
    return Extracted.from_text(text)
