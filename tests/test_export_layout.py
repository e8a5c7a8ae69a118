"""GB/T 9704 details every Word export carries (issue 16 item 3), read back from the files
the web app sends: page-number footers, document properties, margins and line pitch, the
two-character indent, heading fonts and headings kept with what follows them."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from docx import Document as WordDocument
from docx.oxml.ns import qn
from docx.shared import Pt

from kb.numbering import heading_level
from tests.word_exports import EXPORTS

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def exported(client) -> dict[str, bytes]:
    return {name: build(client) for name, (build, _, _) in EXPORTS.items()}


def _fonts(paragraph) -> set[str]:
    return {run._element.rPr.rFonts.get(qn("w:eastAsia")) for run in paragraph.runs}


@pytest.mark.parametrize("name", EXPORTS)
def test_page_numbers_odd_right_even_left_in_songti_4hao(exported, name):
    document = WordDocument(io.BytesIO(exported[name]))
    assert document.settings.odd_and_even_pages_header_footer
    sections = document.sections
    if name == "casepack":  # the cover is a section of its own, with empty footers
        cover, *sections = sections
        assert [p.text for p in cover.footer.paragraphs + cover.even_page_footer.paragraphs] == [
            "",
            "",
        ]
    for section in sections:
        for footer, side, indent in (
            (section.footer, "right", "w:rightChars"),
            (section.even_page_footer, "left", "w:leftChars"),
        ):
            (paragraph,) = footer.paragraphs
            assert paragraph.text == "— 1 —"  # the PAGE field's cached result between dashes
            instructions = paragraph._p.xpath(".//w:instrText")
            assert [i.text.strip() for i in instructions] == ["PAGE"]
            assert paragraph._p.pPr.find(qn("w:jc")).get(qn("w:val")) == side
            assert paragraph._p.pPr.find(qn("w:ind")).get(qn(indent)) == "100"  # 空一字
            assert _fonts(paragraph) == {"宋体"}
            assert {run.font.size for run in paragraph.runs} == {Pt(14)}
            assert {run.font.name for run in paragraph.runs} == {"宋体"}  # 半角 digits too


@pytest.mark.parametrize("name", EXPORTS)
def test_properties_name_the_export_not_python_docx(exported, name):
    _, title, author = EXPORTS[name]
    properties = WordDocument(io.BytesIO(exported[name])).core_properties
    assert properties.title == title
    assert properties.author == author and properties.last_modified_by == author
    now = datetime.now(UTC)
    for stamp in (properties.created, properties.modified):
        assert now - timedelta(minutes=1) <= stamp <= now + timedelta(seconds=1)
    assert "python-docx" not in (properties.comments + properties.author)


@pytest.mark.parametrize("name", EXPORTS)
def test_page_grid_margins_indent_and_headings(exported, name):
    document = WordDocument(io.BytesIO(exported[name]))
    for section in document.sections:
        page = (section.page_width, section.page_height)
        margins = (section.top_margin, section.bottom_margin, section.left_margin)
        margins += (section.right_margin,)
        assert [round(length.mm) for length in page] == [210, 297]  # stored in twips
        assert [round(length.mm) for length in margins] == [37, 35, 28, 26]
        # 22 lines at the 28.95 pt pitch fill the 225 mm text block
        text_height = section.page_height - section.top_margin - section.bottom_margin
        assert int(text_height / Pt(28.95)) == 22
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    headings = [p for p in paragraphs if p.paragraph_format.keep_with_next]
    assert headings, "an export without headings"
    for paragraph in paragraphs:
        fmt = paragraph.paragraph_format
        if fmt.line_spacing is not None:
            assert fmt.line_spacing == Pt(28.95)
        if paragraph.alignment is None:  # body text and headings, not titles or citations
            size = paragraph.runs[0].font.size
            assert fmt.first_line_indent == 2 * size, paragraph.text
            assert paragraph._p.pPr.ind.get(qn("w:firstLineChars")) == "200"
    for paragraph in headings:  # 黑体 一、, 楷体 （一）, 仿宋 bold 1. (GB/T 9704 practice)
        text = paragraph.text
        level = heading_level(text)
        bold = {run.font.bold for run in paragraph.runs}
        if level == 1 or text.startswith("案例"):
            assert _fonts(paragraph) == {"黑体"} and bold == {False}, text
        elif level == 2 or text.startswith("【"):
            assert _fonts(paragraph) == {"楷体_GB2312"} and bold == {False}, text
        elif level == 3:
            assert _fonts(paragraph) == {"仿宋_GB2312"} and bold == {True}, text
        else:
            raise AssertionError(f"kept with the next paragraph but no heading: {text}")
    levels = {text[0] for text in (p.text for p in headings)}
    assert {"（", "【"} & levels or name == "basket"
    numbered = [  # every （一） heading; a （1） line is body text and may end a page
        p
        for p in paragraphs
        if p.alignment is None and heading_level(p.text) == 2 and not p.text.startswith("（备注")
    ]
    assert all(p.paragraph_format.keep_with_next for p in numbered)
    body = [p for p in paragraphs if not p.paragraph_format.keep_with_next]
    assert not any(run.font.bold for p in body for run in p.runs)
