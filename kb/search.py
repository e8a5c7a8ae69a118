"""One Searcher facade over a kb index: parsed query -> Whoosh query -> ranked passage hits.

Ranking of free text (BM25F over passage words, dictionary sub-words, title and headings):
each typed word (or dictionary phrase) is one *concept*, matched by itself or, with less
weight, by its synonyms. Passages matching every concept get a large bonus, so they come first;
a word that matches nothing does not empty the result; words near each other in the typed
order earn a proximity bonus.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.collectors import FilterCollector, TimeLimitCollector
from whoosh.searching import TimeLimit
from whoosh.sorting import FieldFacet, MultiFacet

from kb.analysis import Segmenter
from kb.indexdir import Generation, IndexDir
from kb.query import ParsedQuery, parse_query
from kb.schema import build_schema
from kb.snippets import make_snippet

# Relative weights, tuned with bench/quality.py.
SUBWORD_WEIGHT = 0.6
TITLE_WEIGHT = 1.6
SECTION_WEIGHT = 0.9
SYNONYM_WEIGHT = 0.6
SUBSTRING_WEIGHT = 0.5
ALL_CONCEPTS_BONUS = 4.0
PROXIMITY_WEIGHT = 1.0
DOC_NO_WEIGHT = 1000.0
MAX_CONCEPTS = 12
MAX_ALTERNATIVES = 8
TIME_BUDGET = 5.0


@dataclass
class Hit:
    doc_id: str
    path: str
    title: str
    doc_type: str
    date: str
    issuer: str
    doc_no: str
    section: list[str]
    text: str
    snippet: str
    score: float

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class SearchResult:
    query: str
    total: int
    hits: list[Hit]
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        """The JSON shape of ``kb search --json``."""
        return {"query": self.query, "total": self.total, "hits": [h.as_dict() for h in self.hits]}


@dataclass
class Concept:
    """One thing the user asked for: the typed form and what else reaches it."""

    typed: str
    tokens: list[str]
    alternatives: list[str] = field(default_factory=list)


class Searcher:
    """Answers queries against the live generation of an index; safe to share across threads."""

    def __init__(self, index_root: Path) -> None:
        self.index_dir = IndexDir(Path(index_root))
        self._lock = threading.Lock()
        self._generation: Generation | None = None
        self._open()

    def _open(self) -> None:
        generation = self.index_dir.require_current()
        self.segmenter: Segmenter = self.index_dir.segmenter_for(generation)
        self.schema = build_schema(self.segmenter)
        self._ix = whoosh_index.open_dir(str(generation.whoosh_dir), schema=self.schema)
        self._searcher = self._ix.searcher()
        self._generation = generation

    def _current_searcher(self):
        with self._lock:
            live = self.index_dir.current()
            if live is not None and live != self._generation:
                self._searcher.close()
                self._open()
            elif not self._searcher.up_to_date():
                self._searcher = self._searcher.refresh()
            return self._searcher

    def close(self) -> None:
        self._searcher.close()

    # --- query building -------------------------------------------------------------------

    def concepts(self, free_text: str) -> list[Concept]:
        """Typed words grouped with synonym phrases from the dictionary, stopwords dropped."""
        dictionaries = self.segmenter.dictionaries
        synonyms = dictionaries.synonyms
        spans = self.segmenter.spans(free_text)
        concepts: list[Concept] = []
        i = 0
        while i < len(spans):
            match = None
            for j in range(len(spans) - 1, i - 1, -1):
                typed = free_text[spans[i][1] : spans[j][2]].replace(" ", "")
                if len(typed) <= synonyms.longest and synonyms.of(typed):
                    match = (j, typed)
                    break
            if match:
                j, typed = match
                tokens = [w for w, _, _ in spans[i : j + 1]]
                alternatives = synonyms.of(typed)[:MAX_ALTERNATIVES]
                concepts.append(Concept(typed, tokens, alternatives))
                i = j + 1
            else:
                word = spans[i][0]
                concepts.append(Concept(word, [word]))
                i += 1
        kept = [c for c in concepts if c.typed not in dictionaries.stopwords]
        unique: dict[str, Concept] = {}
        for concept in kept or concepts:
            unique.setdefault(concept.typed, concept)
        return list(unique.values())[:MAX_CONCEPTS]

    def _word_query(self, searcher, word: str, boost: float = 1.0) -> wq.Query:
        """A single word in passage words, sub-words, title and headings."""
        parts: list[wq.Query] = [
            wq.Term("words", word),
            wq.Term("subwords", word, boost=SUBWORD_WEIGHT),
            wq.Term("title", word, boost=TITLE_WEIGHT),
            wq.Term("section", word, boost=SECTION_WEIGHT),
        ]
        known = any(searcher.doc_frequency(p.fieldname, word) for p in parts)
        if not known:
            # Segmented differently in the text: fall back to substring search.
            return _substring(word, boost * SUBSTRING_WEIGHT)
        return wq.Or(parts, boost=boost)

    def _text_query(self, searcher, text: str, boost: float = 1.0) -> wq.Query:
        tokens = self.segmenter.words(text)
        if len(tokens) == 1:
            return self._word_query(searcher, tokens[0], boost)
        return _substring(text.replace(" ", ""), boost)

    def _concept_query(self, searcher, concept: Concept) -> wq.Query:
        if len(concept.tokens) == 1:
            typed = self._word_query(searcher, concept.tokens[0])
        else:
            typed = _substring(concept.typed, 1.0)
        if not concept.alternatives:
            return typed
        alternatives = [
            self._text_query(searcher, alt, SYNONYM_WEIGHT) for alt in concept.alternatives
        ]
        return wq.Or([typed, *alternatives])

    def build(self, searcher, parsed: ParsedQuery) -> tuple[wq.Query, list[str]]:
        """The Whoosh query and the strings to mark in snippets."""
        needles: list[str] = list(parsed.phrases)
        concepts = self.concepts(parsed.free_text) if parsed.free_text else []
        for concept in concepts:
            for form in [concept.typed, *concept.alternatives]:
                if len(form) > 1 or len(concepts) == 1:
                    needles.append(form)

        ranked: wq.Query | None = None
        if concepts:
            parts = [self._concept_query(searcher, c) for c in concepts]
            if len(parts) == 1:
                ranked = parts[0]
            else:
                alternatives: list[wq.Query] = [
                    wq.And(parts, boost=ALL_CONCEPTS_BONUS),
                    wq.Or(parts),
                ]
                words = [c.tokens[0] for c in concepts if len(c.tokens) == 1]
                if len(words) > 1:
                    alternatives.append(wq.Phrase("words", words, slop=6, boost=PROXIMITY_WEIGHT))
                ranked = wq.Or(alternatives)

        required = [_substring(p, 1.0) for p in parsed.phrases]
        if required:
            must = wq.And(required) if len(required) > 1 else required[0]
            main: wq.Query | None = wq.AndMaybe(must, ranked) if ranked else must
        else:
            main = ranked

        targeted: list[wq.Query] = []
        for match in parsed.doc_nos:
            form = next((f for f in match.forms if searcher.doc_frequency("doc_no", f)), None)
            if form:
                targeted.append(wq.Term("doc_no", form, boost=DOC_NO_WEIGHT))
            else:
                targeted.append(_substring(match.normal, 5.0))
            needles.append(form or match.normal)
        if targeted:
            main = wq.Or([*targeted, main]) if main else wq.Or(targeted)
        return (main or wq.Every()), needles

    # --- running ----------------------------------------------------------------------------

    def search(
        self, raw_query: str, limit: int = 10, offset: int = 0, per_doc: int = 3
    ) -> SearchResult:
        """Ranked passages for ``raw_query``; at most ``per_doc`` per document (0: no limit)."""
        parsed = parse_query(raw_query)
        if parsed.is_empty and not parsed.excluded:
            notes = parsed.notes or [
                '请输入检索词，例如：四风 典型问题、"为基层减负"、type:通报 year:2024。'
            ]
            return SearchResult(raw_query, 0, [], notes)
        searcher = self._current_searcher()
        query, needles = self.build(searcher, parsed)
        options: dict = {"limit": None}
        if isinstance(query, wq.Every):
            options["sortedby"] = MultiFacet(
                [FieldFacet("date", reverse=True), FieldFacet("ordinal")]
            )
        # The filter must wrap the time limit: the other way round Whoosh ignores the filter.
        collector = FilterCollector(
            TimeLimitCollector(searcher.collector(**options), timelimit=TIME_BUDGET),
            _filter(parsed),
            _mask(parsed),
        )
        notes = list(parsed.notes)
        try:
            searcher.search_with_collector(query, collector)
        except TimeLimit:
            notes.append("检索超时，以下只是部分结果；请换用更具体的检索词。")
        results = collector.results()
        ranked = _limit_per_doc(results, searcher, per_doc)
        total = len(ranked)
        hits = [
            self._hit(searcher.stored_fields(docnum), score, needles)
            for docnum, score in ranked[offset : offset + limit]
        ]
        return SearchResult(raw_query, total, hits, notes)

    @staticmethod
    def _hit(stored: dict, score: float, needles: list[str]) -> Hit:
        text = stored.get("text", "")
        return Hit(
            doc_id=stored["doc_id"],
            path=stored["path"],
            title=stored.get("title", ""),
            doc_type=stored.get("doc_type", ""),
            date=stored.get("date", ""),
            issuer=stored.get("issuer", ""),
            doc_no=stored.get("doc_no", ""),
            section=list(stored.get("section") or []),
            text=text,
            snippet=make_snippet(text, needles),
            score=round(score, 4),
        )


def _limit_per_doc(results, searcher, per_doc: int) -> list[tuple[int, float]]:
    """(docnum, score) in rank order, at most ``per_doc`` passages of one document."""
    scores = results.top_n
    if per_doc <= 0:
        return [(docnum, _score(score)) for score, docnum in scores]
    doc_ids = searcher.reader().column_reader("doc_id")
    seen: dict[str, int] = {}
    kept = []
    for score, docnum in scores:
        doc_id = doc_ids[docnum]
        if seen.get(doc_id, 0) < per_doc:
            seen[doc_id] = seen.get(doc_id, 0) + 1
            kept.append((docnum, _score(score)))
    return kept


def _score(value: object) -> float:
    # Sorted (not scored) results carry sort keys instead of scores.
    return float(value) if isinstance(value, (int, float)) else 0.0


def _substring(text: str, boost: float) -> wq.Query:
    """Exact substring of folded, space-normalized passage text."""
    chars = list(text)
    if len(chars) == 1:
        return wq.Term("chars", chars[0], boost=boost)
    return wq.Phrase("chars", chars, boost=boost)


def _filter(parsed: ParsedQuery) -> wq.Query | None:
    clauses: list[wq.Query] = []
    if parsed.doc_types:
        clauses.append(wq.Or([wq.Term("doc_type", t) for t in parsed.doc_types]))
    if parsed.years:
        clauses.append(wq.Or([wq.NumericRange("year", lo, hi) for lo, hi in parsed.years]))
    if parsed.issuers:
        clauses.append(wq.And([_issuer(i) for i in parsed.issuers]))
    if parsed.doc_ids:
        clauses.append(wq.Or([wq.Term("doc_id", d) for d in parsed.doc_ids]))
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else wq.And(clauses)


def _issuer(text: str) -> wq.Query:
    chars = list(text)
    return wq.Term("issuer", chars[0]) if len(chars) == 1 else wq.Phrase("issuer", chars)


def _mask(parsed: ParsedQuery) -> wq.Query | None:
    if not parsed.excluded:
        return None
    return wq.Or([_substring(e, 1.0) for e in parsed.excluded])
