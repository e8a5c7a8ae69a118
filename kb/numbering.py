"""公文 numbering: Chinese numerals read and written, and the numbered forms of headings and
list items. The one owner of this knowledge; every reader, extractor and exporter asks here.

Numerals (0 to 9,999)
    ``parse_chinese`` reads 十, 十一, 二十, 一百, 一百一十, 一千零五, 两百, 〇; ``parse_digits``
    reads a year written digit by digit (二〇二四); ``chinese_numeral`` writes a number as 公文
    number their headings: 十 and 十一 below twenty (not 一十), 一百, 一百零一 and 一百一十 above a
    hundred (not 百, 百一). Writing uses cn2an (MIT, pinned in pyproject.toml).

Headings, outer first (``HEADING_FORMS``; a lower rank is an outer heading)::

    rank 0  第X编      rank 3  一、 一， 一. (level 1)   rank 5  1. 1． 1、 (level 3)
    rank 1  第X章      rank 4  （一） (level 2)          rank 6  （1） (level 4)
    rank 2  第X节

Numbers are recognised up to 九百九十九 in Chinese (``NUMERALS`` has no 千) and 99 in Arabic
(a year's 2024. is no heading). ``level`` is the depth of the body numbering 一、（一）1.（1）,
which ``heading_number`` writes; a heading known only by its style (Word 标题 2, Markdown ##)
of level n ranks like the numbered form of that level (``rank_of_level``). A speech's
第一， begins a paragraph whose first sentence is a heading, between ranks 4 and 5
(``SPOKEN_HEADING``, ``SPOKEN_RANK``). 第X条 (an article, ``ARTICLE``) and 一是/二是
(enumerated points inside a paragraph, ``POINT``) are numbered text, not headings.

Each consumer needs the forms for a different question, and the copies that lived in six
modules answered them with slightly different patterns. They are kept here, side by side, so
that a difference is a decision one can see (and tests/test_numbering.py pins each):

* ``heading_rank`` (kb.structure): the outline; accepts the whole numeral set ``NUMERALS``.
* ``BLOCK_START`` (indexer.readers.pdf and .markdown): a line that begins a new paragraph
  when joining wrapped lines; tolerant of the spaces PDF extraction inserts, of 附件, and of
  the numerals 公文 use after 第 (第一百零一条).
* ``LIST_NUMBER`` (kb.requirements), ``CASE_NUMBER`` (kb.cases), ``LEADING_NUMBER``
  (kb.duplicates): the number a paragraph begins with, to be cut off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import cn2an

# --------------------------------------------------------------------------------------------
# Numerals
# --------------------------------------------------------------------------------------------

# Every character a 公文 writes a heading number or a count with (两百, 一百零五, 〇).
NUMERALS = "一二三四五六七八九十百零〇两"
# One to ten: the numbers of most headings and counts (一、 … 十、, 三起).
ONE_TO_TEN = "一二三四五六七八九十"
# The digits of a year written digit by digit (二〇二四年, 二○二四年, 二O二四年).
YEAR_DIGITS = "〇零○O一二三四五六七八九"

MAX_NUMERAL = 9999

_DIGIT_VALUE = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {
    "零": 0,
    "○": 0,
    "O": 0,
}
_NONZERO = {c: v for c, v in _DIGIT_VALUE.items() if v} | {"两": 2}
_ZEROS = "零〇○"
_UNITS = {"千": 1000, "百": 100, "十": 10}


def parse_chinese(text: str) -> int | None:
    """A Chinese numeral from 0 to 9,999 as an int; None when ``text`` is not one.

    Reads what 公文 print: 十 and 一十, 十一, 二十, 一百, 一百零五, 一百一十 (and the spoken
    一百十), 一千零五, 一千零五十, 两百, 两千, 零 and 〇. A bare unit counts one of it (百 = 100). A
    digit right after 百 or 千 without 零 is the spoken abbreviation (二百五 = 250, 一千五 =
    1500). Two digits in a row (二二, 二〇二四) are not a numeral here: ``parse_digits`` reads
    years.
    """
    if not text:
        return None
    if len(text) == 1 and text in _ZEROS:
        return 0
    total = 0
    pending: int | None = None  # a digit waiting for its unit
    last_unit = 10 * _UNITS["千"]  # the next unit must be smaller
    after_zero = False
    for char in text:
        if char in _NONZERO:
            if pending is not None:
                return None
            pending = _NONZERO[char]
        elif char in _ZEROS:
            # 零 stands for skipped units: after 百 or 千, before the digits that follow.
            if pending is not None or after_zero or not total or last_unit < 100:
                return None
            after_zero = True
        elif char in _UNITS:
            unit = _UNITS[char]
            if unit >= last_unit or (after_zero and unit != 10):
                return None
            total += (1 if pending is None else pending) * unit
            pending = None
            last_unit = unit
            after_zero = False
        else:
            return None
    if text[-1] in _ZEROS:
        return None  # 一百零
    if pending is not None:
        if 10 < last_unit <= _UNITS["千"] and not after_zero:
            pending *= last_unit // 10  # 二百五 = 250
        total += pending
    return total


def parse_digits(text: str) -> int | None:
    """A number written digit by digit, as years are (二〇二四, 一九九八), or None."""
    if not text or any(c not in _DIGIT_VALUE for c in text):
        return None
    return int("".join(str(_DIGIT_VALUE[c]) for c in text))


def parse_number(text: str) -> int | None:
    """Arabic digits (12, １２) or a Chinese numeral (十二) as an int, or None."""
    if text.isdigit():
        return int(text)
    return parse_chinese(text)


def chinese_numeral(number: int) -> str:
    """0 -> 零, 1 -> 一, 10 -> 十, 11 -> 十一, 100 -> 一百, 110 -> 一百一十, 1005 -> 一千零五."""
    if isinstance(number, bool) or not isinstance(number, int):
        raise ValueError(f"a numeral is written for a whole number, not {number!r}")
    if not 0 <= number <= MAX_NUMERAL:
        raise ValueError(f"numerals are written from 0 to {MAX_NUMERAL:,}, not {number}")
    return cn2an.an2cn(number, "low")


# --------------------------------------------------------------------------------------------
# Headings
# --------------------------------------------------------------------------------------------

_N = NUMERALS
_T = ONE_TO_TEN


@dataclass(frozen=True)
class HeadingForm:
    """One numbered heading form: its rank in the outline, its body level (1 to 4, None for
    第X编/章/节), an example, and the number as a regular expression (without ``^``)."""

    rank: int
    level: int | None
    example: str
    number: str

    @property
    def pattern(self) -> re.Pattern[str]:
        return _COMPILED[self.rank]


HEADING_FORMS: tuple[HeadingForm, ...] = (
    HeadingForm(0, None, "第一编", rf"第[{_N}\d]+[编]"),
    HeadingForm(1, None, "第一章", rf"第[{_N}\d]+章"),
    HeadingForm(2, None, "第一节", rf"第[{_N}\d]+节"),
    HeadingForm(3, 1, "一、", rf"[{_N}]+\s*(?:[、，]|[.．](?!\d))"),
    HeadingForm(4, 2, "（一）", rf"[（(]\s*[{_N}]+\s*[）)]"),
    HeadingForm(5, 3, "1.", r"\d{1,2}\s*[.．、](?!\d)"),
    HeadingForm(6, 4, "（1）", r"[（(]\s*\d{1,2}\s*[）)]"),
)
_COMPILED = {form.rank: re.compile(f"^{form.number}") for form in HEADING_FORMS}
_BY_LEVEL = {form.level: form for form in HEADING_FORMS if form.level is not None}
DEEPEST_LEVEL = max(_BY_LEVEL)

# 第X条: an article of a regulation; a passage under its chapter, not a heading.
ARTICLE = re.compile(rf"^第[{_N}\d]+条")
# 一是 / 二是 starting a sentence: the points of a paragraph, preferred places to split it.
POINT = re.compile(rf"^[{_N}]是")
# 附件 / 附件1 / 附件：…, a heading that ends the main text.
ATTACHMENT = re.compile(r"^附\s*件\s*(?:[:：]|\d|$)")


def heading_rank(line: str) -> int | None:
    """The rank of the numbered heading ``line`` begins with (see ``HEADING_FORMS``), or None."""
    for form in HEADING_FORMS:
        if form.pattern.match(line):
            return form.rank
    return None


def heading_level(line: str) -> int | None:
    """The body level (1 to 4) of the heading number ``line`` begins with: 一、 1, （一） 2,
    1. 3, （1） 4; None for other lines and for 第X编/章/节."""
    rank = heading_rank(line)
    return None if rank is None else HEADING_FORMS[rank].level


def rank_of_level(level: int) -> int:
    """The rank of a heading of body level ``level``; deeper styled headings rank deeper."""
    return _BY_LEVEL[1].rank - 1 + level


def strip_heading_number(line: str, ranks: tuple[int, ...]) -> str:
    """``line`` without the heading number of one of ``ranks`` and the spaces after it."""
    for rank in ranks:
        m = re.match(rf"^{HEADING_FORMS[rank].number}\s*", line)
        if m:
            return line[m.end() :]
    return line


def heading_number(number: int, level: int) -> str:
    """The number of the ``number``-th heading at body ``level``, as 公文 write it:
    level 1 一、, level 2 （一）, level 3 1., level 4 （1）."""
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise ValueError(f"a heading number is a count from 1, not {number!r}")
    if level == 1:
        return f"{chinese_numeral(number)}、"
    if level == 2:
        return f"（{chinese_numeral(number)}）"
    if level == 3:
        return f"{number}."
    if level == 4:
        return f"（{number}）"
    raise ValueError(f"公文 number headings at levels 1 to {DEEPEST_LEVEL}, not {level!r}")


def numbered(number: int, level: int, text: str) -> str:
    """A heading with its number: ``numbered(2, 1, "工作要求")`` is 二、工作要求."""
    return heading_number(number, level) + text


def case_heading(number: int, text: str) -> str:
    """A case of a 案例教材 with its number: ``case_heading(2, "某某问题")`` is 案例二　某某问题.

    Not 一、: a case quoted from a notice keeps its own 一、 and 1. as text, and a pack's number
    must never be mistaken for one of them (``CASE_NUMBER`` reads 案例二 back)."""
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise ValueError(f"a case number is a count from 1, not {number!r}")
    return f"案例{chinese_numeral(number)}\u3000{text}"


# --------------------------------------------------------------------------------------------
# Numbers that begin a paragraph, as each consumer recognises them
# --------------------------------------------------------------------------------------------

# A line that begins a new paragraph when joining wrapped lines (the PDF and Markdown
# readers): any heading or list number, tolerant of the spaces text extraction inserts
# (一 、, （ 一 ）, 第 一 章).
BLOCK_START = re.compile(
    rf"^(?:[{_T}]+\s*[、，.．]|[（(]\s*[{_T}\d]+\s*[）)]"
    rf"|\d{{1,2}}\s*[.．、](?!\d)|第[{_T}百零〇\d]+\s*[编章节条]|附\s*件)"
)

# The list number a paragraph starts with, to cut it off: （一） 一、 1. （1） ① 第一， 首先，
LIST_NUMBER = re.compile(
    rf"^\s*(?:[（(]\s*[{_N}\d]{{1,3}}\s*[）)]|[{_N}]{{1,3}}\s*、|\d{{1,2}}\s*[.．、](?!\d)|"
    rf"[①-⑳]|第[{_N}]{{1,3}}\s*[，,、]|(?:首先|其次|再次|最后)\s*[，,])\s*"
)
# A speech's spoken enumeration: 第一， 首先，
SPOKEN_NUMBER = re.compile(rf"^\s*(?:第[{_N}]{{1,3}}|首先|其次|再次|最后)\s*[，,、]")
# 第一， 第二， beginning a paragraph of a speech: like 一、 it numbers a point whose first
# sentence is its heading (第一，坚持问题导向。……), but never stands on a line of its own, and
# it ranks below （一） (speeches use it inside 一、 and （一）) and above 1. (``SPOKEN_RANK``).
SPOKEN_HEADING = re.compile(rf"^第[{_N}]{{1,3}}\s*[，,、]")
SPOKEN_RANK = 4.5
# 一是 / 二是 anywhere a clause may begin (not 是否, 是非).
POINT_IN_TEXT = re.compile(rf"(?<![^。；;：:，,！？!?\s”）)])[{_N}]{{1,3}}是(?![否非])")
# A speech's spoken point that opens with its own heading sentence: 一要坚持问题导向。 二要……
# (kb.requirements: a short one followed by its explanation is the point's heading).
SPOKEN_POINT = re.compile(rf"^[{_T}]{{1,2}}要(?![求点素是])")

# The number or bullet a case paragraph starts with in a notice: 1. 一、 （一） 案例一 ●
CASE_NUMBER = re.compile(
    rf"^\s*(?:\d{{1,3}}\s*[.．、](?!\d)|[{_T}]{{1,3}}\s*、|"
    rf"[（(]\s*(?:[{_T}]{{1,3}}|\d{{1,3}})\s*[）)]|"
    rf"案例\s*(?:[{_T}]{{1,3}}|\d{{1,3}})\s*[：:、.．]?|[●■◆▲★☆◎•▪])\s*"
)
# 一是 at the very start of a paragraph (kb.cases: a requirement, not a case).
POINT_START = re.compile(rf"^[{_T}]是")
# A text that opens with a level-one heading (kb.cases: a speech's outline, not a case).
LEVEL_ONE_START = re.compile(rf"^[{_T}]+、")

# The number a reposted passage may have gained or lost (kb.duplicates: 1. became 一、).
LEADING_NUMBER = re.compile(rf"^(?:[{_T}百]+[、.．]|[（(][{_T}\d]+[）)]|\d+[、.．])")

# A count of cases or people as a notice writes it (十起, 12起, 两名).
COUNT_NUMBER = rf"\d{{1,3}}|[{_N}]{{1,4}}"
