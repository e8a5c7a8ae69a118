"""Where a long cover title breaks: between words, never inside one (警示教 / 育读本), in lines
of about equal width, so a centred title reads as a title. The words come from jieba through
kb.analysis (``word_boundaries``); without them any character boundary may break."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection

from kb.analysis import Segmenter
from kb.folding import fold

# A line may not end with an opening mark nor begin with a closing one (标点禁则).
OPENING = "《“‘（([【〈「『"
CLOSING = "》”’）)]】〉」』，。、；：！？,.;:!?·—…"


def display_width(text: str) -> float:
    """Width in em: a CJK or full-width character is one, a digit or Latin letter half."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WFA" else 0.5 for c in text)


def word_boundaries(segmenter: Segmenter, title: str) -> set[int]:
    """Offsets in ``title`` between two of its words (jieba, with kb's dictionary)."""
    spans = segmenter.spans(fold(title))  # folding keeps offsets: len(fold(t)) == len(t)
    return {offset for _, start, end in spans for offset in (start, end)}


def _allowed(title: str, at: int) -> bool:
    return title[at - 1] not in OPENING and title[at] not in CLOSING


def _best_lines(title: str, per_line: float, breaks: list[int]) -> list[str] | None:
    """The fewest lines no wider than ``per_line``, the most even among those (least sum of
    squared widths), breaking only at ``breaks``; None when no such split exists."""
    points = [0, *breaks, len(title)]
    best: dict[int, tuple[int, float, int]] = {0: (0, 0.0, -1)}  # point -> lines, cost, prev
    for i in range(1, len(points)):
        for j in range(i):
            if j not in best:
                continue
            width = display_width(title[points[j] : points[i]].strip())
            if width > per_line:
                continue
            lines, cost, _ = best[j]
            candidate = (lines + 1, cost + width * width, j)
            if i not in best or candidate[:2] < best[i][:2]:
                best[i] = candidate
    last = len(points) - 1
    if last not in best:
        return None
    result: list[str] = []
    while last > 0:
        previous = best[last][2]
        result.append(title[points[previous] : points[last]].strip())
        last = previous
    return result[::-1]


def title_lines(
    title: str, per_line: float, boundaries: Collection[int] | None = None
) -> list[str]:
    """``title`` in lines at most ``per_line`` em wide, broken between words.

    ``boundaries`` are the offsets between words (``word_boundaries``); None allows every
    character boundary. Punctuation rules hold either way. When a single word is wider than a
    line, that word alone is broken where it must."""
    title = title.strip()
    if display_width(title) <= per_line:
        return [title]
    every = [at for at in range(1, len(title)) if _allowed(title, at)]
    between_words = every if boundaries is None else [at for at in every if at in boundaries]
    for breaks in (between_words, every, list(range(1, len(title)))):
        lines = _best_lines(title, per_line, breaks)
        if lines is not None:
            return lines
    raise AssertionError("every character boundary always yields lines")  # pragma: no cover
