"""One BM25 for both engines, so Whoosh and OpenSearch give every passage the same score.

The formula is Whoosh's BM25F (B 0.75, K1 1.2, idf = ln(N / (df + 1)) + 1). Both engines keep a
passage's length lossily in one byte, each in its own way, and longer passages then scored a few
per cent apart. So both use Lucene's rounding: OpenSearch stores lengths that way anyway, and
here Whoosh reads the exact token count kept at index time (``words_len``, ``subwords_len``)
and rounds it the same way (``stored_length``). ``kb.opensearch.mapping`` has the script twin.
"""

from __future__ import annotations

from whoosh import scoring

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
    the extra token each passage carries in OpenSearch (``kb.opensearch.mapping.PRESENT``)."""
    cache = reader.__dict__.setdefault("_kb_rounded_lengths", {})
    if fieldname not in cache:
        column = reader.column_reader(LENGTH_FIELDS[fieldname])
        cache[fieldname] = [stored_length(length + 1) - 1 for length in column]
    return cache[fieldname]


class _Scorer(scoring.BaseScorer):
    """kb's BM25 for one term. Whoosh asks every matcher for ``max_quality()`` whenever it
    simplifies a query tree (``replace()``, which an AndMaybe of a quoted phrase and words
    reaches as soon as a page of results fills), so an upper bound must be at hand."""

    def __init__(self, searcher, fieldname: str, text) -> None:
        parent = searcher.get_parent()  # global statistics, as Whoosh's own scorer
        self.idf = parent.idf(fieldname, text)
        self.average = parent.avg_field_length(fieldname) or 1
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
