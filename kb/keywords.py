"""Keyword lists an admin edits (case taxonomy, requirement topics): matching them in text.

A keyword may contain "…" for a short gap within one sentence (借…之名); where matches of
different entries overlap only the longest counts (虚报冒领 beats 虚报), equal spans all count.
"""

from __future__ import annotations

import re

from kb.folding import fold


def keyword_pattern(keyword: str, gap: int) -> re.Pattern[str]:
    """The folded keyword as a pattern, "…" standing for up to ``gap`` characters."""
    parts = [re.escape(fold(p)) for p in re.split(r"…+|\.\.\.", keyword) if p]
    return re.compile(f"[^。！？；;\\n]{{0,{gap}}}?".join(parts))


def claim(patterns: list[tuple[int, re.Pattern[str]]], folded: str) -> set[int]:
    """Indexes of the entries whose patterns match already-folded ``folded``, longest first."""
    matches = [
        (m.start(), m.end(), index)
        for index, pattern in patterns
        for m in pattern.finditer(folded)
        if m.end() > m.start()
    ]
    matches.sort(key=lambda m: (m[0] - m[1], m[0]))
    taken: list[tuple[int, int]] = []
    found: set[int] = set()
    for start, end, index in matches:
        if (start, end) in taken:
            found.add(index)
        elif all(end <= s or start >= e for s, e in taken):
            taken.append((start, end))
            found.add(index)
    return found
