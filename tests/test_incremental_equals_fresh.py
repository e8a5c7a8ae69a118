"""Incremental updates equal a fresh build (issue 12): after any sequence of files added,
changed and removed, every query finds the same passages with the same scores as an index
built from scratch of the same files, and the index keeps no more than half again as many
passages as it shows."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.store import PURGE_SHARE, update_index
from kb.cli import DEFAULT_DICT, DEFAULT_DOCS
from kb.engines.whoosh.searcher import Searcher

# Sentences of our own corpus (read at run time), to compose documents from.
SENTENCES = [
    s.strip() + "。"
    for path in sorted(DEFAULT_DOCS.glob("*.txt"))
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines()[2:]
    for s in line.split("。")
    if 8 <= len(s.strip()) <= 80
]
QUERIES = ["基层 减负", "违规吃喝", "八项规定 典型问题", "会议", "领导接受老板请吃饭", '"整改"']


def _document(rng: random.Random, title: str) -> str:
    paragraphs = [
        "".join(rng.sample(SENTENCES, rng.randint(1, 4))) for _ in range(rng.randint(1, 6))
    ]
    return title + "\n\n" + "\n\n".join(paragraphs) + "\n"


operation = st.tuples(st.sampled_from(["add", "change", "append", "remove"]), st.integers(0, 10**6))


def _apply(folder: Path, rng: random.Random, kind: str, number: int) -> None:
    files = sorted(folder.glob("*.txt"))
    if kind == "add" or not files:
        (folder / f"doc{number}.txt").write_text(_document(rng, f"通知{number}"), encoding="utf-8")
        return
    target = files[number % len(files)]
    if kind == "remove":
        target.unlink()
    elif kind == "change":
        target.write_text(_document(rng, target.stem), encoding="utf-8")
    else:
        with target.open("a", encoding="utf-8") as stream:
            stream.write("\n" + "".join(rng.sample(SENTENCES, 2)) + "\n")


def _answers(searcher: Searcher) -> list[tuple]:
    found = []
    for query in QUERIES:
        result = searcher.search(query, limit=1000, per_doc=0)
        hits = sorted((round(h.score, 6), Path(h.path).name, h.ordinal) for h in result.hits)
        found.append((query, result.total, hits))
    return found


@settings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(seed=st.integers(0, 10**6), steps=st.lists(st.lists(operation, max_size=6), max_size=5))
def test_any_sequence_of_updates_answers_as_a_fresh_build(tmp_path_factory, seed, steps):
    tmp = tmp_path_factory.mktemp("sequence")
    rng = random.Random(seed)
    docs = tmp / "docs"
    docs.mkdir()
    for number in range(12):
        (docs / f"doc{number}.txt").write_text(_document(rng, f"文件{number}"), encoding="utf-8")
    index = tmp / "index"
    update_index(index, [docs], DEFAULT_DICT)
    for batch in steps:
        for kind, number in batch:
            _apply(docs, rng, kind, number)
        update_index(index, [docs], DEFAULT_DICT)
    updated = Searcher(index)
    fresh_index = tmp / "fresh"
    update_index(fresh_index, [docs], DEFAULT_DICT)
    fresh = Searcher(fresh_index)
    assert _answers(updated) == _answers(fresh)
    searcher, _ = updated._current_searcher()
    reader = searcher.reader()
    assert reader.doc_count_all() <= (1 / (1 - PURGE_SHARE)) * reader.doc_count() + 1
    updated.close()
    fresh.close()
    shutil.rmtree(tmp, ignore_errors=True)
