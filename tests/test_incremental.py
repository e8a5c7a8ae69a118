"""Incremental updates: the hash decides, the manifest spares reading, the table is reused."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

import indexer.store as store
from indexer.store import update_index
from kb.cli import DEFAULT_DICT
from kb.engines.whoosh.schema import build_schema
from kb.engines.whoosh.searcher import Searcher
from kb.indexdir import IndexDir
from kb.passage_table import table_lines, table_path

LONG_AGO = time.time() - 3600


def write(path: Path, text: str, old: bool = True) -> None:
    path.write_text(text, encoding="utf-8")
    if old:  # older than RACY_SECONDS, so its stamp is trusted next time
        os.utime(path, (LONG_AGO, LONG_AGO))


@pytest.fixture
def docs(tmp_path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for number in range(6):
        write(
            folder / f"d{number}.txt", f"第{number}号通知\n\n严禁以会议落实会议，第{number}条。\n"
        )
    return folder


def index_of(docs: Path) -> Path:
    return docs.parent / "index"


def live_table_matches_a_fresh_one(index: Path) -> bool:
    live = IndexDir(index).require_current()
    ix = whoosh_index.open_dir(str(live.whoosh_dir), schema=build_schema())
    with ix.reader() as reader:
        stored = table_path(live.whoosh_dir, reader.generation()).read_text(encoding="utf-8")
        return stored.split("\n") == table_lines(reader)


def test_the_reused_passage_table_equals_a_fresh_one(docs):
    index = index_of(docs)
    update_index(index, [docs], DEFAULT_DICT)
    write(docs / "d1.txt", "第1号通知\n\n严禁文山会海。\n\n另起一段。\n")
    (docs / "d2.txt").unlink()
    write(docs / "new.txt", "新文件\n\n为基层减负。\n")
    report = update_index(index, [docs], DEFAULT_DICT)
    assert (len(report.added), len(report.updated), len(report.removed)) == (1, 1, 1)
    assert live_table_matches_a_fresh_one(index)
    for number in range(3, 6):  # more updates: segments merge, lines move
        write(docs / f"d{number}.txt", f"改过的第{number}号\n\n公车私用问题。\n")
        update_index(index, [docs], DEFAULT_DICT)
        assert live_table_matches_a_fresh_one(index)
    assert Searcher(index).search('"公车私用"').total == 3


def test_an_unchanged_rerun_reads_neither_passages_nor_files(docs, monkeypatch):
    index = index_of(docs)
    update_index(index, [docs], DEFAULT_DICT)
    live = IndexDir(index).require_current()

    def forbidden(*args, **kwargs):
        raise AssertionError("should not be needed")

    monkeypatch.setattr(store, "_manifest_from_index", forbidden)
    monkeypatch.setattr(store, "read_side_metadata", forbidden)
    report = update_index(index, [docs], DEFAULT_DICT)
    assert report.unchanged == 6 and not report.changed
    assert IndexDir(index).require_current() == live  # no new generation


def test_a_new_time_alone_changes_nothing(docs):
    index = index_of(docs)
    update_index(index, [docs], DEFAULT_DICT)
    os.utime(docs / "d0.txt", (LONG_AGO + 60, LONG_AGO + 60))
    report = update_index(index, [docs], DEFAULT_DICT)
    assert report.unchanged == 6 and not report.changed


def test_a_change_that_keeps_size_and_time_is_found_while_the_time_is_recent(docs):
    """A stamp is only trusted when the file was older than RACY_SECONDS when it was taken:
    a same-size edit within the file system's time granularity is still hashed."""
    index = index_of(docs)
    path = docs / "d0.txt"
    write(path, "第0号通知\n\n严禁以会议落实会议，甲条。\n", old=False)
    update_index(index, [docs], DEFAULT_DICT)
    before = path.stat()
    path.write_text("第0号通知\n\n严禁以会议落实会议，乙条。\n", encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    report = update_index(index, [docs], DEFAULT_DICT)
    assert report.updated == [str(path)]
    assert Searcher(index).search('"乙条"').total == 1


def test_query_time_dictionaries_apply_in_place(docs, tmp_path):
    index = index_of(docs)
    dict_dir = tmp_path / "dict"
    shutil.copytree(DEFAULT_DICT, dict_dir)
    update_index(index, [docs], dict_dir)
    live = IndexDir(index).require_current()
    with open(dict_dir / "synonyms.txt", "a", encoding="utf-8") as stream:
        stream.write("\n开会太多, 以会议落实会议\n")
    report = update_index(index, [docs], dict_dir)
    assert not report.changed and IndexDir(index).require_current() == live
    assert "开会太多" in (live.dict_dir / "synonyms.txt").read_text(encoding="utf-8")
    assert Searcher(index).search("开会太多").total > 0
