"""``kb index`` holds a bounded working set, whatever the size of the corpus (issue 14).

The figures at scale come from bench/scale.py; these tests pin the two structural causes of
growth found there: tokenized files waiting for the writer, and the previous passage table
read whole for an update.
"""

from __future__ import annotations

import queue
import time
import tracemalloc
import types
from multiprocessing.pool import ThreadPool

from whoosh import index as whoosh_index

import indexer.store as store
from kb.engines.whoosh.schema import build_schema
from kb.indexdir import IndexDir
from kb.passage_table import lines_by_segment, table_path

MB = 1024 * 1024


def _heavy(job: store.Job) -> store.Outcome:
    """A tokenized file of 1 MB of rows, made at once."""
    return store.Outcome(job.shown, job.shown, [{"text": "字" * (MB // 2)}])


class _Segmenter:
    def words(self, text: str) -> list[str]:
        return [text]


def _peak_while_writing_slowly(count: int, tmp_path) -> tuple[int, list[str]]:
    """Peak memory traced while ``tokenize_all`` hands ``count`` files to a writer that takes
    10 ms a file, and the order the files came in."""
    jobs = [store.Job(str(tmp_path / f"{n}.txt"), f"{n:03d}", 100, "", {}) for n in range(count)]
    order = []
    tracemalloc.start()
    try:
        for outcome in store.tokenize_all(jobs, _Segmenter(), tmp_path, tmp_path):
            order.append(outcome.shown)
            time.sleep(0.01)
        return tracemalloc.get_traced_memory()[1], order
    finally:
        tracemalloc.stop()


def test_workers_run_only_a_few_files_ahead_of_the_writer(tmp_path, monkeypatch):
    """Whoosh's writer takes longer over a file than a worker tokenizing it. Were the
    workers handed every file at once (``Pool.imap``), the rows of most of the corpus would
    wait in the indexing process (1.2 GB at 10x realdocs): the memory of waiting files must
    stay a few files' worth, for 48 files as for 12. (Threads stand in for the worker
    processes here, so that tracemalloc sees what they make.)"""
    monkeypatch.setattr(store, "worker_count", lambda: 2)
    monkeypatch.setattr(store, "_process", _heavy)
    threads = types.SimpleNamespace(
        Pool=lambda workers, **_: ThreadPool(workers), SimpleQueue=queue.SimpleQueue
    )
    monkeypatch.setattr(store.multiprocessing, "get_context", lambda method: threads)
    few, order = _peak_while_writing_slowly(12, tmp_path)
    many, order_of_many = _peak_while_writing_slowly(48, tmp_path)
    assert order == sorted(order) and order_of_many == sorted(order_of_many)  # as listed
    assert len(order_of_many) == 48
    assert many < 1.5 * few, (few / MB, many / MB)
    assert many < (2 * store.IN_FLIGHT_PER_WORKER + 4) * MB


def test_a_large_file_goes_to_the_workers_alone(tmp_path, monkeypatch):
    """Files are handed on by bytes as well as by count: a file over the in-flight budget
    waits until the files before it are written."""
    monkeypatch.setattr(store, "worker_count", lambda: 2)
    in_flight: list[int] = []
    handed: list[str] = []

    class Pool:
        def apply_async(self, function, arguments):
            handed.append(arguments[0].shown)
            in_flight.append(sum(1 for name in handed if name not in done))
            outcome = store.Outcome(arguments[0].shown)
            return types.SimpleNamespace(get=lambda: outcome, ready=lambda: True)

    done: list[str] = []
    sizes = [10, 10, store.IN_FLIGHT_BYTES, 10, 10, 10, 10, 10, 10]
    jobs = [store.Job("", f"{n}", size, "", {}) for n, size in enumerate(sizes)]
    for outcome in store._in_order(Pool(), jobs, workers=2):
        done.append(outcome.shown)
    assert done == [str(n) for n in range(len(sizes))]
    # the big file was handed on only once the two before it were written, and alone
    big = handed.index("2")
    assert done[:2] == ["0", "1"] and in_flight[big] == 1
    assert max(in_flight) <= 2 * store.IN_FLIGHT_PER_WORKER


def test_an_update_reads_the_previous_passage_table_as_it_copies_it(corpus_index):
    """The lines of unchanged segments are found in the live table file by offset and read
    while the new table is written, not held whole through the update (at 40x realdocs the
    table is ~100 MB of text)."""
    live = IndexDir(corpus_index).require_current()
    ix = whoosh_index.open_dir(str(live.whoosh_dir), schema=build_schema())
    with ix.reader() as reader:
        path = table_path(live.whoosh_dir, reader.generation())
        tracemalloc.start()
        try:
            reuse = lines_by_segment(live.whoosh_dir, reader)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        stored = path.read_text(encoding="utf-8").split("\n")
        assert reuse and sum(part.count for part in reuse.values()) == len(stored)
        found = {}
        for leaf, base in reader.leaf_readers():
            part = reuse[leaf.segment().segment_id()]
            found[base] = list(part)
        assert [line for base in sorted(found) for line in found[base]] == stored
    assert peak < path.stat().st_size / 4, (peak, path.stat().st_size)


def test_numbers_are_indexed_as_one_term_each(tmp_path):
    """year and ordinal are filtered by short ranges and sorted by column: Whoosh's tiered
    terms (eight per value) were 16% of a build's postings for nothing."""
    from indexer.store import update_index
    from kb.cli import DEFAULT_DICT
    from kb.engines.whoosh.searcher import Searcher

    docs = tmp_path / "docs"
    docs.mkdir()
    for year in (2019, 2021):
        (docs / f"{year}.txt").write_text(
            f"关于{year}年作风建设的通知\n\n{year}年5月6日\n\n一、总体要求\n\n严禁违规吃喝。\n\n"
            "二、工作措施\n\n精简会议文件。\n",
            encoding="utf-8",
        )
    update_index(tmp_path / "index", [docs], DEFAULT_DICT)
    searcher = Searcher(tmp_path / "index")
    try:
        with searcher._view() as view:
            reader = view.searcher.reader()
            passages = reader.doc_count()
            years = {row["year"] for row in reader.all_stored_fields()}
            ordinals = {row["ordinal"] for row in reader.all_stored_fields()}
            assert len(list(reader.lexicon("year"))) == len(years) == 2
            assert len(list(reader.lexicon("ordinal"))) == len(ordinals) < passages
        assert searcher.search("违规吃喝 year:2019").total == 1
        assert searcher.search("违规吃喝 year:2018-2021").total == 2
    finally:
        searcher.close()
