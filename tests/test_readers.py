"""File readers: real files in, paragraphs, headings, titles and dates out; clear reasons for
files that cannot be read. Real pages and PDFs come from ../shared/realdocs/raw (skipped when
the folder is absent); everything else is generated here with python-docx and reportlab."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from test_ofd import text_ofd

from indexer.readers import READERS, UnreadableFile, pdf, read_file, supported
from indexer.readers import docx as docx_reader
from indexer.readers.html import read_html
from indexer.readers.markdown import read_markdown
from indexer.readers.text import UNKNOWN_ENCODING, decode_text, read_text
from kb.model import Extracted
from tests.test_office import ledger_workbook

REALDOCS = Path(__file__).resolve().parents[2] / "shared" / "realdocs"
RAW = REALDOCS / "raw"
needs_raw = pytest.mark.skipif(
    not (RAW / "SOURCES.tsv").is_file() or not (REALDOCS / "docs").is_dir(),
    reason="../shared/realdocs/raw is absent (it sits beside the checkout in CI)",
)
CHROME = ("版权所有", "ICP备", "微信扫一扫", "分享到", "上一篇", "下一篇", "打印正文", "相关链接")

# A sample with 镕 (outside GB2312: a GB2312 label on it fails) and CJK punctuation.
SAMPLE_LINES = [
    "关于深入学习贯彻朱镕基同志讲话精神的通知",
    "各乡镇党委、政府，区直各单位：",
    "为深入贯彻中央八项规定精神，推动作风建设常态化长效化，经区委同意，决定开展专项检查。",
    "一、检查范围",
    "区直各单位及其下属事业单位，重点检查公务接待、公车使用和办公用房管理等情况。",
]


def texts(extracted: Extracted) -> list[str]:
    return [block.text for block in extracted.blocks]


def reason(excinfo: pytest.ExceptionInfo[UnreadableFile]) -> str:
    return str(excinfo.value)


def sources() -> dict[str, str]:
    """SOURCES.tsv: raw file name -> note."""
    with (RAW / "SOURCES.tsv").open(encoding="utf-8") as f:
        return {row["file"]: row["note"] for row in csv.DictReader(f, delimiter="\t")}


def same_doc(raw_name: str) -> Path:
    """The text in realdocs/docs that SOURCES.tsv says is the same document."""
    match = re.search(r"= (\S+\.txt)", sources()[raw_name])
    assert match, f"SOURCES.tsv names no text version of {raw_name}"
    found = sorted((REALDOCS / "docs").glob(match.group(1)))
    assert len(found) == 1, match.group(1)
    return found[0]


def doc_lines(path: Path) -> list[str]:
    """Body lines of a realdocs/docs file (its first line is the title, then a blank line)."""
    lines = path.read_text(encoding="utf-8").split("\n")[2:]
    return [line.strip() for line in lines if line.strip()]


# --- plain text ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-be-bom", "gbk", "gb18030"]
)
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_text_in_every_common_encoding_and_line_ending(encoding, newline):
    text = newline.join(SAMPLE_LINES)
    if encoding == "utf-16-be-bom":
        data = b"\xfe\xff" + text.encode("utf-16-be")
    else:
        data = text.encode(encoding)
    extracted = read_file(Path("通知.txt"), data)
    assert texts(extracted) == SAMPLE_LINES
    assert all(block.heading_level is None for block in extracted.blocks)


def test_big5_text_is_decoded_as_big5_not_as_gbk_mojibake():
    original = "中華民國的發展與進步，政府機關應當依法行政，公務人員應當廉潔自律。" * 3
    assert decode_text(original.encode("big5")) == original


def test_korean_bytes_that_happen_to_be_valid_gbk_are_not_taken_for_chinese():
    original = "한국어 텍스트입니다. 인코딩 테스트입니다. 대한민국의 수도는 서울입니다. 오늘 날씨가 좋습니다."
    data = original.encode("euc_kr")
    data.decode("gb18030")  # valid GB18030 bytes: only the plausibility check can tell
    assert decode_text(data) == original


@pytest.mark.parametrize(
    "data",
    [
        "Café naïve résumé déjà vu façade, the naïve approach.".encode("cp1252"),
        bytes(range(256)) * 8,
        b"\x00\x01\x02\x03binary\x00\x00\xff\xfe\xfd" * 50,
    ],
    ids=["cp1252", "all-bytes", "binary"],
)
def test_undecidable_text_is_refused_not_guessed(data):
    with pytest.raises(UnreadableFile) as excinfo:
        read_text(data)
    assert reason(excinfo) == UNKNOWN_ENCODING


def test_empty_and_unknown_files_are_refused_with_a_reason():
    with pytest.raises(UnreadableFile, match="文件为空"):
        read_file(Path("a.txt"), b"  \n ")
    with pytest.raises(UnreadableFile, match="不支持的文件类型"):
        read_file(Path("a.ppt"), b"data")
    assert supported(Path("A.PDF")) and supported(Path("b.aspx")) and supported(Path("c.XLSX"))
    assert not supported(Path("d.pptx"))


@needs_raw
def test_real_gbk_text():
    data = (RAW / "gbk_xinshidai_excerpt.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    extracted = read_file(Path("excerpt.txt"), data)
    joined = "\n".join(texts(extracted))
    assert joined == data.decode("gb18030").replace("\r\n", "\n").replace("\r", "\n")
    assert "中国特色社会主义进入了新时代" in joined
    assert "\ufffd" not in joined


@needs_raw
def test_real_crlf_text_matches_the_same_document_in_docs():
    data = (RAW / "govdoc_cn_397_crlf.txt").read_bytes()
    assert b"\r\n" in data
    got = texts(read_file(Path("397.txt"), data))
    assert all("\r" not in line for line in got)
    # SOURCES.tsv: the CRLF text is the same document as the PDF, = policy_*_govdoc_cn_397.txt
    want = same_doc("govdoc_cn_397.pdf").read_text(encoding="utf-8").split("\n")[2:]
    assert got == want


# --- markdown ------------------------------------------------------------------------------

MARKDOWN = """# 关于开展**作风建设**专项检查的通知

各乡镇党委、政府，区直各单位：

为深入贯彻中央八项规定精神，推动作风建设常态化长效化，经区委同意，决定在全区开展
专项检查。现将有关事项通知如下。

## 一、检查范围

- 公务接待中的`超标准`问题
- 公车使用情况，详见[附件](http://example.cn/a.docx)
1. 办公用房管理

### （一）检查方式 ###
###### 六级标题
####### 不是标题
"""


def test_markdown_headings_markup_and_wrapped_lines():
    extracted = read_file(Path("通知.md"), MARKDOWN.encode("utf-8-sig"))
    assert [(b.text, b.heading_level) for b in extracted.blocks] == [
        ("关于开展作风建设专项检查的通知", 1),
        ("各乡镇党委、政府，区直各单位：", None),
        (
            "为深入贯彻中央八项规定精神，推动作风建设常态化长效化，经区委同意，决定在全区开展"
            "专项检查。现将有关事项通知如下。",
            None,
        ),
        ("一、检查范围", 2),
        ("- 公务接待中的超标准问题", None),
        ("- 公车使用情况，详见附件", None),
        ("1. 办公用房管理", None),
        ("（一）检查方式", 3),
        ("六级标题", 6),
        ("####### 不是标题", None),
    ]


def test_markdown_in_gbk_is_decoded_like_text():
    extracted = read_markdown("# 朱镕基同志讲话\n\n正文第一段。".encode("gbk"))
    assert [(b.text, b.heading_level) for b in extracted.blocks] == [
        ("朱镕基同志讲话", 1),
        ("正文第一段。", None),
    ]


# --- html ----------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html><head><meta charset="{charset}">
<title>青岚区开展作风建设专项检查_工作动态_云岭市青岚区人民政府</title>
<script>var x = "版权所有 脚本";</script><style>.a {{ color: red }}</style>
</head><body>
<div class="top"><ul class="menu"><li><a href="/">首页</a></li><li><a href="/a">政务公开</a></li>
<li><a href="/b">政务服务</a></li><li><a href="/c">互动交流</a></li></ul></div>
<div class="crumb"><a href="/">首页</a> &gt; <a href="/d">工作动态</a></div>
<div class="main">
  <h1 class="title">青岚区开展作风建设专项检查</h1>
  <div class="info">来源：区纪委监委　发布时间：2024-03-05 10:20
    <div class="share">分享到：<a href="#">微信</a><a href="#">微博</a> 微信扫一扫</div></div>
  <div class="TRS_Editor">
    <p>　　3月5日，青岚区召开作风建设专项检查部署会，
    区委书记在会上强调，要以钉钉子精神纠治“四风”。</p>
    <h2>一、检查范围</h2>
    <p>区直各单位及其下属事业单位。<br>重点检查公务接待、公车使用情况。</p>
    <table><tr><td>单位</td><td>时限</td></tr><tr><td>区纪委</td><td>3月底前</td></tr></table>
    <p style="display:none">隐藏的文字</p>
    <div class="bdshare"><a href="#">分享到QQ空间</a></div>
    <p>（责任编辑：王五）</p>
    <p>【打印本页】　【关闭窗口】</p>
    <p><strong>相关阅读：</strong></p>
    <p><a href="/y">青岚区召开警示教育大会</a></p>
  </div>
  <div class="related"><h3>相关链接</h3><ul><li><a href="/x">某某文章</a></li></ul></div>
  <div class="page">上一篇：<a href="/p">另一篇</a></div>
</div>
<div class="footer">主办单位：云岭市青岚区人民政府办公室 版权所有 滇ICP备12345678号</div>
</body></html>
"""

PAGE_BLOCKS = [
    (
        "3月5日，青岚区召开作风建设专项检查部署会，区委书记在会上强调，要以钉钉子精神纠治“四风”。",
        None,
    ),
    ("一、检查范围", 2),
    ("区直各单位及其下属事业单位。", None),
    ("重点检查公务接待、公车使用情况。", None),
    ("单位　时限", None),
    ("区纪委　3月底前", None),
]


@pytest.mark.parametrize("charset,encoding", [("utf-8", "utf-8"), ("gb2312", "gbk")])
def test_html_article_only_with_title_and_date(charset, encoding):
    data = PAGE.format(charset=charset).encode(encoding)
    extracted = read_file(Path("page.shtml"), data)
    assert [(b.text, b.heading_level) for b in extracted.blocks] == PAGE_BLOCKS
    assert extracted.title == "青岚区开展作风建设专项检查"
    assert extracted.date == "2024-03-05"


def test_html_declared_charset_that_is_wrong_falls_back_to_detection():
    page = PAGE.format(charset="utf-8").replace("3月5日", "朱镕基同志曾指出，3月5日")
    extracted = read_html(page.encode("gbk"))  # says utf-8, is GBK
    assert extracted.blocks[0].text.startswith("朱镕基同志曾指出")


def test_html_without_known_containers_uses_the_densest_block():
    menu = "".join(f'<li><a href="/{i}">栏目{i}</a></li>' for i in range(30))
    body = "".join(
        f"<p>第{i}段，各单位要严格落实中央八项规定精神，坚决纠治形式主义、官僚主义。</p>"
        for i in range(1, 6)
    )
    page = (
        '<html><head><meta name="ArticleTitle" content="关于纠治四风的意见">'
        '<meta name="PubDate" content="2023/7/9 08:00"><title>站点名称</title></head><body>'
        f'<div id="nav"><ul>{menu}</ul></div><div id="x1"><div id="x2">{body}</div></div>'
        "<div>Copyright © 2024 青岚区 版权所有</div></body></html>"
    )
    extracted = read_file(Path("意见.htm"), page.encode("utf-8"))
    assert texts(extracted)[0].startswith("第1段，各单位要严格落实")
    assert len(extracted.blocks) == 5
    assert extracted.title == "关于纠治四风的意见"
    assert extracted.date == "2023-07-09"


MENU = "".join(f'<li><a href="/{i}">栏目名称{i}</a></li>' for i in range(20))
PARAGRAPHS = [
    f"第{i}段，各单位要严格落实中央八项规定精神，坚决纠治形式主义、官僚主义。" for i in range(1, 5)
]


@pytest.mark.parametrize(
    "body",
    [
        # a div.content wrapping the whole page, menu included
        f'<div class="content"><ul>{MENU}</ul>'
        + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
        + '<div><a href="/1">甲文章</a> <a href="/2">乙文章</a> <a href="/3">丙文章</a></div></div>',
        # no known container; each paragraph in its own wrapper
        f'<div id="m"><ul>{MENU}</ul></div><div id="a">'
        + "".join(f'<div class="row"><div class="cell"><p>{p}</p></div></div>' for p in PARAGRAPHS)
        + "</div>",
        # an old layout table, lines separated by <br>
        f"<table><tr><td><ul>{MENU}</ul></td><td><div>{'<br>'.join('　　' + p for p in PARAGRAPHS)}"
        "</div></td></tr></table>",
    ],
    ids=["wrapper-content", "wrapped-paragraphs", "layout-table"],
)
def test_html_menus_never_reach_the_blocks(body):
    page = f"<html><body>{body}<div>主办单位：青岚区人民政府 版权所有</div></body></html>"
    assert texts(read_html(page.encode("utf-8"))) == PARAGRAPHS


def test_html_title_from_the_head_loses_only_the_site_suffix():
    page = (
        "<html><head><title>关于印发《实施方案（2024-2026年）》的通知 - 工作动态 - 青岚区人民政府"
        "</title></head><body><div class='content'><p>"
        + "正文内容，各单位认真贯彻执行。"
        * 5
        + "</p>"
        "</div></body></html>"
    )
    extracted = read_html(page.encode("utf-8"))
    assert extracted.title == "关于印发《实施方案（2024-2026年）》的通知"


def test_html_title_from_the_head_loses_a_column_name_in_front():
    page = (
        "<html><head><title>工作动态 | 关于做好秋季森林防火工作的通知--青岚区人民政府</title>"
        "</head><body><div class='content'><p>" + "各单位认真做好防火巡查。" * 5 + "</p>"
        "</div></body></html>"
    )
    assert read_html(page.encode("utf-8")).title == "关于做好秋季森林防火工作的通知"
    kept = page.replace("工作动态 | 关于做好", "关于做好")  # nothing in front: nothing lost
    assert read_html(kept.encode("utf-8")).title == "关于做好秋季森林防火工作的通知"


REAL_PAGES = [
    (
        "ccdi_t20231227_317460.html",
        "中央纪委国家监委公开通报六起形式主义、官僚主义典型问题",
        "2023-12-27",
        "中央经济工作会议对广大党员干部涵养优良作风、推动高质量发展提出明确要求",
        None,  # SOURCES.tsv names its text version
    ),
    (
        "ccdi_t20250424_419135.html",
        "中央纪委国家监委公开通报十起违反中央八项规定精神典型问题",
        "2025-04-24",
        "中央纪委国家监委网站讯 “五一”将至，落实中央八项规定精神必须紧盯不放、寸步不让。",
        "case_037_ccdi_20250424.txt",
    ),
    (
        "sxyz_item21621_aspx.html",
        "违反中央八项规定精神典型问题",  # the column 警示教育 | in front dropped
        "2025-06-16",
        "违反中央八项规定精神典型问题",
        "case_019_sxyz_item21621.txt",
    ),
    (
        "sxyz_item16792_aspx.html",
        "马卫光书记在2018年干部教育培训秋季学期开学典礼上的讲话",
        "2018-09-05",
        "在2018年干部教育培训秋季学期开学典礼上的讲话提纲",
        "speech_008_sxyz_item16792.txt",
    ),
]


@needs_raw
@pytest.mark.parametrize(
    "name,title,date,first,text_version", REAL_PAGES, ids=lambda v: str(v)[:12]
)
def test_real_pages(name, title, date, first, text_version):
    data = (RAW / name).read_bytes()
    shown_as = Path(name.replace("_aspx.html", ".aspx"))
    extracted = read_file(shown_as, data)
    assert extracted.title == title
    assert extracted.date == date
    assert extracted.blocks[0].text.startswith(first)
    for block in extracted.blocks:
        assert not any(word in block.text for word in CHROME), block.text
    assert not any(word in title for word in ("网站", "绍兴市第一中学", "头条", "--", "——"))
    text_path = (REALDOCS / "docs" / text_version) if text_version else same_doc(name)
    assert texts(extracted) == doc_lines(text_path)


# --- docx ----------------------------------------------------------------------------------


def make_docx(path: Path | None = None, title_style: bool = True) -> bytes:
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name = "SimSun"
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    if title_style:
        document.add_heading("关于开展作风建设专项检查的通知", level=0)
    document.add_paragraph("各乡镇党委、政府，区直各单位：")
    document.add_heading("一、检查范围", level=1)
    document.add_paragraph("区直各单位及其下属事业单位。")
    table = document.add_table(rows=3, cols=3)
    rows = [
        ("单位", "负责人", "时限"),
        ("区纪委", "张三", "3月底前"),
        ("区委办", "李四", "4月底前"),
    ]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("表格之后的段落。")
    document.add_heading("（一）检查方式", level=2)
    document.styles.add_style("标题 3", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("1. 中文样式名的三级标题", style="标题 3")
    document.add_paragraph("自查与抽查相结合。")
    document.core_properties.title = "文件属性里的标题"
    buffer = io.BytesIO()
    document.save(buffer)
    if path:
        path.write_bytes(buffer.getvalue())
    return buffer.getvalue()


def test_docx_order_headings_tables_and_title(tmp_path):
    path = tmp_path / "通知.docx"
    make_docx(path)
    extracted = read_file(path, path.read_bytes())
    assert extracted.title == "关于开展作风建设专项检查的通知"
    assert [(b.text, b.heading_level) for b in extracted.blocks] == [
        ("各乡镇党委、政府，区直各单位：", None),
        ("一、检查范围", 1),
        ("区直各单位及其下属事业单位。", None),
        ("单位　负责人　时限", None),
        ("区纪委　张三　3月底前", None),
        ("区委办　李四　4月底前", None),
        ("表格之后的段落。", None),
        ("（一）检查方式", 2),
        ("1. 中文样式名的三级标题", 3),
        ("自查与抽查相结合。", None),
    ]


def test_docx_core_title_when_no_title_paragraph():
    extracted = docx_reader.read_docx(make_docx(title_style=False))
    assert extracted.title == "文件属性里的标题"
    assert extracted.blocks[0].text == "各乡镇党委、政府，区直各单位："


def test_docx_keeps_tracked_insertions_and_drops_tracked_deletions():
    document = docx.Document()
    paragraph = document.add_paragraph("保留的文字")
    for tag, text_tag, text in (
        ("w:ins", "w:t", "插入的文字"),
        ("w:del", "w:delText", "删除的文字"),
    ):
        change = OxmlElement(tag)
        change.set(qn("w:id"), "1")
        change.set(qn("w:author"), "审核人")
        run = OxmlElement("w:r")
        run_text = OxmlElement(text_tag)
        run_text.text = text
        run.append(run_text)
        change.append(run)
        paragraph._p.append(change)
    buffer = io.BytesIO()
    document.save(buffer)
    assert texts(docx_reader.read_docx(buffer.getvalue())) == ["保留的文字插入的文字"]


@pytest.mark.parametrize(
    "data",
    [
        make_docx()[:3000],
        b"PK\x03\x04" + b"\x00" * 500,
        b"not a zip file at all",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64 + "EncryptedPackage".encode("utf-16-le"),
    ],
    ids=["truncated", "broken-zip", "not-a-zip", "encrypted"],
)
def test_damaged_or_encrypted_docx(data):
    with pytest.raises(UnreadableFile) as excinfo:
        read_file(Path("坏文件.docx"), data)
    assert reason(excinfo) == "文件已损坏或加密，无法读取 Word 文档"


# --- pdf -----------------------------------------------------------------------------------

LEFT = 72
FONT = "STSong-Light"


def make_pdf(path: Path | None = None, encrypt: StandardEncryption | None = None) -> bytes:
    """A typeset notice: centred title, lines wrapped mid-sentence, indented first lines, page
    footers "— n —", letter-spaced digits, "860 号" and a soft hyphen."""
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    width, height = A4
    buffer = io.BytesIO()
    pdf_canvas = canvas.Canvas(buffer, pagesize=A4, encrypt=encrypt)
    pages = [
        [
            (None, "关于开展作风建设专项检查的通知"),
            (0, "各乡镇党委、政府，区直各单位："),
            (32, "为深入贯彻中央八项规定精神，推动作风建设常态化长效"),
            (0, "化，经区委同意，决定在全区开展专项检查（青委发〔2 0 2 4〕"),
            (0, "860 号）。规划期为2014\xad2020 年，现将有关事项通知如下。"),
            (32, "一、检查范围"),
            (32, "区直各单位及其下属事业单位，重点检查公务接待、公车使"),
            (0, "用和办公用房管理等情况，发现问题要建立台账，逐项整改"),
        ],
        [
            (0, "销号，确保整改到位。"),
            (32, "二、工作要求"),
            (32, "各单位要高度重视，于 2024 年 3 月 5 日前报送自查报告。"),
        ],
    ]
    for number, lines in enumerate(pages, start=1):
        y = height - 90
        for indent, line in lines:
            if indent is None:
                pdf_canvas.setFont(FONT, 22)
                pdf_canvas.drawCentredString(width / 2, y, line)
                y -= 44
                continue
            pdf_canvas.setFont(FONT, 16)
            pdf_canvas.drawString(LEFT + indent, y, line)
            y -= 28
        pdf_canvas.setFont(FONT, 14)
        pdf_canvas.drawCentredString(width / 2, 50, f"— {number} —")
        pdf_canvas.showPage()
    pdf_canvas.save()
    if path:
        path.write_bytes(buffer.getvalue())
    return buffer.getvalue()


def test_pdf_lines_back_into_paragraphs(tmp_path):
    path = tmp_path / "通知.pdf"
    make_pdf(path)
    assert texts(read_file(path, path.read_bytes())) == [
        "关于开展作风建设专项检查的通知",
        "各乡镇党委、政府，区直各单位：",
        "为深入贯彻中央八项规定精神，推动作风建设常态化长效化，经区委同意，决定在全区开展"
        "专项检查（青委发〔2024〕860号）。规划期为2014-2020年，现将有关事项通知如下。",
        "一、检查范围",
        "区直各单位及其下属事业单位，重点检查公务接待、公车使用和办公用房管理等情况，"
        "发现问题要建立台账，逐项整改销号，确保整改到位。",
        "二、工作要求",
        "各单位要高度重视，于2024年3月5日前报送自查报告。",
    ]


def test_pdf_with_only_an_owner_password_is_read(tmp_path):
    data = make_pdf(encrypt=StandardEncryption("", ownerPassword="owner", canModify=0))
    assert "一、检查范围" in texts(pdf.read_pdf(data))


def test_pdf_with_a_user_password_is_refused(tmp_path):
    path = tmp_path / "a.pdf"
    make_pdf(path, StandardEncryption("secret", ownerPassword="owner"))
    with pytest.raises(UnreadableFile) as excinfo:
        read_file(path, path.read_bytes())
    assert reason(excinfo) == "文件已加密，请先解除密码保护"


def test_pdf_without_text_layer(tmp_path):
    from PIL import Image

    image = tmp_path / "scan.png"
    Image.new("RGB", (200, 280), "white").save(image)
    scanned = tmp_path / "scan.pdf"
    pdf_canvas = canvas.Canvas(str(scanned), pagesize=A4)
    pdf_canvas.drawImage(str(image), 0, 0, *A4)
    pdf_canvas.showPage()
    pdf_canvas.save()
    empty = tmp_path / "empty.pdf"
    pdf_canvas = canvas.Canvas(str(empty), pagesize=A4)
    pdf_canvas.showPage()
    pdf_canvas.save()
    # A blank scan goes through OCR, which finds nothing in it (tests/test_ocr.py reads text).
    for path, said in ((scanned, "扫描件中没有识别出文字"), (empty, "PDF 中既没有文字")):
        with pytest.raises(UnreadableFile) as excinfo:
            read_file(path, path.read_bytes())
        assert reason(excinfo).startswith(said)


def test_pdf_random_bytes_and_truncated():
    whole = make_pdf()
    for data in (bytes(range(256)) * 10, b"%PDF-1.4\n" + bytes(range(200)), whole[:1200]):
        with pytest.raises(UnreadableFile) as excinfo:
            pdf.read_pdf(data)
        assert reason(excinfo) == pdf.DAMAGED


def typeset(paragraphs: list[str], per_line: int = 26) -> bytes:
    """Paragraphs set like a printed 公文: 16 pt, fixed measure, two-character first-line
    indent, footer on every page."""
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buffer = io.BytesIO()
    pdf_canvas = canvas.Canvas(buffer, pagesize=A4)
    pdf_canvas.setFont(FONT, 16)
    y = 760
    for paragraph in paragraphs:
        rest, indent = paragraph, 2
        while rest:
            line, rest = rest[: per_line - indent], rest[per_line - indent :]
            pdf_canvas.drawString(LEFT + 16 * indent, y, line)
            y, indent = y - 28, 0
    pdf_canvas.setFont(FONT, 14)
    pdf_canvas.drawCentredString(A4[0] / 2, 50, "— 1 —")
    pdf_canvas.save()
    return buffer.getvalue()


def test_pdf_sentence_ending_at_a_line_end_stays_in_its_paragraph():
    first = "为深入贯彻中央八项规定精神，推动作风建设常态化。"  # fills the indented first line
    assert len(first) == 24
    paragraphs = [
        first + "经区委同意，决定在全区开展专项检查，现将有关事项通知如下，请认真抓好落实。",
        "各单位要高度重视，主要负责同志要亲自部署，确保检查工作取得实效，不走过场。",
        "区纪委监委将适时开展督导检查，对工作不力的单位予以通报。",
    ]
    assert texts(pdf.read_pdf(typeset(paragraphs))) == paragraphs


def test_pdf_in_two_columns_reads_one_column_after_the_other():
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buffer = io.BytesIO()
    pdf_canvas = canvas.Canvas(buffer, pagesize=A4)
    pdf_canvas.setFont(FONT, 12)
    for x, side in ((60, "左栏"), (330, "右栏")):
        lines = [
            f"{side}第一段的文字内容比较长",
            "在这里换行后写完。",
            f"{side}第二段的内容在",
            "这里结束。",
        ]
        for n, line in enumerate(lines):
            pdf_canvas.drawString(x, 780 - 18 * n, line)
    pdf_canvas.save()
    assert texts(pdf.read_pdf(buffer.getvalue())) == [
        "左栏第一段的文字内容比较长在这里换行后写完。",
        "左栏第二段的内容在这里结束。",
        "右栏第一段的文字内容比较长在这里换行后写完。",
        "右栏第二段的内容在这里结束。",
    ]


@needs_raw
def test_real_typeset_pdf():
    extracted = read_file(Path("397.pdf"), (RAW / "govdoc_cn_397.pdf").read_bytes())
    blocks = texts(extracted)
    joined = "\n".join(blocks)
    # "及其实施条 / 例" and "推动 / 经济发展" are wrapped (the second across pages 1-2).
    assert any("《中华人民共和国个人所得税法》及其实施条例、《国务院" in b for b in blocks)
    assert any("着眼于优化税收制度、推动经济发展、惠及百姓民生" in b for b in blocks)
    assert not re.search(r"—\s*\d+\s*—", joined)
    assert "\xad" not in joined and "社会信用体系建设规划纲要（2014-2020年）" in joined
    assert "发改办财金规〔2019〕860号" in blocks
    assert "2019年1月1日起全面施行" in joined and " 号" not in joined
    assert blocks[-3:] == ["国家发展改革委办公厅", "税务总局办公厅", "2019年8月20日"]
    # Every paragraph of the same document in docs/ is found within one block (that text
    # ends some headings with "。" the PDF does not have).
    want = doc_lines(same_doc("govdoc_cn_397.pdf"))
    missing = [line for line in want if not any(line.rstrip("。") in b for b in blocks)]
    assert len(missing) <= 1, missing  # the letterhead, typeset with a wide gap


# --- legacy .doc / .wps: tests/test_office.py, with the real antiword and LibreOffice -------

# --- every reader fails only with UnreadableFile -------------------------------------------

HTML_PAGE = PAGE.format(charset="utf-8").encode("utf-8")


def _small_image(kind: str) -> bytes:
    """A small picture (OCR reads it in a blink) in an image format."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (160, 60), "white")
    ImageDraw.Draw(image).rectangle((20, 20, 140, 40), fill="black")
    buffer = io.BytesIO()
    image.save(buffer, kind)
    return buffer.getvalue()


SEEDS = {
    ".txt": "\n".join(SAMPLE_LINES).encode("gbk"),
    ".md": MARKDOWN.encode("utf-8"),
    ".markdown": MARKDOWN.encode("utf-8"),
    ".html": HTML_PAGE,
    ".htm": HTML_PAGE,
    ".shtml": HTML_PAGE,
    ".aspx": HTML_PAGE,
    ".docx": make_docx(),
    ".pdf": make_pdf(),
    ".ofd": text_ofd(),
    ".xlsx": ledger_workbook(),
    ".csv": "序号,问题表现\n1,材料篇幅过长\n".encode("gb18030"),
    ".png": _small_image("PNG"),
    ".jpg": _small_image("JPEG"),
    ".jpeg": _small_image("JPEG"),
    ".tif": _small_image("TIFF"),
    ".tiff": _small_image("TIFF"),
}
CONVERTED = {".doc", ".wps", ".xls", ".et"}  # through antiword / LibreOffice: test_office.py


def test_every_registered_reader_has_a_damage_seed():
    assert set(SEEDS) == set(READERS) - CONVERTED


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    suffix=st.sampled_from(sorted(SEEDS)),
    junk=st.binary(max_size=300),
    where=st.floats(0, 1),
)
def test_damaged_input_gives_extracted_or_unreadable_only(suffix, junk, where):
    seed = SEEDS[suffix]
    cut = int(len(seed) * where)
    data = seed[:cut] + junk + seed[cut + len(junk) :]
    try:
        result = READERS[suffix](data)
    except UnreadableFile as error:
        assert re.search(r"[\u4e00-\u9fff]", str(error))
    else:
        assert isinstance(result, Extracted)
