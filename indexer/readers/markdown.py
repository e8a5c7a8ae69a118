"""Markdown: ATX (#) and setext headings carry their level; inline markup is dropped so that
a quoted search for the words finds them; list markers stay (they are part of what is shown).

Lines of one Markdown paragraph that were wrapped mid-sentence are joined again, so a phrase
across the wrap is found; lines ending a sentence stay separate, as in the plain-text reader.
"""

from __future__ import annotations

import re

from indexer.readers.base import guarded
from indexer.readers.text import decode_text
from kb.model import Block, Extracted

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|(?=[\u4e00-\u9fff（(“《【]))(.*?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_LIST = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_QUOTE = re.compile(r"^ {0,3}>\s?")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_REF_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s+\S")
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^>\s]+)>")
_EMPHASIS = re.compile(r"\*\*|__|`+|~~")
# A line that starts a new paragraph in official writing even without a blank line before it.
_OUTLINE_START = re.compile(
    r"^(?:[一二三四五六七八九十]+[、，]|[（(][一二三四五六七八九十\d]+[）)]|\d{1,2}[.．、](?!\d)"
    r"|第[一二三四五六七八九十百\d]+[章节条]|附\s*件)"
)
_SENTENCE_END = re.compile(r"[。！？；：!?;:…][”’」』）)】》\"']*$")


@guarded("无法读取 Markdown 文件，请另存为 UTF-8 后再导入")
def read_markdown(data: bytes) -> Extracted:
    """A .md file: headings with levels, paragraphs without markup."""
    text = _HTML_COMMENT.sub("", decode_text(data))
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[Block] = []
    paragraph: list[str] = []  # raw lines of the current paragraph
    in_fence = False

    def flush() -> None:
        blocks.extend(Block(line) for line in _unwrap(paragraph))
        paragraph.clear()

    for raw in lines:
        if _FENCE.match(raw):
            flush()
            in_fence = not in_fence
            continue
        if in_fence:
            blocks.append(Block(raw.strip()))
            continue
        line = _strip_quote(raw)
        if not line.strip():
            flush()
            continue
        heading = _ATX.match(line)
        if heading:
            flush()
            blocks.append(Block(_inline(heading.group(2)), len(heading.group(1))))
            continue
        setext = _SETEXT.match(line)
        if setext and len(paragraph) == 1 and not _LIST.match(paragraph[0]):
            level = 1 if setext.group(1).startswith("=") else 2
            blocks.append(Block(_inline(paragraph.pop()), level))
            continue
        if _RULE.match(line) or _TABLE_SEPARATOR.match(line) or _REF_DEFINITION.match(line):
            flush()
            continue
        paragraph.append(line)
    flush()
    return Extracted(blocks)


def _strip_quote(line: str) -> str:
    while _QUOTE.match(line):
        line = _QUOTE.sub("", line, count=1)
    return line


def _inline(text: str) -> str:
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _REF_LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _EMPHASIS.sub("", text)
    return text.replace("\\", "").strip()


def _table_row(line: str) -> str:
    cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
    return "　".join(_inline(cell) for cell in cells if cell)


def _unwrap(lines: list[str]) -> list[str]:
    """Join the lines of one paragraph where a line was wrapped mid-sentence."""
    out: list[str] = []
    join_next = False
    widest = max((_width(raw.strip()) for raw in lines), default=0)
    for raw in lines:
        hard_break = raw.endswith("  ") or raw.endswith("\\")
        is_table = raw.lstrip().startswith("|")
        text = _table_row(raw) if is_table else _inline(raw.rstrip("\\"))
        starts_block = is_table or _LIST.match(raw) or _OUTLINE_START.match(text)
        if out and join_next and not starts_block:
            out[-1] = _join(out[-1], text)
        else:
            out.append(text)
        join_next = not (
            hard_break
            or is_table
            or _SENTENCE_END.search(text)
            or (_OUTLINE_START.match(out[-1]) and len(out[-1]) <= 30)
            or _width(raw.strip()) < 0.6 * widest  # a short line ends its paragraph
        )
    return out


def _width(text: str) -> int:
    """Columns as an editor wraps them: CJK characters take two."""
    return sum(1 if char.isascii() else 2 for char in text)


def _join(left: str, right: str) -> str:
    """Chinese wraps need no space; wrapped Latin words do."""
    if left and right and left[-1].isascii() and right[0].isascii() and left[-1].isalnum():
        return f"{left} {right}"
    return left + right
