"""Fixtures: real indexes built from real files, the project's sample corpus first of all.

Also the one rule for tests whose prerequisites (chromium, ../shared/realdocs, a local
OpenSearch) are missing: they skip on a developer's machine, saying why, and FAIL under
``CI=true``, where a skip would leave the suite green without having run them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest

from indexer.store import update_index
from kb.cli import DEFAULT_DICT, DEFAULT_DOCS
from kb.engines.whoosh.searcher import Searcher

REALDOCS = Path(__file__).resolve().parents[2] / "shared" / "realdocs"
REALDOCS_MISSING = "../shared/realdocs is absent (it sits beside the checkout in CI)"
# Words naming a prerequisite in a skip reason. Under CI=true a skip whose reason names one
# fails, so plain skipif marks and pytest.skip calls obey the rule too. (OpenSearch's skips
# all go through opensearch_support.py, which tells a missing server from an unsupported
# platform: only the first is a missing prerequisite.)
PREREQUISITES = ("realdocs", "chromium")


def in_ci() -> bool:
    """True under CI=true (or 1/yes/on), the variable CI services set."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes", "on")


def missing_prerequisite(reason: str) -> NoReturn:
    """Skip, saying why, on a developer's machine; fail under CI (see the module docstring)."""
    if in_ci():
        pytest.fail(f"CI=true and a prerequisite is missing: {reason}", pytrace=False)
    pytest.skip(reason)


def prerequisite(available: bool, reason: str) -> pytest.MarkDecorator:
    """A mark for tests (or a whole module via ``pytestmark``) that need something this
    machine may lack: without it they skip, under CI they fail. Checked before any fixture
    is set up, so a failing test starts no server."""
    return pytest.mark.prerequisite(available=available, reason=reason)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "prerequisite(available, reason): skip without it, fail under CI=true (conftest.py)",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    for mark in item.iter_markers("prerequisite"):
        if not mark.kwargs["available"]:
            missing_prerequisite(mark.kwargs["reason"])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Under CI, a skip that names a prerequisite (a plain skipif or pytest.skip) fails."""
    report = yield
    if report.skipped and in_ci() and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        if any(word in reason.lower() for word in PREREQUISITES):
            report.outcome = "failed"
            report.longrepr = f"CI=true and a prerequisite is missing: {reason}"
    return report


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory) -> Path:
    """An index of corpus/docs, built once per test run."""
    folder = tmp_path_factory.mktemp("corpus-index")
    update_index(folder, [DEFAULT_DOCS], DEFAULT_DICT)
    return folder


@pytest.fixture(scope="session")
def searcher(corpus_index) -> Searcher:
    return Searcher(corpus_index)


@pytest.fixture(scope="module")
def app(corpus_index):
    """The web app over ``corpus_index``, one per test module (a module may define its own)."""
    from web import create_app

    return create_app({"INDEX": str(corpus_index)})


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def realdocs_index(tmp_path_factory) -> Path:
    """An index of ../shared/realdocs (170 documents): the size at which Whoosh's optimisations
    switch on, so query forms are tried where users meet them. Skips when realdocs is absent
    (fails under CI)."""
    if not (REALDOCS / "docs").is_dir():
        missing_prerequisite(REALDOCS_MISSING)
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
