"""A document that opens with a table (a 台账, a form, a layout box): the first cell or row is
never its title; the title a reader sees is the line after the table, else the file name."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest

from indexer.readers import read_file
from kb.structure import read_outline

TITLE = "青岚镇作风建设问题整改情况报告"
BODY = ["今年以来，全镇聚焦作风问题抓整改。", "一、基本情况", "全镇共排查问题十二个，已整改九个。"]


def word_file(rows: list[list[str]], after: list[str]) -> bytes:
    document = docx.Document()
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for i, row in enumerate(rows):
        for j, text in enumerate(row):
            table.cell(i, j).text = text
    for text in after:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def outline_of(name: str, data: bytes):
    return read_outline(read_file(Path(name), data), fallback_title=Path(name).stem)


@pytest.mark.parametrize(
    ("rows", "kept"),
    [
        ([["一、基本情况"], ["全镇共有干部四十二名。"]], "四十二名"),  # one column, a heading
        ([["第一章　总则", ""], ["第一条　为了规范会议，制定本办法。", ""]], "规范会议"),
        ([["序号", "问题", "整改措施", "责任人"], ["1", "会议多", "合并会议", "张明"]], "张明"),
        ([["标题", "问题整改台账"], ["单位", "青岚镇"]], "问题整改台账"),
    ],
)
def test_the_title_after_a_leading_table_is_the_title(rows, kept):
    outline = outline_of("整改报告.docx", word_file(rows, [TITLE, *BODY]))
    assert outline.title == TITLE
    texts = [p.text for p in outline.passages]
    assert TITLE in texts  # the title line, as for any title in the text
    # The table's rows stay in the document as passages.
    assert any(kept in text for text in texts)


def test_a_document_that_is_only_a_table_takes_its_file_name():
    rows = [["一、基本情况", ""], ["姓名", "张明"], ["职务", "镇党委书记"]]
    outline = outline_of("干部述职登记表.docx", word_file(rows, []))
    assert outline.title == "干部述职登记表"
    assert any("张明" in p.text for p in outline.passages)


def test_a_web_page_whose_first_table_row_looks_like_a_heading():
    page = (
        "<html><head><meta charset='utf-8'></head><body><div class='content'>"
        "<table><tr><td>一、问题清单</td><td>责任单位</td><td>完成时限</td></tr>"
        "<tr><td>会议过多</td><td>党政办</td><td>6月底</td></tr></table>"
        f"<p>{TITLE}</p>" + "".join(f"<p>{text}</p>" for text in BODY) + "</div></body></html>"
    ).encode("utf-8")
    assert outline_of("整改报告.html", page).title == TITLE
