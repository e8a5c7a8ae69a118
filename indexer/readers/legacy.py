"""Old binary Office and WPS files (.doc .wps, .xls .et), through a converter installed on
the machine.

No maintained pure-Python reader exists for these formats. antiword (0.6 MB, ~3 ms a file)
reads .doc; LibreOffice (~0.8 s a file, a fresh profile each time) reads all four, converting
documents to .docx and spreadsheets to .xlsx for those readers, and is used when antiword is
missing or fails. Without either, the user is told what to install, or to save the file as
.docx / .xlsx. Works on Windows too: executables are found with shutil.which and every file
lives in a tempfile folder.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from indexer.readers.base import UnreadableFile, guarded
from indexer.readers.formats import read_as
from kb.model import Block, Extracted

__all__ = [
    "NO_CONVERTER",
    "NO_SPREADSHEET_CONVERTER",
    "read_doc",
    "read_et",
    "read_wps",
    "read_xls",
]

NO_CONVERTER = (
    "读取旧版 Word/WPS 文件需要安装 antiword 或 LibreOffice"
    "（Debian/Ubuntu：apt-get install antiword libreoffice-writer-nogui），"
    "或用 Word、WPS 另存为 .docx 后再导入"
)
NO_SPREADSHEET_CONVERTER = (
    "读取 .xls/.et 表格需要安装 LibreOffice（Debian/Ubuntu：apt-get install libreoffice-calc-nogui），"
    "或用 Excel、WPS 另存为 .xlsx 后再导入"
)
CONVERSION_FAILED = "旧版 Word/WPS 文件转换失败，请用 Word 或 WPS 另存为 .docx 后再导入"
SPREADSHEET_CONVERSION_FAILED = "旧版 Excel/WPS 表格转换失败（文件可能已损坏或设置了密码），请用 Excel 或 WPS 另存为 .xlsx 后再导入"
ENCRYPTED = "文件已加密，请先解除密码保护"

ANTIWORD_TIMEOUT = 60
SOFFICE_TIMEOUT = 180
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_PICTURE = re.compile(r"^\[pic\]$", re.I)
# Keep converters from opening a console window on Windows.
_NO_WINDOW = getattr(subprocess, "CREATE_NO_WINDOW", 0)


@guarded(CONVERSION_FAILED)
def read_doc(data: bytes) -> Extracted:
    """A .doc file (or a .docx / web page saved under that name, as many sites serve them)."""
    other = _disguised(data)
    if other is not None:
        return other
    failure: UnreadableFile | None = None
    antiword = shutil.which("antiword")
    if antiword and data.startswith(_OLE_MAGIC):
        try:
            return _antiword(antiword, data)
        except UnreadableFile as error:
            if str(error) == ENCRYPTED:
                raise
            failure = error  # Word 6/95 and other files antiword rejects: try LibreOffice
    soffice = _soffice()
    if soffice:
        return _libreoffice(soffice, data, ".doc", "docx")
    raise failure or UnreadableFile(NO_CONVERTER)


@guarded(CONVERSION_FAILED)
def read_wps(data: bytes) -> Extracted:
    """A WPS Office .wps file: LibreOffice, else antiword (most .wps files are Word 97 inside)."""
    other = _disguised(data)
    if other is not None:
        return other
    soffice = _soffice()
    if soffice:
        return _libreoffice(soffice, data, ".wps", "docx")
    antiword = shutil.which("antiword")
    if antiword and data.startswith(_OLE_MAGIC):
        return _antiword(antiword, data)
    raise UnreadableFile(NO_CONVERTER)


@guarded(SPREADSHEET_CONVERSION_FAILED)
def read_xls(data: bytes) -> Extracted:
    """An Excel 97-2003 .xls workbook (or a .xlsx / web page saved under that name, as many
    sites export their tables), through LibreOffice and the .xlsx reader."""
    return _spreadsheet(data, ".xls")


@guarded(SPREADSHEET_CONVERSION_FAILED)
def read_et(data: bytes) -> Extracted:
    """A WPS Office .et workbook (Excel 97 inside), as .xls."""
    return _spreadsheet(data, ".et")


def _spreadsheet(data: bytes, suffix: str) -> Extracted:
    other = _disguised(data, ".xlsx")
    if other is not None:
        return other
    soffice = _soffice()
    if not soffice:
        raise UnreadableFile(NO_SPREADSHEET_CONVERTER)
    return _libreoffice(soffice, data, suffix, "xlsx")


def _disguised(data: bytes, zipped: str = ".docx") -> Extracted | None:
    """A .docx (``zipped``: .xlsx for a spreadsheet) or an HTML page saved as .doc needs no
    converter."""
    if data.startswith(_ZIP_MAGIC):
        return read_as(zipped, data)
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<html", b"<!doctype html")) or (b"<html" in head and b"<body" in data):
        return read_as(".html", data)
    return None


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _run(
    command: list[str], timeout: int, failed: str = CONVERSION_FAILED
) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            command,
            capture_output=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
            creationflags=_NO_WINDOW,
        )
    except (subprocess.TimeoutExpired, OSError) as error:
        raise UnreadableFile(failed) from error


def _antiword(antiword: str, data: bytes) -> Extracted:
    """``antiword -w 0 -m UTF-8.txt``: one line per paragraph, UTF-8 whatever the locale."""
    with tempfile.TemporaryDirectory(prefix="kb-doc-", ignore_cleanup_errors=True) as folder:
        source = Path(folder) / "input.doc"
        source.write_bytes(data)
        result = _run([antiword, "-w", "0", "-m", "UTF-8.txt", str(source)], ANTIWORD_TIMEOUT)
    message = result.stderr.decode("utf-8", "replace").lower()
    if "encrypt" in message or "password" in message:
        raise UnreadableFile(ENCRYPTED)
    if result.returncode != 0 or not result.stdout.strip():
        raise UnreadableFile(CONVERSION_FAILED)
    return Extracted(_antiword_blocks(result.stdout.decode("utf-8", "replace")))


def _antiword_blocks(text: str) -> list[Block]:
    blocks = []
    for raw in text.replace("\r\n", "\n").replace("\f", "\n").split("\n"):
        line = raw.strip()
        if not line or _PICTURE.match(line):
            continue
        if line.startswith("|") and line.endswith("|") and len(line) > 2:
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            line = "　".join(cell for cell in cells if cell)
            if not line:
                continue
        blocks.append(Block(line))
    return blocks


def _libreoffice(soffice: str, data: bytes, suffix: str, target: str) -> Extracted:
    """``soffice --headless --convert-to docx`` (``target``: docx or xlsx) with a fresh profile
    (a shared one is locked by any running LibreOffice), then the reader of ``target``."""
    failed = CONVERSION_FAILED if target == "docx" else SPREADSHEET_CONVERSION_FAILED

    with tempfile.TemporaryDirectory(prefix="kb-lo-", ignore_cleanup_errors=True) as folder:
        root = Path(folder)
        source = root / f"input{suffix}"
        source.write_bytes(data)
        profile = root / "profile"
        output = root / "out"
        profile.mkdir()
        output.mkdir()
        # A damaged workbook would otherwise be imported as text: its bytes as cells.
        spreadsheet = target == "xlsx" and data.startswith(_OLE_MAGIC)
        infilter = ["--infilter=MS Excel 97"] if spreadsheet else []
        command = [
            soffice,
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            *infilter,
            "--convert-to",
            target,
            "--outdir",
            str(output),
            str(source),
        ]
        _run(command, SOFFICE_TIMEOUT, failed)
        converted = output / f"input.{target}"
        if not converted.is_file() or converted.stat().st_size == 0:
            raise UnreadableFile(failed)
        converted_data = converted.read_bytes()
    extracted = read_as(f".{target}", converted_data)
    if (
        target == "docx"
        and extracted.title
        and not any(extracted.title in block.text for block in extracted.blocks)
    ):
        # Old files keep the title of the template they were made from in their properties
        # (a .wps titled "甘审办发〔2011〕号" holding 国防部关于放假的通知): only a title the
        # text itself shows is kept; otherwise the outline finds it in the text.
        extracted = dataclasses.replace(extracted, title="")
    return extracted
