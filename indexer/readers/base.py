"""What every reader shares."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from indexer.readers import limits
from kb.model import Extracted


class UnreadableFile(Exception):
    """The file cannot be indexed; ``str(error)`` is the reason shown to the user, in Chinese,
    saying what to do where something can be done (另存为 UTF-8, 转换为 .docx, 需要 OCR ...)."""


@dataclass
class ReadResult(Extracted):
    """What a reader got out of a file, and ``warnings``: what was read despite a problem
    (bytes that were not valid UTF-8 replaced by U+FFFD, a PDF page skipped ...), in Chinese,
    for the index summary. The file is indexed; the user learns what is missing or altered."""

    warnings: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, extracted: Extracted, warnings: list[str] | tuple[str, ...] = ()) -> ReadResult:
        """``extracted`` with ``warnings`` added to any it already carries."""
        carried = list(getattr(extracted, "warnings", ()))
        return cls(extracted.blocks, extracted.title, extracted.date, [*carried, *warnings])


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
            except MemoryError as error:  # a file past what the limits foresaw
                raise UnreadableFile(limits.OUT_OF_MEMORY) from error
            except Exception as error:
                raise UnreadableFile(reason) from error

        return read

    return wrap


def check_chars(count: int) -> None:
    """Refuse a file once the text read from it passes ``limits.MAX_CHARS``."""
    if count > limits.MAX_CHARS:
        raise UnreadableFile(limits.TOO_MANY_CHARS)


class Paragraph:
    """A paragraph joined from wrapped lines in linear time: ``text = text + line`` in a loop
    copies the paragraph for every line, quadratic on a file that is one endless paragraph."""

    __slots__ = ("_parts", "last", "length")

    def __init__(self, first: str) -> None:
        self._parts = [first]
        self.length = len(first)
        self.last = first[-1:]  # the last character so far, "" while empty

    def add(self, text: str, space: bool = False) -> None:
        """Append ``text``, after a space where ``space`` (wrapped Latin words need one)."""
        if space:
            self._parts.append(" ")
            self.length += 1
            self.last = " "
        if text:
            self._parts.append(text)
            self.length += len(text)
            self.last = text[-1]

    @property
    def text(self) -> str:
        if len(self._parts) > 1:
            self._parts = ["".join(self._parts)]
        return self._parts[0]


# Who is told of each page OCR reads (page from 1, pages in all or None when unknown): a long
# scan takes seconds a page, and the index update shows its progress (indexer.store sets it
# per file, in whichever process reads it). None: nobody listens.
PageListener = Callable[[int, int | None], None]
_page_listener: PageListener | None = None


def listen_to_pages(listener: PageListener | None) -> None:
    global _page_listener
    _page_listener = listener


def reading_page(page: int, pages: int | None) -> None:
    """Tell the listener, if any, that page ``page`` of ``pages`` is being read by OCR."""
    if _page_listener is not None:
        _page_listener(page, pages)
