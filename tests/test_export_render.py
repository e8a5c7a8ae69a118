"""Every Word export rendered by LibreOffice and looked at (issue 16 item 4, page numbers):
each page carries “— n —” under its text, odd pages on the right and even ones on the left,
numbered 1 to the page count; no heading is left alone at the foot of a page. The PDFs are
kept in test-artifacts/ (not committed) for review."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest
from docx import Document as WordDocument
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from kb.numbering import heading_level
from tests.conftest import prerequisite
from tests.word_exports import EXPORTS, PERSON, UNIT

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
INSTALL = "python3 dev.py test installs it as root on Debian/Ubuntu"
pytestmark = prerequisite(bool(SOFFICE), f"converter LibreOffice is not installed ({INSTALL})")

LEFT_MARGIN, BOTTOM_MARGIN = Mm(28).pt, Mm(35).pt
NUMBER_INDENT = Pt(14).pt  # 空一字 of 4号


@pytest.fixture(scope="module")
def rendered(client, tmp_path_factory) -> dict[str, tuple[bytes, pypdf.PdfReader]]:
    """Each export as its .docx bytes and the PDF LibreOffice makes of it (one soffice run)."""
    folder = tmp_path_factory.mktemp("exports")
    files = {}
    for name, (build, _, _) in EXPORTS.items():
        files[name] = build(client)
        (folder / f"{name}.docx").write_bytes(files[name])
    profile = tmp_path_factory.mktemp("soffice-profile")
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless"]
        + ["--convert-to", "pdf", "--outdir", str(folder)]
        + [str(folder / f"{name}.docx") for name in files],
        check=True,
        capture_output=True,
        timeout=300,
    )
    ARTIFACTS.mkdir(exist_ok=True)
    for name in files:
        shutil.copy(folder / f"{name}.pdf", ARTIFACTS / f"export-{name}.pdf")
    return {
        name: (data, pypdf.PdfReader(io.BytesIO((folder / f"{name}.pdf").read_bytes())))
        for name, data in files.items()
    }


def _footer(page) -> tuple[str, float, float]:
    """The page-number line: its text, where it starts (x) and its baseline (y), in points."""
    pieces: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, font, size):
        if text and text != "\n":
            pieces.append((_spaces(text), tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]))

    page.extract_text(visitor_text=visit)
    lowest = min(y for text, _, y in pieces if text.strip())
    line = [(text, x) for text, x, y in pieces if abs(y - lowest) < 1]
    return "".join(text for text, _ in line), min(x for text, x in line if text.strip()), lowest


def _spaces(text: str) -> str:
    """Text with U+3000 read as a space: where the fallback font draws both with one glyph (a
    document that uses 案例一　… has both), pypdf reads the footer's spaces back as U+3000."""
    return text.replace("\u3000", " ")


# Pages before the numbered body: the 案例教材's cover carries no number (its body is page 1).
UNNUMBERED = {"casepack": 1}


@pytest.mark.parametrize("name", EXPORTS)
def test_every_page_numbered_odd_right_even_left(rendered, name):
    _, pdf = rendered[name]
    assert len(pdf.pages) >= 2, "the export is meant to fill several pages"
    front = UNNUMBERED.get(name, 0)
    for page in pdf.pages[:front]:
        assert not re.search(r"—\s*\d+\s*—", page.extract_text()), "a cover has no number"
    for number, page in enumerate(pdf.pages[front:], 1):
        text, x, y = _footer(page)
        assert text == f"— {number} —", (number, text)
        assert _spaces(page.extract_text()).rstrip().endswith(f"— {number} —")
        assert y < BOTTOM_MARGIN - Mm(5).pt, "the number sits under the text block"
        middle = float(page.mediabox.width) / 2
        if number % 2:
            assert x > middle, (number, x)
        else:
            assert abs(x - (LEFT_MARGIN + NUMBER_INDENT)) < 3, (number, x)
    # The last page's number is the page count after the cover: nothing skipped on the way.
    assert _footer(pdf.pages[-1])[0] == f"— {len(pdf.pages) - front} —"


@pytest.mark.parametrize("name", EXPORTS)
def test_no_heading_ends_a_page(rendered, name):
    data, pdf = rendered[name]
    headings = {  # by their look (黑体, 楷体 or bold at the left), not by the setting under test
        p.text.strip()
        for p in WordDocument(io.BytesIO(data)).paragraphs
        if p.text.strip()
        and p.alignment is None
        and not p.text.startswith("（备注")
        and (
            p.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) in ("黑体", "楷体_GB2312")
            or p.runs[0].font.bold
        )
    }
    assert headings
    seen = 0
    for number, page in enumerate(pdf.pages[UNNUMBERED.get(name, 0) :], 1):
        lines = [line.strip() for line in page.extract_text().splitlines() if line.strip()]
        if lines[0].replace("\u3000", "").replace(" ", "") == "目录":
            continue  # the 目录 lists the headings' text, one per line
        body = lines[:-1]  # the last line is the page number
        seen += sum(1 for line in body if line in headings)
        assert body and body[-1] not in headings, (number, body[-1:])
    assert seen, "no heading found in the rendered text: the check would prove nothing"


def test_casepack_cover_contents_and_cases_as_rendered(rendered):
    """What LibreOffice prints: the cover title whole on its page, the 目录 (the TOC field's
    cached entries, which LibreOffice does not rebuild) from page 1, then the first case."""
    _, pdf = rendered["casepack"]
    cover, contents = (page.extract_text() for page in pdf.pages[:2])
    assert "警示教育读本" in cover.replace(" ", "")
    lines = [line.strip().replace(" ", "") for line in contents.splitlines() if line.strip()]
    assert lines[0].replace("\u3000", "") == "目录" and _spaces(lines[-1]) == "— 1 —"
    entries = "".join(lines[1:-1])  # a long entry wraps
    assert entries.startswith("案例一") and 0 < entries.index("案例二") < entries.index("案例三")
    first_heading = entries[: entries.index("案例二")]
    starts = [
        number
        for number, page in enumerate(pdf.pages)
        if page.extract_text().strip().replace(" ", "").replace("\n", "").startswith(first_heading)
    ]
    assert starts[0] >= 2, "the first case begins after the 目录, on a page of its own"


def _lines(page) -> list[str]:
    """A page's lines as LibreOffice laid them out, without the spaces text extraction adds."""
    text = _spaces(page.extract_text())
    return [line.replace(" ", "") for line in text.splitlines() if line.strip()]


def test_draft_parts_and_headings_as_rendered(rendered):
    """The 对照检查材料 as printed: title, byline and opening on page 1, then the four parts in order,
    each heading on a line of its own, problems under their topic, every citation
    ——《标题》（…）, the ledger under 三、, and the last page numbered with the page count."""
    data, pdf = rendered["draft"]
    pages = [_lines(page) for page in pdf.pages]
    first = pages[0]
    assert first[0] == "对照检查材料"
    assert first[1] == (UNIT + PERSON).replace("\u3000", "").replace(" ", "")
    assert first[2].startswith("按照这次组织生活会的安排")  # the opening, then 一、
    flow = [(number, line) for number, lines in enumerate(pages, 1) for line in lines[:-1]]
    lines = [line for _, line in flow]
    parts = [
        "一、查摆出的突出问题",
        "二、问题产生的原因剖析",
        "三、整改措施和努力方向",
        "四、典型案例警示",
    ]
    at = [lines.index(part) for part in parts]
    assert at == sorted(at), "the parts in their order"
    word = [p.text for p in WordDocument(io.BytesIO(data)).paragraphs]
    topics = [t for t in word[: word.index(parts[1])] if heading_level(t) == 2]
    assert topics and topics[-1] == f"（{'一二三四五六七八九十'[len(topics) - 1]}）其他方面"
    assert [line for line in lines[at[0] : at[1]] if line in topics] == topics
    causes = [line for line in lines[at[1] : at[2]] if heading_level(line) == 2]
    assert causes[:4] == ["（一）理想信念方面", "（二）宗旨意识方面", "（三）纪律规矩方面"] + [
        "（四）担当作为方面"
    ]
    assert "________" in lines[at[1] : at[2]]  # the part left empty: a line to write on
    ledger = lines[at[2] : at[3]]
    assert ledger[1] == "（一）整改措施" and "序号" in ledger[2]
    assert "（二）努力方向" in ledger
    # Each citation printed: ——《标题》（发文字号，日期）. A long one wraps, and pypdf reads a
    # dash or a quotation mark at the edge of a right-aligned line out of place, so dashes are
    # left out and the section named after the citation is not compared.
    joined = re.sub(r"[\s—]", "", "".join(lines))
    cites = [re.sub(r"\s", "", t) for t in word if t.startswith("——")]
    assert cites and all(cite.startswith("——《") for cite in cites)
    for cite in cites:
        cited = re.match(r"——(《.+?》(?:（[^）]*）)?)", cite)
        assert cited and cited.group(1).replace("—", "") in joined, cite
    assert any(re.search(r"》（[^）]*\d{4}年\d{1,2}月\d{1,2}日）", cite) for cite in cites)
    assert _footer(pdf.pages[-1])[0] == f"— {len(pdf.pages)} —"
