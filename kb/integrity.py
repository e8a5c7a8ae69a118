"""Checksums of a generation's index files, and opening them without memory maps.

A generation's Whoosh files and passage table never change once written (``kb.indexdir``).
Each generation records their sizes and SHA-256 digests in ``checksums.json``; ``kb index``
verifies the live generation before it updates it and rebuilds a damaged one, and a searcher
checks the sizes when it opens a generation (cheap: truncation and deleted files show at once)
and the digests when reading fails, so that a damaged index is named, not a traceback.

Segments are read through ordinary file reads, not ``mmap``: a file truncated under a running
server then raises an error that one query reports, where a memory map would kill the whole
process with SIGBUS.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from whoosh.filedb.filestore import FileStorage

CHECKSUMS = "checksums.json"
TABLE_PREFIX = "passages-"  # kb.passage_table's files: derived data, rewritten when damaged
_CHUNK = 1 << 20


class IndexDamaged(RuntimeError):
    """A generation's files do not match their checksums; the message is for the user."""


def open_whoosh(folder: Path, schema):
    """The Whoosh index in ``folder``, read without memory maps."""
    return FileStorage(str(folder), supports_mmap=False).open_index(schema=schema)


def create_whoosh(folder: Path, schema):
    """A new, empty Whoosh index in ``folder``, read without memory maps (as
    ``open_whoosh``; a map of a large segment would also count as the builder's memory)."""
    return FileStorage(str(folder), supports_mmap=False).create_index(schema)


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _files(whoosh_dir: Path) -> list[Path]:
    return sorted(p for p in whoosh_dir.iterdir() if p.is_file() and not p.name.endswith(".tmp"))


def write_checksums(
    generation_folder: Path, whoosh_dir: Path, previous: Path | None = None
) -> None:
    """Record the Whoosh files and passage table of a generation. Files hard-linked from the
    ``previous`` generation (same inode and size) keep their recorded digest."""
    known: dict[str, list] = {}
    if previous is not None:
        known = _read(previous).get("files", {})
    recorded: dict[str, list] = {}
    for path in _files(whoosh_dir):
        if path.name == "write.lock":
            continue
        info = path.stat()
        old = known.get(path.name)
        if old and old[0] == info.st_size and len(old) > 2 and old[2] == info.st_ino:
            digest = old[1]
        else:
            digest = _digest(path)
        recorded[path.name] = [info.st_size, digest, info.st_ino]
    text = json.dumps({"files": recorded}, ensure_ascii=True, indent=0)
    target = generation_folder / CHECKSUMS
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)


def _read(generation_folder: Path) -> dict:
    try:
        return json.loads((generation_folder / CHECKSUMS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _is_table(name: str) -> bool:
    return name.startswith(TABLE_PREFIX)


def problems(
    generation_folder: Path, whoosh_dir: Path, digests: bool = True, tables: bool = False
) -> list[str]:
    """What is wrong with a generation's Whoosh files, in Chinese, or ``[]``; its passage
    tables too with ``tables`` (they can be derived again from the index, see
    ``damaged_tables``). Without ``digests``, only presence and sizes are checked. A
    generation without checksums (written by an older kb) is taken as it is."""
    recorded = _read(generation_folder).get("files")
    if recorded is None:
        return []
    found: list[str] = []
    for name, (size, digest, *_) in sorted(recorded.items()):
        if _is_table(name) and not tables:
            continue
        wrong = _size_problem(whoosh_dir / name, size)
        if wrong:
            found.append(wrong)
        elif digests and _digest(whoosh_dir / name) != digest:
            found.append(f"文件 {name} 的内容与记录的校验值不符")
    return found


def _size_problem(path: Path, size: int) -> str:
    try:
        actual = path.stat().st_size
    except OSError:
        return f"文件 {path.name} 不见了"
    return f"文件 {path.name} 的大小从 {size} 字节变成了 {actual} 字节" if actual != size else ""


def recorded_sizes(generation_folder: Path, whoosh_dir: Path) -> dict[Path, int]:
    """The Whoosh files of a generation and their sizes as written (passage tables aside), for
    ``resized``: a searcher opens them once and checks them before every query."""
    recorded = _read(generation_folder).get("files") or {}
    return {whoosh_dir / name: entry[0] for name, entry in recorded.items() if not _is_table(name)}


def resized(sizes: dict[Path, int]) -> list[str]:
    """What ``problems`` without digests would say about these files: a few stat calls, cheap
    enough for every query. A segment cut short past the postings a query reads would
    otherwise answer it with hits whose stored fields are gone."""
    return [wrong for path, size in sorted(sizes.items()) if (wrong := _size_problem(path, size))]


def damaged_tables(generation_folder: Path, whoosh_dir: Path) -> list[Path]:
    """The passage tables of a generation that are missing or not as written."""
    recorded = _read(generation_folder).get("files") or {}
    damaged = []
    for name, (size, digest, *_) in sorted(recorded.items()):
        if not _is_table(name):
            continue
        path = whoosh_dir / name
        try:
            intact = path.stat().st_size == size and _digest(path) == digest
        except OSError:
            intact = False
        if not intact:
            damaged.append(path)
    return damaged


def damage_message(folder: Path, found: list[str]) -> str:
    """What a user reads about a damaged index."""
    shown = "；".join(found[:3]) + ("等" if len(found) > 3 else "")
    return f"索引已损坏（{folder}：{shown}）。请运行 kb index，它会重建索引。"
