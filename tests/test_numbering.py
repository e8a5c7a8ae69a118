"""kb.numbering, the one owner of 公文 numbering: Chinese numerals both ways (0 to 9,999),
the heading forms and their ranks, the writer of heading numbers, and that every former copy
(kb.structure, kb.requirements, kb.cases, kb.duplicates, the PDF and Markdown readers, the
Word exports) now asks it and agrees with it."""

from __future__ import annotations

import io

import cn2an
import pytest

from kb import numbering
from kb.numbering import (
    ARTICLE,
    ATTACHMENT,
    BLOCK_START,
    CASE_NUMBER,
    HEADING_FORMS,
    LEADING_NUMBER,
    LIST_NUMBER,
    POINT,
    POINT_IN_TEXT,
    chinese_numeral,
    heading_level,
    heading_number,
    heading_rank,
    numbered,
    parse_chinese,
    parse_digits,
    parse_number,
    rank_of_level,
    strip_heading_number,
)

# --------------------------------------------------------------------------------------------
# Numerals
# --------------------------------------------------------------------------------------------

HAND_CHECKED = [
    (0, "零"),
    (1, "一"),
    (2, "二"),
    (9, "九"),
    (10, "十"),
    (11, "十一"),
    (19, "十九"),
    (20, "二十"),
    (21, "二十一"),
    (99, "九十九"),
    (100, "一百"),
    (101, "一百零一"),
    (105, "一百零五"),
    (110, "一百一十"),
    (111, "一百一十一"),
    (119, "一百一十九"),
    (200, "二百"),
    (999, "九百九十九"),
    (1000, "一千"),
    (1001, "一千零一"),
    (1005, "一千零五"),
    (1010, "一千零一十"),
    (1050, "一千零五十"),
    (1100, "一千一百"),
    (1101, "一千一百零一"),
    (2024, "二千零二十四"),
    (9999, "九千九百九十九"),
]


@pytest.mark.parametrize(("number", "text"), HAND_CHECKED)
def test_numerals_hand_checked_both_ways(number, text):
    assert chinese_numeral(number) == text
    assert parse_chinese(text) == number


def test_numerals_round_trip_from_0_to_9999():
    for number in range(10_000):
        text = chinese_numeral(number)
        assert parse_chinese(text) == number, text
        assert cn2an.cn2an(text, "strict") == number, text  # the library reads ours too
        assert "十十" not in text and not text.startswith("一十"), text
        if number >= 100:
            assert text[0] != "百" and text[0] != "千", text  # 一百, not 百


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("一十", 10),  # written 十, read either way
        ("一百十", 110),  # spoken; written 一百一十
        ("百", 100),
        ("两", 2),
        ("两百", 200),
        ("两千", 2000),
        ("〇", 0),
        ("二百五", 250),  # the spoken abbreviation of 二百五十
        ("一千五", 1500),
        ("一千零十", 1010),
    ],
)
def test_numerals_read_as_people_write_them(text, number):
    assert parse_chinese(text) == number


@pytest.mark.parametrize(
    "text",
    [
        "",
        "二二",
        "二〇二四",
        "零五",
        "一百零",
        "十零",
        "一千零五百",
        "十十",
        "一万",
        "千千",
        "三a",
        "12",
    ],
)
def test_what_is_not_a_numeral(text):
    assert parse_chinese(text) is None


def test_years_digit_by_digit_and_numbers_in_either_script():
    assert [
        parse_digits(y) for y in ("二〇二四", "二○二四", "二O二四", "一九九八", "二零二五")
    ] == [
        2024,
        2024,
        2024,
        1998,
        2025,
    ]
    assert parse_digits("二十") is None
    assert [parse_number(t) for t in ("12", "１２", "十二", "起")] == [12, 12, 12, None]


@pytest.mark.parametrize("bad", [-1, 10_000, True, 1.5, "3", None])
def test_the_writer_refuses_what_it_cannot_write(bad):
    with pytest.raises(ValueError):
        chinese_numeral(bad)


# --------------------------------------------------------------------------------------------
# Heading forms
# --------------------------------------------------------------------------------------------

HEADINGS = [
    # line, rank, level
    ("第一编 总则", 0, None),
    ("第十二章 附则", 1, None),
    ("第3章 监督", 1, None),
    ("第二节 会议", 2, None),
    ("一、总体要求", 3, 1),
    ("十一、工作要求", 3, 1),
    ("一百零一、其他", 3, 1),
    ("二，加强领导", 3, 1),
    ("三 、组织实施", 3, 1),
    ("六.其他事宜", 3, 1),
    ("七．附则", 3, 1),
    ("（一）加强组织领导", 4, 2),
    ("(二)强化督查", 4, 2),
    ("（ 十二 ）宣传引导", 4, 2),
    ("1.推行企业开办", 5, 3),
    ("1．推行企业开办", 5, 3),
    ("2、深化改革", 5, 3),
    ("12. 第十二项", 5, 3),
    ("（1）细化分工", 6, 4),
    ("(12)压实责任", 6, 4),
]


@pytest.mark.parametrize(("line", "rank", "level"), HEADINGS)
def test_every_heading_form_and_its_rank(line, rank, level):
    assert heading_rank(line) == rank
    assert heading_level(line) == level
    assert HEADING_FORMS[rank].pattern.match(line)


@pytest.mark.parametrize(
    "line",
    [
        "2024年6月5日",
        "2024.5 亿元",
        "1.5亿元投入",
        "123. 三位数不是标题编号",
        "一是加强领导",  # a point, not a heading
        "第一条 为了规范",  # an article, not a heading
        "第一，会议能不开的不开",  # a spoken enumeration
        "一.5倍",
        "同志们：",
        "",
    ],
)
def test_lines_that_are_not_headings(line):
    assert heading_rank(line) is None
    assert heading_level(line) is None


def test_articles_points_and_attachments():
    for line in ("第一条 为了", "第一百零一条 本条例", "第12条 附则"):
        assert ARTICLE.match(line)
    assert not ARTICLE.match("第一章 总则")
    assert POINT.match("一是加强领导") and POINT.match("二是")
    assert [m.group(0) for m in POINT_IN_TEXT.finditer("要做到：一是学；二是做，是否到位")] == [
        "一是",
        "二是",
    ]
    for line in ("附件", "附件1", "附 件：名单"):
        assert ATTACHMENT.match(line)
    assert not ATTACHMENT.match("附件中的表格")


def test_ranks_of_levels_and_styled_headings():
    assert [rank_of_level(level) for level in (1, 2, 3, 4)] == [3, 4, 5, 6]
    for level in (1, 2, 3, 4):
        assert heading_rank(heading_number(1, level) + "标题") == rank_of_level(level)
    assert rank_of_level(5) == 7  # a Word 标题 5 ranks below （1）


def test_strip_heading_number():
    assert strip_heading_number("第一章  总则", (1, 3)) == "总则"
    assert strip_heading_number("三、 组织实施", (1, 3)) == "组织实施"
    assert strip_heading_number("（一）加强领导", (1, 3)) == "（一）加强领导"


# --------------------------------------------------------------------------------------------
# The writer
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "level", "expected"),
    [
        (1, 1, "一、"),
        (10, 1, "十、"),
        (110, 1, "一百一十、"),
        (1, 2, "（一）"),
        (12, 2, "（十二）"),
        (1, 3, "1."),
        (12, 3, "12."),
        (1, 4, "（1）"),
        (12, 4, "（12）"),
    ],
)
def test_the_writer_at_depths_1_to_4(number, level, expected):
    assert heading_number(number, level) == expected
    assert numbered(number, level, "总体要求") == expected + "总体要求"


def test_written_headings_are_read_back_at_their_level():
    # Headings are read up to 九百九十九 (NUMERALS has no 千: a line opening 千… is text) and
    # to 99 in Arabic numbers (2024. is a year, not a heading).
    for level in (1, 2):
        for number in range(1, 1000):
            line = numbered(number, level, "标题")
            assert heading_level(line) == level, line
        assert heading_level(numbered(1000, level, "标题")) is None
    for level in (3, 4):
        for number in range(1, 100):
            assert heading_level(numbered(number, level, "标题")) == level
        assert heading_level(numbered(100, level, "标题")) is None


@pytest.mark.parametrize(("number", "level"), [(0, 1), (-1, 2), (True, 1), (1, 0), (1, 5)])
def test_the_writer_refuses_bad_numbers_and_levels(number, level):
    with pytest.raises(ValueError):
        heading_number(number, level)


# --------------------------------------------------------------------------------------------
# Every former copy asks the owner and agrees with it
# --------------------------------------------------------------------------------------------


def _written_headings(levels=(1, 2, 3, 4), numbers=range(1, 21)) -> list[str]:
    return [numbered(n, level, "标题") for level in levels for n in numbers]


def test_structure_ranks_with_the_owner():
    from kb import structure

    assert structure.heading_rank is numbering.heading_rank
    outline = structure.read_outline(
        "关于加强作风建设的通知\n一、总体要求\n（一）加强领导\n1.明确责任\n（1）细化分工\n"
        "具体做法如下，各单位要认真落实。"
    )
    assert outline.passages[-1].section == (
        "一、总体要求",
        "（一）加强领导",
        "1.明确责任",
        "（1）细化分工",
    )


def test_dates_read_chinese_dates_with_the_owners_numerals():
    from kb.dates import find_date

    assert find_date("二〇二四年十二月三十一日") == "2024-12-31"
    assert find_date("二○二五年一月十日") == "2025-01-10"
    assert find_date("二〇二四年十十月一日") == ""  # no numeral: no date


def test_pdf_reader_and_structure_agree_on_headings():
    """A heading line starts a new paragraph in a PDF exactly when kb.structure ranks it; and a
    PDF typeset with unindented headings comes out with each heading ranked as written."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from indexer.readers import lines, pdf
    from kb.structure import read_outline

    assert lines.HEADING_START is BLOCK_START
    for line in _written_headings() + [h for h, _, _ in HEADINGS if "一百零一" not in h]:
        assert BLOCK_START.match(line) and heading_rank(line) is not None, line

    lines = [
        "关于加强作风建设的通知",
        "一、总体要求",
        "（一）加强领导",
        "1.明确责任",
        "（1）细化分工",
    ]
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setFont("STSong-Light", 16)
    for n, line in enumerate(lines):
        page.drawString(72, 760 - 28 * n, line)
    page.save()
    blocks = [block.text for block in pdf.read_pdf(buffer.getvalue()).blocks]
    assert blocks == lines
    outline = read_outline("\n".join(blocks))
    assert [heading_rank(p.text) for p in outline.passages[1:]] == [3, 4, 5, 6]
    assert outline.passages[-1].section == ("一、总体要求", "（一）加强领导", "1.明确责任")


def test_markdown_reader_starts_a_paragraph_at_every_written_heading():
    from indexer.readers import markdown

    assert markdown._OUTLINE_START is BLOCK_START  # the PDF reader's, since issue 13
    text = "一、总体要求\n（一）加强领导\n1.明确责任\n（1）细化分工\n"
    blocks = [b.text for b in markdown.read_markdown(text.encode()).blocks]
    assert blocks == ["一、总体要求", "（一）加强领导", "1.明确责任", "（1）细化分工"]
    # The Markdown reader's own copy had no 零 after 第 and joined article 101 to article 100.
    text = (
        "第一百条 本条例由省人民代表大会常务委员会负责解释，具体应用中的问题由有关部门答复\n"
        "第一百零一条 本条例自公布之日起施行。\n"
    )
    blocks = [b.text for b in markdown.read_markdown(text.encode()).blocks]
    assert len(blocks) == 2 and blocks[1].startswith("第一百零一条")


def test_a_block_start_is_a_ranked_heading():
    """The PDF reader's old copy began a paragraph at 六.其他事宜 but kb.structure's did not
    rank it, so the items under it stayed under the previous heading (realdocs plan_009)."""
    for number in range(1, 100):
        for mark in "、，.．":
            line = f"{chinese_numeral(number)}{mark}其他事宜"
            assert BLOCK_START.match(line) and heading_level(line) == 1, line


def test_requirements_cut_the_owners_list_numbers():
    from kb import requirements

    assert heading_rank("（一）加强领导") == requirements._LIST_RANK
    for line in _written_headings():
        m = LIST_NUMBER.match(line)
        assert m and line[m.end() :] == "标题", line
    for line in ("① 标题", "第一，标题", "首先，标题"):
        m = LIST_NUMBER.match(line)
        assert m and line[m.end() :] == "标题", line


def test_cases_read_counts_and_numbers_with_the_owner():
    from kb.cases import chinese_number

    for number in range(1, 10_000):
        assert chinese_number(chinese_numeral(number)) == number
    assert chinese_number("零") is None  # no cases is no count
    assert chinese_number("12") == 12
    for line in _written_headings(numbers=range(1, 100)):
        m = CASE_NUMBER.match(line)
        assert m and line[m.end() :] == "标题", line


def test_duplicates_ignore_the_number_a_repost_changed():
    from kb.duplicates import fingerprint

    body = "青石镇党委原副书记、镇长罗建平接受私营企业主宴请问题，受到撤销党内职务处分。"
    prints = {fingerprint(heading_number(3, level) + body) for level in (1, 2, 3, 4)}
    assert len(prints) == 1 and "" not in prints
    for line in _written_headings():
        m = LEADING_NUMBER.match(line)
        assert m and line[m.end() :] == "标题", line


def test_exports_number_headings_with_the_owner():
    from web.exports import draft_docx
    from web.exports.numerals import chinese_numeral as export_numeral

    for number in range(1, 10_000):
        assert export_numeral(number) == chinese_numeral(number)
    with pytest.raises(ValueError):
        export_numeral(0)  # an export counts from 1
    case = draft_docx.DraftCase("某某问题", "", [], [], "", "《通报》")
    outline = draft_docx.draft_blocks([], [case] * 11, draft_docx.DraftWords())
    assert [b.text for b in outline if b.level == 1] == [
        "一、查摆出的突出问题",
        "二、问题产生的原因剖析",
        "三、整改措施和努力方向",
        "四、典型案例警示",
    ]
    assert [b.text for b in outline if b.level == 2][-2:] == ["（十）某某问题", "（十一）某某问题"]


def test_casepack_headings_are_written_by_the_owner():
    import docx

    from web.exports.casepack_docx import build_casepack_docx
    from web.exports.draft_docx import DraftCase

    case = DraftCase("某某违规吃喝问题", "张某", ["违规吃喝"], ["党内警告"], "经查……", "《通报》")
    data = build_casepack_docx("案例教材", "", "", [case] * 11, questions=True)
    lines = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs if p.text]
    assert "案例十一\u3000某某违规吃喝问题" in lines
    assert [line for line in lines if line.startswith("【")][:4] == [
        "【基本事实】",
        "【处理结果】",
        "【出处】",
        "【讨论题】",
    ]
    assert any(line.startswith("1. ____") for line in lines)
