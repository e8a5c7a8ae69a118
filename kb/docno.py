"""发文字号 (document numbers): finding them in text and queries, and one normal form.

Clerks and users write 国办发〔2018〕117号 as 国办发[2018]117号, 国办发（2018）117 号,
国办发 〔2018〕117号 ...; the normal form uses 〔〕 and has no spaces. 国令第706号 style numbers
(no year) are recognised too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.dates import YEAR

_OPEN = "〔\\[［【(（"
_CLOSE = "〕\\]］】)）"
_PREFIX = r"[\u4e00-\u9fa5A-Za-z]{1,12}"

_YEAR_FORM = re.compile(
    rf"(?P<prefix>{_PREFIX})\s*[{_OPEN}]\s*(?P<year>{YEAR})\s*[{_CLOSE}]\s*"
    r"(?:第\s*)?(?P<number>\d{1,5})\s*号"
)
_ORDINAL_FORM = re.compile(r"(?P<prefix>[\u4e00-\u9fa5]{1,8}令)\s*第\s*(?P<number>\d{1,5})\s*号")

# Words that precede a 发文字号 in running text but are not part of it.
_LEADING_NOISE = re.compile(r"^(?:根据|依据|按照|印发|转发|见|经|以|和|与|及|的)+")


@dataclass(frozen=True)
class DocNoMatch:
    """A 发文字号 found in text. ``forms`` lists normal forms, longest prefix first.

    Running text glues words onto the prefix (落实国办发〔2018〕117号), so shorter prefixes
    are candidates too; the caller keeps the first one it knows.
    """

    start: int
    end: int
    forms: tuple[str, ...]

    @property
    def normal(self) -> str:
        return self.forms[0]


def _forms(match: re.Match[str]) -> tuple[str, ...]:
    prefix = _LEADING_NOISE.sub("", match.group("prefix")) or match.group("prefix")
    groups = match.groupdict()
    number = int(match.group("number"))
    tail = f"〔{groups['year']}〕{number}号" if groups.get("year") else f"第{number}号"
    shortest = 1 if len(prefix) < 2 else 2
    return tuple(prefix[i:] + tail for i in range(0, len(prefix) - shortest + 1))


def find_doc_nos(text: str) -> list[DocNoMatch]:
    """Every 发文字号 in ``text``, in order of appearance."""
    found = [
        DocNoMatch(m.start(), m.end(), _forms(m))
        for pattern in (_YEAR_FORM, _ORDINAL_FORM)
        for m in pattern.finditer(text)
    ]
    found.sort(key=lambda item: item.start)
    return found


def normalize_doc_no(text: str) -> str:
    """The normal form of the first 发文字号 in ``text``, or ``""``."""
    found = find_doc_nos(text)
    return found[0].normal if found else ""


_BRACKET_PAIRS = ("〔〕", "[]", "［］", "【】", "()", "（）")


def whole_doc_no(text: str) -> DocNoMatch | None:
    """The 发文字号 ``text`` consists of (a quoted one, say), or None."""
    stripped = text.strip()
    found = find_doc_nos(stripped)
    if len(found) == 1 and found[0].start == 0 and found[0].end == len(stripped):
        return found[0]
    return None


def printed_forms(match: DocNoMatch) -> list[str]:
    """How the number is printed with each kind of bracket clerks use (国办发〔2004〕7号,
    国办发[2004]7号, 国办发（2004）7号 ...), the normal form first: a quoted 发文字号 is found
    whichever brackets the text and the query chose."""
    normal = match.normal
    if "〔" not in normal:
        return [normal]
    return [normal.replace("〔", pair[0]).replace("〕", pair[1]) for pair in _BRACKET_PAIRS]
