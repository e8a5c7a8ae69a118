"""公文 dates: reading them in text, the years they name, and writing them for a citation.
The one owner of this knowledge; every reader, extractor and exporter asks here
(tests/test_dates.py fails when another module carries a date pattern of its own).

Inside kb a date is ISO, ``YYYY-MM-DD``, or ``""``. Read forms (full-width digits are folded
first, so ２０２３年５月６日 reads like 2023年5月6日)::

    2023年5月6日  2023年05月06日        the signing line, 成文日期 labels
    二〇二三年五月六日                   zero as 〇, 零, ○ or O; numerals by kb.numbering
    2023-05-06  2023.5.6  2023/5/6     web pages, side files

Only days that exist are dates (2月30日 is not), and only years 1900 to 2099. A citation
writes a date back as 2023年5月6日 (``written_date``).

Years: ``year_of`` (facets, filters), ``parse_year`` / ``parse_year_range`` (what a user types:
2023, 2023年, 2023-2025), ``years_in`` (a case's conduct: 2013年至2021年 is nine years).
"""

from __future__ import annotations

import datetime
import re

from kb.folding import fold
from kb.numbering import ONE_TO_TEN, YEAR_DIGITS, parse_chinese, parse_digits

# A year in Arabic digits as 公文 of this era name one; a fragment other patterns build on.
YEAR = r"(?:19|20)\d\d"
# A year, optionally with month and day, or a span of years, standing alone (2023年5月,
# 2021年至2023年): how a clause dated in the past begins (kb.requirements).
YEAR_OR_DATE = rf"{YEAR}\s*年(?:\d{{1,2}}月(?:\d{{1,2}}日)?)?(?:至{YEAR}\s*年)?"
# A month in Arabic digits (5月, 12 月).
MONTH = r"\d{1,2}\s*月"
# Something shaped like a written date, in any digits, to be checked with ``find_date``:
# what follows an issuer on a signing line (kb.structure).
DATE_SHAPE = rf"[\d{YEAR_DIGITS}]{{4}}\s*年[^）)]{{1,12}}日"

_NUMERIC = re.compile(
    rf"(?<!\d)({YEAR})\s*年\s*(\d{{1,2}})\s*月\s*(\d{{1,2}})(?!\d)|"
    rf"(?<![\d.])({YEAR})\s*[-/.]\s*(\d{{1,2}})\s*[-/.]\s*(\d{{1,2}})(?![\d])"
)
# A date as file properties store it (PDF's D:20220708103442, OFD's 2020-06-15T07:29:24 or
# 2023-7-12): at the start of the value, the time after it ignored.
_STAMP = re.compile(rf"^(?:D:)?({YEAR})-?(\d{{1,2}})-?(\d{{1,2}})")
_CHINESE = re.compile(
    rf"([{YEAR_DIGITS}]{{4}})\s*年\s*([{ONE_TO_TEN}]{{1,3}})\s*月\s*([{ONE_TO_TEN}]{{1,3}})\s*日"
)
# A line holding nothing but a date: the signing date, 于2023年5月6日, （2023年5月6日）.
_DATE_LINE = re.compile(r"^[（(]?\s*(?:\S{0,12}[于在])?\s*\S{0,8}年\S{0,4}月\S{0,4}日\s*[）)]?$")
# A line dating a text by month only (2024年12月).
_MONTH_LINE = re.compile(rf"^[（(]?\s*({YEAR})\s*年\s*(\d{{1,2}})\s*月\s*[）)]?$")
# The note of adoption under a title: （2024年12月27日……全体会议通过）.
_ADOPTED = re.compile(rf"^[（(]\s*{DATE_SHAPE}.{{0,60}}[）)]$")
# A year written out, in any digits (2023年, 二〇二三年): a line naming a date or a year.
_YEAR_MENTION = re.compile(rf"\d{{4}}\s*年|[{YEAR_DIGITS}]{{4}}\s*年")
_YEAR_ALONE = re.compile(rf"({YEAR})\s*年")
# A span of years: 2013年至2021年, 2019年3月到2022年, 2016年起至今.
_YEAR_SPAN = re.compile(
    rf"({YEAR})\s*年[^，。；、]{{0,12}}?(?:至|到|—|–|－|-|～|~)\s*(?:({YEAR})\s*年|今)"
)
_YEAR_TYPED = re.compile(rf"({YEAR})年?")
_YEAR_QUERY = re.compile(rf"({YEAR})年?(?:\s*[-~—至到]\s*({YEAR})年?)?")
MAX_SPAN = 30  # years a span may cover; a longer one is a misreading


def iso_date(year: int, month: int, day: int) -> str:
    """``YYYY-MM-DD`` for a day that exists in the years 公文 name, else ``""``."""
    if not 1900 <= year <= 2099:
        return ""
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return ""


def _numeric(m: re.Match[str]) -> str:
    year, month, day = (g for g in m.groups() if g is not None)
    return iso_date(int(year), int(month), int(day))


def _chinese(m: re.Match[str]) -> str:
    year, month, day = (
        parse_digits(m.group(1)),
        parse_chinese(m.group(2)),
        parse_chinese(m.group(3)),
    )
    if year is None or month is None or day is None:
        return ""
    return iso_date(year, month, day)


def find_date(text: str) -> str:
    """The first date written in ``text`` (any of the forms in the module docstring) as
    ``YYYY-MM-DD``, or ``""``. A form that names no real day is skipped."""
    folded = fold(text)
    candidates = [(m.start(), _numeric(m)) for m in _NUMERIC.finditer(folded)]
    candidates += [(m.start(), _chinese(m)) for m in _CHINESE.finditer(folded)]
    return next((iso for _, iso in sorted(candidates) if iso), "")


def leading_date(text: str) -> str:
    """The date ``text`` begins with (spaces aside), as ``find_date`` reads it, else ``""``:
    the value after a label such as 发布时间：."""
    folded = fold(text).lstrip()
    numeric = _NUMERIC.match(folded)
    if numeric:
        return _numeric(numeric)
    chinese = _CHINESE.match(folded)
    return _chinese(chinese) if chinese else ""


def whole_date(text: str) -> str:
    """The date ``text`` is, with nothing else around it (a form's 成文日期: 2024-03-18,
    2024年3月18日, 二〇二四年三月十八日), as ``find_date`` reads it, else ``""``."""
    folded = fold(text).strip()
    numeric = _NUMERIC.match(folded)
    if numeric and folded[numeric.end() :].strip() in ("", "日"):
        return _numeric(numeric)
    chinese = _CHINESE.fullmatch(folded)
    return _chinese(chinese) if chinese else ""


def stamp_date(value: str) -> str:
    """The day of a file-property date stamp (``_STAMP``) as ISO, else ``""``."""
    found = _STAMP.match(value.strip())
    return iso_date(*map(int, found.groups())) if found else ""


def date_line(line: str) -> str:
    """The date of a line that holds nothing but a date (a signing date, （2023年5月6日）,
    于2023年5月6日), else ``""``: such lines are metadata, not passages."""
    return find_date(line) if _DATE_LINE.match(line) else ""


def adopted_date(line: str) -> str:
    """The date of a note of adoption (（2024年12月27日……全体会议通过）), else ``""``."""
    return find_date(line) if _ADOPTED.match(line) else ""


def month_line(line: str) -> str:
    """``YYYY-MM`` of a line dating a text by month only (2024年12月), else ``""``."""
    m = _MONTH_LINE.match(fold(line))
    if not m or not 1 <= int(m.group(2)) <= 12:
        return ""
    return f"{m.group(1)}-{int(m.group(2)):02d}"


def mentions_year(text: str) -> bool:
    """Whether ``text`` writes out a year (2023年, 二〇二三年): a PDF line that starts a date
    line rather than continuing a title."""
    return bool(_YEAR_MENTION.search(text))


def year_of(dated: str) -> int | None:
    """The year of an ISO date or month (2023-05-06, 2023-05), None without one."""
    return int(dated[:4]) if dated[:4].isdigit() else None


def parse_year(text: str) -> int | None:
    """A year as a user types it (2023, 2023年), None for anything else."""
    m = _YEAR_TYPED.fullmatch(text)
    return int(m.group(1)) if m else None


def parse_year_range(text: str) -> tuple[int, int] | None:
    """A year or span of years as a filter states it (2023, 2023年, 2023-2025, 2025至2023),
    lowest first; None for anything else."""
    m = _YEAR_QUERY.fullmatch(text)
    if not m:
        return None
    low, high = int(m.group(1)), int(m.group(2) or m.group(1))
    return min(low, high), max(low, high)


def years_in(text: str) -> list[int]:
    """Every year ``text`` names (2023年), spans expanded (2013年至2021年, 2016年至今 counts
    its first year), in order."""
    years: set[int] = set()
    for m in _YEAR_SPAN.finditer(text):
        first = int(m.group(1))
        last = int(m.group(2)) if m.group(2) else first
        if first <= last <= first + MAX_SPAN:
            years.update(range(first, last + 1))
    years.update(int(m.group(1)) for m in _YEAR_ALONE.finditer(text))
    return sorted(years)


def written_date(iso: str) -> str:
    """A date as a citation writes it: 2024-03-18 -> 2024年3月18日. Anything that is not an
    ISO date is shown as it is (empty stays empty)."""
    parts = iso.split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return iso
    year, month, day = (int(p) for p in parts)
    return f"{year}年{month}月{day}日"


def written_years(years: list[int] | list[str]) -> str:
    """Years as a page or a citation writes them: runs of three or more as a span (2013—2024),
    the rest one by one (2015、2018—2020); 2013、2014、…、2024 reads as a list of twelve."""
    ordered = sorted({int(year) for year in years})
    parts: list[str] = []
    start = 0
    for end in range(len(ordered)):
        if end + 1 < len(ordered) and ordered[end + 1] == ordered[end] + 1:
            continue
        run = ordered[start : end + 1]
        parts += [f"{run[0]}—{run[-1]}"] if len(run) >= 3 else [str(year) for year in run]
        start = end + 1
    return "、".join(parts)
