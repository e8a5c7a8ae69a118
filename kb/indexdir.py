"""The on-disk layout of a kb index folder, shared by the indexer (writes) and search (reads).

::

    <index>/CURRENT          name of the live generation folder (switched with os.replace)
    <index>/write.lock       held by the one writer (indexer.store); readers take no lock
    <index>/jieba.cache      jieba's dictionary cache, kept with the index
    <index>/gen-<n>/whoosh/  the Whoosh index and its passage table (kb.passage_table)
    <index>/gen-<n>/dict/    the dictionaries this generation was built with
    <index>/gen-<n>/meta.json      schema version and the digest of the user dictionary
    <index>/gen-<n>/manifest.json  what the generation holds per document (indexer.store)

A generation is complete before ``CURRENT`` names it and is not changed afterwards, except
that query-time dictionaries and the side files above may be replaced, each in one
``os.replace``. Every update, full or incremental, writes a new generation aside (the
incremental one starting from hard links to the live Whoosh files, which Whoosh never
rewrites), flushes it to disk and switches ``CURRENT``; so a reader sees the old index or the
new one, never a mix, and a crash at any point leaves the last good generation live.

Searching uses the dictionaries copied into the generation, so query analysis always matches
what the index was built with, even after an admin edits ``corpus/dict``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from kb.analysis import Segmenter
from kb.dictionaries import Dictionaries

CURRENT = "CURRENT"
GENERATION_PREFIX = "gen-"


class IndexMissing(FileNotFoundError):
    """No index at the given folder; the message tells the user how to build one."""


def sync_file(path: Path) -> None:
    """Flush one file's data to disk (best effort: some file systems refuse)."""
    flags = os.O_RDWR if os.name == "nt" else os.O_RDONLY  # Windows commits writable handles
    try:
        fd = os.open(path, flags)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def sync_dir(path: Path) -> None:
    """Flush a folder's entries (new names, renames) to disk; POSIX only, Windows has no
    directory handles to flush and journals its metadata anyway."""
    if os.name == "nt":
        return
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def sync_tree(folder: Path) -> None:
    """Flush every file and folder under ``folder`` so a power loss after the switch that
    follows cannot leave ``CURRENT`` naming a generation whose data never reached the disk."""
    for parent, _, names in os.walk(folder):
        for name in names:
            sync_file(Path(parent) / name)
        sync_dir(Path(parent))


def replace_file(source: Path, target: Path) -> None:
    """``os.replace`` that waits out a reader briefly holding ``target`` open on Windows."""
    for attempt in range(20):
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if os.name != "nt" or attempt == 19:
                raise
            time.sleep(0.05)


def write_atomic(path: Path, data: bytes, sync: bool = True) -> None:
    """Replace ``path`` in one step: readers see the old bytes or the new, never a part."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as stream:
        stream.write(data)
        if sync:
            stream.flush()
            os.fsync(stream.fileno())
    replace_file(tmp, path)


@dataclass(frozen=True)
class Generation:
    folder: Path

    @property
    def whoosh_dir(self) -> Path:
        return self.folder / "whoosh"

    @property
    def dict_dir(self) -> Path:
        return self.folder / "dict"

    @property
    def meta_path(self) -> Path:
        return self.folder / "meta.json"

    @property
    def manifest_path(self) -> Path:
        return self.folder / "manifest.json"

    def read_meta(self) -> dict:
        try:
            return json.loads(self.meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def write_meta(self, meta: dict) -> None:
        data = json.dumps(meta, ensure_ascii=False, indent=1).encode("utf-8")
        write_atomic(self.meta_path, data)


@dataclass(frozen=True)
class IndexDir:
    root: Path

    @property
    def jieba_cache_dir(self) -> Path:
        return self.root

    @property
    def lock_path(self) -> Path:
        return self.root / "write.lock"

    def current(self) -> Generation | None:
        try:
            name = (self.root / CURRENT).read_text(encoding="utf-8").strip()
        except OSError:
            return None
        if not name.startswith(GENERATION_PREFIX):
            return None
        generation = Generation(self.root / name)
        return generation if generation.whoosh_dir.is_dir() else None

    def require_current(self) -> Generation:
        generation = self.current()
        if generation is None:
            raise IndexMissing(f"索引不存在：{self.root}。请先运行 kb index 建立索引。")
        return generation

    def new_generation(self) -> Generation:
        """An empty generation folder numbered above every existing one; only the writer
        holding the write lock calls this."""
        self.root.mkdir(parents=True, exist_ok=True)
        numbers = [
            int(p.name[len(GENERATION_PREFIX) :])
            for p in self.root.glob(GENERATION_PREFIX + "*")
            if p.name[len(GENERATION_PREFIX) :].isdigit()
        ]
        generation = Generation(self.root / f"{GENERATION_PREFIX}{max(numbers, default=0) + 1}")
        generation.whoosh_dir.mkdir(parents=True)
        return generation

    def switch_to(self, generation: Generation) -> None:
        """Make ``generation`` live in one step; readers see the old or the new, never a mix.
        The new name is on disk before the rename and the rename before this returns."""
        tmp = self.root / (CURRENT + ".tmp")
        with open(tmp, "wb") as stream:
            stream.write(generation.folder.name.encode("utf-8"))
            stream.flush()
            os.fsync(stream.fileno())
        replace_file(tmp, self.root / CURRENT)
        sync_dir(self.root)

    def remove_stale(self, keep: Generation | None, temp_age: float = 60.0) -> None:
        """Delete what an interrupted writer left: generations other than ``keep`` (half
        built, or superseded but not yet removed), ``CURRENT.tmp``, and jieba's temporary
        cache files older than ``temp_age`` seconds. Only the lock holder calls this; a
        folder a reader still has open on Windows goes on a later run."""
        if not self.root.is_dir():
            return
        for folder in self.root.glob(GENERATION_PREFIX + "*"):
            if keep is None or folder != keep.folder:
                shutil.rmtree(folder, ignore_errors=True)
        with contextlib.suppress(OSError):
            (self.root / (CURRENT + ".tmp")).unlink()
        now = time.time()
        for stray in self.root.glob("tmp*"):  # jieba dumps its cache via tempfile.mkstemp
            with contextlib.suppress(OSError):
                if stray.is_file() and now - stray.stat().st_mtime > temp_age:
                    stray.unlink()

    def segmenter_for(self, generation: Generation) -> Segmenter:
        return Segmenter(Dictionaries.load(generation.dict_dir), self.jieba_cache_dir)
