"""The table of contents of a document page, read off its passages.

A heading is either a passage of its own (一、总体要求 on its line, or a styled heading) or the
first sentence of a numbered paragraph (一、广泛征求意见，深入查摆问题。找准病灶……, a run-in
heading, which kb.structure makes the section of that paragraph and the ones after it but
never cuts out of its text). A reader needs both in the outline: speeches and notices often
have only the second kind, and their pages had no outline at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Entry:
    """One line of the table of contents: the passage it leads to, its text, its depth
    (0 for the outermost headings)."""

    ordinal: int
    text: str
    depth: int


def table_of_contents(passages: Iterable[Mapping[str, Any]]) -> list[Entry]:
    """The headings of a document in reading order, from its passages in ordinal order
    (``ordinal``, ``text``, ``section``, ``heading`` and optionally ``meta``, as
    ``kb.results.DocumentView`` holds them). The title (passage 0) is not an entry."""
    entries: list[Entry] = []
    for passage in passages:
        if passage.get("meta"):
            continue
        ordinal, text = passage["ordinal"], passage["text"]
        section: Sequence[str] = passage.get("section") or ()
        if passage.get("heading"):
            if ordinal > 0:
                entries.append(Entry(ordinal, text, len(section)))
        elif section and text.startswith(section[-1]) and len(text) > len(section[-1]):
            # The paragraph begins with the heading it stands under: a run-in heading.
            entries.append(Entry(ordinal, section[-1], len(section) - 1))
    return entries
