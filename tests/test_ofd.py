"""The OFD reader (indexer/readers/ofd.py): reading order, templates, metadata, image-only
and broken files; on OFD files written here and, when present, the real ones."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from conftest import REALDOCS, prerequisite

from indexer.readers import UnreadableFile, read_file
from indexer.readers.ofd import DAMAGED, ENCRYPTED, IMAGE_ONLY, page_images, read_ofd

NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'


def _ofd_xml(title: str, date: str, roots: list[str]) -> str:
    bodies = "".join(
        f"<ofd:DocBody><ofd:DocInfo><ofd:Title>{title}</ofd:Title>"
        f"<ofd:CreationDate>{date}</ofd:CreationDate></ofd:DocInfo>"
        f"<ofd:DocRoot>{root}</ofd:DocRoot></ofd:DocBody>"
        for root in roots
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {NS} Version="1.0">{bodies}</ofd:OFD>'


def _text(x: float, y: float, size: float, codes: list[tuple[float, str]]) -> str:
    """A TextObject at (x, y) whose TextCodes start at the given offsets, Chinese glyphs one
    size apart, digits half of one."""

    def deltas(text: str) -> str:
        return " ".join(str(size / 2 if c.isdigit() else size) for c in text[:-1])

    inner = "".join(
        f'<ofd:TextCode X="{dx}" Y="{size}" DeltaX="{deltas(text)}">{text}</ofd:TextCode>'
        for dx, text in codes
    )
    return (
        f'<ofd:TextObject ID="9" Font="1" Size="{size}" Boundary="{x} {y} 170 {size * 1.5}">'
        f"{inner}</ofd:TextObject>"
    )


def _page(objects: list[str], template: str = "") -> str:
    tpl = f'<ofd:Template TemplateID="{template}"/>' if template else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {NS}>{tpl}'
        f'<ofd:Content><ofd:Layer ID="2">{"".join(objects)}</ofd:Layer></ofd:Content></ofd:Page>'
    )


def _document(pages: int, templates: int = 0) -> str:
    tpls = "".join(
        f'<ofd:TemplatePage ID="t{n}" BaseLoc="Tpls/Tpl_{n}/Content.xml"/>'
        for n in range(templates)
    )
    listed = "".join(
        f'<ofd:Page ID="{n + 10}" BaseLoc="Pages/Page_{n}/Content.xml"/>' for n in range(pages)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {NS}><ofd:CommonData>'
        "<ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>"
        f"<ofd:PublicRes>PublicRes.xml</ofd:PublicRes>{tpls}</ofd:CommonData>"
        f"<ofd:Pages>{listed}</ofd:Pages></ofd:Document>"
    )


PUBLIC_RES = (
    f'<?xml version="1.0" encoding="UTF-8"?><ofd:Res {NS} BaseLoc="Res"><ofd:Fonts>'
    '<ofd:Font ID="1" FontName="仿宋"/></ofd:Fonts><ofd:MultiMedias>'
    '<ofd:MultiMedia ID="7" Type="Image"><ofd:MediaFile>scan_a.png</ofd:MediaFile></ofd:MultiMedia>'
    '<ofd:MultiMedia ID="8" Type="Image"><ofd:MediaFile>scan_b.png</ofd:MediaFile></ofd:MultiMedia>'
    "</ofd:MultiMedias></ofd:Res>"
)


def _zip(members: dict[str, str | bytes], encrypted: str = "") -> bytes:
    """A zip of ``members``; the member ``encrypted`` flagged as encrypted, as zip tools mark
    a password-protected entry (zipfile cannot write one)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    data = bytearray(buffer.getvalue())
    entry = data.find(b"PK\x01\x02")
    while encrypted and entry >= 0:
        length = int.from_bytes(data[entry + 28 : entry + 30], "little")
        if data[entry + 46 : entry + 46 + length].decode() == encrypted:
            data[entry + 8] |= 0x1
        entry = data.find(b"PK\x01\x02", entry + 1)
    return bytes(data)


BODY = 5.6  # 三号 in millimetres
LINE = 10.0


def text_ofd(title: str = "", with_heading: bool = True) -> bytes:
    """Two pages: a heading, a paragraph wrapped over three lines and a page break, each line
    in several TextCodes; page numbers in templates; a short paragraph on page two."""
    top = 40.0
    page1 = []
    if with_heading:
        page1.append(_text(50, top, 7.7, [(0, "关于整理本季度会议记录的通知")]))
    page1 += [
        _text(28, top + 25, BODY, [(0, "各科室：")]),
        # indented first line, split in three TextCodes (a digit run between Chinese)
        _text(
            39.2,
            top + 25 + LINE,
            BODY,
            [(0, "本季度会议共召开"), (44.8, "12"), (50.4, "次，请各科室按时整理会")],
        ),
        _text(28, top + 25 + 2 * LINE, BODY, [(0, "议记录并于月底前报送办公室，逾期未报送的科室")]),
        _text(
            28,
            top + 25 + 3 * LINE,
            BODY,
            [(0, "由办公室统一"), (33.6, "催办，确保本季度的各项会议记录都")],
        ),
    ]
    page2 = [
        _text(28, top, BODY, [(0, "完整无误。")]),
        _text(39.2, top + LINE, BODY, [(0, "特此通知。")]),
    ]
    members: dict[str, str | bytes] = {
        "OFD.xml": _ofd_xml(title, "2024-3-8", ["Doc_0/Document.xml"]),
        "Doc_0/Document.xml": _document(2, templates=2),
        "Doc_0/PublicRes.xml": PUBLIC_RES,
        "Doc_0/Pages/Page_0/Content.xml": _page(page1, "t0"),
        "Doc_0/Pages/Page_1/Content.xml": _page(page2, "t1"),
    }
    for n in range(2):
        folio = _text(95, 270, 4.9, [(0, f"— {n + 1} —")])
        members[f"Doc_0/Tpls/Tpl_{n}/Content.xml"] = _page([folio])
    return _zip(members)


def test_text_ofd_reads_in_order_across_codes_lines_and_pages():
    result = read_ofd(text_ofd())
    assert [block.text for block in result.blocks] == [
        "关于整理本季度会议记录的通知",
        "各科室：",
        "本季度会议共召开12次，请各科室按时整理会议记录并于月底前报送办公室，"
        "逾期未报送的科室由办公室统一催办，确保本季度的各项会议记录都完整无误。",
        "特此通知。",
    ]
    assert result.title == ""  # the heading in the text is the title


def test_docinfo_title_and_date_used_only_when_the_text_gives_none():
    result = read_ofd(text_ofd(title="季度会议记录整理安排", with_heading=False))
    assert result.title == "季度会议记录整理安排"
    assert result.date == "2024-03-08"
    assert read_ofd(text_ofd(title="季度会议记录整理安排")).title == ""


def test_without_namespace_prefixes_and_two_documents():
    plain = text_ofd().replace(b"ofd:", b"").replace(b'xmlns:ofd="', b'xmlns="')
    assert read_ofd(plain).blocks[0].text == "关于整理本季度会议记录的通知"
    with zipfile.ZipFile(io.BytesIO(text_ofd())) as archive:
        members: dict[str, str | bytes] = {name: archive.read(name) for name in archive.namelist()}
    for name in list(members):
        if name.startswith("Doc_0/"):
            members["Doc_1/" + name[6:]] = members[name]
    members["OFD.xml"] = _ofd_xml("", "", ["Doc_0/Document.xml", "Doc_1/Document.xml"])
    texts = [block.text for block in read_ofd(_zip(members)).blocks]
    assert texts.count("特此通知。") == 2
    assert texts.index("特此通知。") < len(texts) - 1


def image_ofd() -> bytes:
    image = '<ofd:ImageObject ID="5" ResourceID="{}" Boundary="0 0 210 297" CTM="210 0 0 297 0 0"/>'
    return _zip(
        {
            "OFD.xml": _ofd_xml("", "", ["Doc_0/Document.xml"]),
            "Doc_0/Document.xml": _document(2),
            "Doc_0/PublicRes.xml": PUBLIC_RES,
            "Doc_0/Pages/Page_0/Content.xml": _page([image.format(8)]),
            "Doc_0/Pages/Page_1/Content.xml": _page([image.format(7)]),
            # stored under another case, as some producers write it
            "DOC_0/Res/scan_a.png": b"\x89PNG first written",
            "DOC_0/Res/scan_b.png": b"\x89PNG second written",
        }
    )


def test_image_only_ofd_is_refused_and_gives_its_page_images_in_page_order():
    with pytest.raises(UnreadableFile) as refused:
        read_ofd(image_ofd())
    assert str(refused.value) == IMAGE_ONLY
    assert "OCR" in IMAGE_ONLY
    assert page_images(image_ofd()) == [b"\x89PNG second written", b"\x89PNG first written"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"PK\x03\x04 not really a zip", DAMAGED),
        (_zip({"readme.txt": "这不是版式文件"}), DAMAGED),
        (_zip({"OFD.xml": "<ofd:OFD", "Doc_0/Document.xml": "x"}), DAMAGED),
    ],
)
def test_broken_ofd_gets_a_reason(data, reason):
    with pytest.raises(UnreadableFile) as refused:
        read_file(Path("坏文件.ofd"), data)
    assert str(refused.value) == reason


def test_encrypted_ofd_gets_a_reason():
    with zipfile.ZipFile(io.BytesIO(text_ofd())) as archive:
        members: dict[str, str | bytes] = {n: archive.read(n) for n in archive.namelist()}
    data = _zip(members, encrypted="Doc_0/Pages/Page_0/Content.xml")
    with pytest.raises(UnreadableFile) as refused:
        read_ofd(data)
    assert str(refused.value) == ENCRYPTED
    with pytest.raises(UnreadableFile):
        page_images(data)


def test_registered_for_the_ofd_extension():
    result = read_file(Path("通知.OFD"), text_ofd())
    assert result.blocks[-1].text == "特此通知。"


# --- the real files in ../shared/realdocs/raw -------------------------------------------------

RAW = REALDOCS / "raw"
real = prerequisite((RAW / "SOURCES.tsv").is_file(), "../shared/realdocs/raw is absent")


def _texts(name: str) -> list[str]:
    return [block.text for block in read_ofd((RAW / name).read_bytes()).blocks]


@real
def test_real_redhead_pifu():
    texts = _texts("ofd_redhead_pifu_luqiao.ofd")
    assert texts[:3] == [
        "测试符路桥区卫生局文件",
        "路卫发〔2011〕76号",
        "关于同意张阿三同志辞职的批复",
    ]
    body = next(t for t in texts if t.startswith("该同志由于家庭"))
    assert body.endswith("经研究，同意张阿三同志辞职。")  # one paragraph over the page lines
    assert texts.index("区中医院：") < texts.index(body) < texts.index("2011年3月10日")
    assert not any("— 1 —" in t or "— 2 —" in t for t in texts)


@real
def test_real_letter():
    result = read_ofd((RAW / "ofd_letter_han_bengbu.ofd").read_bytes())
    texts = [block.text for block in result.blocks]
    assert texts[0] == "关于加快南货场铁路涵洞下穿建设的函"
    assert result.title == ""  # DocInfo says 蚌埠市国土资源局: the text's title wins
    assert any(t.startswith("根据我市2023年房地产用地供应计划") and "7月份出让" in t for t in texts)
    assert any("南货场铁路涵洞下穿建设方案，并加快工程施工建设。" in t for t in texts)
    assert texts[-1] == "2023年7月12日"


@real
def test_real_shouwen_form():
    texts = _texts("ofd_shouwen_form_signout.ofd")
    assert texts[0] == "XX市政府文件处理"
    assert "公文标题 市委主要领导同志调研后续落实事项的通知" in texts
    assert any("府办专督〔2020〕24" in t for t in texts)


@real
def test_real_composite_text_lives_in_composite_units_and_columns():
    texts = _texts("ofd_composite_text_archive.ofd")
    joined = "\n".join(texts)
    assert "全国示范数字档案室" in joined
    first = next(t for t in texts if t.startswith("当前，随着信息技术的飞速发展"))
    # the left column goes on into the column below the picture, not into its neighbour
    assert "国家档案局批准为“全国示范数字档案室”" in first
    assert texts.index("三大趋势，迎来机遇") < texts.index("四大优势，绘制蓝图")


@real
def test_real_image_only_photo():
    data = (RAW / "ofd_image_only_photo.ofd").read_bytes()
    with pytest.raises(UnreadableFile) as refused:
        read_ofd(data)
    assert str(refused.value) == IMAGE_ONLY
    images = page_images(data)
    assert len(images) == 2 and all(image.startswith(b"\xff\xd8") for image in images)


def test_upload_check_knows_ofd():
    from web.uploads import check_content

    assert check_content("批复.ofd", text_ofd()) is None
    assert "“.ofd”不符" in (check_content("批复.ofd", b"PK\x05\x06" + bytes(18)) or "")
