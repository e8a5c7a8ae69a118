"""Every native file in ../shared/realdocs/raw is read, or reported with its reason: this table
says which, and how (the facts of each format are checked in test_ofd, test_ocr, test_office,
test_readers). A file added to raw/ without a line here fails, so none goes unnoticed."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.readers import UnreadableFile, read_file
from indexer.readers.ocr import OCR_NOTE
from kb.structure import read_outline
from tests.conftest import REALDOCS, prerequisite

RAW = REALDOCS / "raw"
pytestmark = prerequisite((RAW / "SOURCES.tsv").is_file(), "../shared/realdocs/raw is absent")

TEXT, OCR = "text", "ocr"  # read from the file's text; read by OCR from its page images
HOW = {
    "ccdi_t20231227_317460.html": TEXT,
    "ccdi_t20250424_419135.html": TEXT,
    "doc_notice_chunan_zuzhibu.doc": TEXT,  # antiword
    "doc_table_chunan_signup_form.doc": TEXT,  # antiword: a form, its table rows
    "gbk_xinshidai_excerpt.txt": TEXT,
    "govdoc_cn_397.pdf": TEXT,
    "govdoc_cn_397_crlf.txt": TEXT,
    "gwr2026_zhejiang_utf8bom.csv": TEXT,  # one passage a row
    "img_govdoc_cn_397_page1.png": OCR,
    "img_notice_jiangsu_water_jpeg_as_png.png": OCR,  # JPEG bytes under a .png name
    "ofd_composite_text_archive.ofd": TEXT,
    "ofd_image_only_photo.ofd": OCR,
    "ofd_letter_han_bengbu.ofd": TEXT,
    "ofd_redhead_pifu_luqiao.ofd": TEXT,
    "ofd_shouwen_form_signout.ofd": TEXT,
    "scan_form_safety_approval_overlay.pdf": OCR,  # its text layer is a form's overlay only
    "scan_form_thesis_review.pdf": OCR,
    "sxyz_item16792_aspx.html": TEXT,
    "sxyz_item21621_aspx.html": TEXT,
    "wps_template_notice_fake.wps": TEXT,  # a .doc under a .wps name
    "xlsx_chunan_2019_positions.xlsx": TEXT,
}
REFUSED = {"SOURCES.tsv": "不支持的文件类型"}  # the folder's own list, not a document


def test_every_raw_file_is_in_the_table():
    present = {path.name for path in RAW.iterdir() if path.is_file()}
    assert present == set(HOW) | set(REFUSED), "add the new files of raw/ to HOW or REFUSED"


@pytest.mark.parametrize("name", sorted(HOW))
def test_raw_file_is_read(name):
    path = RAW / name
    extracted = read_file(path, path.read_bytes())
    outline = read_outline(extracted, path.stem)
    assert outline.title and len(outline.passages) >= 3, name
    assert (OCR_NOTE in extracted.warnings) == (HOW[name] == OCR), extracted.warnings


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_raw_file_is_refused_with_its_reason(name):
    path = RAW / name
    with pytest.raises(UnreadableFile) as refused:
        read_file(Path(name), path.read_bytes())
    assert REFUSED[name] in str(refused.value)
