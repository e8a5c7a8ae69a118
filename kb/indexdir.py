"""The on-disk layout of a kb index folder, shared by the indexer (writes) and search (reads).

::

    <index>/CURRENT          name of the live generation folder (switched with os.replace)
    <index>/jieba.cache      jieba's dictionary cache, kept with the index
    <index>/gen-<n>/whoosh/  the Whoosh index
    <index>/gen-<n>/dict/    the dictionaries this generation was built with
    <index>/gen-<n>/meta.json  schema version and the digest of the user dictionary

Searching uses the dictionaries copied into the generation, so query analysis always matches
what the index was built with, even after an admin edits ``corpus/dict``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from kb.analysis import Segmenter
from kb.dictionaries import Dictionaries

CURRENT = "CURRENT"


class IndexMissing(FileNotFoundError):
    """No index at the given folder; the message tells the user how to build one."""


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

    def read_meta(self) -> dict:
        try:
            return json.loads(self.meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def write_meta(self, meta: dict) -> None:
        tmp = self.meta_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, self.meta_path)


@dataclass(frozen=True)
class IndexDir:
    root: Path

    @property
    def jieba_cache_dir(self) -> Path:
        return self.root

    def current(self) -> Generation | None:
        try:
            name = (self.root / CURRENT).read_text(encoding="utf-8").strip()
        except OSError:
            return None
        generation = Generation(self.root / name)
        return generation if generation.whoosh_dir.is_dir() else None

    def require_current(self) -> Generation:
        generation = self.current()
        if generation is None:
            raise IndexMissing(f"索引不存在：{self.root}。请先运行 kb index 建立索引。")
        return generation

    def new_generation(self) -> Generation:
        self.root.mkdir(parents=True, exist_ok=True)
        numbers = [int(p.name[4:]) for p in self.root.glob("gen-*") if p.name[4:].isdigit()]
        generation = Generation(self.root / f"gen-{max(numbers, default=0) + 1}")
        generation.whoosh_dir.mkdir(parents=True)
        return generation

    def switch_to(self, generation: Generation) -> None:
        """Make ``generation`` live in one step; readers see the old or the new, never a mix."""
        tmp = self.root / (CURRENT + ".tmp")
        tmp.write_text(generation.folder.name, encoding="utf-8")
        os.replace(tmp, self.root / CURRENT)

    def segmenter_for(self, generation: Generation) -> Segmenter:
        return Segmenter(Dictionaries.load(generation.dict_dir), self.jieba_cache_dir)
