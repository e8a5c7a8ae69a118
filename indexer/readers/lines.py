"""Typeset lines back into paragraphs, page furniture removed: shared by the readers of
fixed-layout formats (PDF, OFD), whose text comes as lines with the wraps of the page.

A phrase split by a wrap would never be found, so lines are joined again: a new paragraph
starts at an indented line (unless it continues a centred title), after a short line, at a
numbered heading (一、 （一） 1. 第X条), and after a line ending a sentence, except where the
document marks its paragraphs by a first-line indent and the sentence happens to end at the
end of a full line, and where the reader saw a paragraph start (``Line.starts``: a blank
line's space above, a change of type size). Without indentation (``Line.indent`` None) a paragraph ends after a
sentence or a short line. Page numbers ("— 1 —") and running heads repeated on most pages are
dropped first.

``Line.indent`` and ``Line.edge`` are in the reader's own unit, about a character wide: the
PDF reader counts pypdf's layout columns, the OFD reader Chinese characters of the body size.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from indexer.readers.base import Paragraph
from kb.dates import mentions_year
from kb.numbering import BLOCK_START

__all__ = ["SENTENCE_END", "Line", "drop_furniture", "paragraphs"]

SENTENCE_END = re.compile(r"[。！？；：!?;:…][”’」』）)】》\"']*$")
_HEADING_START = BLOCK_START  # a heading or list number begins a paragraph (kb.numbering)
_DECORATED_NUMBER = re.compile(r"^[-—–－―~～]+\s*\d{1,4}\s*[-—–－―~～]+$")
_PAGE_NUMBER = re.compile(
    r"^(?:\d{1,4}"
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*[,，]?\s*第\s*\d{1,4}\s*页"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?)$",
    re.I,
)
_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]")


@dataclass
class Line:
    """A typeset line: its text, where it starts and ends, and its page."""

    text: str  # cleaned
    indent: int | None  # leading columns (PDF layout mode, OFD), None when unknown
    edge: float  # right end: columns, or CJK-character widths where indent is None
    page: int
    starts: bool = False  # the reader knows a paragraph starts here (a blank line above it)


# --- page furniture ------------------------------------------------------------------------


def _is_page_number(text: str, at_edge: bool) -> bool:
    bare = text.strip()
    if _DECORATED_NUMBER.match(bare):
        return True
    return at_edge and bool(_PAGE_NUMBER.match(bare))


def drop_furniture(pages: list[list[Line]]) -> list[list[Line]]:
    """Page numbers, and running heads or feet repeated on most pages."""
    repeated: set[str] = set()
    with_text = [p for p in pages if p]
    if len(with_text) >= 3:
        counts: Counter[str] = Counter()
        for page in with_text:
            edges = {_shape(page[0].text), _shape(page[-1].text)}
            counts.update(edges)
        repeated = {shape for shape, n in counts.items() if n >= max(3, len(with_text) / 2)}
    out = []
    for page in pages:
        kept = []
        for i, line in enumerate(page):
            at_edge = i < 2 or i >= len(page) - 2
            if _is_page_number(line.text, at_edge):
                continue
            if at_edge and (i == 0 or i == len(page) - 1) and _shape(line.text) in repeated:
                continue
            kept.append(line)
        out.append(kept)
    return out


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", text.replace(" ", ""))


# --- paragraphs ----------------------------------------------------------------------------


def _mode(values: list[float]) -> float | None:
    return Counter(values).most_common(1)[0][0] if values else None


@dataclass
class _Layout:
    margin: float | None  # indentation of body lines (layout mode)
    full: float | None  # right edge of a full line (layout mode)
    full_plain: float | None  # the same in plain mode
    indents_paragraphs: bool  # paragraphs start with a first-line indent


def _measure(lines: list[Line]) -> _Layout:
    body = [line for line in lines if len(line.text) >= 8]
    margin = _margin([line.indent for line in body if line.indent is not None])
    full = _full_width([line.edge for line in body if line.indent is not None])
    indents = False
    if margin is not None and full is not None:
        # After a short line ending a sentence (a sure paragraph end), is the next one indented?
        starts = [
            b.indent >= margin + 1
            for a, b in zip(lines, lines[1:], strict=False)
            if a.indent is not None
            and b.indent is not None
            and a.edge < full - 2
            and SENTENCE_END.search(a.text)
        ]
        indents = len(starts) >= 2 and sum(starts) >= 0.8 * len(starts)
    full_plain = _full_width([line.edge for line in body if line.indent is None])
    return _Layout(margin, full, full_plain, indents)


def _margin(indents: list[int]) -> int | None:
    """The left margin of body lines: the smallest of the common indentations (in a short
    document indented first lines can be as many as the lines at the margin)."""
    if not indents:
        return None
    counts = Counter(indents)
    top = max(counts.values())
    return min(indent for indent, n in counts.items() if n >= top / 2)


def _full_width(edges: list[float]) -> float | None:
    """Where a full line ends: the commonest right edge among the longer lines (titles and
    short last lines must not outvote body lines in a short document)."""
    if not edges:
        return None
    longest = max(edges)
    return _mode([edge for edge in edges if edge >= 0.7 * longest])


def paragraphs(lines: list[Line]) -> list[str]:
    """Join wrapped lines: see the module docstring for where a paragraph ends."""
    layout = _measure(lines)
    paragraphs: list[Paragraph] = []
    previous: Line | None = None
    for line in lines:
        text = _PRIVATE_USE.sub("", line.text).strip()
        if not text:
            continue
        if previous is not None and not line.starts and _continues(previous, line, layout):
            last = paragraphs[-1].last
            paragraphs[-1].add(text, space=_latin(last) and _latin(text[0]))
        else:
            paragraphs.append(Paragraph(text))
        previous = line
    return [paragraph.text for paragraph in paragraphs]


def _continues(a: Line, b: Line, layout: _Layout) -> bool:
    if _HEADING_START.match(b.text):
        return False
    if a.indent is not None and b.indent is not None and layout.margin is not None:
        if b.indent >= layout.margin + 1:
            return _centred_continuation(a, b, layout.margin, layout.full)
        if layout.full is not None and a.edge < layout.full - 2:
            return False
        # A full line ending a sentence, followed by an unindented line, ends the paragraph
        # only where paragraphs are not marked by a first-line indent.
        return layout.indents_paragraphs or not SENTENCE_END.search(a.text)
    if SENTENCE_END.search(a.text):
        return False
    # Without indentation the first line of a paragraph looks two characters short.
    return not (layout.full_plain is not None and a.edge < layout.full_plain - 4)


def _centred_continuation(a: Line, b: Line, margin: float, full: float | None) -> bool:
    """An indented line starts a new paragraph, except in a centred block (a title wrapped
    over two or three lines, a note in brackets under it): a centred line continues a centred
    or full line that does not end a sentence."""
    if full is None or a.page != b.page or SENTENCE_END.search(a.text):
        return False
    if _HEADING_START.match(a.text):
        return False
    if b.text[0] in "（(" or (mentions_year(b.text) and not mentions_year(a.text)):
        return False
    width: float = full  # known here; the closure below would not know it

    def centred(line: Line) -> bool:
        left = (line.indent or 0) - margin  # layout mode: always set
        right = width - line.edge
        return left >= 3 and right >= 3 and abs(left - right) <= max(3, (left + right) / 4)

    return centred(b) and (centred(a) or a.edge >= full - 2)


def _latin(char: str) -> bool:
    """Chinese wraps need no space; a wrap between two Latin letters or digits does."""
    return char.isascii() and char.isalnum()
