"""Fonts (issue 16, item 5): the Word exports name the GB/T 9704 fonts whether or not this
machine has them; print pages ask for the same names first, then fonts other machines have,
from one module (web.exports.fonts)."""

from __future__ import annotations

import io
import re
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn

from web.exports import fonts
from web.exports.docx import Excerpt, build_docx


def test_word_files_name_the_official_fonts_even_where_missing():
    data = build_docx("关于学习的摘编", [Excerpt("严禁公款吃喝。", "《通知》（2024年1月2日）")])
    document = Document(io.BytesIO(data))
    named = {
        run._element.rPr.rFonts.get(qn("w:eastAsia"))
        for paragraph in document.paragraphs
        for run in paragraph.runs
        if run._element.rPr is not None and run._element.rPr.rFonts is not None
    }
    assert fonts.TITLE.word in named and fonts.BODY.word in named


def test_print_pages_ask_for_the_word_names_first_then_fall_back(client):
    answer = client.get("/print-fonts.css")
    assert answer.status_code == 200 and answer.mimetype == "text/css"
    css = answer.get_data(as_text=True)
    for role, font in fonts.ROLES.items():
        line = re.search(rf"--font-{role}: (.*);", css)
        assert line, role
        names = [name.strip().strip('"') for name in line.group(1).split(",")]
        assert names[0] == font.word and names[-1] in ("serif", "sans-serif")
        assert len(names) >= 5  # Windows, macOS, 信创 and Linux names between
    printed = client.get("/static/print.css").get_data(as_text=True)
    families = re.findall(r"font-family:\s*([^;]+);", printed)
    assert families and all(value.startswith("var(--font-") for value in families)


def test_every_print_page_links_the_fonts_before_its_styles():
    templates = Path(__file__).resolve().parents[1] / "web" / "templates"
    for name in ("print.html", "draft_print.html", "casepack_print.html"):
        text = (templates / name).read_text(encoding="utf-8")
        assert text.index("url_for('print_fonts')") < text.index("print.css"), name
