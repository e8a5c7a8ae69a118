"""Build the non-plain-text sample documents of the corpus from their UTF-8 masters.

The masters live in ``corpus/sources/`` (not indexed) and follow the plain-text layout of
``corpus/WORLD.md``; this script writes the converted files into ``corpus/docs/``:

* ``.docx`` (python-docx): Title paragraph, ``一、`` -> "Heading 1", ``（一）`` -> "Heading 2",
  East Asian fonts on the Normal style and on every run, a real Word table for ``[表格]`` blocks;
* ``.pdf`` (reportlab, STSong-Light): A4, hard line wraps at a fixed measure, first-line
  indent, centred page footers "— N —";
* ``…_gbk.txt``: the master re-encoded as GBK with CRLF line endings;
* ``.html``: the article as saved from the district's portal website;
* ``.md``: Markdown with ``#`` headings.

Output is deterministic: document dates come from the masters, zip timestamps are fixed and
reportlab runs in invariant mode, so a rerun gives the same bytes.

Usage (from the repository root)::

    .venv/bin/python corpus/make_formats.py          # build
    .venv/bin/python corpus/make_formats.py --check  # build, then read the files back
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "sources"
DOCS = HERE / "docs"

# master file -> output format; the output keeps the master's stem
JOBS: list[tuple[str, str]] = [
    ("plan_2024_dangji_xuexi_jiaoyu.txt", "docx"),
    ("report_2024_xuncha_zhenggai.txt", "docx"),
    ("checklist_2025_nongye_duizhao_jiancha.txt", "docx"),
    ("speech_2024_jingshi_jiaoyu_dahui.txt", "pdf"),
    ("regulation_2024_gongwu_jiedai.txt", "pdf"),
    ("communique_2024_quwei_quanhui.txt", "pdf"),
    ("notice_2024_jiaoyuju_xuexi_tongbao.txt", "gbk"),
    ("case_2024_shiqi_zuofeng_wenti_tongbao.txt", "html"),
    ("plan_2024_yingshang_huanjing.txt", "md"),
]

# ---------------------------------------------------------------------------------------------
# Reading a master
# ---------------------------------------------------------------------------------------------

CN_NUM = "一二三四五六七八九十"
RE_H1 = re.compile(rf"^[{CN_NUM}]+、")
RE_H2 = re.compile(rf"^（[{CN_NUM}]+）")
RE_CHAPTER = re.compile(rf"^第[{CN_NUM}]+章")
RE_DOCNO = re.compile(r"^\S*〔\d{4}〕\S*号$")
RE_DATE = re.compile(r"^[（(]?([0-9０-９]{4})年([0-9０-９]{1,2})月([0-9０-９]{1,2})日")
RE_DATE_LINE = re.compile(r"^[0-9０-９]{4}年[0-9０-９]{1,2}月[0-9０-９]{1,2}日$")
RE_PAREN_LINE = re.compile(r"^（[^（）]*）$")
RE_ARTICLE = re.compile(rf"^第[{CN_NUM}]+条")
HEADING_MAX = 40  # longer lines that start like a heading are body paragraphs with a lead-in


@dataclass
class Block:
    """One paragraph of a master, with the role it plays in the layout."""

    kind: str  # title, meta, addr, h1, h2, body, sign, table
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)


def _is_heading(line: str, pattern: re.Pattern[str]) -> bool:
    if not pattern.match(line) or len(line) > HEADING_MAX:
        return False
    return "。" not in line[:-1]


def _is_byline(line: str) -> bool:
    """A speaker line such as "区委书记　周明远" (an ideographic space, short, no sentence)."""
    if "　" not in line or len(line) >= 30 or line.endswith(("。", "；", "：")):
        return False
    return not RE_ARTICLE.match(line)


def parse_master(path: Path) -> list[Block]:
    """Split a master into blocks: title, meta lines, headings, body, signature, tables."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    table: list[list[str]] | None = None
    for raw in lines:
        line = raw.strip()
        if line == "[表格]":
            table = []
            continue
        if line == "[/表格]":
            blocks.append(Block("table", rows=table or []))
            table = None
            continue
        if table is not None:
            if line:
                table.append([cell.strip() for cell in raw.split("\t")])
            continue
        if not line:
            continue
        if not blocks:
            blocks.append(Block("title", line))
        elif RE_CHAPTER.match(line) and len(line) < 20 or _is_heading(line, RE_H1):
            blocks.append(Block("h1", line))
        elif _is_heading(line, RE_H2):
            blocks.append(Block("h2", line))
        elif RE_DOCNO.match(line) or RE_PAREN_LINE.match(line) or _is_byline(line):
            # 发文字号, （2024年4月26日）, "区委常委、区纪委书记……　韩立诚"
            blocks.append(Block("meta", line))
        elif line.endswith("：") and blocks[-1].kind == "meta" and len(line) < 120:
            blocks.append(Block("addr", line))  # 主送机关, flush left
        else:
            blocks.append(Block("body", line))
    _mark_signature(blocks)
    return blocks


def _mark_signature(blocks: list[Block]) -> None:
    """The issuing body and date at the end of a 公文 are right-aligned, not body text."""
    for i in range(len(blocks) - 1, 0, -1):
        if blocks[i].kind == "body" and RE_DATE_LINE.match(blocks[i].text):
            blocks[i].kind = "sign"
            j = i - 1
            while j > 0 and blocks[j].kind == "body" and len(blocks[j].text) <= 24:
                if blocks[j].text.endswith(("。", "：", "；")):
                    break
                blocks[j].kind = "sign"
                j -= 1
            return


def _fold_digits(text: str) -> str:
    return text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))


def document_date(blocks: list[Block]) -> dt.datetime:
    """The latest full date written in the document, used for file metadata."""
    found: list[dt.datetime] = []
    for block in blocks:
        if block.kind in ("sign", "meta", "title"):
            m = RE_DATE.search(_fold_digits(block.text))
            if m:
                year, month, day = (int(g) for g in m.groups())
                found.append(dt.datetime(year, month, day, 9, 0, 0, tzinfo=dt.UTC))
    return max(found) if found else dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


# ---------------------------------------------------------------------------------------------
# .docx
# ---------------------------------------------------------------------------------------------

FIXED_ZIP_TIME = (2024, 1, 1, 0, 0, 0)


def _set_east_asia(run_or_style, font_name: str) -> None:
    from docx.oxml.ns import qn

    rpr = run_or_style._element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), font_name)


def _add_run(paragraph, text: str, font_name: str, size_pt: float, bold: bool = False):
    from docx.shared import Pt

    run = paragraph.add_run(text)
    run.font.size = Pt(size_pt)
    run.bold = bold
    _set_east_asia(run, font_name)
    return run


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps so that the bytes do not depend on the clock."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def write_docx(blocks: list[Block], target: Path) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    if any(block.kind == "table" for block in blocks):
        # a 台账 with many columns is printed landscape
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
        section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.5)

    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(16)
    _set_east_asia(normal, "仿宋_GB2312")
    for name, font_name, size in (("Heading 1", "黑体", 16), ("Heading 2", "楷体_GB2312", 16)):
        style = doc.styles[name]
        style.font.size = Pt(size)
        style.font.bold = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        _set_east_asia(style, font_name)
    title_style = doc.styles["Title"]
    title_style.font.color.rgb = RGBColor(0, 0, 0)
    _set_east_asia(title_style, "方正小标宋简体")

    title = ""
    for block in blocks:
        if block.kind == "title":
            title = block.text
            p = doc.add_paragraph(style="Title")
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _add_run(p, block.text, "方正小标宋简体", 22, bold=True)
        elif block.kind == "h1":
            p = doc.add_paragraph(style="Heading 1")
            p.paragraph_format.first_line_indent = Pt(32)
            _add_run(p, block.text, "黑体", 16)
        elif block.kind == "h2":
            p = doc.add_paragraph(style="Heading 2")
            p.paragraph_format.first_line_indent = Pt(32)
            _add_run(p, block.text, "楷体_GB2312", 16)
        elif block.kind == "meta":
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _add_run(p, block.text, "仿宋_GB2312", 16)
        elif block.kind == "addr":
            p = doc.add_paragraph()
            _add_run(p, block.text, "仿宋_GB2312", 16)
        elif block.kind == "sign":
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _add_run(p, block.text, "仿宋_GB2312", 16)
        elif block.kind == "table":
            header, *rows = block.rows
            table = doc.add_table(rows=1, cols=len(header))
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for cell, text in zip(table.rows[0].cells, header, strict=True):
                cell.text = ""
                para = cell.paragraphs[0]
                para.alignment = WD_ALIGN_PARAGRAPH.CENTER
                _add_run(para, text, "黑体", 10.5, bold=True)
            for row in rows:
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    cell.text = ""
                    _add_run(cell.paragraphs[0], text, "仿宋_GB2312", 10.5)
        else:
            p = doc.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(32)
            _add_run(p, block.text, "仿宋_GB2312", 16)

    when = document_date(blocks)
    props = doc.core_properties
    props.title = title
    props.author = "青岚区"
    props.last_modified_by = "青岚区"
    props.comments = ""
    props.created = when
    props.modified = when
    props.last_printed = when
    props.revision = 1
    buffer = io.BytesIO()
    doc.save(buffer)
    target.write_bytes(_normalise_zip(buffer.getvalue()))


# ---------------------------------------------------------------------------------------------
# .pdf
# ---------------------------------------------------------------------------------------------

PDF_FONT = "STSong-Light"
BODY_SIZE = 16.0  # 三号
TITLE_SIZE = 22.0  # 二号
CHARS_PER_LINE = 28  # GB/T 9704 type area: 28 characters x 22 lines
LINE_HEIGHT = 29.0
NO_LINE_START = set("，。、；：？！）》」』”’…—%％")
NO_LINE_END = set("（《「『“‘")


def _tokens(text: str) -> list[str]:
    """Characters, except that runs of half-width letters and digits stay together."""
    return re.findall(r"[A-Za-z0-9.%]+|.", text)


def wrap_line(text: str, width: float, size: float, first_indent: float = 0.0) -> list[str]:
    """Break a paragraph into lines no wider than ``width`` (points), CJK style."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    current = ""
    used = first_indent
    for token in _tokens(text):
        w = stringWidth(token, PDF_FONT, size)
        if current and used + w > width + 0.01:
            if token[0] in NO_LINE_START:
                current += token  # hanging punctuation
                lines.append(current)
                current, used = "", 0.0
                continue
            carry = ""
            while current and current[-1] in NO_LINE_END:
                carry = current[-1] + carry
                current = current[:-1]
            lines.append(current)
            current = carry
            used = stringWidth(carry, PDF_FONT, size)
        current += token
        used += w
    if current:
        lines.append(current)
    return lines


class PdfWriter:
    def __init__(self, target: Path, title: str, when: dt.datetime) -> None:
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.units import mm
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.pdfgen import canvas

        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
        self.page_w, self.page_h = A4
        self.measure = CHARS_PER_LINE * BODY_SIZE
        self.left = (self.page_w - self.measure) / 2
        self.top = self.page_h - 37 * mm
        self.bottom = 35 * mm
        self.footer_y = 20 * mm
        self.page = 1
        self.y = self.top
        self.c = canvas.Canvas(str(target), pagesize=A4, invariant=1, pageCompression=1)
        self.c.setTitle(title)
        self.c.setAuthor("青岚区")
        self.c.setCreator("corpus/make_formats.py")
        self.c.setSubject(when.strftime("%Y-%m-%d"))

    def _footer(self) -> None:
        self.c.setFont(PDF_FONT, 14)
        self.c.drawCentredString(self.page_w / 2, self.footer_y, f"— {self.page} —")

    def _next_line(self, height: float) -> None:
        if self.y - height < self.bottom:
            self._footer()
            self.c.showPage()
            self.page += 1
            self.y = self.top
        self.y -= height

    def paragraph(self, text: str, align: str = "indent", size: float = BODY_SIZE) -> None:
        indent = 2 * size if align == "indent" else 0.0
        measure = self.measure - (4 * size if align == "right" else 0.0)
        height = LINE_HEIGHT if size <= BODY_SIZE else size * 1.6
        for n, line in enumerate(wrap_line(text, measure, size, indent)):
            self._next_line(height)
            self.c.setFont(PDF_FONT, size)
            if align == "center":
                self.c.drawCentredString(self.page_w / 2, self.y, line)
            elif align == "right":
                self.c.drawRightString(self.left + measure, self.y, line)
            else:
                self.c.drawString(self.left + (indent if n == 0 else 0.0), self.y, line)

    def space(self, height: float = LINE_HEIGHT) -> None:
        self._next_line(height)

    def finish(self) -> None:
        self._footer()
        self.c.showPage()
        self.c.save()


TITLE_BREAK_AFTER = ("　", "委员会", "区委", "办公室", "规定", "——")
TITLE_BREAK_BEFORE = ("关于", "第", "在")


def balanced_lines(text: str, width: float, size: float) -> list[str]:
    """Wrap a title into two lines of similar length, breaking between words if possible."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if stringWidth(text, PDF_FONT, size) <= width:
        return [text]
    best: tuple[float, int] | None = None
    for i in range(1, len(text)):
        head, tail = text[:i].rstrip("　"), text[i:].lstrip("　")
        w1, w2 = stringWidth(head, PDF_FONT, size), stringWidth(tail, PDF_FONT, size)
        if max(w1, w2) > width or tail[:1] in NO_LINE_START:
            continue
        good = text[:i].endswith(TITLE_BREAK_AFTER) or text[i:].startswith(TITLE_BREAK_BEFORE)
        cost = abs(w1 - w2) + (0 if good else 4 * size)
        if best is None or cost < best[0]:
            best = (cost, i)
    if best is None:
        return wrap_line(text, width, size)
    i = best[1]
    return [text[:i].rstrip("　"), text[i:].lstrip("　")]


def write_pdf(blocks: list[Block], target: Path) -> int:
    title = blocks[0].text
    pdf = PdfWriter(target, title, document_date(blocks))
    previous = ""
    for block in blocks:
        if block.kind == "title":
            main, dash, sub = block.text.partition("——")
            for line in balanced_lines(main, pdf.measure, TITLE_SIZE):
                pdf.paragraph(line, align="center", size=TITLE_SIZE)
            if dash:
                pdf.paragraph(dash + sub, align="center")
            pdf.space(LINE_HEIGHT / 2)
        elif block.kind == "meta":
            pdf.paragraph(block.text, align="center")
        elif block.kind == "sign":
            if previous != "sign":
                pdf.space()
            pdf.paragraph(block.text, align="right")
        elif block.kind == "h1" and RE_CHAPTER.match(block.text):
            pdf.paragraph(block.text, align="center")
        elif block.kind == "addr":
            pdf.space(LINE_HEIGHT / 2)
            pdf.paragraph(block.text, align="left")
        elif block.kind == "table":
            for row in block.rows:
                pdf.paragraph("　".join(row), align="left")
        else:
            if previous == "meta":
                pdf.space(LINE_HEIGHT / 2)
            pdf.paragraph(block.text)
        previous = block.kind
    pdf.finish()
    return pdf.page


# ---------------------------------------------------------------------------------------------
# GBK text, HTML page, Markdown
# ---------------------------------------------------------------------------------------------


def write_gbk(source: Path, target: Path) -> None:
    text = source.read_text(encoding="utf-8")
    lines = text.splitlines()
    target.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))


PORTAL = "云岭市青岚区人民政府门户网站"
NAV = ["首页", "政务公开", "政务服务", "互动交流", "走进青岚", "专题专栏"]
RELATED = [
    ("关于4起形式主义、官僚主义典型问题的通报", "/zwgk/jjjc/202310/t20231027_9874.html"),
    ("青岚区作风建设专项整治实施方案", "/zwgk/zcwj/202403/t20240319_10218.html"),
    ("青岚区精简会议文件和规范督查检查考核办法", "/zwgk/zcwj/202404/t20240402_10247.html"),
    ("区纪委监委开展“五一”节日期间作风建设明察暗访", "/zwgk/jjjc/202404/t20240430_10306.html"),
]
ACTIVE = ' class="active"'
PUBLISHED = "2024-05-20 10:30"
PUBLISHER = "区纪委监委"


def write_html(blocks: list[Block], target: Path) -> None:
    esc = html.escape
    title = blocks[0].text
    body: list[str] = []
    for block in blocks[1:]:
        if block.kind == "sign":
            body.append(f'<p style="text-align: right;">{esc(block.text)}</p>')
        elif block.kind == "meta":
            body.append(f'<p style="text-align: center;">{esc(block.text)}</p>')
        elif block.kind == "addr":
            body.append(f"<p>{esc(block.text)}</p>")
        else:
            body.append(f'<p style="text-indent: 2em;">{esc(block.text)}</p>')
    nav = "\n".join(
        f"        <li{ACTIVE if item == '政务公开' else ''}>"
        f'<a href="{"/" if item == "首页" else "/" + str(n) + "/"}">{item}</a></li>'
        for n, item in enumerate(NAV)
    )
    related = "\n".join(
        f'        <li><a href="{href}" target="_blank">{esc(text)}</a></li>'
        for text, href in RELATED
    )
    page = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="SiteName" content="{PORTAL}">
<meta name="ArticleTitle" content="{esc(title)}">
<meta name="PubDate" content="{PUBLISHED}">
<meta name="ContentSource" content="{PUBLISHER}">
<title>{esc(title)}_{PORTAL}</title>
<link rel="stylesheet" href="/static/css/common.css">
<link rel="stylesheet" href="/static/css/article.css">
<script>
  function setFontSize(size) {{
    document.getElementById("zoom").style.fontSize = size + "px";
  }}
</script>
</head>
<body>
<div class="top-bar">
  <div class="wrap">
    <span class="date">欢迎访问{PORTAL}</span>
    <a href="/wza/">无障碍浏览</a> | <a href="/m/">手机版</a> | <a href="/rss/">RSS订阅</a>
  </div>
</div>
<div class="header">
  <div class="wrap">
    <a class="logo" href="/"><img src="/static/images/logo.png" alt="{PORTAL}"></a>
    <form class="search" action="/search/" method="get">
      <input type="text" name="q" placeholder="请输入关键词">
      <button type="submit">搜索</button>
    </form>
  </div>
</div>
<div class="nav">
  <div class="wrap">
    <ul>
{nav}
    </ul>
  </div>
</div>
<div class="wrap main">
  <div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/1/">政务公开</a> &gt; <a href="/zwgk/jjjc/">纪检监察</a> &gt; 正文</div>
  <div class="article">
    <div class="article-content">
      <h1>{esc(title)}</h1>
      <div class="article-info">
        <span>发布时间：{PUBLISHED}</span>&nbsp;&nbsp;<span>来源：{PUBLISHER}</span>
        <span class="font-size">【字体：<a href="javascript:setFontSize(20)">大</a> <a href="javascript:setFontSize(16)">中</a> <a href="javascript:setFontSize(14)">小</a>】</span>
      </div>
      <div id="zoom" class="article-body">
{chr(10).join("        " + line for line in body)}
      </div>
    </div>
    <div class="share">
      分享到：<a class="share-wx" href="javascript:void(0)">微信</a>
      <a class="share-wb" href="javascript:void(0)">微博</a>
      <span class="share-qr">微信扫一扫</span>
    </div>
    <div class="article-tools">
      <a href="javascript:window.print()">【打印本页】</a>
      <a href="javascript:window.close()">【关闭窗口】</a>
    </div>
    <div class="related">
      <h3>相关链接</h3>
      <ul>
{related}
      </ul>
    </div>
  </div>
</div>
<div class="footer">
  <div class="wrap">
    <p>主办单位：云岭市青岚区人民政府办公室　承办单位：青岚区融媒体中心</p>
    <p>版权所有：云岭市青岚区人民政府 备案号：滇ICP备12345678号</p>
    <p>网站标识码：5301990001　联系电话：0871-6320000</p>
  </div>
</div>
</body>
</html>
"""
    target.write_text(page, encoding="utf-8", newline="\n")


def write_markdown(blocks: list[Block], target: Path) -> None:
    out: list[str] = []
    for block in blocks:
        if block.kind == "title":
            out.append(f"# {block.text}")
        elif block.kind == "h1":
            out.append(f"## {block.text}")
        elif block.kind == "h2":
            out.append(f"### {block.text}")
        elif block.kind == "sign":
            out.append(f"{block.text}  ")  # two spaces: a Markdown line break
        else:
            out.append(block.text)
    text = ""
    for n, line in enumerate(out):
        joined = n > 0 and blocks[n - 1].kind == "sign" and blocks[n].kind == "sign"
        text += ("\n" if joined else "\n\n" if n else "") + line
    target.write_text(text.rstrip() + "\n", encoding="utf-8", newline="\n")


# ---------------------------------------------------------------------------------------------
# Driver and read-back check
# ---------------------------------------------------------------------------------------------


def build() -> list[Path]:
    written: list[Path] = []
    for name, fmt in JOBS:
        source = SOURCES / name
        stem = source.stem
        blocks = parse_master(source)
        if fmt == "docx":
            target = DOCS / f"{stem}.docx"
            write_docx(blocks, target)
        elif fmt == "pdf":
            target = DOCS / f"{stem}.pdf"
            pages = write_pdf(blocks, target)
            print(f"  {target.name}: {pages} pages")
        elif fmt == "gbk":
            target = DOCS / f"{stem}_gbk.txt"
            write_gbk(source, target)
        elif fmt == "html":
            target = DOCS / f"{stem}.html"
            write_html(blocks, target)
        elif fmt == "md":
            target = DOCS / f"{stem}.md"
            write_markdown(blocks, target)
        else:
            raise ValueError(fmt)
        written.append(target)
        print(f"{source.name} -> {target.name}")
    return written


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def check(paths: list[Path]) -> bool:
    """Read every generated file back and compare its text with the master."""
    ok = True
    for path in paths:
        stem = path.stem.removesuffix("_gbk")
        master = _squash((SOURCES / f"{stem}.txt").read_text(encoding="utf-8"))
        master = master.replace("[表格]", "").replace("[/表格]", "")
        if path.suffix == ".docx":
            from docx import Document

            doc = Document(str(path))
            parts = [p.text for p in doc.paragraphs]
            for table in doc.tables:
                parts += [c.text for row in table.rows for c in row.cells]
            got = _squash("".join(parts))
            styles = {p.style.name for p in doc.paragraphs}
            detail = f"styles={sorted(styles)} tables={len(doc.tables)}"
        elif path.suffix == ".pdf":
            from pypdf import PdfReader

            reader = PdfReader(str(path))
            raw = "".join(page.extract_text() or "" for page in reader.pages)
            got = _squash(re.sub(r"— \d+ —", "", raw))
            detail = f"pages={len(reader.pages)}"
        elif path.name.endswith("_gbk.txt"):
            data = path.read_bytes()
            got = _squash(data.decode("gbk"))
            crlf = data.count(b"\r\n")
            lone_lf = data.count(b"\n") - crlf
            detail = f"crlf={crlf} lone_lf={lone_lf}"
        elif path.suffix == ".html":
            text = path.read_text(encoding="utf-8")
            m = re.search(r'<div class="article-content">(.*?)<div class="share">', text, re.S)
            inner = html.unescape(re.sub(r"<[^>]+>", "", m.group(1) if m else ""))
            got = _squash(inner).replace("发布时间：2024-05-2010:30来源：区纪委监委", "")
            got = re.sub(r"【字体：大中小】", "", got)
            detail = "article-content found" if m else "article-content MISSING"
        else:
            got = _squash(re.sub(r"^#+ ", "", path.read_text(encoding="utf-8"), flags=re.M))
            detail = "markdown"
        # every master character must come back; compare as multisets of characters
        missing = sum(max(0, master.count(ch) - got.count(ch)) for ch in set(master))
        same = got == master
        good = missing == 0
        ok &= good
        print(f"{'OK ' if good else 'BAD'} {path.name}: {len(got)} chars, exact={same}, {detail}")
    return ok


def main(argv: list[str]) -> int:
    paths = build()
    if "--check" in argv:
        return 0 if check(paths) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
