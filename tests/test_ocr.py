"""Scanned documents read by OCR: pages we render from our own sentences (PNG, multi-page TIFF,
an image-only PDF), the order of lines and columns on a page, the index finding a word of a
scan, and the real scans in ../shared/realdocs/raw read or reported with their reason."""

from __future__ import annotations

import difflib
import io
import unicodedata
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from indexer.readers import UnreadableFile, read_file
from indexer.readers.ocr import BAD_IMAGE, NOTHING_READ, OCR_NOTE, Box, reading_order
from indexer.store import update_index
from kb.cli import DEFAULT_DICT
from kb.engines.whoosh.searcher import Searcher
from tests.conftest import REALDOCS, REALDOCS_MISSING, missing_prerequisite, prerequisite

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
needs_font = prerequisite(FONT.is_file(), f"{FONT} is missing (apt-get install fonts-wqy-microhei)")

TITLE = "关于开展秋季河道清淤保洁工作的通知"
PARAGRAPHS = [
    "各乡镇人民政府，县水务局、农业农村局：",
    "为改善农村水环境，县政府决定于十月至十一月在全县开展河道清淤保洁行动，"
    "重点清理淤积严重的灌溉渠和村庄周边池塘。",
    "各乡镇要在十月十日前报送清淤计划，明确责任人和完成时限，确保汛期前全部完工。",
]
SECOND_PAGE = ["清淤产生的淤泥须运往指定堆放点，严禁倾倒入农田或者河滩。"]


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _page(title: str, paragraphs: list[str], size: int = 30, per_line: int = 26) -> Image.Image:
    """An A4-shaped page (about 120 dpi) typeset like a 公文: centred title, paragraphs with
    a two-character first-line indent."""
    font = ImageFont.truetype(str(FONT), size)
    big = ImageFont.truetype(str(FONT), size * 4 // 3)
    width = size * per_line + 2 * 120
    page = Image.new("RGB", (width, int(width * 1.414)), "white")
    draw = ImageDraw.Draw(page)
    y = 150
    if title:
        shown = draw.textlength(title, font=big)
        draw.text(((width - shown) / 2, y), title, font=big, fill="black")
        y += size * 3
    for paragraph in paragraphs:
        text = "\u3000\u3000" + paragraph
        for start in range(0, len(text), per_line):
            draw.text((120, y), text[start : start + per_line], font=font, fill="black")
            y += int(size * 1.7)
    return page


def _bytes(image: Image.Image, kind: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, kind, **options)
    return buffer.getvalue()


def _read(name: str, data: bytes):
    return read_file(Path(name), data)


def _assert_reads(extracted, sentences: list[str]) -> str:
    """Each sentence is found in the text, allowing a few misread characters."""
    text = _norm("".join(block.text for block in extracted.blocks))
    for sentence in sentences:
        wanted = _norm(sentence)
        match = difflib.SequenceMatcher(None, text, wanted, autojunk=False).find_longest_match()
        start = max(0, match.a - match.b)
        ratio = difflib.SequenceMatcher(None, text[start : start + len(wanted)], wanted).ratio()
        assert ratio >= 0.95, (sentence, text)
    return text


@pytest.fixture(scope="module")
def first_page() -> Image.Image:
    return _page(TITLE, PARAGRAPHS)


@needs_font
def test_png_page_is_read_in_order_with_title_and_paragraphs(first_page):
    read = _read("通知.png", _bytes(first_page, "PNG"))
    text = _assert_reads(read, [TITLE, *PARAGRAPHS])
    assert text.index(_norm(TITLE)) < text.index("各乡镇人民政府") < text.index("十月十日前")
    assert read.warnings == [OCR_NOTE]
    # The title, the salutation and each paragraph stand alone: the wraps were joined.
    assert len(read.blocks) == 4, [block.text for block in read.blocks]
    assert read.blocks[0].text.startswith("关于开展")


@needs_font
def test_jpeg_named_png_and_multi_page_tiff(first_page):
    """The format comes from the bytes; a TIFF's frames are pages, in order."""
    as_jpeg = _read("通知.png", _bytes(first_page, "JPEG", quality=85))
    _assert_reads(as_jpeg, [PARAGRAPHS[1]])
    second = _page("", SECOND_PAGE)
    tiff = _bytes(first_page, "TIFF", save_all=True, append_images=[second])
    read = _read("通知.tif", tiff)
    text = _assert_reads(read, [PARAGRAPHS[2], *SECOND_PAGE])
    assert text.index("十月十日前") < text.index("指定堆放点")


@needs_font
def test_image_only_pdf_is_read_by_ocr_and_a_page_without_image_is_said(first_page):
    blank = Image.new("RGB", (40, 40), "white")  # too small to be a page scan
    pdf = _bytes(first_page, "PDF", save_all=True, append_images=[blank], resolution=120)
    read = _read("通知.pdf", pdf)
    _assert_reads(read, [TITLE, *PARAGRAPHS])
    assert read.warnings == [
        "第 1 页是扫描图片，本文件由文字识别(OCR)读出，可能有错字",
        "第 2 页既没有文字也没有可识别的图片，已跳过",
    ]


@needs_font
@pytest.mark.parametrize("others", [0, 9], ids=["in this process", "in the workers"])
def test_an_index_update_tells_each_page_of_a_long_scan(tmp_path, first_page, others):
    """A scan takes seconds a page: the update's progress names the page being read, from
    the workers (9 other files make the update use them) as from this process."""
    docs = tmp_path / "docs"
    docs.mkdir()
    second = _page("", SECOND_PAGE)
    (docs / "清淤通知.pdf").write_bytes(
        _bytes(first_page.copy(), "PDF", save_all=True, append_images=[second, first_page.copy()])
    )
    (docs / "清淤通知.tif").write_bytes(
        _bytes(first_page.copy(), "TIFF", save_all=True, append_images=[second.copy()])
    )
    for number in range(others):
        (docs / f"通知{number}.txt").write_text(
            f"关于第{number}项工作的通知\n\n做好工作。\n", "utf-8"
        )
    told: list[str] = []
    update_index(tmp_path / "index", [docs], DEFAULT_DICT, progress=told.append)
    pages = [line for line in told if line.startswith("正在识别")]
    assert pages == [f"正在识别 {docs / '清淤通知.pdf'}：第 {n}/3 页" for n in (1, 2, 3)] + [
        f"正在识别 {docs / '清淤通知.tif'}：第 {n}/2 页" for n in (1, 2)
    ], told


@needs_font
def test_index_and_search_find_a_word_of_a_scan(tmp_path, first_page):
    docs = tmp_path / "docs"
    docs.mkdir()
    first_page.save(docs / "清淤通知.png")
    (docs / "损坏.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    report = update_index(tmp_path / "index", [docs], DEFAULT_DICT)
    assert [(f.path.split("/")[-1], f.reason) for f in report.failed] == [("损坏.jpg", BAD_IMAGE)]
    assert any(warning.endswith(OCR_NOTE) for warning in report.warnings)
    hits = Searcher(tmp_path / "index").search("清淤计划").hits
    assert hits and hits[0].path.endswith("清淤通知.png")
    assert "灌溉渠" in _norm(Searcher(tmp_path / "index").search("灌溉渠").hits[0].text)


@needs_font
def test_a_scanned_document_says_on_its_page_and_in_the_api_that_ocr_read_it(tmp_path, first_page):
    """The reading notes travel with the index to the document page, /api/docs/<id> and the
    hits; a text document says nothing of the kind."""
    from web import create_app

    docs = tmp_path / "docs"
    docs.mkdir()
    first_page.save(docs / "清淤通知.png")
    (docs / "路灯.txt").write_text(
        "关于背街小巷路灯改造的通知\n各街道要在年底前完成背街小巷路灯改造。\n", encoding="utf-8"
    )
    update_index(tmp_path / "index", [docs], DEFAULT_DICT)
    client = create_app({"INDEX": str(tmp_path / "index"), "CORPUS": str(docs)}).test_client()
    by_name = {
        Path(hit["path"]).name: hit
        for query in ("清淤计划", "路灯改造")
        for hit in client.get("/api/search", query_string={"q": query}).get_json()["hits"]
    }
    scan, text = by_name["清淤通知.png"], by_name["路灯.txt"]
    assert scan["ocr"] is True and text["ocr"] is False

    api = client.get(f"/api/docs/{scan['doc_id']}").get_json()
    assert api["ocr"] is True and api["notes"] == [OCR_NOTE]
    page = client.get(f"/doc/{scan['doc_id']}").get_data(as_text=True)
    notice = page[
        page.index("data-reading-notes") : page.index("</aside>", page.index("data-reading-notes"))
    ]
    assert OCR_NOTE in notice and "扫描件" in notice
    assert "data-ocr-mark" in client.get("/", query_string={"q": "清淤计划"}).get_data(as_text=True)

    api = client.get(f"/api/docs/{text['doc_id']}").get_json()
    assert api["ocr"] is False and api["notes"] == []
    page = client.get(f"/doc/{text['doc_id']}").get_data(as_text=True)
    assert "data-reading-notes" not in page and "文字识别" not in page
    assert "data-ocr-mark" not in client.get("/", query_string={"q": "路灯改造"}).get_data(
        as_text=True
    )


def test_both_engines_store_the_ocr_flag_and_the_reading_notes(tmp_path):
    """Whoosh keeps what its schema names; OpenSearch keeps a row's ``_source``: the flag on
    every passage, the notes on the first."""
    from indexer.pipeline import index_rows
    from kb.analysis import Segmenter
    from kb.dictionaries import Dictionaries
    from kb.engines.opensearch.mapping import to_source
    from kb.engines.whoosh.schema import build_schema
    from kb.model import Document, Passage

    document = Document(
        doc_id="d1",
        path="扫描.pdf",
        title="通知",
        passages=[Passage("通知", heading=True), Passage("各单位要做好清淤工作。")],
        warnings=[f"第 1 页是扫描图片，{OCR_NOTE}"],
    )
    rows = index_rows(document, Segmenter(Dictionaries.load(DEFAULT_DICT), tmp_path))
    assert [row["ocr"] for row in rows] == [True, True]
    assert rows[0]["notes"] == document.warnings and "notes" not in rows[1]
    assert {"ocr", "notes"} <= set(build_schema().stored_names())
    assert to_source(rows[0])["notes"] == document.warnings and to_source(rows[1])["ocr"] is True
    document.warnings = ["第 2 页无法读取，已跳过"]
    rows = index_rows(document, Segmenter(Dictionaries.load(DEFAULT_DICT), tmp_path))
    assert rows[0]["ocr"] is False and rows[0]["notes"] == ["第 2 页无法读取，已跳过"]


def test_unreadable_images_give_one_line_reasons():
    blank = _bytes(Image.new("RGB", (600, 800), "white"), "PNG")
    for name, data, reason in (
        ("空白.png", blank, NOTHING_READ),
        ("截断.png", blank[: len(blank) // 2], BAD_IMAGE),
        ("乱码.tiff", b"II*\x00" + bytes(range(200)), BAD_IMAGE),
    ):
        with pytest.raises(UnreadableFile) as excinfo:
            _read(name, data)
        assert str(excinfo.value) == reason, name
        assert "\n" not in reason


# --- reading order (no engine: boxes as a detector would give them) ------------------------


def _box(text: str, left: float, top: float, width: float, height: float = 30) -> Box:
    return Box(text, left, top, left + width, top + height)


def _order(boxes: list[Box]) -> list[str]:
    return [" ".join(box.text for box in row) for row in reading_order(boxes)]


def test_boxes_become_lines_left_to_right_and_a_tall_word_beside_two_lines_stays_with_the_first():
    boxes = [
        _box("文件", 860, 240, 160, 88),
        _box("税务总局办公厅", 210, 272, 585, 86),
        _box("发展改革委办公厅", 214, 205, 580, 79),
        _box("右", 700, 502, 60),
        _box("左", 100, 500, 500),
    ]
    assert _order(boxes) == ["发展改革委办公厅 文件", "税务总局办公厅", "左 右"]


def test_two_columns_are_read_column_by_column_under_a_full_width_title():
    boxes = [_box("通栏标题", 100, 50, 800)]
    for row in range(4):
        boxes.append(_box(f"左{row}", 100, 100 + 40 * row, 360))
        boxes.append(_box(f"右{row}", 540, 100 + 40 * row, 360))
    boxes.append(_box("通栏结尾", 100, 300, 800))
    assert _order(boxes) == ["通栏标题", *(f"左{i}" for i in range(4))] + [
        *(f"右{i}" for i in range(4)),
        "通栏结尾",
    ]


def test_a_label_value_table_is_read_row_by_row():
    boxes = []
    for row in range(4):
        boxes.append(_box(f"项目{row}", 100, 100 + 40 * row, 100))
        boxes.append(_box(f"内容{row}", 540, 100 + 40 * row, 360))
    assert _order(boxes) == [f"项目{i} 内容{i}" for i in range(4)]


# --- real scans ------------------------------------------------------------------------------

RAW = REALDOCS / "raw"
# Each real scan and a phrase it shows (raw/SOURCES.tsv: "phrase (OCR only)").
REAL_SCANS = {
    "img_govdoc_cn_397_page1.png": "个人所得税纳税信用建设",
    "img_notice_jiangsu_water_jpeg_as_png.png": "水效提升扶持方案",
    "scan_form_thesis_review.pdf": "毕业要求指标点",
    "scan_form_safety_approval_overlay.pdf": "建设项目安全设施设计",
}


@pytest.mark.parametrize("name", sorted(REAL_SCANS))
def test_real_scans_are_read(name):
    if not RAW.is_dir():
        missing_prerequisite(REALDOCS_MISSING)
    read = read_file(RAW / name, (RAW / name).read_bytes())
    assert REAL_SCANS[name] in _norm("".join(block.text for block in read.blocks))
    assert read.warnings == [OCR_NOTE]


def test_real_masthead_document_keeps_its_number_and_title_apart():
    """发文字号 and the title each come out as a paragraph of their own, as from a text file."""
    if not RAW.is_dir():
        missing_prerequisite(REALDOCS_MISSING)
    data = (RAW / "img_govdoc_cn_397_page1.png").read_bytes()
    texts = [_norm(block.text) for block in _read("397.png", data).blocks]
    assert "发改办财金规〔2019〕860号" in texts
    assert "关于加强个人所得税纳税信用建设的通知" in texts
