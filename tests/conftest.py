"""Fixtures: real indexes built from real files, the project's sample corpus first of all."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.store import update_index
from kb.cli import DEFAULT_DICT, DEFAULT_DOCS
from kb.search import Searcher

REALDOCS = Path(__file__).resolve().parents[2] / "shared" / "realdocs"


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory) -> Path:
    """An index of corpus/docs, built once per test run."""
    folder = tmp_path_factory.mktemp("corpus-index")
    update_index(folder, [DEFAULT_DOCS], DEFAULT_DICT)
    return folder


@pytest.fixture(scope="session")
def searcher(corpus_index) -> Searcher:
    return Searcher(corpus_index)


@pytest.fixture(scope="session")
def realdocs_index(tmp_path_factory) -> Path:
    """An index of ../shared/realdocs (170 documents): the size at which Whoosh's optimisations
    switch on, so query forms are tried where users meet them. Skips when realdocs is absent."""
    if not (REALDOCS / "docs").is_dir():
        pytest.skip("../shared/realdocs is absent (it sits beside the checkout in CI)")
    folder = tmp_path_factory.mktemp("realdocs-index")
    report = update_index(folder, [REALDOCS / "docs"], DEFAULT_DICT)
    assert not report.failed and len(report.added) == 170
    return folder


@pytest.fixture(scope="session")
def real_searcher(realdocs_index) -> Searcher:
    return Searcher(realdocs_index)


def write_docs(folder: Path, docs: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in docs.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def build(tmp_path):
    """Build an index from {file name: text}; returns a Searcher over it."""

    def _build(docs: dict[str, str], dict_dir: Path = DEFAULT_DICT) -> Searcher:
        source = write_docs(tmp_path / "docs", docs)
        update_index(tmp_path / "index", [source], dict_dir)
        return Searcher(tmp_path / "index")

    return _build
