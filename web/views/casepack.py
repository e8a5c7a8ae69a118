"""案例教材 for trainers: pick typical cases with the case library's filters, keep them in a
pack (in the browser), export a numbered Word document with a cover page or a printable page.
Case texts and sources come from the index; only the pack's order, cover lines and the
讨论题 choice come from the browser."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, render_template, request

from web.exports.casepack_docx import COVER_LINE, build_casepack_docx
from web.exports.cover_title import title_lines, word_boundaries
from web.exports.draft_docx import DraftCase
from web.state import searcher
from web.views.cases import case_listing
from web.views.draft import attachment, case_entry
from web.views.posted import malformed, posted_list, posted_text, refuse

blueprint = Blueprint("casepack", __name__)

MAX_CASES = 200
DEFAULT_TITLE = "典型案例警示教育材料"
WHAT = "案例教材"


@dataclass
class Pack:
    title: str
    unit: str
    date: str
    questions: bool
    cases: list[DraftCase]
    notes: list[str] = field(default_factory=list)


def read_pack() -> Pack:
    """The posted pack (hidden field ``pack``: a JSON list of case ids), resolved."""
    ids = posted_list("pack", MAX_CASES, WHAT)
    if not ids:
        refuse("案例教材中还没有案例，没有导出。请先从案例库加入案例。")
    cases: list[DraftCase] = []
    skipped = 0
    for case_id in ids:
        if not isinstance(case_id, str):
            malformed(WHAT)
        case = searcher().case(case_id[:100]) if case_id else None
        if case is None:
            skipped += 1
        else:
            cases.append(case_entry(case))
    return Pack(
        title=posted_text("title", 60) or DEFAULT_TITLE,
        unit=posted_text("unit", 100),
        date=posted_text("date", 40),
        questions=request.form.get("questions") in ("1", "on", "true"),
        cases=cases,
        notes=[f"另有 {skipped} 个案例已不在索引中，未导出。"] if skipped else [],
    )


@blueprint.get("/casepack")
def casepack_page():
    return render_template("casepack.html", **case_listing(request.args, "casepack.casepack_page"))


@blueprint.post("/casepack/export.docx")
def export_docx():
    pack = read_pack()
    breaks = word_boundaries(searcher().segmenter, pack.title)
    data = build_casepack_docx(
        pack.title, pack.unit, pack.date, pack.cases, pack.questions, pack.notes, breaks
    )
    return attachment(data, pack.title)


@blueprint.post("/casepack/print")
def print_page():
    pack = read_pack()
    lines = title_lines(pack.title, COVER_LINE, word_boundaries(searcher().segmenter, pack.title))
    return render_template("casepack_print.html", pack=pack, title_lines=lines)
