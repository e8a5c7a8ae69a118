"""One Searcher facade over a kb index: query text -> plan -> ranked passage hits.

Two stages: Whoosh's BM25 finds every passage matching any concept of the query
(``kb.planner``); the best of them are re-ranked by coverage and closeness (``kb.ranking``);
then at most ``per_doc`` passages per document are kept and the page gets its snippets.
"""

from __future__ import annotations

import difflib
import threading
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.collectors import FilterCollector, TimeLimitCollector
from whoosh.searching import TimeLimit
from whoosh.sorting import FieldFacet, MultiFacet

from kb.analysis import Segmenter
from kb.duplicates import fingerprint
from kb.folding import fold
from kb.indexdir import Generation, IndexDir
from kb.passage_table import PassageTable
from kb.planner import DOC_NO_WEIGHT, Plan, Planner
from kb.query import apply_filter, parse_query
from kb.ranking import HEADING_FACTOR, assess
from kb.results import CaseList, DocumentView, Hit, SearchResult
from kb.schema import build_schema
from kb.snippets import make_snippet

RERANK_DEPTH = 100
TIME_BUDGET = 5.0


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
        self._table = PassageTable.for_reader(self._generation.whoosh_dir, searcher.reader())

    def _current_searcher(self):
        """The searcher and passage table of the newest committed index."""
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
            return self._searcher, self._table

    def close(self) -> None:
        self._searcher.close()

    @staticmethod
    def _rerank(
        table: PassageTable, top: list[tuple[float, int]], plan: Plan
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
                    plan.concepts, table.texts[docnum], table.contexts[docnum], bm25, best
                )
                factor = HEADING_FACTOR if table.headings[docnum] else 1.0
                key = (targeted, verdict.covers_all, verdict.score * factor)
            else:
                key = (targeted, False, score)
            keyed.append((key, score, docnum))
        keyed.sort(key=lambda item: item[0], reverse=True)
        return [(score, docnum) for _, score, docnum in keyed] + tail

    def search(
        self,
        raw_query: str,
        limit: int = 10,
        offset: int = 0,
        per_doc: int = 3,
        sort: str = "relevance",
        facets: bool = False,
        filters: dict[str, list[str]] | None = None,
        cases_only: bool = False,
    ) -> SearchResult:
        """Ranked passages for ``raw_query``; at most ``per_doc`` per document (0: no limit).

        ``sort="date"`` puts newer documents first (relevance decides within a date);
        ``facets`` counts documents per type, year and issuer over all results; ``filters``
        ({"type": [...], "year": [...], "issuer": [...]}) work like type:/year:/issuer: in the
        query, for values with spaces (issuers) that the query language cannot carry.
        """
        parsed = parse_query(raw_query)
        parsed.cases_only = cases_only
        for key, values in (filters or {}).items():
            for value in values:
                if value:
                    apply_filter(key, value, parsed)
        if parsed.is_empty and not parsed.excluded:
            notes = parsed.notes or [
                '请输入检索词，例如：四风 典型问题、"为基层减负"、type:通报 year:2024。'
            ]
            return SearchResult(raw_query, 0, [], notes)
        searcher, table = self._current_searcher()
        plan = Planner(self.segmenter, searcher, table).plan(parsed)
        options: dict = {"limit": None}
        if isinstance(plan.query, wq.Every):
            options["sortedby"] = MultiFacet(
                [FieldFacet("date", reverse=True), FieldFacet("ordinal")]
            )
        # The filter must wrap the time limit: the other way round Whoosh ignores the filter.
        collector = FilterCollector(
            # No SIGALRM: it only works in the main thread, and not at all on Windows.
            TimeLimitCollector(
                searcher.collector(**options), timelimit=TIME_BUDGET, use_alarm=False
            ),
            plan.filter,
            plan.mask,
        )
        notes = list(parsed.notes)
        try:
            searcher.search_with_collector(plan.query, collector)
        except TimeLimit:
            notes.append("检索超时，以下只是部分结果；请换用更具体的检索词。")
        results = collector.results()
        top = results.top_n if "sortedby" in options else self._rerank(table, results.top_n, plan)
        ranked = _arrange(top, table, per_doc)
        if sort == "date":
            ranked.sort(key=lambda entry: table.dates[entry[0]], reverse=True)
        hits = [
            self._hit(searcher, docnum, score, copies, plan.needles)
            for docnum, score, copies in ranked[offset : offset + limit]
        ]
        counts = _facets(ranked, table) if facets else {}
        return SearchResult(raw_query, len(ranked), hits, notes, counts)

    def suggest(self, raw_query: str, limit: int = 5) -> list[str]:
        """Other queries worth trying when ``raw_query`` finds nothing: the phrases unquoted,
        the query without its rarest word, dictionary terms close to words the index lacks.
        Only suggestions that find something are returned."""
        parsed = parse_query(raw_query)
        searcher, table = self._current_searcher()
        planner = Planner(self.segmenter, searcher, table)
        concepts = planner.concepts(parsed.free_text) if parsed.free_text else []
        vocabulary = self._vocabulary()
        candidates: list[str] = []
        if parsed.phrases:
            candidates.append(" ".join([parsed.free_text, *parsed.phrases]).strip())
        if len(concepts) > 1:
            rarest = min(concepts, key=lambda c: c.frequency)
            candidates.append(" ".join(c.typed for c in concepts if c is not rarest))
        # Typed pieces (between spaces) and words the index lacks may be typos of known terms.
        unknown = [c.typed for c in concepts if c.frequency == 0]
        pieces = [p for p in parsed.free_text.split() + parsed.phrases if p not in vocabulary]
        typed = fold(raw_query)
        for piece in dict.fromkeys(pieces + unknown):
            for term in difflib.get_close_matches(piece, vocabulary, n=3, cutoff=0.6):
                candidates.append(typed.replace(piece, term))
        found: list[str] = []
        for candidate in (c.strip() for c in candidates):
            fresh = candidate and candidate != raw_query.strip() and candidate not in found
            if fresh and self.search(candidate, limit=1).total:
                found.append(candidate)
            if len(found) == limit:
                break
        return found

    def cases(
        self,
        query: str = "",
        problems: list[str] | None = None,
        sanctions: list[str] | None = None,
        levels: list[str] | None = None,
        years: list[int] | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> CaseList:
        """Typical cases, best match first (newest first without a query), filtered by problem
        category, sanction, level and the years the conduct happened."""
        filters = {"problem": problems or [], "sanction": sanctions or [], "level": levels or []}
        result = self.search(query, limit=100_000, per_doc=0, filters=filters, cases_only=True)
        wanted_years = set(years or [])
        searcher, _ = self._current_searcher()
        records: list[dict] = []
        seen: set[str] = set()
        by_print: dict[str, dict] = {}
        for hit in result.hits:
            case_id = hit.case_id
            if not case_id or case_id in seen:
                continue
            seen.add(case_id)
            record = self._case_record(searcher, case_id)
            if not record or (wanted_years and not wanted_years & set(record["years"])):
                continue
            # A case reposted by another unit is listed once, with where else it stands.
            key = fingerprint(record["text"])
            if key and key in by_print:
                first = by_print[key]
                if record["doc_id"] != first["doc_id"]:
                    first["also_in"].append(
                        {k: record[k] for k in ("doc_id", "path", "title", "date")}
                    )
                continue
            record["also_in"] = []
            if key:
                by_print[key] = record
            records.append(record)
        notes = [n for n in result.notes if "请输入检索词" not in n]
        return CaseList(total=len(records), cases=records[offset : offset + limit], notes=notes)

    def case(self, case_id: str) -> dict | None:
        """One case record by id, or None."""
        searcher, _ = self._current_searcher()
        return self._case_record(searcher, case_id)

    @staticmethod
    def _case_record(searcher, case_id: str) -> dict | None:
        for stored in searcher.documents(case_id=case_id):
            if stored.get("case"):
                return {
                    "id": case_id,
                    "doc_id": stored["doc_id"],
                    "path": stored["path"],
                    "title": stored.get("title", ""),
                    "doc_no": stored.get("doc_no", ""),
                    "date": stored.get("date", ""),
                    **{k: v for k, v in stored["case"].items() if k not in ("id", "ordinal")},
                    "ordinal": stored["case"]["ordinal"],
                    "first_passage": stored["ordinal"],
                }
        return None

    def _vocabulary(self) -> list[str]:
        dictionaries = self.segmenter.dictionaries
        return sorted({t for t, _ in dictionaries.userdict} | set(dictionaries.synonyms.expansions))

    def document(self, doc_id: str) -> DocumentView | None:
        """The document with every passage in order, or None if the index has no such id."""
        searcher, _ = self._current_searcher()
        rows = sorted(searcher.documents(doc_id=doc_id), key=lambda row: row["ordinal"])
        if not rows:
            return None
        first = rows[0]
        return DocumentView(
            doc_id=doc_id,
            path=first["path"],
            source=first.get("source", ""),
            title=first.get("title", ""),
            doc_type=first.get("doc_type", ""),
            date=first.get("date", ""),
            issuer=first.get("issuer", ""),
            doc_no=first.get("doc_no", ""),
            speaker=first.get("speaker", ""),
            passages=[
                {
                    "ordinal": row["ordinal"],
                    "text": row.get("text", ""),
                    "section": list(row.get("section") or []),
                    "heading": bool(row.get("heading")),
                }
                for row in rows
            ],
        )

    @staticmethod
    def _hit(
        searcher, docnum: int, score: float, copies: list[int], needles: list[list[str]]
    ) -> Hit:
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
            ordinal=stored.get("ordinal", 0),
            case_id=stored.get("case_id", ""),
        )


def _arrange(scores, table: PassageTable, per_doc: int) -> list[tuple[int, float, list[int]]]:
    """(docnum, score, docnums of reposted copies) in rank order: a passage found again in
    another document (kb.duplicates) is shown once, at its best rank, and at most ``per_doc``
    passages of one document are kept. ``per_doc`` 0 keeps every passage, copies included,
    as grep would."""
    if per_doc <= 0:
        return [(docnum, _score(score), []) for score, docnum in scores]
    first_of: dict[str, tuple[str, list[int]]] = {}
    per_document: dict[str, int] = {}
    kept: list[tuple[int, float, list[int]]] = []
    for score, docnum in scores:
        key = table.fingerprints[docnum]
        doc_id = table.doc_ids[docnum]
        if key and key in first_of and first_of[key][0] != doc_id:
            first_of[key][1].append(docnum)
            continue
        if per_document.get(doc_id, 0) >= per_doc:
            continue
        per_document[doc_id] = per_document.get(doc_id, 0) + 1
        copies: list[int] = []
        if key and key not in first_of:
            first_of[key] = (doc_id, copies)
        kept.append((docnum, _score(score), copies))
    return kept


def _facets(ranked, table: PassageTable) -> dict[str, list[tuple[str, int]]]:
    """Distinct documents per type, year and issuer among the results, most frequent first."""
    seen: set[str] = set()
    counters: dict[str, dict[str, int]] = {"doc_type": {}, "year": {}, "issuer": {}}
    for docnum, _, _ in ranked:
        doc_id = table.doc_ids[docnum]
        if doc_id in seen:
            continue
        seen.add(doc_id)
        for name, value in (
            ("doc_type", table.doc_types[docnum]),
            ("year", table.dates[docnum][:4]),
            ("issuer", table.issuers[docnum]),
        ):
            if value:
                counters[name][value] = counters[name].get(value, 0) + 1
    return {
        name: sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        for name, counts in counters.items()
    }


def _score(value: object) -> float:
    # Sorted (not scored) results carry sort keys instead of scores.
    return float(value) if isinstance(value, (int, float)) else 0.0
