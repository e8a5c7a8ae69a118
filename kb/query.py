"""The query language, parsed into plain data (no Whoosh here; ``kb.search`` builds on it).

* free words are ranked, not required;
* ``"…"`` (also “…”, 「…」) is an exact phrase every hit must contain;
* ``-word`` / ``-"…"`` excludes passages containing it;
* ``type:通报`` ``year:2023`` ``year:2023-2025`` ``issuer:纪委`` ``doc:<doc_id>`` filter
  (Chinese names 类型/年份/发文机关 and a full-width colon work too); ``problem:违规吃喝``
  ``sanction:开除党籍`` ``level:县处级`` keep passages of typical cases (kb.cases);
* a 发文字号 anywhere in the query, written with any brackets, finds that document first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb.dates import parse_year_range
from kb.docno import DocNoMatch, find_doc_nos
from kb.folding import fold, normalize_space

MAX_QUERY_CHARS = 500

FILTER_KEYS = {
    "type": "type",
    "类型": "type",
    "文种": "type",
    "year": "year",
    "年份": "year",
    "年度": "year",
    "年": "year",
    "issuer": "issuer",
    "发文机关": "issuer",
    "机关": "issuer",
    "doc": "doc",
    "problem": "problem",
    "问题": "problem",
    "sanction": "sanction",
    "处分": "sanction",
    "level": "level",
    "级别": "level",
    "topic": "topic",
    "话题": "topic",
}

_QUOTE_PAIRS = {'"': '"', "“": "”", "「": "」", "『": "』", "”": "”"}
_WORDLIKE = re.compile(r"\w")


@dataclass
class ParsedQuery:
    """What the user asked for, folded for matching; ``notes`` are messages for the user."""

    raw: str
    free_text: str = ""
    phrases: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    doc_types: list[str] = field(default_factory=list)
    years: list[tuple[int, int]] = field(default_factory=list)
    issuers: list[str] = field(default_factory=list)  # typed: any issuer containing it
    # Chosen from the facets (the page's filters): these issuers exactly, any of them.
    exact_issuers: list[str] = field(default_factory=list)
    doc_ids: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    sanctions: list[str] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)
    cases_only: bool = False  # only passages that belong to a typical case
    any_problem: list[str] = field(default_factory=list)  # cases filed under any of these
    requirements_only: bool = False  # only passages stating requirement clauses
    topics: list[str] = field(default_factory=list)
    doc_nos: list[DocNoMatch] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def has_filters(self) -> bool:
        return bool(
            self.doc_types
            or self.years
            or self.issuers
            or self.exact_issuers
            or self.doc_ids
            or self.problems
            or self.sanctions
            or self.levels
            or self.cases_only
            or self.any_problem
            or self.requirements_only
            or self.topics
        )

    @property
    def is_empty(self) -> bool:
        return not (self.free_text or self.phrases or self.doc_nos or self.has_filters)


def _split_quoted(text: str, parsed: ParsedQuery) -> list[tuple[str, bool]]:
    """Pieces of ``text`` as (piece, is_quoted); an unclosed quote runs to the end."""
    pieces: list[tuple[str, bool]] = []
    i = 0
    buffer = ""
    while i < len(text):
        char = text[i]
        closing = _QUOTE_PAIRS.get(char)
        if closing is None:
            buffer += char
            i += 1
            continue
        end = text.find(closing, i + 1)
        if end == -1:
            parsed.notes.append("引号没有闭合，已按到结尾的精确短语检索。")
            end = len(text)
        pieces.append((buffer, False))
        buffer = ""
        pieces.append((text[i + 1 : end], True))
        i = end + 1
    pieces.append((buffer, False))
    return pieces


def apply_filter(key: str, value: str, parsed: ParsedQuery) -> None:
    """Add one filter (key: type, year, issuer or doc) to ``parsed``."""
    if key == "type":
        parsed.doc_types.extend(v for v in re.split(r"[,，、|]", value) if v)
    elif key == "year":
        span = parse_year_range(value)
        if span is None:
            parsed.notes.append(f"年份“{value}”无法识别，应写作 year:2023 或 year:2023-2025。")
            return
        parsed.years.append(span)
    elif key == "issuer":
        parsed.issuers.append(value)
    elif key == "doc":
        parsed.doc_ids.append(value)
    elif key == "problem":
        parsed.problems.append(value)
    elif key == "sanction":
        parsed.sanctions.append(value)
    elif key == "level":
        parsed.levels.append(value)
    elif key == "topic":
        parsed.topics.append(value)


def parse_query(raw: str) -> ParsedQuery:
    """Parse what the user typed. Never raises; problems become ``notes``."""
    parsed = ParsedQuery(raw=raw)
    text = raw
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        parsed.notes.append(f"检索词过长，只使用了前 {MAX_QUERY_CHARS} 个字。")
    text = fold(text).replace("＂", '"')

    free_parts: list[str] = []
    for piece, quoted in _split_quoted(text, parsed):
        if quoted:
            phrase = normalize_space(piece)
            excluded = bool(free_parts) and free_parts[-1].endswith("-")
            if excluded:
                free_parts[-1] = free_parts[-1][:-1]
            if phrase:
                (parsed.excluded if excluded else parsed.phrases).append(phrase)
            continue
        # 发文字号 may contain spaces and brackets: take them out before splitting words.
        matches = find_doc_nos(piece)
        for match in reversed(matches):
            piece = piece[: match.start] + " " + piece[match.end :]
        parsed.doc_nos.extend(matches)
        free_parts.append(piece)

    words: list[str] = []
    symbols: list[str] = []  # tokens without a letter, digit or character: nothing to find
    for token in " ".join(free_parts).split():
        if token.startswith("-") and len(token) > 1:
            parsed.excluded.append(token[1:])
            continue
        key, colon, value = token.partition(":")
        if colon and key in FILTER_KEYS:
            if value:
                apply_filter(FILTER_KEYS[key], value, parsed)
            else:
                parsed.notes.append(f"“{key}:”后面缺少要筛选的值。")
            continue
        token = token.strip("-")
        if _WORDLIKE.search(token):
            words.append(token)
        elif token:
            symbols.append(token)
    parsed.free_text = " ".join(words)
    if symbols and not words and not parsed.phrases and not parsed.doc_nos:
        parsed.notes.append(
            f"“{' '.join(symbols)[:20]}”里没有可检索的文字（只有标点或符号），请输入要找的字词。"
        )
    return parsed
