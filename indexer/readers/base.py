"""What every reader shares."""

from __future__ import annotations

import functools
from collections.abc import Callable

from kb.model import Extracted


class UnreadableFile(Exception):
    """The file cannot be indexed; ``str(error)`` is the reason shown to the user, in Chinese,
    saying what to do where something can be done (另存为 UTF-8, 转换为 .docx, 需要 OCR ...)."""


Reader = Callable[[bytes], Extracted]


def guarded(reason: str) -> Callable[[Reader], Reader]:
    """Make a reader raise only UnreadableFile: a library failing on a malformed file (or a
    reader bug on an unforeseen one) becomes ``reason`` instead of stopping the indexer."""

    def wrap(reader: Reader) -> Reader:
        @functools.wraps(reader)
        def read(data: bytes) -> Extracted:
            try:
                return reader(data)
            except UnreadableFile:
                raise
            except Exception as error:
                raise UnreadableFile(reason) from error

        return read

    return wrap
