"""Which copy of a repeated passage or case is credited as its source.

A case or a passage found in several documents (kb.duplicates) is shown once, under one
document, with the others listed as "也见于". That document must be where the text comes
from, not whichever copy a query happened to rank first: a notice asking staff to study a
通报 must not take the credit for the 通报's cases, nor a speech for the article of a 条例 it
quotes word for word. The rule, in order:

1. a copy that passes another document on loses to one that does not: its title forwards a
   document (关于学习《X》的通知; the words are ``[转发学习用语]`` in doc_types.txt), or the
   text of its document up to and including it names another copy's title that its own title
   does not contain (a compilation reprinting a 通报 after a line naming that 通报);
2. a copy in a 条例/规定 (``[原文优先的文种]``) beats a quoting one;
3. the earlier 成文日期 (a copy without a date comes last);
4. the issuer higher up (central, province, prefecture … by kb.cases.people.place_tier);
5. otherwise the order given (rank) decides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kb.cases.people import PeopleWords, place_tier
from kb.doctypes import DocTypes, default_doc_types
from kb.folding import fold

if TYPE_CHECKING:
    from kb.results import DocumentView

# A title shorter than this is too generic to tell that a heading names it.
MIN_TITLE_CHARS = 8
_UNKNOWN_TIER = 99
_NO_DATE = "9999"


@dataclass(frozen=True)
class Copy:
    """What decides the credit of one copy: its document's title, type, date and issuer, and
    its document's text up to and including the copy (headings, lead-in lines)."""

    title: str
    doc_type: str = ""
    date: str = ""
    issuer: str = ""
    upto: str = ""

    @classmethod
    def from_stored(cls, stored: dict, upto: str = "") -> Copy:
        """The copy of an index row (the stored fields of a passage); ``upto`` defaults to
        the headings it stands under and its own text."""
        return cls(
            title=stored.get("title", ""),
            doc_type=stored.get("doc_type", ""),
            date=stored.get("date", ""),
            issuer=stored.get("issuer", ""),
            upto=upto or "\n".join([*(stored.get("section") or ()), stored.get("text", "")]),
        )

    @classmethod
    def from_document(cls, view: DocumentView, ordinal: int) -> Copy:
        """The copy in passage ``ordinal`` of a document read whole, with its text up to and
        including that passage (as kb.search gives a hit's copies)."""
        before = [p["text"] for p in view.passages if not p["meta"] and p["ordinal"] <= ordinal]
        return cls(view.title, view.doc_type, view.date, view.issuer, "\n".join(before))


def credited(
    copies: Sequence[Copy],
    doc_types: DocTypes | None = None,
    people: PeopleWords | None = None,
) -> int:
    """The index in ``copies`` (best ranked first) of the copy to credit (rules: module doc)."""
    if len(copies) < 2:
        return 0
    types = doc_types or default_doc_types()
    titles = [fold(c.title) for c in copies]

    def passes_on(index: int) -> bool:
        copy = copies[index]
        if types.forwards(copy.title):
            return True
        upto = fold(copy.upto)
        return any(
            len(title) >= MIN_TITLE_CHARS and title not in titles[index] and title in upto
            for title in titles
        )

    def key(index: int) -> tuple[bool, bool, str, int, int]:
        copy = copies[index]
        tier = place_tier(copy.issuer, people) if copy.issuer else -1
        return (
            passes_on(index),
            copy.doc_type not in types.authoritative,
            copy.date or _NO_DATE,
            tier if tier >= 0 else _UNKNOWN_TIER,
            index,
        )

    return min(range(len(copies)), key=key)
