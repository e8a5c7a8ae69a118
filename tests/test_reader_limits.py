"""Readers on hostile or careless files: bounded cost per file (zip bombs, lying zip headers,
XML entity bombs, endless pages, endless text, pathological lines) and reading what can be
read (a UTF-8 file cut mid-character is read with U+FFFD and a warning).

Every hostile file is built small on disk (tests/hostile_files.py, shared with
bench/robustness.py). The memory and time these cost are measured
in bench/, not asserted: each test asserts what is refused or read, and why. Inputs that made
the readers quadratic are sized so that the old code took from seconds (quoted lines: 7 s) to
minutes (links: 227 s; comments, autolinks, images, brackets, a long run of spaces in a web
page: over 300 s), where the readers now take well under a second.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

import docx
import pytest
from hostile_files import (
    LAUGHS,
    PARAGRAPH,
    W,
    billion_laughs_docx,
    bomb_docx,
    build_zip,
    deflated,
    docx_members,
    entity_document,
    pages_pdf,
    small_docx,
)
from pypdf import PageObject

from indexer.readers import READERS, ReadResult, UnreadableFile, limits, read_file
from indexer.readers.docx import DAMAGED, read_docx
from indexer.readers.html import read_html
from indexer.readers.markdown import read_markdown
from indexer.readers.pdf import read_pdf
from indexer.readers.text import UNKNOWN_ENCODING, decode, read_text

TEXT = f"关于开展作风建设专项检查的通知\n\n{PARAGRAPH}\n\n一、检查范围\n\n区直各单位及其下属事业单位。\n"


def texts(extracted) -> list[str]:
    return [block.text for block in extracted.blocks]


def refusal(reader, data: bytes) -> str:
    with pytest.raises(UnreadableFile) as excinfo:
        reader(data)
    return str(excinfo.value)


def test_hand_built_zip_is_a_readable_docx():
    """hostile_files builds a valid package: what the limits refuse is only the hostile part."""
    assert texts(read_docx(build_zip(docx_members()))) == [PARAGRAPH]


def test_zip_bomb_docx_is_refused_from_its_headers_before_inflating():
    data = bomb_docx(limits.MAX_UNZIPPED_BYTES // limits.MB + 10)
    assert len(data) < 400_000
    assert refusal(read_docx, data) == limits.UNZIPPED_TOO_BIG
    assert "解压后超过 200 MB，可能是压缩炸弹" in limits.UNZIPPED_TOO_BIG


@pytest.mark.parametrize("crc", ["true", "of-the-stated-part"])
def test_zip_bomb_whose_header_lies_about_its_size_is_refused_while_inflating(crc):
    """The headers say 2 KB; the stream inflates to 210 MB. Reading stops at the limit. With
    the CRC of the first 2 KB, zipfile itself would return the 2 KB after inflating it all."""
    stated = 2048
    checksum = None if crc == "true" else zlib.crc32(b" " * stated)
    data = bomb_docx(limits.MAX_UNZIPPED_BYTES // limits.MB + 10, stated, checksum)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.getinfo("word/document.xml").file_size == stated
    assert refusal(read_docx, data) == limits.UNZIPPED_TOO_BIG


def test_zip_member_larger_than_its_header_states_is_refused_as_tampered():
    body = f'<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>{PARAGRAPH}</w:t></w:r></w:p></w:body></w:document>'.encode()
    members = [m for m in docx_members() if m[0] != "word/document.xml"]
    members.append(("word/document.xml", deflated(body), zlib.crc32(body), len(body) - 10))
    assert refusal(read_docx, build_zip(members)) == limits.SIZE_MISMATCH


def test_docx_with_an_oversized_xml_part_is_refused_with_its_own_reason(monkeypatch):
    monkeypatch.setattr(limits, "MAX_XML_PART_BYTES", 4000)
    document = docx.Document()
    for _ in range(40):
        document.add_paragraph(PARAGRAPH)
    buffer = io.BytesIO()
    document.save(buffer)
    assert refusal(read_docx, buffer.getvalue()) == limits.XML_PART_TOO_BIG


def test_zip_with_too_many_members_is_refused_before_listing_them():
    members = docx_members()
    empty = deflated(b"")
    members += [(f"media/x{i}.bin", empty, 0, 0) for i in range(limits.MAX_ZIP_MEMBERS)]
    assert refusal(read_docx, build_zip(members)) == limits.TOO_MANY_MEMBERS


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_billion_laughs_in_a_docx_is_refused(encoding):
    assert refusal(read_docx, billion_laughs_docx(encoding)) == limits.XML_DOCTYPE


def test_external_entity_in_a_docx_part_is_refused():
    xxe = '<!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
    data = build_zip(docx_members({"word/document.xml": entity_document(xxe, "&x;").encode()}))
    assert refusal(read_docx, data) == limits.XML_DOCTYPE


def test_svg_image_with_a_doctype_does_not_stop_a_docx():
    """Images are not parsed as XML: an SVG with its usual DOCTYPE is no reason to refuse."""
    svg = (
        b'<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg/>'
    )
    members = docx_members({"word/media/image1.svg": svg})
    with zipfile.ZipFile(io.BytesIO(small_docx())) as archive:
        types = archive.read("[Content_Types].xml").replace(
            b"<Default ", b'<Default Extension="svg" ContentType="image/svg+xml"/><Default ', 1
        )
    members = [m for m in members if m[0] != "[Content_Types].xml"]
    members.append(("[Content_Types].xml", deflated(types), zlib.crc32(types), len(types)))
    assert texts(read_docx(build_zip(members))) == [PARAGRAPH]


def test_encrypted_or_unsupported_zip_member_is_damaged_not_a_crash():
    members = docx_members()
    data = bytearray(build_zip(members))
    data[6] |= 1  # the first member's "encrypted" flag, in its local header ...
    central = data.index(b"PK\x01\x02")
    data[central + 8] |= 1  # ... and in the central directory
    assert refusal(read_docx, bytes(data)) == DAMAGED


# --- HTML ----------------------------------------------------------------------------------

PAGE = (
    '<html><head><meta charset="utf-8"><title>关于开展检查的通知</title></head><body>'
    '<div class="content"><p>{first}</p><p>第二段内容，重点检查公务接待、公车使用和办公用房管理等情况。</p>'
    "</div></body></html>"
)


def test_html_with_entity_declarations_is_read_without_expanding_them():
    """The HTML parser never expands declared entities: the page reads as written."""
    page = LAUGHS.replace("w:document", "html") + PAGE.format(first=PARAGRAPH + "&i;")
    extracted = read_html(page.encode())
    assert texts(extracted) == [
        PARAGRAPH + "&i;",
        "第二段内容，重点检查公务接待、公车使用和办公用房管理等情况。",
    ]
    assert "哈哈" not in "".join(texts(extracted))


def test_html_over_the_size_limit_is_refused_before_parsing():
    page = PAGE.format(first=PARAGRAPH * (limits.MAX_HTML_BYTES // len(PARAGRAPH.encode()) + 1))
    assert refusal(read_html, page.encode()) == limits.HTML_TOO_BIG


def test_html_with_too_many_tags_is_refused_before_parsing():
    page = PAGE.format(first="<b>政</b>" * (limits.MAX_HTML_TAGS + 1))
    assert refusal(read_html, page.encode()) == limits.TOO_MANY_TAGS


def test_html_long_whitespace_runs_are_linear():
    """A run of spaces before a line break next to no Chinese character was quadratic."""
    page = PAGE.format(first="abc" + " " * 300_000 + "\nxyz " + PARAGRAPH)
    assert texts(read_html(page.encode()))[0] == "abc xyz " + PARAGRAPH


def test_html_deeply_nested_link_lists_are_linear():
    """Each nested block was measured again for each of its ancestors (8,000 levels: 99 s)."""
    nested = "<div><a>甲</a><a>乙</a><a>丙</a>" * 8000 + "</div>" * 8000
    page = PAGE.format(first=PARAGRAPH).replace("<p>第二段", nested + "<p>第二段")
    assert texts(read_html(page.encode())) == [
        PARAGRAPH,
        "第二段内容，重点检查公务接待、公车使用和办公用房管理等情况。",
    ]


# --- PDF -----------------------------------------------------------------------------------


def test_pdf_with_too_many_pages_is_refused_before_reading_them():
    assert refusal(read_pdf, pages_pdf(limits.MAX_PDF_PAGES + 1)) == limits.TOO_MANY_PAGES


def test_pdf_text_over_the_character_limit_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_CHARS", 50)
    assert refusal(read_pdf, pages_pdf(5)) == limits.TOO_MANY_CHARS


def test_pdf_page_that_cannot_be_read_is_skipped_with_a_warning(monkeypatch):
    """pypdf failing on one page (it raises on some malformed content streams): the other
    pages are read and the summary says which page is missing."""
    extract = PageObject.extract_text

    def failing_on_page_two(page, *args, **kwargs):
        text = extract(page, *args, **kwargs)
        if "第2页" in text:
            raise ValueError("malformed content stream")
        return text

    monkeypatch.setattr(PageObject, "extract_text", failing_on_page_two)
    extracted = read_pdf(pages_pdf(3))
    assert [text[:3] for text in texts(extracted)] == ["第1页", "第3页"]
    assert extracted.warnings == ["第 2 页无法读取，已跳过"]


# --- characters per file, every format ------------------------------------------------------


def test_text_over_the_character_limit_is_refused():
    data = b"a" * (limits.MAX_CHARS + 1)
    assert refusal(read_text, data) == limits.TOO_MANY_CHARS
    assert "2000 万字" in limits.TOO_MANY_CHARS


@pytest.mark.parametrize(
    "suffix, data",
    [
        (".md", f"# 标题\n\n{PARAGRAPH * 3}\n".encode()),
        (".html", PAGE.format(first=PARAGRAPH * 3).encode()),
        (".docx", None),
    ],
)
def test_every_format_is_capped_in_characters(monkeypatch, suffix, data):
    monkeypatch.setattr(limits, "MAX_CHARS", 100)
    if data is None:
        document = docx.Document()
        for _ in range(3):
            document.add_paragraph(PARAGRAPH)
        buffer = io.BytesIO()
        document.save(buffer)
        data = buffer.getvalue()
    assert refusal(READERS[suffix], data) == limits.TOO_MANY_CHARS
    with pytest.raises(UnreadableFile, match="超出单个文件的处理上限"):
        read_file(Path(f"长{suffix}"), data)


def test_file_over_the_size_limit_is_refused_before_any_reader(monkeypatch):
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1000)
    with pytest.raises(UnreadableFile) as excinfo:
        read_file(Path("大.txt"), TEXT.encode() * 20)
    assert str(excinfo.value) == limits.FILE_TOO_BIG


# --- text cut mid-character or with a few bad bytes: read, replaced, warned -----------------


def test_utf8_cut_mid_character_is_read_with_a_replacement_and_a_warning():
    data = TEXT.encode("utf-8") + "通".encode()[:2]
    extracted = read_file(Path("截断.txt"), data)
    assert isinstance(extracted, ReadResult)
    assert [t for t in texts(extracted) if t] == [
        "关于开展作风建设专项检查的通知",
        PARAGRAPH,
        "一、检查范围",
        "区直各单位及其下属事业单位。",
        "\ufffd",
    ]
    assert extracted.warnings == [
        "文件末尾有一个不完整的字符（文件可能没有完整保存），已用“\ufffd”代替"
    ]


def test_utf8_with_a_stray_invalid_byte_is_read_with_a_warning_naming_the_line():
    good = TEXT.encode("utf-8")
    cut = good.index("一、".encode())
    data = good[:cut] + b"\xff" + good[cut:]
    extracted = read_file(Path("坏字节.txt"), data)
    assert "\ufffd一、检查范围" in texts(extracted)
    assert extracted.warnings == [
        "有 1 处字节不是有效的 UTF-8（第一处在第 5 行），已用“\ufffd”代替"
    ]


def test_utf8_with_bom_and_bad_bytes_is_read_too():
    data = b"\xef\xbb\xbf" + TEXT.encode() + b"\xe9"
    decoded = decode(data)
    assert decoded.text == TEXT + "\ufffd"
    assert len(decoded.warnings) == 1


def test_gb18030_cut_mid_character_is_read_with_a_warning():
    data = (TEXT * 3).encode("gb18030") + "通".encode("gb18030")[:1]
    decoded = decode(data)
    assert decoded.text == TEXT * 3 + "\ufffd"
    assert decoded.warnings == (
        "文件末尾有一个不完整的字符（文件可能没有完整保存），已用“\ufffd”代替",
    )


def test_markdown_and_html_carry_the_warning():
    markdown = read_file(Path("a.md"), f"# 标题\n\n{PARAGRAPH}\n".encode() + b"\xe6\x88")
    assert markdown.warnings and "不完整的字符" in markdown.warnings[0]
    html = read_file(Path("a.html"), PAGE.format(first=PARAGRAPH).encode() + b"\xe6\x88")
    assert html.warnings and "不完整的字符" in html.warnings[0]


def test_valid_text_has_no_warnings():
    assert read_file(Path("好.txt"), TEXT.encode()).warnings == []
    assert read_file(Path("好.docx"), small_docx()).warnings == []


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 200,  # binary
        TEXT.encode("utf-8") + "，以下是另一种编码的段落。".encode("gbk") * 30,  # mixed: not a few
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40,
    ],
    ids=["binary", "many-bad-bytes", "png"],
)
def test_what_is_not_text_or_too_damaged_is_still_refused(data):
    assert refusal(read_text, data) == UNKNOWN_ENCODING


# --- pathological lines: linear, not quadratic ----------------------------------------------


@pytest.mark.parametrize(
    "line, expected",
    [
        ("[a](b " * 200_000, ("[a](b " * 200_000).strip()),
        ("![" * 200_000, "![" * 200_000),
        ("<http:" * 200_000, "<http:" * 200_000),
        ("[" * 200_000 + "x", "[" * 200_000 + "x"),
        ("# x" + " " * 100_000 + "y", "x" + " " * 100_000 + "y"),
        (" " * 100_000 + "x", "x"),
    ],
    ids=["links", "images", "autolinks", "brackets", "heading-spaces", "leading-spaces"],
)
def test_markdown_pathological_lines_are_read_in_linear_time(line, expected):
    assert texts(read_markdown(line.encode())) == [expected]


def test_markdown_quotes_and_comments_are_linear():
    assert texts(read_markdown((">" * 200_000 + "引用的正文").encode())) == ["引用的正文"]
    assert texts(read_markdown(("<!--" * 200_000 + "正文").encode())) == ["<!--" * 200_000 + "正文"]


def test_markdown_endless_wrapped_paragraph_is_joined_in_linear_time():
    """Every line continues the last (no sentence end, same width): 200,000 joins."""
    line = "作风建设常态化长效化经区委同意决定开展专项检查"
    data = "\n".join([line] * 200_000).encode()
    assert texts(read_markdown(data)) == [line * 200_000]
