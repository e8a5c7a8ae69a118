"""Document structure: title, heading paths, passages, and metadata read off the text.

Decides only; no I/O. Rules follow the habits of Chinese official documents:
headings 一、 / （一） / 1. / （1）, 第X章 / 第X节, articles 第X条 (a passage under its chapter),
run-in headings (a numbered paragraph whose first sentence is its heading), 一是/二是 sub-points
as preferred split points of long paragraphs, a signature block (issuer line, date line).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from kb.dates import DATE_SHAPE, adopted_date, date_line, find_date, month_line
from kb.docno import find_doc_nos, normalize_doc_no
from kb.doctypes import DocTypes, default_doc_types, infer_doc_type, strip_title_note
from kb.folding import normalize_space
from kb.model import Block, Extracted, Passage
from kb.numbering import (
    ARTICLE,
    ATTACHMENT,
    POINT,
    SPOKEN_HEADING,
    SPOKEN_RANK,
    heading_rank,
    rank_of_level,
    strip_heading_number,
)

# Heading forms and their ranks (heading_rank), 第X条, 一是 and 附件 are kb.numbering's.
_LEAD_SENTENCE = re.compile(r"^(.{2,60}?)[。：:！？]")
_SENTENCE = re.compile(r"[^。！？；;!?]*(?:[。！？；;!?]+[”’」』）)]*|$)")

MAX_PASSAGE = 500
TARGET_PASSAGE = 200
HEADING_MAX = 40

_SPEAKER = re.compile(
    r"^(?P<role>[\u4e00-\u9fa5、]{0,20}(?:书记|主任|区长|市长|县长|省长|部长|局长|主席|委员|组长|镇长|乡长|校长|总理|常委))"
    r"\s+(?P<name>[\u4e00-\u9fa5]{2,4})$"
)
_ISSUER_LINE = re.compile(r"^[\u4e00-\u9fa5（）()“”\s]{3,40}$")
# How the closing part of a notice begins, after its numbered items or cases ("以上4起问题……",
# "区纪委监委强调：", "各级党组织要……"). kb.cases segments cases with the same pattern.
NOTICE_CLOSING = re.compile(
    r"^(?:(?:上述|以上|这些)[^，。]{0,16}(?:问题|案例|案件|事故|典型)"
    r"|(?:中央纪委国家监委|[^，。]{0,20}(?:纪委监委|纪委|负责人|工作专班))[^，。]{0,6}(?:指出|强调|要求)[，,：:]"
    r"|各级(?:党组织|纪检监察机关|党员干部|领导干部|党委)"
    r"|各(?:单位|部门|地区|学校|街道|镇乡)[^，。]{0,12}要"
    r"|(?:全区|全市|全省|全县|广大)(?:各级|党员干部)"
    r"|从(?:近年|近期|查处|这些)"
    r"|为(?:深刻|进一步|切实)?(?:吸取|汲取)"
    r"|本(?:汇编|通报)将)"
)
_ATTACHMENT_START = re.compile(r"^附\s*件\s*\d*$")
_ISSUER_AND_DATE = re.compile(
    r"^(?P<issuer>[\u4e00-\u9fa5（）()]{2,40}(?:办公厅|办公室|委员会|政府|党委|党组|局|部|委|院|厅))"
    rf"\s+(?P<date>{DATE_SHAPE})$"
)
_LETTERHEAD = re.compile(r"^[\u4e00-\u9fa5\s]{2,40}文件$")
_ORG_NAME = re.compile(
    r"^[\u4e00-\u9fa5\s]{2,40}(?:办公厅|办公室|委员会|政府|党委|党组|局|部|委|院|厅|署|中心)$"
)
_ADDRESSEE = re.compile(r"^(?:同志们|各[^。]{1,78})[：:]$")


# Labelled metadata blocks of government sites: "发文字号： 国办发〔2004〕7号 发布日期： …".
_LABEL = re.compile(
    r"(发文字号|发文机关|成文日期|发布日期|标\s*题|索\s*引\s*号|主题分类|主\s*题\s*词)\s*[:：]"
)


def _labelled_fields(lines: list[str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in lines:
        matches = list(_LABEL.finditer(line))
        for i, m in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
            label = re.sub(r"\s", "", m.group(1))
            fields.setdefault(label, line[m.end() : end].strip())
    return fields


@dataclass
class Outline:
    """The result of reading a document's text."""

    title: str
    passages: list[Passage] = field(default_factory=list)
    doc_type: str = "其他"
    date: str = ""
    issuer: str = ""
    doc_no: str = ""
    speaker: str = ""
    month: str = ""  # YYYY-MM when the text dates itself by month only (2024年12月)
    # Lines that only carry metadata (letterhead, 发文字号, speaker, dates, addressee, signature):
    # (place, text), placed before the passage numbered ``place`` (len(passages): at the end).
    meta_lines: list[tuple[int, str]] = field(default_factory=list)


def split_long(text: str) -> list[str]:
    """Cut a long paragraph at sentence ends, preferring 一是/二是 starts; keeps every char."""
    if len(text) <= MAX_PASSAGE:
        return [text]
    sentences = [s for s in _SENTENCE.findall(text) if s]
    chunks: list[str] = []
    current = ""
    for sentence in sentences:
        starts_subpoint = bool(POINT.match(sentence.lstrip()))
        if current and (
            (starts_subpoint and len(current) >= TARGET_PASSAGE // 2)
            or len(current) + len(sentence) > MAX_PASSAGE
            and len(current) >= TARGET_PASSAGE // 2
        ):
            chunks.append(current)
            current = ""
        current += sentence
    if current:
        chunks.append(current)
    return [c.strip() for c in chunks if c.strip()]


def _issuer_from_title(title: str) -> str:
    m = re.match(r"^(.{2,40}?)关于", title)
    if m and re.search(
        r"(?:委员会|委|政府|办公厅|办公室|部|局|院|厅|监委|纪委|中心|党组|组织部)$", m.group(1)
    ):
        return m.group(1).strip()
    return ""


def read_outline(
    source: Extracted | str, fallback_title: str = "", doc_types: DocTypes | None = None
) -> Outline:
    """Split a document into title, metadata and passages with heading paths; ``doc_types``
    defaults to the project's own list (corpus/dict)."""
    doc_types = doc_types or default_doc_types()
    extracted = source if isinstance(source, Extracted) else Extracted.from_text(source)
    blocks = [Block(normalize_space(b.text), b.heading_level, b.in_table) for b in extracted.blocks]
    blocks = [b for b in blocks if b.text]
    given_title = normalize_space(extracted.title)
    if not blocks:
        return Outline(title=given_title or fallback_title)

    letterhead, letterhead_lines, blocks = _letterhead(blocks)
    first = blocks[0].text if blocks else ""
    title_in_text = True
    if blocks and not given_title:
        blocks = _join_title_lines(blocks, doc_types)
        first = blocks[0].text
    if not blocks:
        return Outline(title=given_title or fallback_title, issuer=letterhead)
    if given_title:
        title = given_title
        if first == given_title:
            blocks = blocks[1:]
    elif blocks[0].in_table:
        title, blocks = _title_after_table(blocks, doc_types)
        title_in_text = bool(title)
        title = title or fallback_title
    elif heading_rank(first) is None and not _SALUTATION.match(first) and len(first) <= 120:
        title = first
        blocks = blocks[1:]
    else:
        title = _title_from_content([b.text for b in blocks]) or fallback_title
        title_in_text = False
    lines = [b.text for b in blocks]
    levels = [b.heading_level for b in blocks]
    outline = Outline(title=title, issuer=letterhead)

    # Metadata lines near the top and the signature block at the end.
    # Lines that only carry metadata (发文字号, speaker, dates, signature, addressee) are not
    # passages: a hit on them would show nothing worth reading.
    skip: set[int] = set()
    head = lines[:15]
    labelled = _labelled_fields(head)
    outline.doc_no = normalize_doc_no(labelled.get("发文字号", ""))
    outline.issuer = labelled.get("发文机关", "") or outline.issuer
    outline.date = find_date(labelled.get("成文日期", "") or labelled.get("发布日期", ""))
    for i, line in enumerate(head):
        if _LABEL.search(line):
            skip.add(i)
            continue
        nos = find_doc_nos(line)
        if nos and len(line) - (nos[0].end - nos[0].start) <= 4:
            skip.add(i)
            outline.doc_no = outline.doc_no or nos[0].normal
        signed = _ISSUER_AND_DATE.match(line)
        if signed and find_date(signed.group("date")):
            skip.add(i)
            outline.issuer = outline.issuer or normalize_space(signed.group("issuer"))
            outline.date = outline.date or find_date(signed.group("date"))
            continue
        adopted = adopted_date(line)  # （2024年12月27日……全体会议通过）
        if adopted:
            skip.add(i)
            outline.date = outline.date or adopted
            continue
        speaker = _SPEAKER.match(line)
        if speaker:
            skip.add(i)
            outline.speaker = outline.speaker or speaker.group("name")
        if date_line(line):
            skip.add(i)
        if _ADDRESSEE.match(line):
            skip.add(i)
    if not outline.doc_no:
        title_nos = find_doc_nos(title)
        if title_nos:
            outline.doc_no = title_nos[0].normal

    # The signing date closes the main text; an attachment after it has dates of its own.
    main_end = next(
        (i for i in range(len(lines) // 3, len(lines)) if _ATTACHMENT_START.match(lines[i])),
        len(lines),
    )
    date_index = None
    for i in range(main_end - 1, max(main_end - 12, -1), -1):
        if date_line(lines[i]):
            date_index = i
            break
    if date_index is not None:
        outline.date = outline.date or date_line(lines[date_index])
        skip.add(date_index)
        # Jointly issued documents sign with one issuer per line, right above the date.
        signers: list[str] = []
        for i in (date_index - 1, date_index - 2):
            line = lines[i] if i >= 0 else ""
            if not (_ISSUER_LINE.match(line) and heading_rank(line) is None and len(line) <= 30):
                break
            signers.insert(0, normalize_space(line))
            skip.add(i)
        if signers:
            outline.issuer = outline.issuer or " ".join(signers)
    if not outline.date:
        outline.date = next((d for d in map(date_line, head) if d), "")
    if extracted.date:
        outline.date = extracted.date
    if not outline.date:
        outline.month = next((m for m in map(month_line, [*lines[:15], *lines[-6:]]) if m), "")
    if not outline.issuer:
        outline.issuer = _issuer_from_title(title)
    body_start = next((line for i, line in enumerate(lines) if i not in skip), "")
    outline.doc_type = infer_doc_type(title, body_start, "\n".join(lines[:80]), doc_types)

    kept = [i for i in range(len(lines)) if i not in skip]
    starts: list[int] = []
    outline.passages = _passages([lines[i] for i in kept], [levels[i] for i in kept], starts)
    shift = 0
    if title_in_text and title:
        # The title is a passage too, ranked like a heading: words found only in the title
        # (述职述廉) still find the document, and quoted search covers titles.
        outline.passages.insert(0, Passage(text=title, section=(), heading=True))
        shift = 1
    # Metadata lines are not passages to read, but quoted search is grep over the whole
    # document: each is kept with the place it stands at.
    outline.meta_lines = [(0, line) for line in letterhead_lines]
    for i in sorted(skip):
        following = bisect.bisect_right(kept, i)
        place = starts[following] + shift if following < len(kept) else len(outline.passages)
        outline.meta_lines.append((place, lines[i]))
    return outline


def _letterhead(blocks: list[Block]) -> tuple[str, list[str], list[Block]]:
    """Strip a red-header letterhead (发展改革委办公厅 文件 / 税务总局办公厅) off the top;
    its names are the issuers. Returns (issuers, the letterhead's lines, the rest)."""
    if not blocks or not _LETTERHEAD.match(blocks[0].text):
        return "", [], blocks
    names = [re.sub(r"\s*文件$", "", blocks[0].text)]
    rest = blocks[1:]
    while rest and len(names) < 4 and _ORG_NAME.match(rest[0].text):
        names.append(rest[0].text)
        rest = rest[1:]
    # The 发文字号 usually follows the letterhead and precedes the title.
    nos = find_doc_nos(rest[0].text) if rest else []
    if nos and len(rest[0].text) - (nos[0].end - nos[0].start) <= 4 and len(rest) > 1:
        rest = [rest[1], rest[0], *rest[2:]]
    lines = [b.text for b in blocks[: len(blocks) - len(rest)]]
    return " ".join(normalize_space(n) for n in names), lines, rest


def _title_after_table(blocks: list[Block], doc_types: DocTypes) -> tuple[str, list[Block]]:
    """A text that opens with a table (a form, a 台账): its first cell or row, even one that
    looks like a heading (一、基本情况, 序号　问题), is no title; the line right after the table
    is, when it reads like one. Returns (title or "", the blocks without the title line)."""
    end = next((i for i, b in enumerate(blocks) if not b.in_table), len(blocks))
    table, rest = blocks[:end], _join_title_lines(blocks[end:], doc_types)
    line = rest[0].text if rest else ""
    if (
        line
        and len(line) <= 120
        and heading_rank(line) is None
        and not _SALUTATION.match(line)
        and not re.search(r"[。；;，,：:！？]$", line)
    ):
        return line, table + rest[1:]
    return "", table + rest


def _join_title_lines(blocks: list[Block], doc_types: DocTypes) -> list[Block]:
    """A title printed on two or three lines (PDFs, centred): join them back when the lines
    read as one title — short, no sentence punctuation, ending in a document-type word."""
    for count in (3, 2):
        if len(blocks) < count:
            continue
        parts = [b.text for b in blocks[:count]]
        joined = "".join(parts)
        if (
            all(len(p) <= 40 and not re.search(r"[。；：:，,]$", p) for p in parts)
            and doc_types.ends_like_title(joined)
            and not doc_types.ends_like_title(strip_title_note(parts[0]))
            and not any(later in parts[0] for later in parts[1:])
            and all(heading_rank(p) is None and not find_doc_nos(p) for p in parts)
            and not any(b.in_table for b in blocks[:count])
        ):
            return [Block(joined), *blocks[count:]]
    return blocks


# How a speech names itself when its text runs on from its title (a database row without
# paragraph breaks): (县委书记张明同志)在全县作风建设动员大会上的讲话（2024年3月5日）同志们：……
_SPEECH_NAME = re.compile(
    r"^((?:[^\s，。：:；]{1,20}?同志)?在[^。！？；，：:]{2,60}?上的(?:讲话|发言|致辞))(?!精神)"
)
# The meeting a speech says it opens today: 今天，县委召开全县作风建设动员大会，……
_MEETING = re.compile(
    r"今天[^。；！？]{0,20}?(?:召开|举行)了?(?:一个|一次)?([^，。；、：:“”]{2,30}?"
    r"(?:大会|会议|全会|座谈会|推进会|动员会|部署会|报告会|交流会|培训班|开班式))"
    r"(?=[，。；、：:]|$|上|的)"
)
_NOT_A_NAME = re.compile(r"^(?:这|此|本)")  # 召开这次会议 names no meeting
# How a speech greets its hearers: 同志们： 同志们，朋友们： 女士们，先生们，同志们：
_SALUTATION = re.compile(
    r"^(?:(?:同志|朋友|同胞|女士|先生|同学|老师|代表)们[，,、]?){1,4}[：:！!]?"
)
_TITLE_MAX = 30


def _title_from_content(lines: list[str]) -> str:
    """A title for a text without one, as a reader would name it: the speech's own words
    (在……上的讲话) when its text runs on from them, else the meeting a speech opens with
    (在全县……动员大会上的讲话), else its first heading or first sentence, never cut in the
    middle of a clause; marked as a speech when it opens by greeting its hearers (同志们：)."""
    named = _SPEECH_NAME.match(lines[0])
    if named:
        return named.group(1)
    speech = bool(_SALUTATION.match(lines[0]))
    opening = _SALUTATION.sub("", "".join(lines[:3]))[:120]
    meeting = next(
        (m.group(1) for m in _MEETING.finditer(opening) if not _NOT_A_NAME.match(m.group(1))),
        "",
    )
    if meeting:
        return f"在{meeting}上的讲话"
    heading = next((line for line in lines if heading_rank(line) in (1, 3)), "")
    if heading:
        core = strip_heading_number(heading, (1, 3))
    else:
        core = next((c for c in (_SALUTATION.sub("", line) for line in lines[:2]) if c), "")
    core = re.split(r"[。！？；]", core)[0].strip()
    if len(core) > _TITLE_MAX:
        clause_end = core.rfind("，", 0, _TITLE_MAX)
        core = core[:clause_end] if clause_end >= 4 else core[:_TITLE_MAX]
    if not core:
        return ""
    return f"讲话：{core}" if speech else core


def _passages(
    lines: list[str], levels: list[int | None] | None = None, starts: list[int] | None = None
) -> list[Passage]:
    """Passages of the body ``lines``; ``starts`` receives, per line, the number of the
    passage it begins with (a long line makes several)."""
    stack: list[tuple[float, str]] = []
    run_in: set[str] = set()  # headings taken from the first sentence of a paragraph
    passages: list[Passage] = []

    def push(rank: float, heading: str) -> None:
        while stack and stack[-1][0] >= rank:
            stack.pop()
        stack.append((rank, heading))

    def heading_passage(rank: int, line: str) -> None:
        # Headings are passages too (a quoted phrase in a heading must be found), but they
        # rank below the text they head (kb.ranking.HEADING_FACTOR).
        push(rank, line)
        passages.append(Passage(text=line, section=tuple(h for _, h in stack[:-1]), heading=True))

    levels = levels or [None] * len(lines)
    for line, level in zip(lines, levels, strict=True):
        if starts is not None:
            starts.append(len(passages))
        if ATTACHMENT.match(line) and len(line) <= HEADING_MAX:
            stack.clear()
            heading_passage(0, line)
            continue
        rank = heading_rank(line)
        if rank is None and level is not None:
            # A heading by its style (Word, HTML, Markdown) without a number of its own.
            heading_passage(rank_of_level(level), line)
            continue
        if rank is not None and not ARTICLE.match(line):
            ends_sentence = line.endswith(("。", "；", ";"))
            if len(line) <= HEADING_MAX and not ends_sentence:
                heading_passage(rank, line)
                continue
            lead = _LEAD_SENTENCE.match(line)
            if lead:
                push(rank, lead.group(1))
                run_in.add(lead.group(1))
        elif SPOKEN_HEADING.match(line) and (lead := _LEAD_SENTENCE.match(line)):
            push(SPOKEN_RANK, lead.group(1))
            run_in.add(lead.group(1))
        elif NOTICE_CLOSING.match(line):
            # "以上4起问题……" ends the last numbered item (a case): the closing part of a
            # notice stands under the headings above the items, not under the last item.
            while stack and stack[-1][1] in run_in:
                stack.pop()
        section = tuple(heading for _, heading in stack)
        for chunk in split_long(line):
            passages.append(Passage(text=chunk, section=section))
    return passages
