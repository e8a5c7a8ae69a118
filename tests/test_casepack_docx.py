"""The 案例教材 Word file read back (issue 16 item 3): a cover without a page number, a 目录
that Word can update, cover titles broken between words, case numbers that never collide
with the numbers inside a case's own text."""

from __future__ import annotations

import io

import docx
import pytest
from docx.oxml.ns import qn

from kb.numbering import CASE_NUMBER, case_heading
from web.exports.casepack_docx import COVER_LINE, build_casepack_docx
from web.exports.cover_title import display_width, title_lines
from web.exports.draft_docx import DraftCase

INNER = "经查：\n一、2023年，张某接受宴请。\n1. 多次收受礼品。\n（一）其他问题。"


def _pack(count: int = 2, title: str = "警示教育读本") -> docx.document.Document:
    case = DraftCase("某某违规吃喝问题", "张某", ["违规吃喝"], ["党内警告"], INNER, "《通报》")
    data = build_casepack_docx(title, "某局", "2025年6月", [case] * count, questions=True)
    return docx.Document(io.BytesIO(data))


def test_case_numbers_never_collide_with_the_case_text():
    lines = [p.text for p in _pack().paragraphs if p.text]
    assert lines.count("案例一\u3000某某违规吃喝问题") == 2  # 目录 and heading
    assert lines.count("案例二\u3000某某违规吃喝问题") == 2
    # The case's own numbers stay as text, and nothing the pack writes looks like them.
    assert lines.count("一、2023年，张某接受宴请。") == 2 and lines.count("1. 多次收受礼品。") == 2
    ours = [line for line in lines if line.startswith(("案例", "【"))]
    assert not [line for line in ours if line.startswith(("一、", "1.", "（一）"))]
    assert set(ours) >= {"【基本事实】", "【处理结果】", "【出处】", "【讨论题】"}
    assert CASE_NUMBER.match(case_heading(12, "某某问题")).end() == len("案例十二\u3000")
    with pytest.raises(ValueError):
        case_heading(0, "某某问题")


def test_cover_section_unnumbered_body_from_one_and_a_toc_field():
    document = _pack()
    cover, body = document.sections
    for footer in (cover.footer, cover.even_page_footer):
        assert not footer.is_linked_to_previous and footer.paragraphs[0].text == ""
    assert not body.footer.is_linked_to_previous
    assert body.footer.paragraphs[0].text == "— 1 —"
    assert body.even_page_footer.paragraphs[0].text == "— 1 —"
    assert body._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) == "1"
    xml = document.element.body
    (instruction,) = [t.text for t in xml.iter(qn("w:instrText"))]
    assert instruction.split()[:3] == ["TOC", "\\o", '"1-1"'] and "\\h" in instruction
    kinds = [c.get(qn("w:fldCharType")) for c in xml.iter(qn("w:fldChar"))]
    assert kinds == ["begin", "separate", "end"]
    # The TOC finds the case headings by their outline level (Word's 标题 styles are unused).
    levelled = [p.text for p in document.paragraphs if p._p.xpath("./w:pPr/w:outlineLvl")]
    assert levelled == ["案例一\u3000某某违规吃喝问题", "案例二\u3000某某违规吃喝问题"]


def test_cover_title_breaks_between_words():
    title = "2025年度全市党员干部违规吃喝问题警示教育读本"
    words = ["2025", "年度", "全市", "党员干部", "违规", "吃喝", "问题", "警示", "教育", "读本"]
    bounds = {sum(len(w) for w in words[:i]) for i in range(len(words) + 1)}
    lines = title_lines(title, COVER_LINE, bounds)
    assert "".join(lines) == title and len(lines) == 2
    assert all(display_width(line) <= COVER_LINE for line in lines)
    assert all(0 in bounds and len("".join(lines[: i + 1])) in bounds for i in range(2))
    assert abs(display_width(lines[0]) - display_width(lines[1])) <= 2  # even, not 17 + 3


def test_cover_title_short_long_and_unbreakable():
    assert title_lines("警示教育读本", COVER_LINE, set()) == ["警示教育读本"]
    assert title_lines("警示教育读本", 4, {2, 4}) == ["警示", "教育读本"]
    # No break after an opening mark nor before a closing one, even between words.
    assert title_lines("学习《条例》", 4, {2, 3, 5}) == ["学习", "《条例》"]
    # One word wider than a line is broken where it must, nothing lost.
    lines = title_lines("中华人民共和国监察法", 4, {0, 10})
    assert "".join(lines) == "中华人民共和国监察法" and len(lines) == 3
    assert all(display_width(line) <= 4 for line in lines)
    assert display_width("2025年") == 3
