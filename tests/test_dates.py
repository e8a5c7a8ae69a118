"""kb.dates, the one owner of 公文 dates: every accepted form read to an ISO date, days that do
not exist refused, years and spans, the citation's way of writing a date, and that no other
module of kb, indexer or web reads or writes a date with a pattern of its own."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from kb.dates import (
    adopted_date,
    date_line,
    find_date,
    leading_date,
    mentions_year,
    month_line,
    parse_year,
    parse_year_range,
    whole_date,
    written_date,
    year_of,
    years_in,
)

ROOT = Path(__file__).resolve().parents[1]

ACCEPTED = [
    ("2023年5月6日", "2023-05-06"),
    ("2023年05月06日", "2023-05-06"),
    ("2023 年 5 月 6 日", "2023-05-06"),
    ("２０２３年５月６日", "2023-05-06"),
    ("二〇二三年五月六日", "2023-05-06"),
    ("二零二三年五月六日", "2023-05-06"),
    ("二○二三年五月六日", "2023-05-06"),
    ("二〇二三年十二月三十一日", "2023-12-31"),
    ("一九四九年十月一日", "1949-10-01"),
    ("2023-05-06", "2023-05-06"),
    ("2023-5-6", "2023-05-06"),
    ("2023.5.6", "2023-05-06"),
    ("2023/05/06", "2023-05-06"),
    ("２０２３．５．６", "2023-05-06"),
    ("2023-05-06T10:30:00+08:00", "2023-05-06"),
    ("2024年2月29日", "2024-02-29"),
]


@pytest.mark.parametrize(("text", "iso"), ACCEPTED)
def test_every_accepted_form_reads_to_iso(text, iso):
    assert find_date(text) == iso
    assert find_date(f"中共青岚区委办公室\n{text}印发") == iso
    assert leading_date(f" {text} 来源：本站") == iso


@pytest.mark.parametrize(
    "text",
    [
        "2023年2月30日",  # no such day
        "2023年2月29日",  # not a leap year
        "2024年13月1日",
        "2024年4月31日",
        "二〇二三年二月三十日",
        "二〇二四年十十月一日",  # no numeral
        "2023-02-30",
        "1899年1月1日",  # before the years 公文 name
        "2023年5月",  # no day
        "12023年5月6日 ",  # five digits: no year
        "",
    ],
)
def test_what_is_no_date_is_refused(text):
    assert find_date(text) == ""


@pytest.mark.parametrize(("text", "iso"), [(t, i) for t, i in ACCEPTED if "T" not in t])
def test_a_form_date_is_any_accepted_form_standing_alone(text, iso):
    assert whole_date(f" {text} ") == iso


@pytest.mark.parametrize(
    "text",
    ["2024年3月18日会议", "于2024年3月18日", "2024-03-18T10:00", "2024-02-30", "去年", "2024"],
)
def test_a_form_date_with_anything_around_it_or_no_real_day_is_refused(text):
    assert whole_date(text) == ""


def test_an_invalid_date_gives_way_to_a_later_valid_one():
    assert find_date("2024年13月40日改为2024年3月8日") == "2024-03-08"
    assert find_date("二〇二四年二月三十日，2024年3月8日") == "2024-03-08"


def test_the_first_date_in_the_text_wins_whatever_its_form():
    assert find_date("二〇二三年五月六日起草，2024年1月2日印发") == "2023-05-06"
    assert find_date("2024年1月2日印发，二〇二三年五月六日起草") == "2024-01-02"


def test_leading_date_wants_the_date_first():
    assert leading_date("来源：本站 2023-05-06") == ""
    assert leading_date("2023年5月6日 10:30") == "2023-05-06"


@pytest.mark.parametrize("iso", ["2023-05-06", "1998-12-31", "2024-02-29", "2000-01-01"])
def test_written_and_read_back(iso):
    assert written_date(iso) == f"{int(iso[:4])}年{int(iso[5:7])}月{int(iso[8:])}日"
    assert find_date(written_date(iso)) == iso
    assert find_date(iso) == iso


def test_written_date_leaves_what_is_no_iso_date_alone():
    assert written_date("") == ""
    assert written_date("2024-03") == "2024-03"
    assert written_date("2024年3月") == "2024年3月"


def test_lines_that_hold_a_date():
    assert date_line("2023年5月6日") == "2023-05-06"
    assert date_line("（2023年5月6日）") == "2023-05-06"
    assert date_line("二〇二三年五月六日") == "2023-05-06"
    assert date_line("于2023年5月6日") == "2023-05-06"
    assert date_line("2023年2月30日") == ""
    assert date_line("2023年5月6日，区委召开常委会议，研究部署有关工作。") == ""
    assert adopted_date("（2024年12月27日区委第五次全体会议通过）") == "2024-12-27"
    assert adopted_date("2024年12月27日区委第五次全体会议通过") == ""
    assert month_line("2024年12月") == "2024-12"
    assert month_line("（２０２４年１月）") == "2024-01"
    assert month_line("2024年13月") == ""
    assert month_line("2024年12月6日") == ""


def test_years():
    assert year_of("2023-05-06") == 2023
    assert year_of("2023-05") == 2023
    assert year_of("") is None
    assert parse_year("2023") == 2023
    assert parse_year("2023年") == 2023
    assert parse_year("23") is None
    assert parse_year("2023年度") is None
    assert parse_year_range("2023") == (2023, 2023)
    assert parse_year_range("2025-2023") == (2023, 2025)
    assert parse_year_range("2023年至2025年") == (2023, 2025)
    assert parse_year_range("去年") is None
    assert years_in("2013年至2016年，其违规收受礼金") == [2013, 2014, 2015, 2016]
    assert years_in("2019年起至今，又于2021年") == [2019, 2021]
    assert years_in("1950年至2000年") == [1950, 2000]  # a span over 30 years is a misreading
    assert mentions_year("二〇二三年五月") and mentions_year("2023 年")
    assert not mentions_year("关于开展专项整治的通知")


# --------------------------------------------------------------------------------------------
# No second owner
# --------------------------------------------------------------------------------------------

OWNER = ROOT / "kb" / "dates.py"
# A year pattern, or 年/月/日 standing against regular-expression syntax: \d年, ]{4}年, )年,
# \s*月, 年\S, [-/.年], (?:\d{1,2}日)?.
_YEAR_PATTERN = re.compile(r"\(\?:19\|20\)|\\d\{4\}")
_DATE_SYNTAX = re.compile(r"(?:[)\]}*+?]|\\[dsS])\s*[年月日]|[年月日](?:\\[dsS]|[\[(\]*+{]|\.\{)")


def date_patterns(source: str) -> list[str]:
    """The string literals of ``source`` that read or write a date: regular expressions of
    years and dates, and f-strings that write 年 and 月 around values."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if _YEAR_PATTERN.search(node.value) or _DATE_SYNTAX.search(node.value):
                found.append(node.value)
        elif isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
            if re.search(r"\{\}\s*年\s*\{\}\s*月", text):
                found.append(text)
    return found


@pytest.mark.parametrize(
    "copy",
    [
        # The copies kb.dates replaced, as they were written.
        r'_DATE_NUMERIC = re.compile(r"((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")',
        '_DATE_CHINESE = re.compile(rf"([{YEAR_DIGITS}]{{4}})年([{ONE_TO_TEN}]{{1,3}})月")',
        r'_DATE_LINE = re.compile(r"^[（(]?\s*\S{0,8}年\S{0,4}月\S{0,4}日\s*[）)]?$")',
        r'_DATE_TEXT = re.compile(r"\d{4}\s*年|[〇零一二三四五六七八九]{4}年")',
        r'_DATE = r"(\d\d\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"',
        r'_YEAR = re.compile(r"^((?:19|20)\d\d)(?:年)?$")',
        r'_YEAR = re.compile(r"(\d\d\d\d)年?")',
        r'_BORN = re.compile(r"出生|\d月生")',
        'def chinese_date(y, m, d):\n    return f"{y}年{m}月{d}日"',
    ],
)
def test_the_guard_recognises_a_date_pattern(copy):
    assert date_patterns(copy), copy


def test_the_guard_leaves_words_and_messages_alone():
    assert not date_patterns(
        'X = re.compile(r"以来$|年来$|^(?:去年|前年|上半年|近年|近期)")\n'
        'Y = "年份“{v}”无法识别，应写作 year:2023 或 year:2023-2025。"\n'
        'Z = f"发生于{years}年"\n'
        '"""Dates such as 2023年5月6日 (signing lines) and 二〇二三年."""\n'
    )


def test_no_module_but_kb_dates_carries_a_date_pattern():
    sources = [
        path
        for package in ("kb", "indexer", "web")
        for path in sorted((ROOT / package).rglob("*.py"))
        if path != OWNER
    ]
    assert len(sources) > 50
    found = {
        str(path.relative_to(ROOT)): patterns
        for path in sources
        if (patterns := date_patterns(path.read_text(encoding="utf-8")))
    }
    assert found == {}, "日期的写法只在 kb/dates.py 里定义"
    assert date_patterns(OWNER.read_text(encoding="utf-8"))  # the owner's own are found


def test_file_property_stamps():
    from kb.dates import stamp_date

    assert stamp_date("D:20220708103442") == "2022-07-08"
    assert stamp_date(" 2020-06-15T07:29:24") == "2020-06-15"
    assert stamp_date("2023-7-12") == "2023-07-12"
    assert stamp_date("20231301") == "" and stamp_date("") == "" and stamp_date("未知") == ""


def test_years_are_written_as_spans():
    from kb.dates import written_years

    assert written_years(list(range(2013, 2025))) == "2013—2024"
    assert written_years([2020, 2015, 2018, 2019]) == "2015、2018—2020"
    assert written_years(["2021", "2022"]) == "2021、2022" and written_years([]) == ""
