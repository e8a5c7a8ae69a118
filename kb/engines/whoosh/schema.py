"""The Whoosh schema of a kb index.

One Whoosh document per passage; document metadata is repeated on each of its passages so a
hit needs no second lookup.
"""

from __future__ import annotations

from whoosh import columns, fields
from whoosh.analysis import Tokenizer
from whoosh.formats import Frequency

from kb.analysis import Segmenter
from kb.engines.whoosh.analysis import JiebaTokenizer


def build_schema(segmenter: Segmenter | None = None) -> fields.Schema:
    words: Tokenizer = JiebaTokenizer(segmenter)
    return fields.Schema(
        passage_id=fields.ID(stored=True, unique=True),
        doc_id=fields.ID(stored=True, sortable=True),
        path=fields.ID(stored=True),
        source=fields.STORED(),  # the file as the file system names it (any bytes)
        # Numbers kb sorts by or filters on by ranges of a few dozen values: one term per value
        # (shift_step=0). Whoosh's default tiers wrote eight terms each, 16% of all postings.
        ordinal=fields.NUMERIC(stored=True, sortable=True, shift_step=0),
        content_hash=fields.STORED(),
        # Searchable text; values are given as token lists made by kb.analysis. Exact
        # substring search does not use the index (see kb.passage_table).
        words=fields.FieldType(Frequency(), words, scorable=True),
        subwords=fields.FieldType(Frequency(), words, scorable=True),
        # Exact token counts of the two, for the BM25 both engines share (kb.bm25).
        words_len=fields.COLUMN(columns.NumericColumn("I")),
        subwords_len=fields.COLUMN(columns.NumericColumn("I")),
        title=fields.STORED(),
        section=fields.STORED(),
        heading=fields.STORED(),
        # A metadata line (发文字号, dates, signature), placed before passage ``place``.
        meta=fields.STORED(),
        place=fields.STORED(),
        text=fields.STORED(),
        # Filters and metadata.
        doc_type=fields.ID(stored=True),
        year=fields.NUMERIC(stored=True, shift_step=0),
        date=fields.ID(stored=True, sortable=True),
        doc_no=fields.ID(stored=True),
        issuer=fields.ID(stored=True),
        # Typical cases (kb.cases): every passage of a case carries its filters; the case's
        # first passage stores the whole record.
        case_id=fields.ID(stored=True),
        problem=fields.KEYWORD(commas=True, lowercase=False, stored=True),
        sanction=fields.KEYWORD(commas=True, lowercase=False, stored=True),
        level=fields.ID(stored=True),
        case_year=fields.KEYWORD(commas=True, stored=True),
        case=fields.STORED(),
        # Requirement clauses (kb.requirements) stored on the passage that states them.
        has_requirements=fields.ID(),
        requirement_topic=fields.KEYWORD(commas=True, lowercase=False),
        requirements=fields.STORED(),
        speaker=fields.STORED(),
        # How the file was read: ``ocr`` on every passage (a hit can be marked as read by
        # OCR), the reading notes (indexer.readers' warnings) on the first passage only.
        ocr=fields.STORED(),
        notes=fields.STORED(),
        # Who may see the passage (kb.access tokens); every search filters on it.
        access=fields.KEYWORD(commas=True, lowercase=False, stored=True),
    )
