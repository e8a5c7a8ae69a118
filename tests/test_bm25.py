"""kb's BM25 rounds passage lengths exactly as Lucene's norms do (SmallFloat.intToByte4 and
byte4ToInt), so Whoosh and OpenSearch score alike; the cross-engine check is in
tests/test_opensearch_backend.py (test_both_backends_rank_alike)."""

from __future__ import annotations

from kb.bm25 import bm25, stored_length


def test_short_lengths_are_kept_exactly():
    assert [stored_length(n) for n in range(24)] == list(range(24))


def test_longer_lengths_round_down_to_lucene_steps():
    # Worked by hand from Lucene's SmallFloat: 24 free values, then 3 bits of mantissa.
    assert stored_length(40) == 40
    assert stored_length(41) == 40
    assert stored_length(73) == 72
    assert stored_length(76) == 76
    assert stored_length(1000) == 984


def test_rounding_is_monotonic_never_up_and_at_most_an_eighth_off():
    previous = 0
    for n in range(1, 100_000, 7):
        rounded = stored_length(n)
        assert previous <= rounded <= n
        assert n - rounded <= n / 8
        previous = rounded


def test_longer_passages_and_rarer_terms_score_as_bm25_says():
    assert bm25(2.0, 1, 10, 20) > bm25(2.0, 1, 40, 20)  # shorter wins
    assert bm25(3.0, 1, 20, 20) > bm25(2.0, 1, 20, 20)  # rarer wins
    assert bm25(2.0, 3, 20, 20) > bm25(2.0, 1, 20, 20)  # more occurrences win
    assert bm25(2.0, 1, 20, 20) == 2.0 * 2.2 / 2.2  # at average length, tf 1: idf


def test_max_quality_bounds_every_score_of_a_term(searcher):
    """Whoosh prunes and simplifies query trees with ``max_quality()`` once a page fills; it
    must exist and never be below a score the term really gives."""
    from whoosh import query as wq

    from kb.bm25 import K1, KbBM25F

    whoosh_searcher, _ = searcher._current_searcher()
    weighting = KbBM25F()
    bounds = []
    for word in ("干部", "基层", "整改", "宴请", "会议"):
        assert whoosh_searcher.doc_frequency("words", word), word
        bound = weighting.scorer(whoosh_searcher, "words", word).max_quality()
        bounds.append(bound)
        assert bound == max(0.0, whoosh_searcher.idf("words", word)) * (K1 + 1)
        scores = [hit.score for hit in whoosh_searcher.search(wq.Term("words", word), limit=None)]
        assert scores and max(scores) <= bound
    assert max(bounds) > 0  # (a word in over a third of passages has idf <= 0)
