"""Searching from many threads while the index changes underneath: `kb serve` shares one
Searcher between its threads while `kb index --rebuild` makes a new generation live and
deletes the old folder. Found with bench/load.py: a switch closed the Whoosh searcher other
threads were still using (whoosh.reading.ReaderClosed); a thread could open a generation the
next rebuild had just deleted (whoosh.index.EmptyIndexError); and, with or without a
rebuild, threads sharing one Whoosh searcher read each other's bytes (IndexError,
UnpicklingError, zlib errors)."""

from __future__ import annotations

import sys
import threading
import traceback

import pytest
from conftest import write_docs

from indexer.store import update_index
from kb.cli import DEFAULT_DICT
from kb.engines.whoosh.searcher import Searcher
from kb.indexdir import Generation, IndexDir

DOCS = {
    f"通知{n}.txt": f"关于精简会议的通知{n}\n\n严禁以会议落实会议，坚决纠治四风问题{n}。\n\n"
    "公务用车不得私用，违者严肃处理。\n"
    for n in range(4)
}
QUERIES = ["会议", '"落实会议"', "四风 type:通知", "公车私用", "-会议 公务用车", "year:2024"]


@pytest.fixture
def live(tmp_path):
    docs = write_docs(tmp_path / "docs", DOCS)
    index = tmp_path / "index"
    update_index(index, [docs], DEFAULT_DICT)

    def rebuild() -> None:
        update_index(index, [docs], DEFAULT_DICT, rebuild=True)

    return Searcher(index), rebuild


def test_searches_in_many_threads_never_fail_while_the_index_is_rebuilt(live):
    searcher, rebuild = live
    errors: list[str] = []
    stop = threading.Event()

    def search_until_stopped(start: int) -> None:
        n = start
        while not stop.is_set():
            try:
                result = searcher.search(QUERIES[n % len(QUERIES)], facets=True)
                for hit in result.hits[:1]:
                    assert searcher.document(hit.doc_id) is not None
            except Exception:
                errors.append(traceback.format_exc())
            n += 1

    threads = [threading.Thread(target=search_until_stopped, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(15):
            rebuild()
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors, f"{len(errors)} failed searches, the first:\n{errors[0]}"
    assert searcher.search("会议").total > 0
    with searcher._snapshot() as (snap, _):
        assert snap.generation == searcher.index_dir.current()


def test_a_running_search_keeps_its_generation_after_a_switch(live):
    searcher, rebuild = live
    with searcher._snapshot() as (held, whoosh):
        rebuild()
        assert searcher.search("会议").total > 0  # this query moves on to the new generation
        assert searcher._snap is not held and not held.generation.folder.exists()
        # The held snapshot still answers, from files deleted but open.
        assert not whoosh.is_closed
        assert whoosh.doc_count() == len(held.table.doc_ids) > 0
        assert list(whoosh.documents(doc_id=held.table.doc_ids[0]))
    assert whoosh.is_closed  # closed when its last user is done


def test_opening_moves_on_when_the_generation_read_from_current_is_gone(live, monkeypatch):
    searcher, _ = live
    real = searcher.index_dir
    gone = Generation(real.root / "gen-999")  # named by CURRENT, deleted before it was opened
    answers = [gone]

    def require_current(self) -> Generation:
        return answers.pop() if answers else real.current()

    monkeypatch.setattr(IndexDir, "require_current", require_current)
    snap = searcher._open_live()
    assert snap.generation == real.current()
    snap.close()


def test_when_the_new_generation_cannot_be_opened_searches_go_on_with_the_old(live, monkeypatch):
    searcher, rebuild = live
    before = searcher.search("会议")
    rebuild()

    def fail():
        raise FileNotFoundError("deleted by the next rebuild")

    monkeypatch.setattr(searcher, "_open_live", fail)
    assert searcher.search("会议").total == before.total  # the old snapshot answered
    monkeypatch.undo()
    assert searcher.search("会议").total == before.total
    with searcher._snapshot() as (snap, _):
        assert snap.generation == searcher.index_dir.current()


def test_concurrent_queries_never_share_a_whoosh_searcher(searcher):
    """Whoosh's readers seek and read shared file objects: two queries interleaving on one
    searcher read each other's bytes (IndexError, UnpicklingError, zlib errors under load in
    bench/load.py). Switching threads as often as possible makes that near certain."""
    queries = [
        "四风 典型问题",
        "领导接受老板请吃饭",
        '"以会议落实会议"',
        "民主生活会 对照检查",
        "公车私用 type:通报",
        "为基层减负 year:2024",
        "12345热线 推诿",
        "违规吃喝 -宴请",
    ]
    expected = {q: [h.text for h in searcher.search(q).hits] for q in queries}
    errors: list[str] = []
    wrong: list[str] = []

    def run(start: int) -> None:
        for n in range(40):
            query = queries[(start + n) % len(queries)]
            try:
                if [h.text for h in searcher.search(query).hits] != expected[query]:
                    wrong.append(query)
            except Exception:
                errors.append(traceback.format_exc())

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=run, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        sys.setswitchinterval(interval)
    assert not errors, f"{len(errors)} failed queries, the first:\n{errors[0]}"
    assert not wrong, f"{len(wrong)} queries answered differently, e.g. {wrong[0]}"
