"""Snippets: the best window of a passage with matches wrapped in ``<mark>``.

Matching is done on folded text by plain substring search (no re-tokenizing, unlike Whoosh's
highlighter, which costs ~20x the search itself); folding keeps length, so offsets apply to
the original text, which is what we show.
"""

from __future__ import annotations

import html

from kb.folding import fold

WINDOW = 150


def match_spans(text: str, needles: list[str]) -> list[tuple[int, int]]:
    """Merged (start, end) spans of every occurrence of any needle in folded ``text``."""
    folded = fold(text)
    spans = []
    for needle in needles:
        if not needle:
            continue
        start = folded.find(needle)
        while start != -1:
            spans.append((start, start + len(needle)))
            start = folded.find(needle, start + 1)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _best_window(text: str, spans: list[tuple[int, int]], size: int) -> tuple[int, int]:
    if len(text) <= size or not spans:
        return 0, min(len(text), size)
    folded = fold(text)
    best_start, best_score = 0, -1
    for start, _ in spans:
        window_start = max(0, start - size // 4)
        window_end = window_start + size
        covered = {folded[s:e] for s, e in spans if s >= window_start and e <= window_end}
        score = len(covered) * 100 + sum(
            1 for s, e in spans if s >= window_start and e <= window_end
        )
        if score > best_score:
            best_start, best_score = window_start, score
    # Prefer to begin at a sentence start shortly before the first match.
    for i in range(best_start, max(best_start - 30, 0), -1):
        if i > 0 and text[i - 1] in "。！？；":
            best_start = i
            break
    best_start = min(best_start, max(0, len(text) - size))
    return best_start, min(len(text), best_start + size)


def make_snippet(text: str, needles: list[str], size: int = WINDOW) -> str:
    """HTML: an escaped window of ``text`` with ``<mark>`` around matches."""
    spans = match_spans(text, needles)
    start, end = _best_window(text, spans, size)
    parts = ["…" if start > 0 else ""]
    cursor = start
    for s, e in spans:
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
