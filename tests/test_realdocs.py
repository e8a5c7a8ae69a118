"""Checks on the real public documents in ../shared/realdocs (skipped when it is absent)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import REALDOCS

from indexer.pipeline import doc_id_for
from kb.engines.whoosh.searcher import Searcher

pytestmark = pytest.mark.skipif(
    not (REALDOCS / "docs").is_dir(),
    reason="../shared/realdocs is absent (it sits beside the checkout in CI)",
)


@pytest.fixture(scope="module")
def real(real_searcher) -> Searcher:
    return real_searcher


def manifest() -> list[dict]:
    with (REALDOCS / "MANIFEST.tsv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def test_every_doc_number_typed_carelessly_finds_its_document_first(real):
    rows = [r for r in manifest() if r["doc_no"]]
    assert len(rows) >= 30
    for row in rows:
        careless = row["doc_no"].replace("〔", "[").replace("〕", "] ")
        top = real.search(careless).hits[0]
        assert Path(top.path).name == row["file"], careless


def test_doc_numbers_are_read_from_the_text(real):
    rows = {r["file"]: r["doc_no"] for r in manifest() if r["doc_no"]}
    seen = {}
    for name in rows:
        hit = real.search(f"doc:{doc_id_for(REALDOCS / 'docs' / name)}", limit=1).hits[0]
        seen[name] = hit.doc_no
    agree = sum(seen[f] == rows[f] for f in rows)
    assert agree / len(rows) >= 0.9, {f: (seen[f], rows[f]) for f in rows if seen[f] != rows[f]}


def test_traditional_query_matches_simplified_query(real):
    simplified = [(h.doc_id, h.text) for h in real.search("违规吃喝 典型问题").hits]
    assert simplified
    assert [(h.doc_id, h.text) for h in real.search("違規吃喝 典型問題").hits] == simplified


def test_quoted_phrase_across_a_jieba_boundary(real):
    hits = real.search('"吃喝问题绝非小事小节"', per_doc=0, limit=100).hits
    assert hits and all("吃喝问题绝非小事小节" in h.text for h in hits)


@pytest.mark.parametrize("query", ["基层减负", "领导干部 违规吃喝", "四风", "安全生产责任"])
def test_facet_counts_are_given_whatever_the_best_passage_is_filed_under(real, query):
    """Most realdocs passages have no date and no case facets; the counts must not depend on
    the best one having some (they vanished from the search page when it had none)."""
    found = real.search(query, facets=True, per_doc=0, limit=5)
    assert found.total > 0
    documents = len({hit.doc_id for hit in real.search(query, per_doc=0, limit=100_000).hits})
    counted = sum(count for _, count in found.facets["doc_type"])
    assert 0 < counted <= documents
