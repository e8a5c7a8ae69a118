"""One BM25 for both engines, so Whoosh and OpenSearch give every passage the same score.

The formula is Whoosh's BM25F (B 0.75, K1 1.2, idf = ln(N / (df + 1)) + 1). Both engines keep a
passage's length lossily in one byte, each in its own way, and longer passages then scored a few
per cent apart. So both use Lucene's rounding: OpenSearch stores lengths that way anyway, and
here Whoosh reads the exact token count kept at index time (``words_len``, ``subwords_len``)
and rounds it the same way (``stored_length``). ``kb.engines.opensearch.mapping`` has the script twin.
"""

from __future__ import annotations

import math

from whoosh import scoring
from whoosh.reading import TermNotFound

B = 0.75
K1 = 1.2
LENGTH_FIELDS = {"words": "words_len", "subwords": "subwords_len"}

# Lucene's SmallFloat.intToByte4 / byte4ToInt: exact below 24, then 3 bits of mantissa.
_FREE_VALUES = 24


def _long_to_int4(value: int) -> int:
    bits = value.bit_length()
    if bits < 4:
        return value
    shift = bits - 4
    return ((value >> shift) & 0x07) | ((shift + 1) << 3)


def _int4_to_long(encoded: int) -> int:
    bits = encoded & 0x07
    shift = (encoded >> 3) - 1
    return bits if shift == -1 else (bits | 0x08) << shift


def stored_length(length: int) -> int:
    """``length`` as Lucene's norms give it back (SmallFloat.byte4ToInt(intToByte4(length)))."""
    if length < _FREE_VALUES:
        return length
    return _FREE_VALUES + _int4_to_long(_long_to_int4(length - _FREE_VALUES))


def bm25(idf: float, tf: float, length: float, average: float) -> float:
    return idf * tf * (K1 + 1) / (tf + K1 * ((1 - B) + B * length / average))


class KbBM25F(scoring.BM25F):
    """Whoosh's BM25F with passage lengths rounded as Lucene rounds them."""

    def __init__(self) -> None:
        super().__init__(B=B, K1=K1)

    def supports_block_quality(self) -> bool:
        return False  # kb collects every match; no block skipping to keep consistent

    def scorer(self, searcher, fieldname, text, qf=1):
        if fieldname not in LENGTH_FIELDS:
            return super().scorer(searcher, fieldname, text, qf=qf)
        return _Scorer(searcher, fieldname, text)


def _rounded_lengths(reader, fieldname: str) -> list[int]:
    """The rounded lengths of a segment's passages, read once per segment reader (a reader
    never changes; a newer version of the index has readers of its own). The +1 / -1 match
    the extra token each passage carries in OpenSearch (``kb.engines.opensearch.mapping.PRESENT``)."""
    cache = reader.__dict__.setdefault("_kb_rounded_lengths", {})
    if fieldname not in cache:
        column = reader.column_reader(LENGTH_FIELDS[fieldname])
        cache[fieldname] = [stored_length(length + 1) - 1 for length in column]
    return cache[fieldname]


class LiveStatistics:
    """BM25's statistics over the passages a search can find. Whoosh keeps deleted passages
    in its document frequencies, counts and field lengths until their segment is merged, so
    after updates a word looks commoner than it is and scores drift from a fresh build's.
    Where the index holds deletions, the numbers here leave them out (document frequencies
    counted over live postings, once per reader and term); elsewhere they are Whoosh's own."""

    def __init__(self, reader) -> None:
        self.reader = reader
        self.deletions = reader.has_deletions()
        self._frequencies: dict[tuple[str, object], int] = {}
        self._lengths: dict[str, int] = {}

    def doc_count(self) -> int:
        return self.reader.doc_count()

    def doc_frequency(self, fieldname: str, text) -> int:
        if not self.deletions:
            return self.reader.doc_frequency(fieldname, text)
        key = (fieldname, text)
        if key not in self._frequencies:
            try:
                live = sum(1 for _ in self.reader.postings(fieldname, text).all_ids())
            except TermNotFound:
                live = 0
            self._frequencies[key] = live
        return self._frequencies[key]

    def field_length(self, fieldname: str) -> int:
        """Tokens of ``fieldname`` in live passages, summed from the exact counts kb keeps
        (Whoosh's own total also keeps, after a merge, the lengths of passages deleted
        before it)."""
        if fieldname not in LENGTH_FIELDS:
            return self.reader.field_length(fieldname)
        if fieldname not in self._lengths:
            total = 0
            for leaf, _ in self.reader.leaf_readers():
                column = leaf.column_reader(LENGTH_FIELDS[fieldname])
                if leaf.has_deletions():
                    live = (d for d in range(leaf.doc_count_all()) if not leaf.is_deleted(d))
                    total += sum(column[d] for d in live)
                else:
                    total += sum(column)
            self._lengths[fieldname] = total
        return self._lengths[fieldname]

    def idf(self, fieldname: str, text) -> float:
        """Whoosh's BM25F idf, ln(N / (df + 1)) + 1, over live passages."""
        return math.log(self.doc_count() / (self.doc_frequency(fieldname, text) + 1)) + 1

    def avg_field_length(self, fieldname: str) -> float:
        return self.field_length(fieldname) / (self.doc_count() or 1)


def live_statistics(reader) -> LiveStatistics:
    """The statistics of ``reader`` (one object per reader: a reader never changes)."""
    cached = reader.__dict__.get("_kb_live_statistics")
    if cached is None:
        cached = reader.__dict__["_kb_live_statistics"] = LiveStatistics(reader)
    return cached


class _Scorer(scoring.BaseScorer):
    """kb's BM25 for one term. Whoosh asks every matcher for ``max_quality()`` whenever it
    simplifies a query tree (``replace()``, which an AndMaybe of a quoted phrase and words
    reaches as soon as a page of results fills), so an upper bound must be at hand."""

    def __init__(self, searcher, fieldname: str, text) -> None:
        # Global statistics, as Whoosh's own scorer takes them, without deleted passages.
        statistics = live_statistics(searcher.get_parent().reader())
        self.idf = statistics.idf(fieldname, text)
        self.average = statistics.avg_field_length(fieldname) or 1
        self.lengths = _rounded_lengths(searcher.reader(), fieldname)

    def supports_block_quality(self) -> bool:
        return False

    def max_quality(self) -> float:
        """An upper bound of ``score``: tf / (tf + K1 * norm) < 1 whatever tf and length."""
        return max(self.idf, 0.0) * (K1 + 1)

    def block_quality(self, matcher) -> float:
        return self.max_quality()

    def score(self, matcher) -> float:
        return bm25(self.idf, matcher.weight(), self.lengths[matcher.id()], self.average)
