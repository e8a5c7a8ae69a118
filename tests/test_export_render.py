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

from tests.conftest import prerequisite
from tests.word_exports import EXPORTS

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
    headings = {  # by their look (黑体 or 楷体 at the left), not by the setting under test
        p.text.strip()
        for p in WordDocument(io.BytesIO(data)).paragraphs
        if p.text.strip()
        and p.alignment is None
        and not p.text.startswith("（备注")
        and p.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) in ("黑体", "楷体_GB2312")
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
