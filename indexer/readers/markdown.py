"""Markdown: ATX (#) and setext headings carry their level; inline markup is dropped so that
a quoted search for the words finds them; list markers stay (they are part of what is shown).

Lines of one Markdown paragraph that were wrapped mid-sentence are joined again, so a phrase
across the wrap is found; lines ending a sentence stay separate, as in the plain-text reader.

Every step is linear in the length of a line, however long: a one-line file of megabytes is
an ordinary input. Patterns never scan past the delimiter that would end what they look for
(a link text stops at the next bracket, a URL at the next parenthesis), and nothing is
rebuilt character by character.
"""

from __future__ import annotations

import re

from indexer.readers.base import Paragraph, ReadResult, guarded
from indexer.readers.lines import SENTENCE_END
from indexer.readers.text import decode_within_limits
from kb.model import Block
from kb.numbering import BLOCK_START

_ATX_OPEN = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|(?=[\u4e00-\u9fff（(“《【]))")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_LIST = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")
_SEPARATOR_CELL = re.compile(r"\s*:?-{2,}:?\s*")
_QUOTES = re.compile(r"(?: {0,3}>\s?)*")
_IMAGE = re.compile(r"!\[([^\[\]]*)\]\((?:[^()]|\([^()]*\))*\)")
_LINK = re.compile(r"\[([^\[\]]+)\]\((?:[^()]|\([^()]*\))*\)")
_REF_LINK = re.compile(r"\[([^\[\]]+)\]\[[^\[\]]*\]")
_REF_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s+\S")
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^<>\s]+)>")
_EMPHASIS = re.compile(r"\*\*|__|`+|~~")
# A line that starts a new paragraph in official writing even without a blank line before it.
_OUTLINE_START = BLOCK_START  # kb.numbering, as the PDF reader
_OUTLINE_HEADING_MAX = 30


@guarded("无法读取 Markdown 文件，请另存为 UTF-8 后再导入")
def read_markdown(data: bytes) -> ReadResult:
    """A .md file: headings with levels, paragraphs without markup."""
    decoded = decode_within_limits(data)
    text = _drop_comments(decoded.text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[Block] = []
    paragraph: list[str] = []  # raw lines of the current paragraph
    in_fence = False

    def flush() -> None:
        blocks.extend(Block(line) for line in _unwrap(paragraph))
        paragraph.clear()

    for raw in text.split("\n"):
        if _FENCE.match(raw):
            flush()
            in_fence = not in_fence
            continue
        if in_fence:
            blocks.append(Block(raw.strip()))
            continue
        quotes = _QUOTES.match(raw)
        line = raw[quotes.end() if quotes else 0 :]
        if not line.strip():
            flush()
            continue
        heading = _atx(line)
        if heading:
            flush()
            level, title = heading
            blocks.append(Block(_inline(title), level))
            continue
        setext = _SETEXT.match(line)
        if setext and len(paragraph) == 1 and not _LIST.match(paragraph[0]):
            level = 1 if setext.group(1).startswith("=") else 2
            blocks.append(Block(_inline(paragraph.pop()), level))
            continue
        if _RULE.match(line) or _table_separator(line) or _REF_DEFINITION.match(line):
            flush()
            continue
        paragraph.append(line)
    flush()
    return ReadResult(blocks, warnings=list(decoded.warnings))


def _drop_comments(text: str) -> str:
    """Text without <!-- ... --> comments; an unclosed one stays (as the pattern
    ``<!--.*?-->`` would leave it, without rescanning the rest from every later ``<!--``)."""
    parts = []
    done = 0
    while (start := text.find("<!--", done)) >= 0:
        end = text.find("-->", start + 4)
        if end < 0:
            break
        parts.append(text[done:start])
        done = end + 3
    if not parts:
        return text
    parts.append(text[done:])
    return "".join(parts)


def _atx(line: str) -> tuple[int, str] | None:
    """(level, text) of an ATX heading line: ``## 标题 ##`` gives (2, "标题")."""
    opening = _ATX_OPEN.match(line)
    if not opening:
        return None
    text = line[opening.end() :].rstrip(" \t")
    bare = text.rstrip("#")
    if bare != text and bare and bare[-1] in " \t":  # a closing sequence after a space
        text = bare.rstrip(" \t")
    return len(opening.group(1)), text


def _table_separator(line: str) -> bool:
    """``|---|:--:|``: the line under a table's header row."""
    if "--" not in line:
        return False
    row = line.strip()
    row = row.removeprefix("|")
    row = row.removesuffix("|")
    return all(_SEPARATOR_CELL.fullmatch(cell) for cell in row.split("|"))


def _inline(text: str) -> str:
    if "[" in text:  # most lines have no link: spare them the patterns
        text = _IMAGE.sub(r"\1", text)
        text = _LINK.sub(r"\1", text)
        text = _REF_LINK.sub(r"\1", text)
    if "<" in text:
        text = _AUTOLINK.sub(r"\1", text)
    text = _EMPHASIS.sub("", text)
    return text.replace("\\", "").strip()


def _table_row(line: str) -> str:
    cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
    return "　".join(_inline(cell) for cell in cells if cell)


def _unwrap(lines: list[str]) -> list[str]:
    """Join the lines of one paragraph where a line was wrapped mid-sentence."""
    out: list[Paragraph] = []
    join_next = False
    widest = max((_width(raw.strip()) for raw in lines), default=0)
    for raw in lines:
        hard_break = raw.endswith("  ") or raw.endswith("\\")
        is_table = raw.lstrip().startswith("|")
        text = _table_row(raw) if is_table else _inline(raw.rstrip("\\"))
        starts_block = is_table or _LIST.match(raw) or _OUTLINE_START.match(text)
        if out and join_next and not starts_block:
            out[-1].add(text, space=_needs_space(out[-1].last, text))
        else:
            out.append(Paragraph(text))
        current = out[-1]
        join_next = not (
            hard_break
            or is_table
            or SENTENCE_END.search(text)
            or (current.length <= _OUTLINE_HEADING_MAX and _OUTLINE_START.match(current.text))
            or _width(raw.strip()) < 0.6 * widest  # a short line ends its paragraph
        )
    return [paragraph.text for paragraph in out]


def _width(text: str) -> int:
    """Columns as an editor wraps them: CJK (any non-ASCII) characters take two."""
    return 2 * len(text) - len(text.encode("ascii", "ignore"))


def _needs_space(last: str, right: str) -> bool:
    """Chinese wraps need no space; wrapped Latin words do."""
    return bool(last and right) and last.isascii() and last.isalnum() and right[0].isascii()
