"""What every reader shares."""

from __future__ import annotations

from collections.abc import Callable

from kb.model import Extracted


class UnreadableFile(Exception):
    """The file cannot be indexed; ``str(error)`` is the reason shown to the user, in Chinese,
    saying what to do where something can be done (另存为 UTF-8, 转换为 .docx, 需要 OCR ...)."""


Reader = Callable[[bytes], Extracted]
