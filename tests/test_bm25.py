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
