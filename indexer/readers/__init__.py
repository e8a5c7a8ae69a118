"""Readers turn a file's bytes into paragraphs (``kb.model.Extracted``); one module per format.

A reader raises ``UnreadableFile`` with a Chinese reason a user can act on; the pipeline
reports it and goes on with the other files. ``read_file`` returns a ``ReadResult``, whose
``warnings`` say what was read despite a problem (for the index summary). What one file may
cost to read is bounded by ``indexer.readers.limits``.
"""

from __future__ import annotations

from pathlib import Path

from indexer.readers import limits
from indexer.readers.base import ReadResult, UnreadableFile
from indexer.readers.formats import READERS, TITLED_BY_NAME

__all__ = ["READERS", "ReadResult", "UnreadableFile", "limits", "read_file", "supported"]


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
    result = extracted if isinstance(extracted, ReadResult) else ReadResult.of(extracted)
    if not result.title and path.suffix.lower() in TITLED_BY_NAME:
        result.title = path.stem
    return result
