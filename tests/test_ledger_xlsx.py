"""The 对照检查 draft's 问题清单 and 整改台账 as a spreadsheet (issue 16 item 2), through
Flask's test client: what each row says (the user's words, the requirement with its
《标题》（发文字号，日期） citation), how the sheet is laid out and set up to print, that
LibreOffice opens it, and that an empty or broken draft gets a message instead of a file."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime, timedelta

import pypdf
import pytest
from openpyxl import load_workbook

from tests.conftest import prerequisite
from tests.test_workbench import api, token

URL = "/draft/export.xlsx"
HEADERS = [
    "序号",
    "问题类别",
    "问题表现",
    "对应要求及出处",
    "整改措施",
    "责任人",
    "完成时限",
    "整改进展/销号情况",
]
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
INSTALL = "python3 dev.py test installs it as root on Debian/Ubuntu"
needs_soffice = prerequisite(bool(SOFFICE), f"converter LibreOffice is not installed ({INSTALL})")


def three_requirements(client) -> list[dict]:
    """Three requirements, the first with topics when the corpus has one."""
    items = api(client, "/api/requirements?limit=200")["items"]
    with_topics = [i for i in items if i["topics"]]
    first = (with_topics or items)[0]
    return [first] + [i for i in items if i["id"] != first["id"]][:2]


@pytest.fixture(scope="module")
def chosen(client) -> list[dict]:
    return three_requirements(client)


@pytest.fixture(scope="module")
def exported(client, chosen) -> bytes:
    draft = [
        {
            "id": chosen[0]["id"],
            "gap": "理论学习不够系统",
            "example": "今年只参加了两次集中学习",
            "measure": "制定学习计划",
            "owner": "张三",
            "deadline": "2025-12-31",
        },
        {"id": chosen[1]["id"], "gap": "=1+1", "measure": "@SUM(A1)", "deadline": "2025年12月底"},
        {"id": chosen[2]["id"], "deadline": "2026年3月1日"},
    ]
    form = {"draft": json.dumps(draft), "title": "", "csrf_token": token(client)}
    response = client.post(URL, data=form)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert ".xlsx" in response.headers["Content-Disposition"]
    return response.data


def test_rows_carry_the_users_words_and_the_cited_requirement(exported, chosen):
    workbook = load_workbook(io.BytesIO(exported))
    assert workbook.sheetnames == ["整改台账", "问题清单"]
    sheet = workbook["整改台账"]
    assert sheet["A1"].value == "对照检查整改台账"
    assert "A1:H1" in {str(r) for r in sheet.merged_cells.ranges}
    assert [c.value for c in sheet[2]] == HEADERS
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert len(rows) == 3

    first = chosen[0]
    assert rows[0][0] == 1 and rows[0][1] == "、".join(first["topics"])
    assert rows[0][2] == "理论学习不够系统\n具体表现：今年只参加了两次集中学习"
    assert rows[0][3] == f"{first['full_text']}\n——{first['citation']}"
    assert re.search(r"\n——《[^》]+》（[^）]*\d{4}年\d{1,2}月\d{1,2}日）", rows[0][3])
    assert rows[0][4:7] == ["制定学习计划", "张三", datetime(2025, 12, 31)]
    assert sheet["G3"].number_format == "yyyy-mm-dd"
    assert rows[0][7] is None  # 销号情况: filled in by hand later

    # What the user typed stays text: no formula, a deadline in words as written.
    assert rows[1][:3] == [2, "、".join(chosen[1]["topics"]) or None, "=1+1"]
    assert sheet["C4"].data_type == "s" and sheet["E4"].value == "@SUM(A1)"
    assert rows[1][6] == "2025年12月底"
    assert rows[2][0] == 3 and rows[2][2] is None and rows[2][4:6] == [None] * 2
    assert rows[2][6] == datetime(2026, 3, 1)  # a date in words is a date too (kb.dates)
    assert rows[2][3].endswith("——" + chosen[2]["citation"])

    problems = workbook["问题清单"]
    assert problems["A1"].value == "对照检查问题清单"
    assert [c.value for c in problems[2]] == HEADERS[:4]
    assert [[c.value for c in row] for row in problems.iter_rows(min_row=3)] == [
        row[:4] for row in rows
    ]


def test_sheet_is_laid_out_and_set_up_to_print(exported):
    workbook = load_workbook(io.BytesIO(exported))
    for sheet in workbook.worksheets:
        widths = {c: sheet.column_dimensions[c].width for c in "ABCD"}
        assert widths["A"] < 10 < widths["B"] < widths["C"] < widths["D"]
        assert sheet.freeze_panes == "A3"
        assert sheet.print_title_rows in ("2:2", "$2:$2")
        assert sheet.page_setup.orientation == "landscape"
        assert int(sheet.page_setup.paperSize) == 9  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert int(sheet.page_setup.fitToWidth) == 1 and int(sheet.page_setup.fitToHeight) == 0
        assert 0.3 < sheet.page_margins.left < 1
        header = sheet["C2"]
        assert header.font.bold and header.font.name == "宋体"
        assert header.fill.fgColor.rgb.endswith("D9D9D9")
        body = sheet["C3"]
        assert body.alignment.wrap_text and body.alignment.vertical == "top"
        assert body.font.name == "仿宋" and body.border.left.style == "thin"
        assert sheet.row_dimensions[3].height > sheet.row_dimensions[2].height
    ledger = workbook["整改台账"]
    assert ledger.column_dimensions["E"].width > 2 * ledger.column_dimensions["F"].width
    properties = workbook.properties
    assert properties.title == "对照检查材料"
    # openpyxl reads a missing creator back as "openpyxl": look at the file itself.
    core = zipfile.ZipFile(io.BytesIO(exported)).read("docProps/core.xml").decode()
    assert "openpyxl" not in core and "creator" not in core and "lastModifiedBy" not in core
    now = datetime.now(UTC).replace(tzinfo=None)
    assert now - timedelta(minutes=5) < properties.created <= now + timedelta(seconds=5)


@needs_soffice
def test_libreoffice_opens_and_prints_it(exported, tmp_path):
    source = tmp_path / "ledger.xlsx"
    source.write_bytes(exported)
    profile = tmp_path / "profile"
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless"]
        + ["--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    pdf = pypdf.PdfReader(io.BytesIO((tmp_path / "ledger.pdf").read_bytes()))
    page = pdf.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert abs(width - 842) < 3 and abs(height - 595) < 3  # A4 landscape
    text = re.sub(r"\s", "", "".join(p.extract_text() for p in pdf.pages))
    for name in ("序号", "对应要求及出处", "整改进展/销号情况", "理论学习不够系统", "制定学习计划"):
        assert name in text, name
    assert "第1页" in text  # the footer


def test_empty_draft_is_a_message_not_a_file(client):
    csrf = token(client)
    for draft in ("[]", json.dumps([{"id": "nothere-r9"}])):
        response = client.post(URL, data={"draft": draft, "csrf_token": csrf})
        assert response.status_code == 400
        assert response.mimetype == "text/html"
        assert "对照检查中还没有" in response.get_data(as_text=True)  # no file, a message
    page = client.post(URL, data={"draft": json.dumps([{"id": "nothere-r9"}]), "csrf_token": csrf})
    assert "另有 1 条要求已不在索引中" in page.get_data(as_text=True)


def test_bad_input_is_refused_in_chinese(client):
    csrf = token(client)
    for bad in ("{", "NaN", '{"id": 1}', "[1e400]", json.dumps([{"id": "x"}] * 101)):
        response = client.post(URL, data={"draft": bad, "csrf_token": csrf})
        assert response.status_code == 400, bad
        assert "对照检查材料" in response.get_data(as_text=True)


def test_one_hundred_long_items_make_a_valid_workbook(client, chosen):
    long = "长" * 3990 + "\x01\ud800"
    draft = [{"id": chosen[0]["id"], "gap": long, "measure": long, "owner": "张" * 300}] * 100
    response = client.post(URL, data={"draft": json.dumps(draft), "csrf_token": token(client)})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data))["整改台账"]
    assert sheet.max_row == 102 and sheet["A102"].value == 100
    assert sheet["C3"].value == "长" * 3990 + "\ufffd"
    assert all(sheet.row_dimensions[r].height <= 409 for r in range(3, 103))


def test_draft_page_offers_the_spreadsheet_disabled_until_there_is_a_draft(client):
    html = client.get("/draft").get_data(as_text=True)
    button = re.search(r"<button[^>]*formaction=\"/draft/export\.xlsx\"[^>]*>([^<]+)<", html)
    assert button and "disabled" in button.group(0) and "data-draft-xlsx" in button.group(0)
    assert button.group(1) == "导出台账表格"
    assert html.index('formaction="/draft/export.docx"') < button.start()
