"""Old Office and WPS files converted by the real antiword and LibreOffice, and spreadsheets
(.xlsx, .csv, .xls, .et) read row by row. Every file here is made at test time from sentences
written for these tests (python-docx and openpyxl, then LibreOffice for .doc and .xls), or read
from ../shared/realdocs/raw. Converters are hidden through PATH, never faked.

``python3 dev.py test`` installs antiword and LibreOffice; without them the tests that need
them skip (and fail under CI=true, see conftest.py).
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest

from indexer.readers import UnreadableFile, legacy, read_file, spreadsheet
from indexer.store import update_index
from kb.cli import DEFAULT_DICT
from kb.engines.whoosh.searcher import Searcher
from kb.structure import MAX_PASSAGE, read_outline
from tests.conftest import REALDOCS, REALDOCS_MISSING, prerequisite
from web.uploads import check_content

RAW = REALDOCS / "raw"
ANTIWORD = shutil.which("antiword")
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _calc_installed() -> bool:
    """Debian ships LibreOffice Writer and Calc apart: Calc is libsclo beside soffice."""
    if not SOFFICE:
        return False
    return any(Path(os.path.realpath(SOFFICE)).parent.glob("*sclo.*"))


INSTALL = "python3 dev.py test installs it as root on Debian/Ubuntu"
needs_antiword = prerequisite(bool(ANTIWORD), f"converter antiword is not installed ({INSTALL})")
needs_writer = prerequisite(bool(SOFFICE), f"converter LibreOffice is not installed ({INSTALL})")
needs_calc = prerequisite(_calc_installed(), f"converter LibreOffice Calc is missing ({INSTALL})")
needs_raw = prerequisite((RAW / "SOURCES.tsv").is_file(), REALDOCS_MISSING)

NOTICE_TITLE = "关于开展档案整理专项行动的通知"
NOTICE_LINES = [
    "各科室、各直属单位：",
    "为规范纸质档案管理，经研究，决定在全局开展档案整理专项行动。",
    "一、整理范围",
    "二〇二〇年以来形成的文书档案、会议记录和合同文本。",
    "二、工作要求",
    "各科室要指定一名联络员，于月底前完成清点登记。",
]
TABLE_ROWS = [("科室", "联络员"), ("办公室", "王小明"), ("财务科", "李晓红")]


def notice_docx() -> bytes:
    """A short notice with a Word heading style and a table, written for these tests."""
    document = docx.Document()
    document.add_paragraph(NOTICE_TITLE)
    for line in NOTICE_LINES:
        if line.endswith("范围") or line.endswith("要求"):
            document.add_heading(line, level=1)
        else:
            document.add_paragraph(line)
    table = document.add_table(rows=len(TABLE_ROWS), cols=2)
    for row, values in zip(table.rows, TABLE_ROWS, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.core_properties.title = "模板遗留的标题"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def ledger_workbook() -> bytes:
    """A 整改台账: a merged title row, a 填报单位 line, a two-level header, a group row, an
    empty row, dates and numbers; and a second sheet."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "整改台账"
    sheet.append(["某区档案局作风问题整改台账"])
    sheet.merge_cells("A1:F1")
    sheet.append(["填报单位：局办公室"])
    sheet.append(["序号", "问题表现", "整改情况", None, "责任人", "销号情况"])
    sheet.merge_cells("C3:D3")
    sheet.append([None, None, "整改措施", "完成时限", None, None])
    sheet.append(["一、会风文风方面"])
    sheet.merge_cells("A5:F5")
    sheet.append(
        [1, "会议材料篇幅过长", "压缩材料至三页以内", datetime.date(2024, 3, 31), "张三", "已销号"]
    )
    sheet.append([])
    sheet.append(
        [2.0, "层层发文照搬照转", "结合实际细化措施", datetime.date(2024, 6, 30), "李四", None]
    )
    done = workbook.create_sheet("已销号清单")
    done.append(["序号", "问题", "销号日期"])
    done.append([1, "档案室温湿度记录缺失", datetime.datetime(2024, 1, 15)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def convert(data: bytes, suffix: str, target: str, folder: Path) -> bytes:
    """``data`` converted by the real LibreOffice (``target``: doc, xls ...), to make
    fixtures in the old formats from files written here."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"source{suffix}"
    source.write_bytes(data)
    command = [
        str(SOFFICE),
        f"-env:UserInstallation={(folder / 'profile').resolve().as_uri()}",
        "--headless",
        "--convert-to",
        target,
        "--outdir",
        str(folder / "out"),
        str(source),
    ]
    subprocess.run(command, capture_output=True, timeout=180, check=True)
    return (folder / "out" / f"source.{target}").read_bytes()


@pytest.fixture(scope="module")
def old_doc(tmp_path_factory) -> bytes:
    """The notice saved by LibreOffice as a Word 97-2003 .doc."""
    if not SOFFICE:
        pytest.skip("LibreOffice is not installed")
    return convert(notice_docx(), ".docx", "doc", tmp_path_factory.mktemp("doc"))


@pytest.fixture(scope="module")
def old_xls(tmp_path_factory) -> bytes:
    """The 整改台账 saved by LibreOffice as an Excel 97-2003 .xls."""
    if not _calc_installed():
        pytest.skip("LibreOffice Calc is not installed")
    return convert(ledger_workbook(), ".xlsx", "xls", tmp_path_factory.mktemp("xls"))


CONVERTERS = ("antiword", "soffice", "libreoffice")


@pytest.fixture
def only_on_path(monkeypatch, tmp_path):
    """Make PATH show of the converters only those named: a folder of links to every program
    on PATH but the other converters (LibreOffice's start script needs the usual tools)."""

    def hide_all_but(*names: str) -> None:
        folder = tmp_path / "bin"
        folder.mkdir()
        hidden = set(CONVERTERS) - set(names)
        for directory in os.environ.get("PATH", "").split(os.pathsep):
            if not os.path.isdir(directory):
                continue
            for entry in os.scandir(directory):
                link = folder / entry.name
                if entry.name not in hidden and not link.exists() and not link.is_symlink():
                    link.symlink_to(entry.path)
        monkeypatch.setenv("PATH", str(folder))
        assert all(bool(shutil.which(name)) == (name in names) for name in ("antiword", "soffice"))

    return hide_all_but


def texts(extracted) -> list[str]:
    return [block.text for block in extracted.blocks]


# --- no converter ---------------------------------------------------------------------------

OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


@pytest.mark.parametrize("suffix", [".doc", ".wps"])
def test_without_converters_a_word_file_names_what_to_install(only_on_path, suffix):
    only_on_path()
    with pytest.raises(UnreadableFile) as excinfo:
        read_file(Path(f"旧文件{suffix}"), OLE_HEADER)
    reason = str(excinfo.value)
    assert reason == legacy.NO_CONVERTER and "\n" not in reason
    assert "antiword" in reason and "LibreOffice" in reason and ".docx" in reason


@pytest.mark.parametrize("suffix", [".xls", ".et"])
def test_without_libreoffice_a_workbook_names_what_to_install(only_on_path, suffix):
    only_on_path()
    with pytest.raises(UnreadableFile) as excinfo:
        read_file(Path(f"台账{suffix}"), OLE_HEADER)
    assert str(excinfo.value) == legacy.NO_SPREADSHEET_CONVERTER
    assert "libreoffice-calc" in str(excinfo.value) and ".xlsx" in str(excinfo.value)


def test_files_saved_under_an_old_name_need_no_converter(only_on_path):
    only_on_path()
    assert read_file(Path("a.doc"), notice_docx()).blocks[0].text == NOTICE_TITLE
    assert read_file(Path("台账.xls"), ledger_workbook()).title == "某区档案局作风问题整改台账"


# --- .doc and .wps through the real converters ----------------------------------------------


@needs_antiword
def test_doc_read_by_antiword(only_on_path, old_doc):
    only_on_path("antiword")
    blocks = texts(read_file(Path("通知.doc"), old_doc))
    assert blocks[0] == NOTICE_TITLE
    assert all(line in blocks for line in NOTICE_LINES)
    assert "科室　联络员" in blocks and "财务科　李晓红" in blocks  # table rows, cells apart


@needs_writer
def test_doc_read_by_libreoffice_when_antiword_is_missing(only_on_path, old_doc):
    only_on_path("soffice")
    extracted = read_file(Path("通知.doc"), old_doc)
    assert ("一、整理范围", 1) in [(b.text, b.heading_level) for b in extracted.blocks]
    assert all(line in texts(extracted) for line in NOTICE_LINES)
    # The core title of the template the file came from is not in the text: not the title.
    assert extracted.title == ""
    assert read_outline(extracted, "通知").title == NOTICE_TITLE


@needs_writer
def test_wps_read_by_libreoffice(only_on_path, old_doc):
    # WPS Office saves .wps as Word 97 inside: LibreOffice reads it by its content.
    only_on_path("soffice")
    outline = read_outline(read_file(Path("通知.wps"), old_doc), "通知")
    assert outline.title == NOTICE_TITLE
    assert any(p.section == ("二、工作要求",) and "联络员" in p.text for p in outline.passages)


@needs_antiword
def test_damaged_doc_gives_a_reason(only_on_path, old_doc):
    only_on_path("antiword")
    with pytest.raises(UnreadableFile) as excinfo:
        read_file(Path("坏文件.doc"), old_doc[:1024])
    assert str(excinfo.value) == legacy.CONVERSION_FAILED


@needs_raw
@needs_antiword
@needs_writer
@pytest.mark.parametrize("converter", ["antiword", "soffice"])
def test_real_doc_notice_by_either_converter(only_on_path, converter):
    only_on_path(converter)
    data = (RAW / "doc_notice_chunan_zuzhibu.doc").read_bytes()
    outline = read_outline(read_file(Path("通知.doc"), data), "通知")
    assert outline.title.endswith("关于开展专业岗位领导干部遴选工作的通知")
    assert outline.date == "2019-07-08" and outline.doc_type == "通知"
    assert any(
        p.section[:1] == ("一、遴选职位",) and "总规划师" in p.text for p in outline.passages
    )
    assert any("专业岗位领导干部遴选" in p.text for p in outline.passages[1:])


@needs_raw
@needs_antiword
def test_real_doc_form_keeps_its_table_cells():
    data = (RAW / "doc_table_chunan_signup_form.doc").read_bytes()
    extracted = read_file(Path("报名推荐表.doc"), data)
    assert texts(extracted)[0] == "淳安县专业岗位领导干部遴选报名推荐表（样表）"
    assert any("参加工作时间" in line and "1990.08" in line for line in texts(extracted))


@needs_raw
@needs_writer
def test_real_wps_template_gets_the_title_its_text_shows():
    # A real WPS Office file (Word 97 inside) of a made-up notice; its properties still carry
    # the title of the template it was made from (甘审办发〔2011〕号), which is not in the text.
    data = (RAW / "wps_template_notice_fake.wps").read_bytes()
    outline = read_outline(read_file(Path("模板.wps"), data), "模板")
    assert outline.title == "国防部关于放假的通知"
    assert outline.doc_no == "国防部发〔2012〕21号" and outline.date == "2012-12-12"


# --- .xlsx ------------------------------------------------------------------------------------


def test_ledger_rows_become_passages_under_sheet_and_group():
    extracted = read_file(Path("台账.xlsx"), ledger_workbook())
    assert extracted.title == "某区档案局作风问题整改台账"
    outline = read_outline(extracted, "台账")
    assert outline.title == "某区档案局作风问题整改台账"
    rows = {p.text: p.section for p in outline.passages if not p.heading}
    first = (
        "序号：1；问题表现：会议材料篇幅过长；整改情况·整改措施：压缩材料至三页以内；"
        "整改情况·完成时限：2024-03-31；责任人：张三；销号情况：已销号"
    )
    assert rows[first] == ("整改台账", "一、会风文风方面")
    second = next(text for text in rows if text.startswith("序号：2；"))
    assert "2.0" not in second and "销号情况" not in second  # 2 not 2.0; empty cells left out
    assert rows["序号：1；问题：档案室温湿度记录缺失；销号日期：2024-01-15"] == ("已销号清单",)
    assert "填报单位：局办公室" in texts(extracted)
    assert not any(text == "" for text in texts(extracted))  # the empty row is skipped


def test_ledger_row_is_found_by_search_with_its_sheet(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "台账.xlsx").write_bytes(ledger_workbook())
    report = update_index(tmp_path / "index", [folder], DEFAULT_DICT)
    assert not report.failed
    hit = Searcher(tmp_path / "index").search("层层发文").hits[0]
    assert hit.title == "某区档案局作风问题整改台账"
    assert hit.section[0] == "整改台账" and "结合实际细化措施" in hit.text


def test_single_sheet_workbook_without_title_row_is_titled_by_its_sheet():
    workbook = openpyxl.Workbook()
    workbook.active.title = "督查问题清单"
    workbook.active.append(["单位", "问题"])
    workbook.active.append(["档案室", "借阅登记不全"])
    out = io.BytesIO()
    workbook.save(out)
    extracted = read_file(Path("清单.xlsx"), out.getvalue())
    assert extracted.title == "督查问题清单"
    assert texts(extracted) == ["单位：档案室；问题：借阅登记不全"]


def test_long_row_is_headed_by_its_row_and_cut_between_fields():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["单位", "要求一", "要求二"])
    sheet.append(["档案室", "甲" * 300, "乙" * 300])
    out = io.BytesIO()
    workbook.save(out)
    outline = read_outline(read_file(Path("长.xlsx"), out.getvalue()), "长")
    body = [p for p in outline.passages if not p.heading]
    assert [p.text for p in body] == [
        "单位：档案室；要求一：" + "甲" * 300,
        "要求二：" + "乙" * 300,
    ]
    assert all(p.section == ("第2行 档案室",) and len(p.text) <= MAX_PASSAGE for p in body)


def test_huge_sheet_is_cut_with_a_warning(monkeypatch):
    monkeypatch.setattr(spreadsheet, "MAX_ROWS", 3)
    workbook = openpyxl.Workbook()
    workbook.active.title = "名册"
    workbook.active.append(["序号", "姓名"])
    for number in range(1, 11):
        workbook.active.append([number, f"人员{number}"])
    out = io.BytesIO()
    workbook.save(out)
    result = read_file(Path("名册.xlsx"), out.getvalue())
    assert texts(result) == ["序号：1；姓名：人员1", "序号：2；姓名：人员2", "序号：3；姓名：人员3"]
    assert result.warnings == ["工作表“名册”超过 3 行，只索引了前 3 行；请拆分后再导入其余部分"]


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("说明.txt", "这不是工作簿")
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(ledger_workbook()[:3000], id="truncated"),
        pytest.param(b"PK\x03\x04" + bytes(200), id="zip-header-only"),
        pytest.param(plain_zip(), id="zip-without-workbook"),
    ],
)
def test_damaged_xlsx_gives_one_line_reason(data):
    with pytest.raises(UnreadableFile) as excinfo:
        read_file(Path("坏.xlsx"), data)
    assert str(excinfo.value) == spreadsheet.DAMAGED


def test_password_protected_xlsx_is_refused_with_its_reason():
    # Excel keeps a workbook with an opening password in an OLE container whose stream
    # "EncryptedPackage" holds the encrypted zip; the name is what tells it apart.
    data = OLE_HEADER + "EncryptedPackage".encode("utf-16-le") + bytes(64)
    with pytest.raises(UnreadableFile) as excinfo:
        read_file(Path("加密.xlsx"), data)
    assert str(excinfo.value) == spreadsheet.ENCRYPTED


def test_upload_check_knows_workbooks_and_csv():
    assert check_content("台账.xlsx", ledger_workbook()) is None
    assert check_content("台账.csv", "序号,问题\n1,材料过长\n".encode("gb18030")) is None
    assert "Word 文档" in (check_content("台账.xlsx", notice_docx()) or "")


# --- .csv -------------------------------------------------------------------------------------

CSV_ROWS = [["问题清单"], ["序号", "问题表现", "整改措施"], ["1", "重留痕轻实效", "精简台账"]]


@pytest.mark.parametrize(
    ("encoding", "delimiter"), [("utf-8-sig", ","), ("gb18030", ","), ("utf-8", "\t")]
)
def test_csv_in_the_encodings_of_text_files(encoding, delimiter):
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(CSV_ROWS)
    extracted = read_file(Path("清单.csv"), out.getvalue().encode(encoding))
    assert extracted.title == "问题清单"
    assert texts(extracted) == ["序号：1；问题表现：重留痕轻实效；整改措施：精简台账"]


def test_csv_in_no_known_encoding_is_refused():
    with pytest.raises(UnreadableFile) as excinfo:
        read_file(Path("乱码.csv"), bytes(range(128, 256)) * 4)
    assert "编码" in str(excinfo.value)


# --- .xls and .et through LibreOffice -------------------------------------------------------


@needs_calc
@pytest.mark.parametrize("suffix", [".xls", ".et", ".xlsx"])
def test_old_workbook_read_through_libreoffice(old_xls, suffix):
    # .et: WPS Office saves its workbooks as Excel 97 inside; a .xls renamed .xlsx is read too.
    outline = read_outline(read_file(Path(f"台账{suffix}"), old_xls), "台账")
    assert outline.title == "某区档案局作风问题整改台账"
    rows = [p for p in outline.passages if p.text.startswith("序号：2；")]
    assert rows and rows[0].section == ("整改台账", "一、会风文风方面")
    assert "完成时限：2024-06-30" in rows[0].text


@needs_calc
def test_damaged_xls_gives_one_line_reason(old_xls):
    with pytest.raises(UnreadableFile) as excinfo:
        read_file(Path("坏.xls"), old_xls[:2048])
    assert str(excinfo.value) == legacy.SPREADSHEET_CONVERSION_FAILED


# --- real spreadsheets ------------------------------------------------------------------------


@needs_raw
def test_real_position_list():
    data = (RAW / "xlsx_chunan_2019_positions.xlsx").read_bytes()
    outline = read_outline(read_file(Path("职位.xlsx"), data), "职位")
    assert outline.title == "2019年全省四级联考招考计划"
    rows = [p for p in outline.passages if "招录单位名称：淳安县市场监督管理局" in p.text]
    assert rows and all(p.section[0].endswith("淳安县市场监督管理局") for p in rows)
    assert all(len(p.text) <= MAX_PASSAGE for p in outline.passages)


@needs_raw
def test_real_report_in_one_csv_row():
    data = (RAW / "gwr2026_zhejiang_utf8bom.csv").read_bytes()
    outline = read_outline(read_file(Path("报告.csv"), data), "报告")
    assert outline.title == "2026年浙江省政府工作报告" and outline.date == "2026-01-22"
    assert outline.passages[1].text.startswith("province：浙江省；year：2026；")
    assert any(p.text.startswith("各位代表：") for p in outline.passages)
