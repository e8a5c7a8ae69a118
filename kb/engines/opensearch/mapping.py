"""The OpenSearch index of kb passages: settings, field mappings, and rows turned into sources.

One OpenSearch document per passage, with the fields of ``kb.schema``:

- ``words`` / ``subwords``: kb's own jieba tokens (``kb.analysis``), joined by spaces and split
  again by a whitespace tokenizer, so the cluster scores exactly the tokens Whoosh would;
- ``exact``: the folded text cut into single characters with positions, so a quoted search is a
  phrase of characters: an exact substring, across word boundaries, for any length;
- keyword fields for filters, facets and grouping; the rest only in ``_source``.

The dictionaries the index was built with travel in the mapping's ``_meta``, so every kb server
searching the cluster segments queries the way the passages were segmented.
"""

from __future__ import annotations

from kb.bm25 import LENGTH_FIELDS
from kb.duplicates import fingerprint
from kb.folding import fold

# Bump when the mapping or the way rows become sources changes (a full rebuild follows).
MAPPING_VERSION = 4  # 4: ``access`` (kb.access), a keyword list

TOKEN_FIELDS = ("words", "subwords")
EXACT_FIELD = "exact"
LIST_FIELDS = ("problem", "sanction", "case_year", "requirement_topic", "access")
KEYWORD_FIELDS = (
    "passage_id",
    "doc_id",
    "path",
    "doc_type",
    "date",
    "doc_no",
    "issuer",
    "case_id",
    "level",
    "has_requirements",
    "fingerprint",
    *LIST_FIELDS,
)
# Columns the ranking, grouping and facets read for every candidate.
CANDIDATE_FIELDS = [
    "doc_id",
    "fingerprint",
    "heading",
    "meta",
    "date",
    "doc_type",
    "issuer",
    "case_id",
    "problem",
    "sanction",
    "level",
    "case_year",
]


# kb's BM25 (``kb.bm25``: Whoosh's BM25F formula with Lucene's rounding of lengths, which
# Whoosh applies too), so both engines score every passage alike. Lucene counts in N and in
# the average length only passages holding the field, Whoosh all passages: so each passage
# carries one extra token (``PRESENT``), taken off again from the lengths here.
PRESENT = "\u0001"  # never a query term: kb only asks for word-like tokens
WHOOSH_BM25F = {
    "type": "scripted",
    "weight_script": {
        "source": "return query.boost * (Math.log(field.docCount / (term.docFreq + 1.0)) + 1.0);"
    },
    "script": {
        "source": (
            "double tf = doc.freq;"
            " double n = Math.max(field.docCount, 1);"
            " double avgfl = (field.sumTotalTermFreq - field.docCount) / n;"
            " if (avgfl <= 0) { avgfl = 1; }"
            " double fl = doc.length - 1;"
            " return weight * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * fl / avgfl));"
        )
    },
}


def index_body(shards: int, replicas: int, window: int, meta: dict) -> dict:
    """Settings and mappings of a new passage index."""
    properties: dict = {
        name: {"type": "text", "analyzer": "kb_tokens", "similarity": "kb_bm25f"}
        for name in TOKEN_FIELDS
    }
    properties[EXACT_FIELD] = {
        "type": "text",
        "analyzer": "kb_chars",
        "index_options": "positions",
        "norms": False,
    }
    properties.update({name: {"type": "keyword"} for name in KEYWORD_FIELDS})
    properties.update(
        ordinal={"type": "integer"},
        year={"type": "integer"},
        heading={"type": "boolean"},
        meta={"type": "boolean"},
    )
    return {
        "settings": {
            "index": {
                "number_of_shards": shards,
                "number_of_replicas": replicas,
                "max_result_window": window,
                "similarity": {"kb_bm25f": WHOOSH_BM25F},
            },
            "analysis": {
                "tokenizer": {
                    "kb_space": {"type": "whitespace", "max_token_length": 1000},
                    # Every character a token, whitespace and punctuation included.
                    "kb_char": {"type": "ngram", "min_gram": 1, "max_gram": 1},
                },
                "analyzer": {
                    "kb_tokens": {"type": "custom", "tokenizer": "kb_space"},
                    "kb_chars": {"type": "custom", "tokenizer": "kb_char"},
                },
            },
        },
        "mappings": {
            "dynamic": False,  # everything else is kept in _source, not indexed
            "_source": {"excludes": [*TOKEN_FIELDS, EXACT_FIELD, *LENGTH_FIELDS.values()]},
            "_meta": meta,
            "properties": properties,
        },
    }


def files_body(replicas: int) -> dict:
    """The manifest index: one entry per source file, as kb's Whoosh manifest has it."""
    return {
        "settings": {"index": {"number_of_shards": 1, "number_of_replicas": replicas}},
        "mappings": {
            "dynamic": False,
            "properties": {"source": {"type": "keyword"}, "digest": {"type": "keyword"}},
        },
    }


def to_source(row: dict) -> dict:
    """An index row (``indexer.pipeline.index_rows``) as the passage's OpenSearch source."""
    source = {k: v for k, v in row.items() if k not in TOKEN_FIELDS and k not in LIST_FIELDS}
    for name in TOKEN_FIELDS:
        source[name] = " ".join([PRESENT, *(row.get(name) or [])])
    for name in LIST_FIELDS:
        value = row.get(name) or ""
        source[name] = [v for v in value.split(",") if v] if isinstance(value, str) else value
    text = row.get("text", "")
    source[EXACT_FIELD] = fold(text)
    source["fingerprint"] = fingerprint(text)
    return source
