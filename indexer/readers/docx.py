"""Word .docx: paragraphs and tables in document order, heading levels from the styles.

python-docx lists paragraphs and tables separately; the body XML is walked instead so that a
table stays between the paragraphs it stands between. Paragraph text is read from the runs
directly so that tracked insertions, content controls and field results are kept and tracked
deletions are not.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn

from indexer.readers.base import UnreadableFile, guarded
from kb.model import Block, Extracted

__all__ = ["DAMAGED", "read_docx"]

DAMAGED = "文件已损坏或加密，无法读取 Word 文档"

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_W_P = qn("w:p")
_W_TBL = qn("w:tbl")
_W_TR = qn("w:tr")
_W_TC = qn("w:tc")
_W_T = qn("w:t")
_W_TAB = qn("w:tab")
_W_BR = qn("w:br")
_W_CR = qn("w:cr")
_W_NO_BREAK_HYPHEN = qn("w:noBreakHyphen")
_W_TXBX = qn("w:txbxContent")
_W_VAL = qn("w:val")
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_CONTAINERS = {qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml"), qn("w:ins"), qn("w:smartTag")}
_SKIPPED = {
    qn("w:del"),
    qn("w:moveFrom"),
    qn("w:pPr"),
    qn("w:rPr"),
    qn("w:rt"),  # ruby (pinyin) above the base text
    _MC_FALLBACK,
    _W_TXBX,
}
_BOX_STOPS = {_MC_FALLBACK, _W_TXBX}
_HEADING_NAME = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.I)
_TITLE_NAMES = {"title", "标题"}
_TOC_NAME = re.compile(r"^(?:toc|目录)\s*\d", re.I)
_TITLE = 0  # level marker for the Title style
_MAX_STYLE_DEPTH = 10


@guarded(DAMAGED)
def read_docx(data: bytes) -> Extracted:
    """A .docx file: Blocks in document order, headings with levels, Title / core title."""
    if data.startswith(_OLE_MAGIC):
        return _ole_document(data)
    try:
        document = docx.Document(io.BytesIO(data))
        reader = _Reader(document)
        blocks = list(reader.walk(document.element.body))
        core_title = (document.core_properties.title or "").strip()
    except UnreadableFile:
        raise
    except Exception as error:  # BadZipFile, KeyError, lxml errors, ValueError ...
        raise UnreadableFile(DAMAGED) from error
    return Extracted(blocks, title=reader.title or _usable_core_title(core_title))


def _ole_document(data: bytes) -> Extracted:
    """An OLE file named .docx: either an encrypted .docx or an old .doc renamed."""
    if "EncryptedPackage".encode("utf-16-le") in data:
        raise UnreadableFile(DAMAGED)
    if "WordDocument".encode("utf-16-le") in data:
        from indexer.readers.legacy import read_doc

        return read_doc(data)
    raise UnreadableFile(DAMAGED)


def _usable_core_title(title: str) -> str:
    """Core titles left over from a template ("Microsoft Word - 文档1") say nothing."""
    if not title or title.lower().startswith("microsoft word") or re.fullmatch(r"文档\d*", title):
        return ""
    return title


class _Reader:
    def __init__(self, document: docx.document.Document) -> None:
        self.styles = {style.style_id: style for style in document.styles}
        self.default_style = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
        self.title = ""
        self._levels: dict[str, int | None] = {}

    def walk(self, element) -> Iterator[Block]:
        for child in element.iterchildren():
            tag = child.tag
            if tag == _W_P:
                yield from self.paragraph(child)
            elif tag == _W_TBL:
                yield from self.table(child)
            elif tag in _CONTAINERS:
                yield from self.walk(child)

    # --- paragraphs ---

    def paragraph(self, p) -> Iterator[Block]:
        level, toc = self.level(p)
        text = _text(p)
        lines = [line.strip() for line in text.split("\n")]
        if not toc:
            if level is None:
                yield from (Block(line) for line in lines if line)
            else:
                joined = _join_lines([line for line in lines if line])
                if level == _TITLE and not self.title and joined:
                    self.title = joined
                elif joined:
                    yield Block(joined, max(level, 1))
        for box in _text_boxes(p):
            yield from self.walk(box)

    def level(self, p) -> tuple[int | None, bool]:
        """Heading level (``_TITLE`` for the Title style) and whether it is a TOC line."""
        ppr = p.find(qn("w:pPr"))
        style_id = None
        if ppr is not None:
            outline = ppr.find(qn("w:outlineLvl"))
            if outline is not None and outline.get(_W_VAL, "").isdigit():
                value = int(outline.get(_W_VAL))
                if value < 9:
                    return value + 1, False
            pstyle = ppr.find(qn("w:pStyle"))
            if pstyle is not None:
                style_id = pstyle.get(_W_VAL)
        style = self.styles.get(style_id) if style_id else self.default_style
        if style is None:
            return None, False
        if _TOC_NAME.match(style.name or ""):
            return None, True
        if style.style_id not in self._levels:
            self._levels[style.style_id] = _style_level(style)
        return self._levels[style.style_id], False

    # --- tables ---

    def table(self, tbl) -> Iterator[Block]:
        """One Block per row, cells joined by a wide space; a cell that is the only one with
        text in its row (a layout box) keeps its paragraphs and headings."""
        for tr in _children(tbl, _W_TR):
            cells: list[list[Block]] = []
            for tc in _children(tr, _W_TC):
                if _continues_vertical_merge(tc):
                    continue
                blocks = list(self.walk(tc))
                if blocks:
                    cells.append(blocks)
            if len(cells) == 1:
                yield from cells[0]
            elif cells:
                yield Block("　".join(" ".join(b.text for b in cell) for cell in cells))


def _children(element, tag: str) -> Iterator:
    """Direct children with ``tag``, looking through content controls and similar wrappers."""
    for child in element.iterchildren():
        if child.tag == tag:
            yield child
        elif child.tag in _CONTAINERS:
            yield from _children(child, tag)


def _style_level(style) -> int | None:
    current = style
    for _ in range(_MAX_STYLE_DEPTH):
        if current is None:
            return None
        name = (current.name or "").strip()
        match = _HEADING_NAME.match(name)
        if match:
            return int(match.group(1))
        if name.lower() in _TITLE_NAMES:
            return _TITLE
        ppr = current.element.find(qn("w:pPr"))
        outline = ppr.find(qn("w:outlineLvl")) if ppr is not None else None
        if outline is not None and outline.get(_W_VAL, "").isdigit():
            value = int(outline.get(_W_VAL))
            return value + 1 if value < 9 else None
        current = current.base_style
    return None


def _continues_vertical_merge(tc) -> bool:
    tcpr = tc.find(qn("w:tcPr"))
    merge = tcpr.find(qn("w:vMerge")) if tcpr is not None else None
    return merge is not None and merge.get(_W_VAL, "continue") != "restart"


def _text(element) -> str:
    """Visible text of a paragraph: runs, hyperlinks, insertions, field results; not deleted
    text, not the fallback copy of drawings, not text boxes (read as their own paragraphs)."""
    parts: list[str] = []

    def visit(node) -> None:
        for child in node.iterchildren():
            tag = child.tag
            if tag in _SKIPPED or not isinstance(tag, str):
                continue
            if tag == _W_T:
                parts.append(child.text or "")
            elif tag == _W_TAB:
                parts.append("\t")
            elif tag in (_W_BR, _W_CR):
                if child.get(qn("w:type"), "textWrapping") == "textWrapping":
                    parts.append("\n")
            elif tag == _W_NO_BREAK_HYPHEN:
                parts.append("-")
            else:
                visit(child)

    visit(element)
    return "".join(parts)


def _text_boxes(p) -> list:
    boxes = []
    for box in p.iter(_W_TXBX):
        ancestor = box.getparent()
        while ancestor is not None and ancestor is not p and ancestor.tag not in _BOX_STOPS:
            ancestor = ancestor.getparent()
        if ancestor is p:
            boxes.append(box)
    return boxes


def _join_lines(lines: list[str]) -> str:
    out = ""
    for line in lines:
        if out and out[-1].isascii() and out[-1].isalnum() and line[0].isascii():
            out += " "
        out += line
    return out
