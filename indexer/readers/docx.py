"""Word .docx: paragraphs and tables in document order, heading levels from the styles.

python-docx lists paragraphs and tables separately; the body XML is walked instead so that a
table stays between the paragraphs it stands between. Paragraph text is read from the runs
directly so that tracked insertions, content controls and field results are kept and tracked
deletions are not.

Before python-docx sees the package, ``check_package`` inflates every member once through a
bounded stream (sizes stated in a zip are not trusted) and refuses a package past the limits
(``limits``: a zip bomb, an XML part too big to parse) or with a DOCTYPE in an XML part (the
only way to declare entities: billion laughs, external files). python-docx parses with entity
expansion off as well.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import unquote

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from lxml import etree

from indexer.readers import limits
from indexer.readers.base import Paragraph, ReadResult, UnreadableFile, guarded
from indexer.readers.formats import read_as
from indexer.readers.zipped import open_package
from kb.model import Block

__all__ = ["DAMAGED", "check_package", "read_docx"]

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
def read_docx(data: bytes) -> ReadResult:
    """A .docx file: Blocks in document order, headings with levels, Title / core title."""
    if data.startswith(_OLE_MAGIC):
        return _ole_document(data)
    check_package(data)
    try:
        document = docx.Document(io.BytesIO(data))
        reader = _Reader(document)
        blocks = []
        chars = 0
        for block in reader.walk(document.element.body):
            chars += len(block.text)
            if chars > limits.MAX_CHARS:
                raise UnreadableFile(limits.TOO_MANY_CHARS)
            blocks.append(block)
        core_title = (document.core_properties.title or "").strip()
    except UnreadableFile:
        raise
    except MemoryError as error:
        raise UnreadableFile(limits.OUT_OF_MEMORY) from error
    except Exception as error:  # BadZipFile, KeyError, lxml errors, ValueError ...
        raise UnreadableFile(DAMAGED) from error
    return ReadResult(blocks, title=reader.title or _usable_core_title(core_title))


# --- the package, before python-docx opens it -----------------------------------------------

_CONTENT_TYPES = "[Content_Types].xml"
_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_CHUNK = 1 << 16
# "<!DOCTYPE" as an XML part may encode it (UTF-8, UTF-16 either way).
_DOCTYPES = tuple("<!DOCTYPE".encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be"))
_OVERLAP = max(map(len, _DOCTYPES)) - 1
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def check_package(data: bytes) -> None:
    """Raise UnreadableFile unless the zip ``data`` is safe to hand to python-docx: at most
    ``limits.MAX_ZIP_MEMBERS`` members inflating to at most ``limits.MAX_UNZIPPED_BYTES`` in
    all, no XML part over ``limits.MAX_XML_PART_BYTES``, no DOCTYPE in an XML part, each
    member exactly as big as the zip states (python-docx trusts that: a stated 2 KB inflating
    to 1 GB would be inflated whole before being cut to 2 KB).

    Costs one pass of inflating, in 64 KB pieces; the stated sizes refuse most bombs before
    anything is inflated. The upload check can call it to refuse a bomb at the door.
    """
    archive, members = open_package(data, DAMAGED)
    with archive:
        xml_parts = _xml_parts(archive, members)
        budget = limits.MAX_UNZIPPED_BYTES
        for info in members:
            is_xml = info.filename in xml_parts
            size = _inflate(archive, info, budget, is_xml)
            if is_xml and size > limits.MAX_XML_PART_BYTES:
                raise UnreadableFile(limits.XML_PART_TOO_BIG)
            budget -= size


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, is_xml: bool) -> int:
    """The size ``info`` really inflates to, reading no further than ``budget`` bytes and
    keeping 64 KB at a time; with ``is_xml``, refuse a DOCTYPE in it."""
    # zipfile stops a member at its stated size (and checks its CRC there): state more than
    # the budget instead, so that a member inflating beyond what it states is measured, not
    # cut, and the budget is what stops it.
    probe = copy.copy(info)
    probe.file_size = budget + 2 * _CHUNK
    size = 0
    tail = b""
    try:
        with archive.open(probe) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > budget:
                    raise UnreadableFile(limits.UNZIPPED_TOO_BIG)
                if is_xml:
                    window = tail + chunk
                    if any(doctype in window for doctype in _DOCTYPES):
                        raise UnreadableFile(limits.XML_DOCTYPE)
                    tail = window[-_OVERLAP:]
    except UnreadableFile:
        raise
    except MemoryError as error:
        raise UnreadableFile(limits.OUT_OF_MEMORY) from error
    except Exception as error:  # bad CRC, encrypted or unknown compression, truncated data
        raise UnreadableFile(DAMAGED) from error
    if size != info.file_size:
        raise UnreadableFile(limits.SIZE_MISMATCH)
    return size


def _xml_parts(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> set[str]:
    """Names of the members python-docx may parse as XML: relationships, the content types
    themselves and every part of an XML content type (not an SVG picture or an HTML chunk,
    which it keeps as bytes)."""
    names = {info.filename for info in members}
    xml = {name for name in names if name.lower().endswith(".rels") or name == _CONTENT_TYPES}
    info = next((info for info in members if info.filename == _CONTENT_TYPES), None)
    if info is None:
        return xml | {name for name in names if name.lower().endswith(".xml")}
    if info.file_size > limits.MAX_XML_PART_BYTES:
        raise UnreadableFile(limits.XML_PART_TOO_BIG)
    _inflate(archive, info, limits.MAX_XML_PART_BYTES, is_xml=True)  # bounded, no DOCTYPE
    try:
        root = etree.fromstring(archive.read(info), _SAFE_XML)
    except Exception as error:
        raise UnreadableFile(DAMAGED) from error
    defaults = {
        element.get("Extension", "").lower(): element.get("ContentType", "")
        for element in root.iter(f"{_CT}Default")
    }
    overrides = {
        unquote(element.get("PartName", "")).lstrip("/"): element.get("ContentType", "")
        for element in root.iter(f"{_CT}Override")
    }
    for name in names:
        content_type = overrides.get(name) or defaults.get(name.rpartition(".")[2].lower(), "")
        if _is_xml_type(content_type):
            xml.add(name)
    return xml


def _is_xml_type(content_type: str) -> bool:
    kind = content_type.split(";")[0].strip().lower()
    return kind in ("application/xml", "text/xml") or (
        kind.startswith("application/") and kind.endswith("+xml")
    )


def _ole_document(data: bytes) -> ReadResult:
    """An OLE file named .docx: either an encrypted .docx or an old .doc renamed."""
    if "EncryptedPackage".encode("utf-16-le") in data:
        raise UnreadableFile(DAMAGED)
    if "WordDocument".encode("utf-16-le") in data:
        return ReadResult.of(read_as(".doc", data))
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
                yield from (replace(b, in_table=True) for b in cells[0])
            elif cells:
                row = "　".join(" ".join(b.text for b in cell) for cell in cells)
                yield Block(row, in_table=True)


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
    out = Paragraph("")
    for line in lines:
        out.add(line, space=out.last.isascii() and out.last.isalnum() and line[0].isascii())
    return out.text
