"""One Searcher facade over a kb index: query text -> plan -> ranked passage hits.

Two stages: Whoosh's BM25 finds every passage matching any concept of the query
(``kb.planner``); the best of them are re-ranked by coverage and closeness (``kb.ranking``);
then at most ``per_doc`` passages per document are kept and the page gets its snippets.
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
from kb.planner import DOC_NO_WEIGHT, Plan, Planner
from kb.query import parse_query
from kb.ranking import HEADING_FACTOR, assess
from kb.schema import build_schema
from kb.snippets import make_snippet
from kb.substring import SubstringStore

RERANK_DEPTH = 100
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
    also_in: list[dict] = field(default_factory=list)  # reposted copies: doc_id, path, title, date

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
        self._generation = generation
        self._use(self._ix.searcher())

    def _use(self, searcher) -> None:
        assert self._generation is not None
        self._searcher = searcher
        self._store = SubstringStore.for_reader(self._generation.whoosh_dir, searcher.reader())

    def _current_searcher(self):
        """The searcher and substring store of the newest committed index."""
        with self._lock:
            live = self.index_dir.current()
            if live is not None and live != self._generation:
                self._searcher.close()
                self._open()
            elif not self._searcher.up_to_date():
                if self._searcher.doc_count_all() == 0:
                    # Whoosh's reader of an empty index has no generation and cannot refresh.
                    self._searcher.close()
                    self._open()
                else:
                    self._use(self._searcher.refresh())
            return self._searcher, self._store

    def close(self) -> None:
        self._searcher.close()

    @staticmethod
    def _rerank(
        store: SubstringStore, top: list[tuple[float, int]], plan: Plan
    ) -> list[tuple[float, int]]:
        """Re-score the best candidates by coverage (see kb.ranking); the rest keep BM25 order."""
        if not plan.concepts and not plan.doc_nos:
            return top
        head, tail = top[:RERANK_DEPTH], top[RERANK_DEPTH:]
        best = max((score for score, _ in head), default=0.0)
        keyed = []
        for score, docnum in head:
            targeted = score >= DOC_NO_WEIGHT
            if plan.concepts:
                bm25 = score - DOC_NO_WEIGHT if targeted else score
                verdict = assess(
                    plan.concepts, store.texts[docnum], store.contexts[docnum], bm25, best
                )
                factor = HEADING_FACTOR if store.headings[docnum] else 1.0
                key = (targeted, verdict.covers_all, verdict.score * factor)
            else:
                key = (targeted, False, score)
            keyed.append((key, score, docnum))
        keyed.sort(key=lambda item: item[0], reverse=True)
        return [(score, docnum) for _, score, docnum in keyed] + tail

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
        searcher, store = self._current_searcher()
        plan = Planner(self.segmenter, searcher, store).plan(parsed)
        options: dict = {"limit": None}
        if isinstance(plan.query, wq.Every):
            options["sortedby"] = MultiFacet(
                [FieldFacet("date", reverse=True), FieldFacet("ordinal")]
            )
        # The filter must wrap the time limit: the other way round Whoosh ignores the filter.
        collector = FilterCollector(
            TimeLimitCollector(searcher.collector(**options), timelimit=TIME_BUDGET),
            plan.filter,
            plan.mask,
        )
        notes = list(parsed.notes)
        try:
            searcher.search_with_collector(plan.query, collector)
        except TimeLimit:
            notes.append("检索超时，以下只是部分结果；请换用更具体的检索词。")
        results = collector.results()
        top = results.top_n if "sortedby" in options else self._rerank(store, results.top_n, plan)
        ranked = _arrange(top, store, per_doc)
        hits = [
            self._hit(searcher, docnum, score, copies, plan.needles)
            for docnum, score, copies in ranked[offset : offset + limit]
        ]
        return SearchResult(raw_query, len(ranked), hits, notes)

    @staticmethod
    def _hit(searcher, docnum: int, score: float, copies: list[int], needles: list[str]) -> Hit:
        stored = searcher.stored_fields(docnum)
        text = stored.get("text", "")
        also_in = []
        for copy in copies:
            other = searcher.stored_fields(copy)
            entry = {k: other.get(k, "") for k in ("doc_id", "path", "title", "date")}
            if entry["doc_id"] != stored["doc_id"] and entry not in also_in:
                also_in.append(entry)
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
            also_in=also_in,
        )


def _arrange(scores, store: SubstringStore, per_doc: int) -> list[tuple[int, float, list[int]]]:
    """(docnum, score, docnums of reposted copies) in rank order: a passage found again in
    another document (kb.duplicates) is shown once, at its best rank, and at most ``per_doc``
    passages of one document are kept (0: no limit)."""
    first_of: dict[str, list[int]] = {}
    per_document: dict[str, int] = {}
    kept: list[tuple[int, float, list[int]]] = []
    for score, docnum in scores:
        key = store.fingerprints[docnum]
        if key and key in first_of:
            first_of[key].append(docnum)
            continue
        doc_id = store.doc_ids[docnum]
        if per_doc > 0 and per_document.get(doc_id, 0) >= per_doc:
            continue
        per_document[doc_id] = per_document.get(doc_id, 0) + 1
        copies: list[int] = []
        if key:
            first_of[key] = copies
        kept.append((docnum, _score(score), copies))
    return kept


def _score(value: object) -> float:
    # Sorted (not scored) results carry sort keys instead of scores.
    return float(value) if isinstance(value, (int, float)) else 0.0
