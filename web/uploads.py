"""Uploaded files, judged by their bytes: what a file really is, whether its name may be kept,
and where in the corpus folder it may go. Pure functions (apart from the two that touch the
corpus folder on purpose), so each rule is unit-tested on its own.

Why content and not the name: a name is whatever the uploader typed. A ``.pdf`` that is an
``.exe`` must not land in the corpus, and a real PDF named ``.txt`` would be indexed as garbage.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath, PureWindowsPath

from indexer.readers import READERS, UnreadableFile
from indexer.readers.text import decode_text

MAX_STEM = 80  # characters; keeps the UTF-8 name well under the 255-byte limit of filesystems
DEFAULT_STEM = "未命名文件"

# What each supported extension must contain.
EXPECTED = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".doc": "ole",
    ".wps": "ole",
    ".html": "html",
    ".htm": "html",
    ".shtml": "html",
    ".aspx": "html",
    ".txt": "text",
    ".md": "text",
    ".markdown": "text",
}
assert set(EXPECTED) == set(READERS), "every readable type needs a content rule"

# Kinds that also satisfy an expectation: HTML is text the text reader can decode.
ALSO_ACCEPTED = {"text": {"html"}}

LABELS = {
    "pdf": "PDF 文件",
    "docx": "Word 文档（.docx）",
    "ole": "旧版 Word/WPS 文档（.doc/.wps）",
    "html": "网页（HTML）",
    "text": "纯文本",
    "zip": "ZIP 压缩包或其他 Office 文件",
    "exe": "可执行程序",
    "image": "图片",
    "archive": "压缩包",
    "empty": "空文件",
    "unknown": "无法识别的二进制数据",
}

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"MZ", "exe"),
    (b"\x7fELF", "exe"),
    (b"\xcf\xfa\xed\xfe", "exe"),
    (b"\xca\xfe\xba\xbe", "exe"),
    (b"\x89PNG", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF8", "image"),
    (b"Rar!", "archive"),
    (b"7z\xbc\xaf\x27\x1c", "archive"),
    (b"\x1f\x8b", "archive"),
)
_HTML_MARKERS = re.compile(
    r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<meta\s|<title>|<div[\s>]|<p[\s>]|<table[\s>]"
)
# Windows refuses these as a name before the first dot, whatever the extension ("CON.txt").
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {
    f"{base}{n}" for base in ("COM", "LPT") for n in [*"123456789", "¹", "²", "³"]
}
_FORBIDDEN_CHARS = re.compile(r'[<>:"/\\|?*]')


def sniff(data: bytes) -> str:
    """The kind of content, from its bytes alone: a key of ``LABELS``."""
    if not data.strip():
        return "empty"
    if b"%PDF-" in data[:1024]:  # the PDF header may follow a little junk (spec: first 1 KB)
        return "pdf"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _zip_kind(data)
    for magic, kind in _MAGIC:
        # An all-ASCII magic ("MZ", "Rar!") could begin a text; binaries have NULs up front.
        if data.startswith(magic) and (not magic.isascii() or b"\x00" in data[:512]):
            return kind
    try:
        text = decode_text(data)
    except UnreadableFile:
        return "unknown"
    head = text[:8192].lower()
    return "html" if _HTML_MARKERS.search(head) else "text"


def _zip_kind(data: bytes) -> str:
    # Only the central directory is read; nothing is decompressed (no zip bomb can go off).
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return "zip"
    return "docx" if "word/document.xml" in names else "zip"


def extension(name: str) -> str:
    """The lower-case extension, with its dot, or ''."""
    return PurePosixPath(name).suffix.lower()


def check_content(name: str, data: bytes) -> str | None:
    """None when ``data`` is what the name says; otherwise the reason, in Chinese."""
    ext = extension(name)
    expected = EXPECTED.get(ext)
    if expected is None:
        allowed = " ".join(sorted(EXPECTED))
        return f"不支持的文件类型“{ext or '无扩展名'}”，可以上传：{allowed}"
    kind = sniff(data)
    if kind == "empty":
        return "文件为空"
    if kind == expected or kind in ALSO_ACCEPTED.get(expected, set()):
        return None
    if kind == "unknown":
        if expected == "text":
            return "无法识别文件编码或不是文本文件，请另存为 UTF-8 后再上传"
        return f"文件内容无法识别，不是有效的{LABELS[expected]}"
    return f"文件内容是{LABELS[kind]}，与扩展名“{ext}”不符"


def safe_filename(name: str) -> str:
    """A name that is safe on Windows and POSIX and says the same to a reader.

    Keeps Chinese and other letters; drops folder parts (either slash), control and invisible
    format characters (a right-to-left override can disguise ``txt.exe``), characters Windows
    forbids, leading dots (hidden files are not indexed) and trailing dots and spaces (Windows
    drops them silently); a reserved device name such as ``CON`` gets a ``_``.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _FORBIDDEN_CHARS.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip().lstrip(".").strip().rstrip(". ")
    ext = extension(name)
    if not re.fullmatch(r"\.[a-z0-9]{1,10}", ext):
        ext = ""
    stem = name[: len(name) - len(ext)].rstrip(". ") if ext else name
    stem = stem[:MAX_STEM].rstrip(". ") or DEFAULT_STEM
    if stem.split(".")[0].strip().upper() in _RESERVED:
        stem += "_"
    return stem + ext


def content_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def inside(folder: Path, candidate: Path) -> bool:
    """Whether ``candidate`` (resolved, links followed) lies strictly inside ``folder``."""
    root = folder.resolve()
    try:
        resolved = candidate.resolve()
    except (OSError, RuntimeError):
        return False
    return resolved != root and resolved.is_relative_to(root)


def corpus_member(corpus: Path, relative: str) -> Path | None:
    """The file ``relative`` (as listed, "/" separated) inside ``corpus``, or None.

    Refuses anything that could name a file elsewhere: absolute paths, drive letters,
    backslashes, ``..`` or ``.`` parts, NUL, and links that lead out of the folder.
    """
    if not relative or len(relative) > 1000 or "\\" in relative or "\x00" in relative:
        return None
    if PureWindowsPath(relative).drive or relative.startswith("/"):
        return None
    if os.name == "nt" and ":" in relative:  # "name.txt:stream" is an NTFS data stream
        return None
    parts = relative.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    candidate = corpus.joinpath(*parts)
    if not inside(corpus, candidate) or not candidate.is_file():
        return None
    return candidate


def corpus_files(corpus: Path) -> Iterator[Path]:
    """Indexable files under ``corpus``, as the indexer would find them (hidden parts skipped)."""
    if not corpus.is_dir():
        return
    for path in sorted(corpus.rglob("*")):
        relative = path.relative_to(corpus).parts
        hidden = any(part.startswith(".") for part in relative)
        if path.is_file() and not hidden and extension(path.name) in EXPECTED:
            yield path


def save_new(folder: Path, name: str, data: bytes) -> Path:
    """Write ``data`` as a new file ``name`` in ``folder``, never replacing one: a taken name
    gets （2）, （3）... The exclusive open also holds on case-insensitive filesystems."""
    ext = extension(name)
    stem = name[: len(name) - len(ext)] if ext else name
    for number in range(1, 1000):
        candidate = folder / (name if number == 1 else f"{stem}（{number}）{ext}")
        if candidate.parent.resolve() != folder.resolve():
            raise ValueError("unsafe file name")
        try:
            with open(candidate, "xb") as out:
                out.write(data)
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(name)
