"""Walking the corpus folders: the one scan that both indexing and ``kb watch`` use.

A corpus folder is whatever an admin or a Windows zip put there: names in any encoding, links
to files far outside it, links that loop, pipes, folders nobody may read, trees a thousand
levels deep. The walk never follows a link out of the folders it was given, never opens what
is not a regular file, never recurses (a deep tree cannot exhaust the stack), and says why it
left each such entry alone, so that every path is accounted for.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kb.filenames import readable

OUTSIDE = "链接指向文档文件夹以外的位置，已跳过（请把文件本身放进文件夹）"
BROKEN = "链接指向的文件不存在，已跳过"
LOOP = "链接绕回自身（循环链接），已跳过"
LINKED_FOLDER = "指向文件夹的链接，已跳过（请把文件夹本身放进文档文件夹）"
NOT_A_FILE = "不是普通文件（管道、设备或套接字），已跳过"
MISSING = "路径不存在"


@dataclass(frozen=True)
class Entry:
    """A file of the corpus (``stat`` set) or a path left alone (``reason`` set)."""

    path: Path
    stat: os.stat_result | None = None
    reason: str = ""

    @property
    def shown(self) -> str:
        return readable(self.path)


def _within(target: str, roots: list[str]) -> bool:
    return any(target == root or target.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def walk(paths: Iterable[Path], skip: Path | None = None) -> Iterator[Entry]:
    """Every regular file under ``paths`` (a given file as it is), hidden entries left out,
    and every entry passed over with its reason. ``skip`` is a folder never entered (the
    index, when it sits inside the corpus)."""
    given = list(paths)
    roots = [os.path.realpath(p) for p in given if os.path.isdir(p)]
    skipped = os.path.realpath(skip) if skip is not None else None
    for path in given:
        if os.path.isdir(path):
            yield from _walk_folder(Path(path), roots, skipped)
        elif os.path.isfile(path):
            yield Entry(Path(path), os.stat(path))
        else:
            yield Entry(Path(path), reason=MISSING)


def _walk_folder(top: Path, roots: list[str], skipped: str | None) -> Iterator[Entry]:
    pending = [str(top)]
    seen: set[tuple[int, int]] = set()
    while pending:
        folder = pending.pop()
        if skipped is not None and os.path.realpath(folder) == skipped:
            continue
        try:
            info = os.stat(folder)
            if (info.st_dev, info.st_ino) in seen:
                continue  # a bind mount or hard-linked folder met again
            seen.add((info.st_dev, info.st_ino))
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as error:
            yield Entry(Path(folder), reason=f"无法读取文件夹：{error.strerror or error}")
            continue
        folders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                found = _classify(entry, roots)
            except OSError as error:
                found = Entry(Path(entry.path), reason=f"无法读取：{error.strerror or error}")
            if found is None:
                folders.append(entry.path)
            else:
                yield found
        pending.extend(reversed(folders))  # the first sub-folder is walked next


def _loops(path: str) -> bool:
    try:
        os.stat(path)
    except OSError as error:
        return error.errno == errno.ELOOP
    return False


def _classify(entry: os.DirEntry, roots: list[str]) -> Entry | None:
    """None for a folder to enter; else the file, or why it is passed over."""
    path = Path(entry.path)
    if entry.is_symlink():
        target = os.path.realpath(entry.path)
        if not os.path.exists(target):
            return Entry(path, reason=LOOP if _loops(entry.path) else BROKEN)
        if not _within(target, roots):
            return Entry(path, reason=OUTSIDE)
        if os.path.isdir(target):
            return Entry(path, reason=LINKED_FOLDER)
        info = os.stat(target)
    else:
        info = entry.stat(follow_symlinks=False)
        if stat.S_ISDIR(info.st_mode):
            return None
    if not stat.S_ISREG(info.st_mode):
        return Entry(path, reason=NOT_A_FILE)
    return Entry(path, info)
