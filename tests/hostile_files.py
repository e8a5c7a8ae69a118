"""Hostile files built small on disk: zip bombs with honest or lying headers, XML entity
bombs, PDFs of many pages. The reader tests assert what is refused and why; bench/robustness.py
puts the same files in a corpus and measures what indexing them costs."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import docx
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

MB = 1024 * 1024
PARAGRAPH = "为深入贯彻中央八项规定精神，推动作风建设常态化长效化，经区委同意，决定开展专项检查。"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
LAUGHS = (
    '<!DOCTYPE w:document [<!ENTITY a "哈哈哈哈哈哈哈哈哈哈">'
    + "".join(
        f'<!ENTITY {name} "{("&" + prev + ";") * 10}">'
        for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "]>"
)


def deflated(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def spaces_deflated(megabytes: int) -> tuple[bytes, int]:
    """A raw deflate stream of ``megabytes`` MB of spaces (~1 KB per MB, built in ~0.1 s: one
    fully flushed segment repeated, each independent, then a final block) and its CRC-32."""
    chunk = b" " * MB
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(chunk, crc)
    final = zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    return segment * megabytes + final, crc


def build_zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of (name, raw deflate data, CRC-32, size the headers state) members."""
    out = io.BytesIO()
    central = []
    for name, data, crc, size in members:
        raw_name = name.encode("utf-8")
        offset = out.tell()
        fields = (20, 0, 8, 0, 0x21, crc, len(data), size, len(raw_name), 0)
        out.write(b"PK\x03\x04" + struct.pack("<5H3I2H", *fields) + raw_name + data)
        header = (20, 20, 0, 8, 0, 0x21, crc, len(data), size, len(raw_name), 0, 0, 0, 0, 0)
        central.append(b"PK\x01\x02" + struct.pack("<6H3I5H2I", *header, offset) + raw_name)
    start = out.tell()
    for entry in central:
        out.write(entry)
    size = out.tell() - start
    out.write(
        b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(central), len(central), size, start, 0)
    )
    return out.getvalue()


def small_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph(PARAGRAPH)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_members(replace: dict[str, bytes] | None = None) -> list[tuple[str, bytes, int, int]]:
    """The members of a small real .docx, some replaced, as ``build_zip`` takes them."""
    replace = replace or {}
    members = []
    with zipfile.ZipFile(io.BytesIO(small_docx())) as archive:
        for info in archive.infolist():
            data = replace.pop(info.filename, None)
            if data is None:
                data = archive.read(info)
            members.append((info.filename, deflated(data), zlib.crc32(data), len(data)))
    for name, data in replace.items():
        members.append((name, deflated(data), zlib.crc32(data), len(data)))
    return members


def bomb_docx(megabytes: int, size: int | None = None, crc: int | None = None) -> bytes:
    """A .docx whose document.xml is a deflate bomb of ``megabytes`` MB of spaces; its headers
    state ``size`` (default: the truth) and ``crc`` (default: the true CRC-32)."""
    bomb, real_crc = spaces_deflated(megabytes)
    members = [member for member in docx_members() if member[0] != "word/document.xml"]
    stated = megabytes * MB if size is None else size
    members.append(("word/document.xml", bomb, real_crc if crc is None else crc, stated))
    return build_zip(members)


def entity_document(doctype: str, text: str = "&i;") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}'
        f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>{PARAGRAPH}{text}</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )


def billion_laughs_docx(encoding: str = "utf-8") -> bytes:
    """A .docx whose document.xml declares entities that expand to 10^9 characters."""
    xml = entity_document(LAUGHS)
    if encoding == "utf-16":
        xml = xml.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    return build_zip(docx_members({"word/document.xml": xml.encode(encoding)}))


def pages_pdf(count: int) -> bytes:
    """A PDF of ``count`` pages, a different line of Chinese on each."""
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf_canvas = canvas.Canvas(buffer, pagesize=A4)
    for number in range(count):
        pdf_canvas.setFont("STSong-Light", 14)
        shift = number % len(PARAGRAPH)  # no two pages alike: no running head to drop
        line = (PARAGRAPH[shift:] + PARAGRAPH[:shift])[:20]
        pdf_canvas.drawString(72, 700, f"第{number + 1}页{line}。")
        pdf_canvas.showPage()
    pdf_canvas.save()
    return buffer.getvalue()
