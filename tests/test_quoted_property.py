"""Quoted search is substring search: the same passages grep would find, no more, no fewer,
on either backend."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.store import update_index
from indexer.update import update
from kb.backend import Backend
from kb.cli import DEFAULT_DICT
from kb.engines.opensearch.settings import OpenSearchSettings
from kb.engines.whoosh.searcher import Searcher
from kb.folding import fold, normalize_space
from kb.structure import read_outline

pytest_plugins = ["opensearch_support"]

# Party-language characters, characters jieba joins into words, a traditional and a full-width
# form or two (folding must apply to both sides), ASCII and punctuation.
ALPHABET = "四风问题整改会议过多频台账销号的了和是一二、，。八项规定领導會ＡＢ１2a "
paragraph = st.text(alphabet=ALPHABET, min_size=1, max_size=40).map(normalize_space).filter(bool)
corpora = st.lists(st.lists(paragraph, min_size=1, max_size=5), min_size=1, max_size=4)
needles = st.text(alphabet=ALPHABET, min_size=1, max_size=6).map(normalize_space).filter(bool)


def write_corpus(folder: Path, corpus: list[list[str]]) -> dict[str, list]:
    """The files, and per file the passages kb keeps (grep runs over those: metadata lines
    such as a lone date are not passages; for random paragraphs that is nearly all of them)."""
    folder.mkdir()
    shown = {}
    for i, paragraphs in enumerate(corpus):
        text = "标题\n\n" + "\n".join(paragraphs)
        (folder / f"d{i}.txt").write_text(text, encoding="utf-8")
        shown[f"d{i}.txt"] = read_outline(text).passages
    return shown


def check_quoted(searcher, shown: dict[str, list], queries: list[str]) -> None:
    for needle in queries:
        result = searcher.search(f'"{needle}"', limit=1000, per_doc=0)
        found = sorted((Path(h.path).name, h.text) for h in result.hits)
        expected = sorted(
            (name, passage.text)
            for name, passages in shown.items()
            for passage in passages
            if fold(needle) in fold(passage.text)
        )
        assert found == expected, needle
        assert result.total == len(expected)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus=corpora, queries=st.lists(needles, min_size=1, max_size=5))
def test_quoted_search_equals_substring_search(corpus, queries):
    with tempfile.TemporaryDirectory() as tmp:
        shown = write_corpus(Path(tmp) / "docs", corpus)
        update_index(Path(tmp) / "index", [Path(tmp) / "docs"], DEFAULT_DICT)
        searcher = Searcher(Path(tmp) / "index")
        try:
            check_quoted(searcher, shown, queries)
            _, table = searcher._current_searcher()
            table.index_grams()  # as a searcher does by itself on a large index (kb.grams)
            check_quoted(searcher, shown, queries)
        finally:
            searcher.close()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(corpus=corpora, queries=st.lists(needles, min_size=1, max_size=5))
def test_quoted_search_equals_substring_search_on_opensearch(opensearch_url, corpus, queries):
    """The same property on OpenSearch: a phrase of single characters on the folded text."""
    with tempfile.TemporaryDirectory() as tmp:
        shown = write_corpus(Path(tmp) / "docs", corpus)
        name = f"kbprop-{time.time_ns() % 10**12}"
        backend = Backend(Path(tmp) / "state", OpenSearchSettings(opensearch_url, name, replicas=0))
        try:
            update(backend, [Path(tmp) / "docs"], DEFAULT_DICT)
            searcher = backend.open_searcher()
            check_quoted(searcher, shown, queries)
            searcher.close()
        finally:
            client = backend.opensearch.client()
            client.indices.delete(index=f"{name}-*", ignore=[404])
            client.close()
