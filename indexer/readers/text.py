"""Plain text and Markdown in UTF-8 (with or without BOM, LF or CRLF)."""

from __future__ import annotations


def read_text(data: bytes) -> str:
    return data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
