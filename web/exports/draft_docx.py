"""The 对照检查材料 in the shape 民主生活会 and 组织生活会 materials take, as a 公文-style Word
document and (from the same outline) a print page:

    title, then the byline (单位, 姓名职务), then the person's opening paragraph if any
    一、查摆出的突出问题      （一）学习教育方面 …: one part per topic the problems were put under,
                              each problem 1. in the person's words, then 对照要求 (the clause
                              verbatim, cited 《标题》（发文字号，日期）) and 具体表现, several
                              lines of it numbered （1）（2）
    二、问题产生的原因剖析    （一）理想信念方面 … (the parts: corpus/dict/draft_causes.txt)
    三、整改措施和努力方向    （一）整改措施: the ledger table (序号, 问题, 措施, 责任人, 完成时限,
                              销号情况) sized for its content; （二）努力方向
    四、典型案例警示          only when cases were chosen

``draft_blocks`` decides the outline and every heading number (kb.numbering writes them), so the
Word file and the print page cannot number differently. The same ledger as a spreadsheet:
web.exports.ledger_xlsx."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Mm

from kb.numbering import LIST_NUMBER, POINT_START, numbered
from web.exports.docx import (
    HEADING_FONT,
    body_line,
    cell_text,
    cite,
    column_widths,
    heading,
    minor_heading,
    new_document,
    outline_level,
    subheading,
    title,
    to_bytes,
)

BLANK = "________"
OTHER_TOPIC = "其他"  # the group of problems under no topic, always the last
TABLE_HEADERS = ("序号", "问题", "措施", "责任人", "完成时限", "销号情况")
# The 156 mm text block shared out: the two text columns take what the short ones leave
# (a 12 pt header of n characters needs about 4.3n mm plus the cell margins).
TABLE_WIDTHS = tuple(Mm(w) for w in (13, 41.5, 41.5, 18, 21, 21))
PROBLEMS, CAUSES, MEASURES, CASES = (
    "查摆出的突出问题",
    "问题产生的原因剖析",
    "整改措施和努力方向",
    "典型案例警示",
)
LEDGER_PART, DIRECTION_PART = "整改措施", "努力方向"
REQUIREMENT_LABEL, SHOWN_LABEL = "对照要求：", "具体表现："
NO_PROBLEMS = "（所选要求均已不在文件库中）"
SENTENCE_END = "。！？!?；;"

# Block kinds
HEADING, TEXT, CITE, LEDGER = "heading", "text", "cite", "ledger"


@dataclass
class DraftItem:
    text: str  # verbatim from the index
    citation: str
    gap: str = ""  # the user's own words from here on: the problem in a sentence or two
    example: str = ""  # 具体表现
    measure: str = ""
    owner: str = ""
    deadline: str = ""
    topics: list[str] = field(default_factory=list)  # the requirement's, for the ledger
    group: str = ""  # the topic the user put it under; empty: the requirement's first topic


@dataclass
class DraftCase:
    summary: str
    who: str
    problems: list[str]
    sanctions: list[str]
    text: str
    citation: str


@dataclass
class DraftWords:
    """The person's own words outside the items: who they are and the parts that are not
    about one requirement."""

    unit: str = ""
    person: str = ""  # 姓名 and 职务, as typed
    opening: str = ""  # 开头语: why and how the material was written, before 一、
    causes: list[tuple[str, str]] = field(default_factory=list)  # (part, text), outline order
    direction: str = ""  # 努力方向

    @property
    def byline(self) -> str:
        return "\u3000".join(part for part in (self.unit, self.person) if part)


@dataclass(frozen=True)
class Block:
    """One paragraph of the outline: a heading of ``level`` 1 to 3, a body line, a citation
    (written ——《标题》（…） under what it cites), or the place of the ledger table."""

    kind: str
    text: str = ""
    level: int = 0


def aspect(name: str) -> str:
    """理想信念 -> 理想信念方面, the way such materials head a part (方面 only once)."""
    return name if name.endswith("方面") else f"{name}方面"


def group_of(item: DraftItem) -> str:
    """The topic a problem is listed under: the user's choice, else the requirement's first."""
    return item.group or (item.topics[0] if item.topics else OTHER_TOPIC)


def in_groups(items: Sequence[DraftItem]) -> list[tuple[str, list[DraftItem]]]:
    """The items by topic, the topics in the order the user first used them, 其他 last; inside a
    topic the user's order."""
    groups: dict[str, list[DraftItem]] = {}
    for item in items:
        groups.setdefault(group_of(item), []).append(item)
    other = groups.pop(OTHER_TOPIC, None)
    return list(groups.items()) + ([(OTHER_TOPIC, other)] if other else [])


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def _unnumbered(line: str) -> str:
    """A line without the number the user typed (1. （一） 一是…), which the outline gives."""
    match = LIST_NUMBER.match(line) or POINT_START.match(line)
    return (line[match.end() :] if match else line).strip(" \u3000，,、") or line


def _headline(text: str) -> tuple[str, list[str]]:
    """The problem as a heading (the first sentence of what the person wrote) and the rest."""
    lines = _lines(text)
    if not lines:
        return BLANK, []
    first = _unnumbered(lines[0])
    end = next((i for i, c in enumerate(first) if c in SENTENCE_END), len(first))
    rest = first[end + 1 :].strip()
    return first[: end + 1], ([rest] if rest else []) + lines[1:]


def _own(text: str) -> list[Block]:
    """The person's text as body lines, or a line to write on."""
    return [Block(TEXT, line) for line in _lines(text) or [BLANK]]


def _problem(number: int, item: DraftItem) -> list[Block]:
    headline, rest = _headline(item.gap)
    blocks = [Block(HEADING, numbered(number, 3, headline), 3)]
    blocks += [Block(TEXT, line) for line in rest]
    quoted = _lines(item.text) or [""]
    blocks.append(Block(TEXT, REQUIREMENT_LABEL + quoted[0]))
    blocks += [Block(TEXT, line) for line in quoted[1:]]
    blocks.append(Block(CITE, item.citation))
    shown = _lines(item.example)
    if len(shown) <= 1:
        blocks.append(Block(TEXT, SHOWN_LABEL + (shown[0] if shown else BLANK)))
    else:
        blocks.append(Block(TEXT, SHOWN_LABEL))
        blocks += [
            Block(TEXT, numbered(n, 4, _unnumbered(line))) for n, line in enumerate(shown, 1)
        ]
    return blocks


def draft_blocks(
    items: Sequence[DraftItem], cases: Sequence[DraftCase], words: DraftWords
) -> list[Block]:
    """The body of the material, every heading numbered: what both the Word file and the print
    page lay out."""
    blocks = [Block(TEXT, line) for line in _lines(words.opening)]
    sections = [PROBLEMS, CAUSES, MEASURES] + ([CASES] if cases else [])
    number = dict((name, numbered(n, 1, name)) for n, name in enumerate(sections, 1))

    blocks.append(Block(HEADING, number[PROBLEMS], 1))
    for n, (topic, group) in enumerate(in_groups(items), 1):
        blocks.append(Block(HEADING, numbered(n, 2, aspect(topic)), 2))
        for k, item in enumerate(group, 1):
            blocks += _problem(k, item)
    if not items:
        blocks.append(Block(TEXT, NO_PROBLEMS))

    blocks.append(Block(HEADING, number[CAUSES], 1))
    for n, (part, text) in enumerate(words.causes, 1):
        blocks.append(Block(HEADING, numbered(n, 2, aspect(part)), 2))
        blocks += _own(text)
    if not words.causes:
        blocks += _own("")

    blocks.append(Block(HEADING, number[MEASURES], 1))
    blocks.append(Block(HEADING, numbered(1, 2, LEDGER_PART), 2))
    blocks.append(Block(LEDGER))
    blocks.append(Block(HEADING, numbered(2, 2, DIRECTION_PART), 2))
    blocks += _own(words.direction)

    if cases:
        blocks.append(Block(HEADING, number[CASES], 1))
    for n, case in enumerate(cases, 1):
        blocks.append(Block(HEADING, numbered(n, 2, case.summary), 2))
        if case.who:
            blocks.append(Block(TEXT, f"当事人：{case.who}"))
        if case.problems:
            blocks.append(Block(TEXT, f"问题类别：{'、'.join(case.problems)}"))
        if case.sanctions:
            blocks.append(Block(TEXT, f"处理结果：{'、'.join(case.sanctions)}"))
        blocks.append(Block(CITE, case.citation))
    return blocks


def ledger_cells(items: Sequence[DraftItem]) -> list[tuple[str, ...]]:
    """The ledger table's rows under TABLE_HEADERS, numbered in the order the problems are
    listed."""
    return [
        (str(n), item.gap or item.text, item.measure, item.owner, item.deadline, "")
        for n, item in enumerate(items, 1)
    ]


def _ledger(document, items: Sequence[DraftItem]) -> None:
    table = document.add_table(rows=1, cols=len(TABLE_HEADERS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, name in zip(table.rows[0].cells, TABLE_HEADERS, strict=True):
        cell_text(cell, name, HEADING_FONT)
    for values in ledger_cells(items):
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell_text(cell, value)
    column_widths(table, TABLE_WIDTHS)


def build_draft_docx(
    title_text: str,
    items: list[DraftItem],
    cases: list[DraftCase],
    notes: Sequence[str] = (),
    words: DraftWords | None = None,
) -> bytes:
    """The material as .docx bytes; the unit typed is the file's author. ``items`` are listed
    by topic (``in_groups``), and so numbered in the ledger."""
    words = words or DraftWords()
    items = [item for _, group in in_groups(items) for item in group]
    document = new_document(title_text, author=words.unit)
    title(document, title_text, "".join(notes), words.byline)
    headings = {1: heading, 2: subheading, 3: minor_heading}
    for block in draft_blocks(items, cases, words):
        if block.kind == HEADING:
            outline_level(headings[block.level](document, block.text), block.level)
        elif block.kind == CITE:
            cite(document, block.text)
        elif block.kind == LEDGER:
            _ledger(document, items)
        else:
            body_line(document, block.text)
    return to_bytes(document)
