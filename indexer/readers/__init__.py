"""Readers turn a file's bytes into plain text; one module per format.

A reader raises ``UnreadableFile`` with a Chinese reason a user can act on; the pipeline
reports it and goes on with the other files.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from indexer.readers import text


class UnreadableFile(Exception):
    """The file cannot be indexed; ``str(error)`` is the reason shown to the user."""


Reader = Callable[[bytes], str]

READERS: dict[str, Reader] = {
    ".txt": text.read_text,
    ".md": text.read_text,
}


def supported(path: Path) -> bool:
    return path.suffix.lower() in READERS


def read_file(path: Path, data: bytes) -> str:
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise UnreadableFile(f"不支持的文件类型“{path.suffix or '无扩展名'}”")
    if not data.strip():
        raise UnreadableFile("文件为空")
    try:
        content = reader(data)
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            f"无法按 UTF-8 解码（第 {error.start} 字节附近），请另存为 UTF-8"
        ) from error
    if not content.strip():
        raise UnreadableFile("文件中没有文字")
    return content
