"""Snippets: the best window of a passage with matches wrapped in ``<mark>``.

Matching is done on folded text by plain substring search (no re-tokenizing, unlike Whoosh's
highlighter, which costs ~20x the search itself); folding keeps length, so offsets apply to
the original text, which is what we show. Needles come in groups, one per thing the user asked
for (a word with its synonyms, a phrase): the window shown is the one covering the most
groups, so 宴请 and 吃请 together do not outweigh 私营企业主 and 宴请.
"""

from __future__ import annotations

import html

from kb.folding import fold

WINDOW = 150


def _occurrences(folded: str, groups: list[list[str]]) -> list[tuple[int, int, int]]:
    """(start, end, group) of every occurrence of every needle."""
    found = []
    for group, needles in enumerate(groups):
        for needle in needles:
            if not needle:
                continue
            start = folded.find(needle)
            while start != -1:
                found.append((start, start + len(needle), group))
                start = folded.find(needle, start + 1)
    found.sort()
    return found


def _merged(occurrences: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end, _ in occurrences:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _best_window(text: str, occurrences: list[tuple[int, int, int]], size: int) -> tuple[int, int]:
    if len(text) <= size or not occurrences:
        return 0, min(len(text), size)
    best_start, best_score = 0, -1
    for start, _, _ in occurrences:
        window_start = max(0, start - size // 4)
        window_end = window_start + size
        inside = [g for s, e, g in occurrences if s >= window_start and e <= window_end]
        score = len(set(inside)) * 100 + len(inside)
        if score > best_score:
            best_start, best_score = window_start, score
    # Prefer to begin at a sentence start shortly before the first match.
    for i in range(best_start, max(best_start - 30, 0), -1):
        if i > 0 and text[i - 1] in "。！？；":
            best_start = i
            break
    best_start = min(best_start, max(0, len(text) - size))
    return best_start, min(len(text), best_start + size)


def make_snippet(text: str, groups: list[list[str]], size: int = WINDOW) -> str:
    """HTML: an escaped window of ``text`` with ``<mark>`` around matches of folded needles."""
    occurrences = _occurrences(fold(text), groups)
    start, end = _best_window(text, occurrences, size)
    parts = ["…" if start > 0 else ""]
    cursor = start
    for s, e in _merged(occurrences):
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        parts.append(html.escape(text[cursor:s]))
        parts.append(f"<mark>{html.escape(text[s:e])}</mark>")
        cursor = e
    parts.append(html.escape(text[cursor:end]))
    if end < len(text):
        parts.append("…")
    return "".join(parts)
