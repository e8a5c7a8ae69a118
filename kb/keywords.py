"""Keyword lists an admin edits (case taxonomy, requirement topics, word lists): matching them in text.

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


# --------------------------------------------------------------------------------------------
# Word lists in sections (surnames.txt, case_people.txt, requirement_cues.txt, doc_types.txt)
# --------------------------------------------------------------------------------------------

_SECTION_LINE = re.compile(r"[\[【]\s*(.+?)\s*[\]】]")
_WORD_SEPARATORS = re.compile(r"[\s,，、]+")


def word_sections(text: str, names: tuple[str, ...], source: str) -> dict[str, list[str]]:
    """The lines of a word list by section: ``[段名]`` lines open the sections ``names``; lines
    before any of them belong to the section ``""``. ``#`` lines and blank lines are skipped;
    an unknown section name is a ValueError naming ``source`` and the line."""
    sections: dict[str, list[str]] = {"": [], **{name: [] for name in names}}
    current = ""
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        heading = _SECTION_LINE.fullmatch(line)
        if heading:
            if heading.group(1) not in names:
                known = "、".join(f"[{n}]" for n in names)
                raise ValueError(f"{source} 第{number}行：未知的段名 {line}（可用的段名：{known}）")
            current = heading.group(1)
            continue
        sections[current].append(line)
    return sections


def split_words(line: str) -> list[str]:
    """The words of one line of a word list, separated by spaces, commas or 、."""
    return [w for w in _WORD_SEPARATORS.split(line) if w]


def alternation(words: list[str] | tuple[str, ...]) -> str:
    """The words as a regular-expression alternation, longest first (where two words start at
    the same place the longer one matches), repeats dropped, file order kept otherwise."""
    unique = list(dict.fromkeys(words))
    return "|".join(re.escape(w) for w in sorted(unique, key=len, reverse=True))
