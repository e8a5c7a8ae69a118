"""对照检查 draft: the chosen requirements with the user's own text, exported as a 公文-style
Word document, a printable page or its 问题清单 and 整改台账 as a spreadsheet. The browser
sends ids and the user's words only; every quoted sentence and every case is re-read from
the index, so nothing quoted is invented."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from flask import Blueprint, Response, render_template

from kb.results import CaseRecord
from kb.workbench import CausePart, load_causes
from web.exports.citation import citation
from web.exports.draft_docx import (
    OTHER_TOPIC,
    TABLE_HEADERS,
    DraftCase,
    DraftItem,
    DraftWords,
    aspect,
    build_draft_docx,
    draft_blocks,
    in_groups,
    ledger_cells,
)
from web.exports.ledger_xlsx import build_ledger_xlsx
from web.state import searcher, settings
from web.text import clean_text
from web.views.posted import malformed, posted_list, posted_text, refuse
from web.views.requirements import resolve

blueprint = Blueprint("draft", __name__)

MAX_ITEMS = 100
MAX_CASES = 10
MAX_TEXT = 4000
MAX_FIELD = 200
DEFAULT_TITLE = "对照检查材料"
WHAT = "对照检查材料"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOTHING_TO_EXPORT = "对照检查中还没有要求，没有导出。请先从要求清单加入要求。"
NOTHING_TO_LIST = (
    "对照检查中还没有可导出的要求，没有生成问题清单和整改台账。请先从要求清单加入要求。"
)


@dataclass
class Draft:
    title: str
    items: list[DraftItem]  # listed by topic (draft_docx.in_groups), as every export numbers them
    cases: list[DraftCase]
    notes: list[str] = field(default_factory=list)
    words: DraftWords = field(default_factory=DraftWords)


def causes() -> list[CausePart]:
    """The parts of 原因剖析 (corpus/dict/draft_causes.txt, or the dictionaries folder's)."""
    return load_causes(settings().dictionaries)


def topic_names() -> list[str]:
    """The topics a problem may be put under (topics.txt order)."""
    return list(searcher().segmenter.dictionaries.topics.names)


def read_words() -> DraftWords:
    """The form's fields outside the items: 单位, 姓名职务, 开头语, each 原因剖析 part
    (``cause.<part>``) and 努力方向; cleaned and cut to their limits, empty when left out."""
    return DraftWords(
        unit=posted_text("unit", MAX_FIELD),
        person=posted_text("person", MAX_FIELD),
        opening=posted_text("opening", MAX_TEXT),
        causes=[(part.name, posted_text(f"cause.{part.name}", MAX_TEXT)) for part in causes()],
        direction=posted_text("direction", MAX_TEXT),
    )


def _text(value: object, limit: int) -> str:
    """A string or number the user typed (strings arrive cleaned); anything else is empty."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    return str(value).strip()[:limit]


def case_entry(case: CaseRecord) -> DraftCase:
    """A case as the exports summarise it, with its source citation."""
    return DraftCase(
        summary=case.summary,
        who="，".join(p for p in (case.unit, case.position, case.person) if p),
        problems=list(case.problems),
        sanctions=list(case.sanctions),
        text=case.text,
        citation=citation(case.title, case.doc_no, case.date),
    )


def read_draft() -> Draft:
    """The posted draft (hidden field ``draft``: a JSON list), resolved against the index.
    Malformed input is a 400 saying so; unknown ids are skipped with a note."""
    items = posted_list("draft", MAX_ITEMS, WHAT)
    if not items:
        refuse(NOTHING_TO_EXPORT)
    title = posted_text("title", 60) or DEFAULT_TITLE
    resolved: list[DraftItem] = []
    cases: list[DraftCase] = []
    seen_cases: set[str] = set()
    skipped = skipped_cases = 0
    known_topics = set(topic_names()) | {OTHER_TOPIC}
    for raw in items:
        chosen = (raw.get("cases") or []) if isinstance(raw, dict) else None
        if not isinstance(chosen, list):
            malformed(WHAT)
        found = resolve(_text(raw.get("id"), 100))
        topic = _text(raw.get("topic"), MAX_FIELD)  # unknown: the requirement's own
        if found is None:
            skipped += 1
            continue
        resolved.append(
            DraftItem(
                text=found.record.full_text,
                citation=found.citation,
                gap=_text(raw.get("gap"), MAX_TEXT),
                example=_text(raw.get("example"), MAX_TEXT),
                measure=_text(raw.get("measure"), MAX_TEXT),
                owner=_text(raw.get("owner"), MAX_FIELD),
                deadline=_text(raw.get("deadline"), MAX_FIELD),
                topics=list(found.record.topics),
                group=topic if topic in known_topics else "",
            )
        )
        for case_id in chosen[:MAX_CASES]:
            case_id = _text(case_id, 100)
            if case_id in seen_cases:
                continue
            seen_cases.add(case_id)
            case = searcher().case(case_id) if case_id else None
            if case is None:
                skipped_cases += 1
            else:
                cases.append(case_entry(case))
    notes = []
    if skipped:
        notes.append(f"另有 {skipped} 条要求已不在索引中，未导出。")
    if skipped_cases:
        notes.append(f"另有 {skipped_cases} 个案例已不在索引中，未导出。")
    grouped = [item for _, group in in_groups(resolved) for item in group]
    return Draft(title, grouped, cases, notes, read_words())


def attachment(
    data: bytes, title: str, suffix: str = ".docx", mimetype: str = DOCX_MIME
) -> Response:
    """A file to download, named after its title (every export answers with this)."""
    name = quote(clean_text(title) + suffix)
    return Response(
        data,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f"attachment; filename=export{suffix}; filename*=UTF-8''{name}"
        },
    )


@blueprint.get("/draft")
def draft_page():
    return render_template("draft.html", causes=causes(), topics=topic_names(), aspect=aspect)


@blueprint.post("/draft/export.docx")
def export_docx():
    draft = read_draft()
    data = build_draft_docx(draft.title, draft.items, draft.cases, draft.notes, draft.words)
    return attachment(data, draft.title)


@blueprint.post("/draft/export.xlsx")
def export_xlsx():
    """The 整改台账 and 问题清单 workbook; an empty draft is a message, not an empty file."""
    draft = read_draft()
    if not draft.items:
        refuse(NOTHING_TO_LIST + "".join(draft.notes))
    data = build_ledger_xlsx(draft.title, draft.items, draft.notes, draft.words.unit)
    return attachment(data, f"{draft.title}（整改台账）", ".xlsx", XLSX_MIME)


@blueprint.post("/draft/print")
def print_page():
    draft = read_draft()
    blocks = draft_blocks(draft.items, draft.cases, draft.words)
    return render_template(
        "draft_print.html",
        draft=draft,
        blocks=blocks,
        headers=TABLE_HEADERS,
        ledger=ledger_cells(draft.items),
    )
