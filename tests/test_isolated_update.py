"""Index updates the server starts run in a child process (issue 14, item 1): the same report,
progress and errors as in-process, and none of the build's memory left in the server."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from filelock import FileLock

import indexer.store
from indexer.isolated import UpdateProcessFailed, update_in_child
from indexer.store import DIE_AT_ENV, LOCK_TIMEOUT_ENV, IndexBusy, update_index
from indexer.update import update
from kb.backend import Backend
from kb.dictionaries import DictionaryError
from kb.engines.whoosh.searcher import Searcher
from kb.indexdir import IndexDir
from kb.resources import DEFAULT_DICT, DEFAULT_DOCS
from tests.conftest import write_docs

DOCS = {
    "a.txt": "关于加强作风建设的通知\n各单位要严格落实中央八项规定精神，坚决纠治四风。\n",
    "b.txt": "关于冷库建设的通知\n做好冷库建设验收工作，按期报送进度。\n",
}


def test_the_child_gives_the_same_report_progress_and_index(tmp_path):
    docs = write_docs(tmp_path / "docs", DOCS)
    said_here: list[str] = []
    said_there: list[str] = []
    here = update(Backend(tmp_path / "here"), [docs], DEFAULT_DICT, progress=said_here.append)
    there = update_in_child(
        Backend(tmp_path / "there"), [docs], DEFAULT_DICT, progress=said_there.append
    )
    assert there == here
    assert said_there == said_here and said_there  # every line, in order
    found = Searcher(tmp_path / "there").search("冷库建设验收")
    assert Path(found.hits[0].path).name == "b.txt"


def test_errors_come_back_as_update_raises_them(tmp_path, monkeypatch):
    docs = write_docs(tmp_path / "docs", DOCS)
    bad = tmp_path / "dict"
    shutil.copytree(DEFAULT_DICT, bad)
    with open(bad / "case_taxonomy.txt", "a", encoding="utf-8") as out:
        out.write("\n这一行没有冒号也没有类别\n")
    with pytest.raises(DictionaryError) as in_process:
        update(Backend(tmp_path / "a"), [docs], bad)
    with pytest.raises(DictionaryError) as in_child:
        update_in_child(Backend(tmp_path / "b"), [docs], bad)
    assert str(in_child.value) == str(in_process.value)

    index = tmp_path / "busy"
    update_index(index, [docs], DEFAULT_DICT)
    monkeypatch.setenv(LOCK_TIMEOUT_ENV, "0.1")  # the child's wait for the lock
    with FileLock(IndexDir(index).lock_path), pytest.raises(IndexBusy):
        update_in_child(Backend(index), [docs], DEFAULT_DICT)


def test_a_child_that_dies_is_reported_and_the_live_index_kept(tmp_path, monkeypatch):
    docs = write_docs(tmp_path / "docs", DOCS)
    index = tmp_path / "index"
    update_index(index, [docs], DEFAULT_DICT)
    (docs / "c.txt").write_text("关于节约用电的通知\n下班随手关灯。\n", encoding="utf-8")
    monkeypatch.setenv(DIE_AT_ENV, "committed")  # the child exits hard halfway
    with pytest.raises(UpdateProcessFailed, match="意外退出"):
        update_in_child(Backend(index), [docs], DEFAULT_DICT)
    monkeypatch.delenv(DIE_AT_ENV)
    found = Searcher(index).search('"下班随手关灯"')
    assert found.total == 0  # the live index is the one before the update
    assert Searcher(index).search('"严格落实中央八项规定精神"').total == 1


def test_kb_serve_builds_its_first_index_outside_the_server_process(tmp_path, monkeypatch):
    from kb import cli

    def not_here(*args, **kwargs):
        raise AssertionError("the first build ran inside the server process")

    monkeypatch.setattr(indexer.store, "update_index", not_here)
    corpus = tmp_path / "corpus"
    shutil.copytree(DEFAULT_DOCS, corpus)
    arguments = ["serve", "--index", str(tmp_path / "index"), "--corpus", str(corpus)]
    app = cli.serve_app(cli.parse_args([*arguments, "--instance", str(tmp_path / "inst")]))
    assert not isinstance(app, int)
    hits = app.test_client().get("/api/search", query_string={"q": "四风"}).get_json()["hits"]
    assert hits


def test_the_admin_update_runs_outside_the_server_process(tmp_path, monkeypatch):
    from kb.settings import Settings
    from web.views.admin import IndexJob

    docs = write_docs(tmp_path / "docs", DOCS)
    index = tmp_path / "index"
    update_index(index, [docs], DEFAULT_DICT)
    (docs / "c.txt").write_text("关于节约用电的通知\n下班随手关灯。\n", encoding="utf-8")

    def not_here(*args, **kwargs):
        raise AssertionError("the update ran inside the server process")

    monkeypatch.setattr(indexer.store, "update_index", not_here)
    job = IndexJob(
        Settings(Backend(index), corpus=docs, dictionaries=DEFAULT_DICT, instance=tmp_path / "inst")
    )
    ok, message = job._update_once()
    assert ok, message
    assert "新增 1" in message
    found = Searcher(index).search('"下班随手关灯"')
    assert [Path(hit.path).name for hit in found.hits] == ["c.txt"]
