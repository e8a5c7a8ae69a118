"""How many cases a notice says it reports (十起, 本辑收录典型案例8起, 通报了……6名)."""

from __future__ import annotations

import re

from kb.cases.detection import _is_intro
from kb.folding import fold
from kb.numbering import (
    COUNT_NUMBER,
    parse_number,
)

# --------------------------------------------------------------------------------------------
# Counting what a notice says it reports
# --------------------------------------------------------------------------------------------

_NUM = COUNT_NUMBER
_COUNT = re.compile(
    rf"(?P<n>{_NUM})\s*(?:起|件|例|名(?=[^，。；]{{0,12}}(?:干部|党员|人员|教师|同志))|"
    rf"个(?=典型|问题|案例|案件))"
    rf"|(?:典型问题|典型案例|案例|案件)\s*(?P<m>{_NUM})\s*(?:起|件|例|个)"
)
_REPORTING = re.compile(r"通报|收录|曝光|分别是|分别为|如下|选取|选编")


def chinese_number(text: str) -> int | None:
    """``12`` / ``十二`` / ``二十`` / ``两`` as an int (kb.numbering reads it); None when it is
    not a number or is zero."""
    return parse_number(text) or None


def _counts(sentence: str) -> list[int]:
    numbers = []
    for m in _COUNT.finditer(sentence):
        n = chinese_number(m.group("n") or m.group("m"))
        if n:
            numbers.append(n)
    return numbers


def _intro_count(paragraph: str) -> int | None:
    """The number of cases an intro paragraph announces (the count nearest its end)."""
    for sentence in reversed(re.split(r"(?<=[。！？])", fold(paragraph))):
        if _REPORTING.search(sentence):
            numbers = _counts(sentence)
            if numbers:
                return numbers[-1]
    return None


def stated_count(text: str) -> int | None:
    """How many cases a notice says it reports: 十起, 10起, 本辑收录典型案例8起, 通报了……6名.

    ``text`` is the document (title on the first line). A notice announcing several runs of
    cases (a forwarded notice and a local one) states their sum; an announcing paragraph without
    a number (公开通报某某等人……问题：) counts as one case when other runs are counted.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return None
    intro_counts = [_intro_count(line) for line in lines[1:] if _is_intro(line)]
    if any(intro_counts):
        return sum(n or 1 for n in intro_counts)
    title = fold(lines[0])
    numbers = _counts(title)
    if numbers:
        return numbers[0]
    for line in lines[1:]:
        for sentence in re.split(r"(?<=[。！？])", fold(line)):
            if re.search(r"通报|收录|曝光|选编", sentence):
                numbers = _counts(sentence)
                if numbers:
                    return numbers[0]
    return None


def _person_count(text: str) -> int | None:
    """N when the notice states its count in persons (通报……6名党员领导干部), else None."""
    m = re.search(
        rf"({_NUM})\s*名[^，。；]{{0,12}}(?:干部|党员|人员)", fold(text.split("\n", 1)[0])
    )
    return chinese_number(m.group(1)) if m else None
