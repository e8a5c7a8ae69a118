"""Uploaded files, judged by their bytes: what a file really is, whether its name may be kept,
and where in the corpus folder it may go. Pure functions (apart from the two that touch the
corpus folder on purpose), so each rule is unit-tested on its own.

Why content and not the name: a name is whatever the uploader typed. A ``.pdf`` that is an
``.exe`` must not land in the corpus, and a real PDF named ``.txt`` would be indexed as garbage.

The corpus folder may also hold what nobody uploaded: names in GBK (a Windows zip unpacked on
Linux), symlinks, folders thousands of levels deep. ``scan_corpus`` lists all of it without
recursion, shows every name readably and gives each entry a key made of the name's bytes, so
the admin can remove any entry, whatever its name.
"""

from __future__ import annotations

import base64
import errno
import hashlib
import io
import os
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

from indexer.readers import READERS, UnreadableFile
from indexer.readers.text import decode_text
from indexer.sidecar import is_side_file
from kb.filenames import readable

MAX_STEM = 80  # characters; keeps the UTF-8 name well under the 255-byte limit of filesystems
DEFAULT_STEM = "未命名文件"
MAX_FILES = 500  # files in one upload; more parts than this cost memory before any check
SPOOL_BYTES = 500 * 1024  # an uploaded file larger than this waits on disk, not in memory

# What each supported extension must contain.
EXPECTED = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".doc": "ole",
    ".wps": "ole",
    ".xls": "ole",
    ".et": "ole",
    ".xlsx": "xlsx",
    ".csv": "text",
    ".ofd": "ofd",
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
    "ole": "旧版 Office/WPS 文件（.doc/.wps/.xls/.et）",
    "xlsx": "Excel 工作簿（.xlsx）",
    "html": "网页（HTML）",
    "ofd": "OFD 版式文件",
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
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return "ofd" if any(name.lower() == "ofd.xml" for name in names) else "zip"


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


# --- names as a person can read them -----------------------------------------------------


def name_note(text: str) -> str:
    """Why a name looks different from its bytes, or ''."""
    try:
        text.encode("utf-8")
        return ""
    except UnicodeEncodeError:
        pass
    if "\\x" in readable(text) or "\\u" in readable(text):
        return "文件名含无法识别的字节，以 \\xNN 显示"
    return "文件名不是 UTF-8 编码，按 GBK（GB18030）显示"


def size_text(size: int) -> str:
    """'4 KB', '4.9 KB', '50 MB': sizes in messages."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f}".rstrip("0").rstrip(".") + f" {unit}"
    return f"{size} 字节"


# --- what the corpus folder holds ----------------------------------------------------------


def entry_key(relative: str) -> str:
    """A key for the entry at ``relative``: its bytes, base64url. Any name round-trips (a
    GBK name on Linux, a lone surrogate on Windows), and a key names nothing by itself: a
    removal looks it up among the listed entries, so no path from a request is ever opened."""
    raw = os.fsencode(relative)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class CorpusEntry:
    path: Path  # as the file system names it
    relative: str  # "/"-separated; may hold surrogate escapes
    key: str
    shown: str  # readable
    kind: str  # "file", "link" or "other" (a pipe, socket or device)
    size: int | None
    modified: float | None
    indexable: bool  # a regular file of a supported type
    notes: tuple[str, ...] = ()


@dataclass
class CorpusScan:
    entries: list[CorpusEntry] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # folders that could not be listed


def scan_corpus(corpus: Path) -> CorpusScan:
    """Every entry of ``corpus`` a person may need to see: regular files (side files and
    hidden entries skipped, as the indexer skips them), symlinks of any kind (never followed
    into folders) and other special files. Iterative, so no folder depth is too deep."""
    scan = CorpusScan()
    if not corpus.is_dir():
        return scan
    root = corpus.resolve()
    pending: list[tuple[str, str]] = [(str(corpus), "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            with os.scandir(folder) as listing:
                children = list(listing)
        except OSError:
            scan.unreadable.append(readable(prefix.rstrip("/")) or ".")
            continue
        for child in children:
            if child.name.startswith("."):
                continue
            relative = prefix + child.name
            try:
                if child.is_dir(follow_symlinks=False):
                    pending.append((child.path, relative + "/"))
                    continue
                entry = _entry(root, Path(child.path), relative, child)
            except OSError:
                continue  # vanished while listed
            if entry is not None:
                scan.entries.append(entry)
    scan.entries.sort(key=lambda e: e.shown)
    scan.unreadable.sort()
    return scan


def _entry(root: Path, path: Path, relative: str, child: os.DirEntry) -> CorpusEntry | None:
    notes = [note] if (note := name_note(relative)) else []
    own = child.stat(follow_symlinks=False)
    size: int | None = own.st_size
    modified: float | None = own.st_mtime
    indexable = False
    if child.is_symlink():
        kind = "link"
        size = modified = None
        target = readable(os.readlink(path))
        try:
            resolved = path.resolve(strict=True)
        except (OSError, RuntimeError):
            notes.append(f"符号链接，指向 {target}：目标不存在或链接成环")
        else:
            where = "文档文件夹以外，不会编入索引" if not resolved.is_relative_to(root) else ""
            notes.append(f"符号链接，指向 {target}" + (f"（{where}）" if where else ""))
            if resolved.is_file():
                with_target = resolved.stat()
                size, modified = with_target.st_size, with_target.st_mtime
    elif child.is_file(follow_symlinks=False):
        kind = "file"
        if is_side_file(path):
            return None  # metadata of a document: moves with it
        indexable = extension(child.name) in EXPECTED
        if not indexable:
            suffix = extension(readable(child.name)) or "无扩展名"
            notes.append(f"不支持的文件类型“{suffix}”，不会编入索引")
    else:
        kind = "other"
        size = None
        notes.append("不是普通文件（命名管道、设备等），不会编入索引")
    return CorpusEntry(
        path=path,
        relative=relative,
        key=entry_key(relative),
        shown=readable(relative),
        kind=kind,
        size=size,
        modified=modified,
        indexable=indexable,
        notes=tuple(notes),
    )


def find_entry(corpus: Path, key: str) -> CorpusEntry | None:
    """The listed entry with ``key``, or None (any other value: a path, a traversal, junk)."""
    if not key or len(key) > 6000 or not re.fullmatch(r"[A-Za-z0-9_-]+", key):
        return None
    return next((e for e in scan_corpus(corpus).entries if e.key == key), None)


def corpus_files(corpus: Path) -> Iterator[Path]:
    """Regular files of supported types in ``corpus`` (links never: reading one could read
    anything on the server)."""
    for entry in scan_corpus(corpus).entries:
        if entry.indexable:
            yield entry.path


def move_out(source: Path, target: Path) -> None:
    """Move ``source`` to ``target`` without ever following it: a symlink moves as a link
    (its target stays where it is); a pipe or device is renamed, never read."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.rename(source, target)
        return
    except OSError as error:
        if error.errno != errno.EXDEV:  # only another file system needs a copy
            raise
    if source.is_symlink():
        os.symlink(os.readlink(source), target)
    elif source.is_file():
        shutil.copy2(source, target, follow_symlinks=False)
    else:
        raise OSError(errno.EXDEV, "a special file cannot be moved to another file system")
    source.unlink()


# --- upload limits ---------------------------------------------------------------------------


class UploadTooLarge(RequestEntityTooLarge):
    """413 naming the limit that was hit (``description``, in Chinese)."""

    def __init__(self, message: str) -> None:
        super().__init__(description=message)


def too_many_files(limit: int) -> str:
    return f"一次最多上传 {limit} 个文件，这次选的文件更多。请分几次上传。"


def too_many_bytes(sent: int | None, limit: int) -> str:
    if sent:
        return f"这次提交共 {size_text(sent)}，超过了一次最多 {size_text(limit)} 的限制，请分几次上传。"
    return f"这次提交超过了一次最多 {size_text(limit)} 的限制，请分几次上传。"


def file_too_big(limit: int) -> str:
    return f"文件超过了单个文件最大 {size_text(limit)} 的限制"


class CappedFile(tempfile.SpooledTemporaryFile):
    """One uploaded file, in memory up to SPOOL_BYTES, then on disk. Beyond ``limit`` bytes
    the rest is dropped and ``too_big`` set: the view refuses this file alone."""

    def __init__(self, limit: int | None) -> None:
        super().__init__(max_size=SPOOL_BYTES, mode="w+b")
        self.limit = limit
        self.received = 0
        self.too_big = False

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.received += len(data)
        if self.limit is not None and self.received > self.limit:
            if not self.too_big:
                self.too_big = True
                self.seek(0)
                self.truncate()
            return len(data)
        return super().write(data)


def upload_parser(max_files: int, max_file_bytes: int | None) -> Callable[..., FormDataParser]:
    """A form parser (for ``request.form_data_parser_class``) that refuses the request once
    it holds more than ``max_files`` files and caps each file at ``max_file_bytes``."""

    def make(**options) -> FormDataParser:
        count = 0

        def stream_factory(**_: object) -> CappedFile:
            nonlocal count
            count += 1
            if count > max_files:
                raise UploadTooLarge(too_many_files(max_files))
            return CappedFile(max_file_bytes)

        options["stream_factory"] = stream_factory
        return FormDataParser(**options)

    return make


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
