"""What a search means, on any engine: query text -> plan -> ranked passage hits.

Two stages: the engine's BM25 finds every passage matching any concept of the query
(``kb.planner`` builds kb's plan, ``kb.plan``); the best of them are re-ranked by coverage and
closeness (``kb.ranking``); then at most ``per_doc`` passages per document are kept and the
page gets its snippets.

Everything a search *means* lives in ``SearchCore`` and is shared by every engine; an engine
only answers a few questions through an ``IndexView`` (see ``kb.view``): term statistics, a
plan run to ranked candidates, stored passages. The engines live apart and this module never
imports them: ``kb.engines.whoosh.searcher.Searcher`` (embedded, the default) and
``kb.engines.opensearch.searcher`` (an OpenSearch cluster).
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from kb.access import ACCESS_FIELD, PUBLIC, Viewer
from kb.analysis import Segmenter
from kb.dates import year_of
from kb.duplicates import fingerprint
from kb.explain import matched, partial_notes
from kb.facets import facet_set, facets_of
from kb.feedback import DEPTH as FEEDBACK_DEPTH
from kb.feedback import PASSAGES as FEEDBACK_PASSAGES
from kb.feedback import feedback
from kb.folding import fold
from kb.indexdir import IndexMissing
from kb.passage_table import context_of
from kb.plan import AllOf, Everything, Node
from kb.planner import DOC_NO_WEIGHT, Plan, Planner
from kb.primary import Copy, credited
from kb.query import ParsedQuery, apply_filter, parse_query
from kb.ranking import HEADING_FACTOR, Concept, assess
from kb.results import (
    CaseList,
    CaseRecord,
    DocumentSummary,
    DocumentView,
    Hit,
    SearchResult,
)
from kb.snippets import make_snippet
from kb.view import Columns, EngineUnavailable, IndexView

RERANK_DEPTH = 100
TIME_BUDGET = 5.0
TIMEOUT_NOTE = "检索超时，以下只是部分结果；请换用更具体的检索词。"
EMPTY_QUERY_NOTE = '请输入检索词，例如：四风 典型问题、"为基层减负"、type:通报 year:2024。'
EXCLUDED_ONLY_NOTE = "只有要排除的词（-…），还请输入要找的词或筛选条件，例如：违规吃喝 -宴请。"


def failure_message(error: BaseException) -> str:
    """What a user reads when kb failed on their query (the details go to the log)."""
    return (
        f"这条检索在系统内部出错（{type(error).__name__}），已记入日志；"
        "请换一种写法再试，或把检索词告诉管理员。"
    )


log = logging.getLogger(__name__)


class SearchCore:
    """What a search means, on any engine: parse, plan, run, re-rank, group, page, snippets.

    Subclasses provide ``segmenter`` and ``_view()``: a context manager yielding the
    ``IndexView`` one query works on from start to end."""

    @property
    def segmenter(self) -> Segmenter:
        raise NotImplementedError

    def _view(self) -> AbstractContextManager[IndexView]:
        raise NotImplementedError

    def counts(self, visible: Node | None = None) -> tuple[int, int]:
        """(documents, passages) of the live index; only those ``visible`` matches when given
        (kb.access: what one viewer may see)."""
        raise NotImplementedError

    def damage(self) -> str:
        """What is damaged in the index searched, in Chinese, or "" (an engine that can tell)."""
        return ""

    def _failure(self, error: BaseException) -> str:
        """The message for a search that failed: the damage, when the index is damaged."""
        try:
            damaged = self.damage()
        except Exception:
            damaged = ""
        return damaged or failure_message(error)

    def close(self) -> None:
        """Release what the engine holds open."""

    def for_viewer(self, viewer: Viewer) -> SearchCore:
        """This searcher as ``viewer`` sees the index: every query, count, case and document
        page filtered, inside the engine's query, to the passages ``viewer`` may see
        (``kb.access``). The admin sees all (this very searcher)."""
        visible = viewer.filter()
        return self if visible is None else RestrictedSearch(self, visible)

    @staticmethod
    def _rerank(
        table: Columns, top: list[tuple[float, int]], plan: Plan, depth: int = RERANK_DEPTH
    ) -> list[tuple[float, int]]:
        """Re-score the best ``depth`` candidates by coverage (see kb.ranking); the rest keep
        their order."""
        if not plan.concepts and not plan.doc_nos:  # quoted phrases alone: all score alike
            return sorted(top, key=lambda entry: table.furniture[entry[1]])
        head, tail = top[:depth], top[depth:]
        best = max((score for score, _ in head), default=0.0)
        keyed = []
        for score, docnum in head:
            targeted = score >= DOC_NO_WEIGHT
            # What says something comes before what frames it (the title, headings, 附件 and
            # metadata lines) among passages that match as well.
            content = not table.furniture[docnum]
            if plan.concepts:
                bm25 = score - DOC_NO_WEIGHT if targeted else score
                verdict = assess(
                    plan.concepts,
                    table.texts[docnum],
                    table.contexts[docnum],
                    bm25,
                    best,
                    facet_set(table.facets[docnum]),
                )
                factor = 1.0 if content else HEADING_FACTOR
                wanted = plan.prefer_cases and bool(table.case_ids[docnum])
                key = (targeted, verdict.covers_all, content, wanted, verdict.score * factor)
            else:
                key = (targeted, False, content, False, score)
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
        requirements_only: bool = False,
    ) -> SearchResult:
        """Ranked passages for ``raw_query``; at most ``per_doc`` per document (0: no limit).

        ``sort="date"`` puts newer documents first (relevance decides within a date);
        ``facets`` counts documents per type, year and issuer over all results, and
        ``documents`` says how many documents the passages come from; ``filters`` ({"type":
        [...], "year": [...], "issuer": [...]}) are a facet's values: type and year work like
        type:/year: in the query, an issuer is matched whole (``issuer:`` in the query takes
        any issuer containing it), so a filtered search finds the documents its facet counted.

        Never raises for what a user typed: a search that fails inside kb is logged with its
        details and answered with ``error`` set, so one query never stops a page, a batch or
        a server. Only an engine that cannot be reached (``EngineUnavailable``) or a missing
        index propagate: the caller says so for every query alike.
        """
        try:
            return self._search(
                raw_query, limit, offset, per_doc, sort, facets, filters, cases_only,
                requirements_only,
            )  # fmt: skip
        except (EngineUnavailable, IndexMissing):
            raise
        except Exception as error:
            log.exception("search failed: %r", raw_query)
            return SearchResult(raw_query, 0, [], [], error=self._failure(error))

    def _search(
        self,
        raw_query: str,
        limit: int,
        offset: int,
        per_doc: int,
        sort: str,
        facets: bool,
        filters: dict[str, list[str]] | None,
        cases_only: bool,
        requirements_only: bool,
    ) -> SearchResult:
        parsed = _parse(raw_query, filters, cases_only, requirements_only)
        if parsed.is_empty:  # nothing to look for: a message, never the whole index
            notes = parsed.notes or [EXCLUDED_ONLY_NOTE if parsed.excluded else EMPTY_QUERY_NOTE]
            return SearchResult(raw_query, 0, [], notes)
        with self._view() as view:
            plan, top, notes = self._run(view, parsed)
            table = view.table  # an engine may fill it only now, for the candidates found
            ranked = _arrange(top, table, per_doc)
            if sort == "date":
                ranked.sort(key=lambda entry: table.dates[entry[0]], reverse=True)
            page = ranked[offset : offset + limit]
            stored = view.stored([key for docnum, _, copies in page for key in (docnum, *copies)])
            texts: dict[str, list[dict]] = {}
            hits = [
                _hit(view, stored, docnum, score, copies, plan, texts)
                for docnum, score, copies in page
            ]
            if ranked and plan.concepts:
                first = ranked[0][0]
                filed = facet_set(table.facets[first])
                best = matched(plan, table.texts[first], table.contexts[first], facets=filed)
                notes.extend(partial_notes(plan, best))
            found = _documents(ranked, table)
            counts = _facets(found, table, view) if facets else {}
            return SearchResult(raw_query, len(ranked), hits, notes, counts, documents=len(found))

    def _run(
        self, view: IndexView, parsed: ParsedQuery
    ) -> tuple[Plan, list[tuple[float, int]], list[str]]:
        """Plan ``parsed``, run it and order the candidates: (plan, (score, key) best first,
        notes for the user)."""
        plan = Planner(view).plan(parsed)
        by_date = isinstance(plan.query, Everything)
        top, note = view.run(plan.query, plan.filter, plan.mask, by_date)
        table = view.table
        notes = list(parsed.notes)
        if note:
            notes.append(note)
        if by_date:  # newest first; within a date what says something before furniture
            top.sort(key=lambda e: (table.dates[e[1]], not table.furniture[e[1]]), reverse=True)
        else:
            top = self._rerank(table, top, plan)
            best = [table.texts[d] for _, d in top[:FEEDBACK_PASSAGES]]
            extra = feedback(plan.concepts, best, view) if plan.concepts else None
            if extra is not None:  # ranked again with what the best passages share
                plan.concepts.append(extra)
                top = self._rerank(table, top, plan, FEEDBACK_DEPTH)
                plan.concepts.remove(extra)
        return plan, top, notes

    def suggest(self, raw_query: str, limit: int = 5) -> list[str]:
        """Other queries worth trying when ``raw_query`` finds nothing: the phrases unquoted,
        the query without its rarest word, dictionary terms close to words the index lacks.
        Only suggestions that find something are returned; none when that fails (logged)."""
        try:
            return self._suggest(raw_query, limit)
        except (EngineUnavailable, IndexMissing):
            raise
        except Exception:
            log.exception("suggestions failed: %r", raw_query)
            return []

    def _suggest(self, raw_query: str, limit: int) -> list[str]:
        parsed = parse_query(raw_query)
        with self._view() as view:
            planner = Planner(view)
            concepts = planner.concepts(parsed.free_text) if parsed.free_text else []
            vocabulary = self._vocabulary(view.segmenter)
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
        category, sanction, level and the years the conduct happened.

        A searched word that names problem categories (形式主义, 违规吃喝, or a group such as
        四风, 八项规定; see the case taxonomy) finds the cases filed under them as well as the
        cases whose text matches: filed and matching first, then filed, then matching.
        Never raises for what a user typed (see ``search``)."""
        try:
            return self._cases(query, problems, sanctions, levels, years, limit, offset)
        except (EngineUnavailable, IndexMissing):
            raise
        except Exception as error:
            log.exception("case search failed: %r", query)
            return CaseList(total=0, cases=[], error=self._failure(error))

    def _cases(
        self,
        query: str,
        problems: list[str] | None,
        sanctions: list[str] | None,
        levels: list[str] | None,
        years: list[int] | None,
        limit: int,
        offset: int,
    ) -> CaseList:
        filters = {"problem": problems or [], "sanction": sanctions or [], "level": levels or []}
        parsed = _parse(query, filters, cases_only=True)
        wanted_years = set(years or [])
        with self._view() as view:
            plan, top, notes = self._run(view, parsed)
            matching = _case_order(top, view.table)
            filed: list[str] = []
            named = self._categories_named(plan.concepts)
            if named:
                by_category = _parse("", filters, cases_only=True)
                by_category.any_problem = named
                _, found, _ = self._run(view, by_category)
                filed = _case_order(found, view.table)
                in_both = set(filed) & set(matching)
                matching = (
                    [c for c in matching if c in in_both]
                    + [c for c in filed if c not in in_both]
                    + [c for c in matching if c not in in_both]
                )
            # A case reposted by another unit is listed once, at its best rank, credited to
            # the copy kb.primary chooses, with where else it stands.
            groups: list[list[tuple[CaseRecord, dict]]] = []
            by_print: dict[str, list[tuple[CaseRecord, dict]]] = {}
            for case_id in matching:
                row = self._case_row(view, case_id)
                if row is None:
                    continue
                record = CaseRecord.from_stored(case_id, row)
                if wanted_years and not wanted_years & set(record.years):
                    continue
                key = fingerprint(record.text)
                if key and key in by_print:
                    by_print[key].append((record, row))
                    continue
                groups.append([(record, row)])
                if key:
                    by_print[key] = groups[-1]
            texts: dict[str, list[dict]] = {}
            records = [_credited_case(view, group, texts) for group in groups]
        if named:
            shown = "、".join(n.rsplit("/", 1)[-1] for n in named[:4]) + (
                "等" if len(named) > 4 else ""
            )
            notes.append(f"也列出了归入“{shown}”类的案例。")
        return CaseList(total=len(records), cases=records[offset : offset + limit], notes=notes)

    def _categories_named(self, concepts: list[Concept]) -> list[str]:
        """Problem categories the query's concepts (typed or reached) name."""
        taxonomy = self.segmenter.dictionaries.taxonomy
        named: list[str] = []
        for concept in concepts:
            for form in concept.forms:
                named += [c for c in taxonomy.categories_named(form) if c not in named]
        return named

    def case(self, case_id: str) -> CaseRecord | None:
        """One case record by id, or None."""
        with self._view() as view:
            row = self._case_row(view, case_id)
        return CaseRecord.from_stored(case_id, row) if row else None

    @staticmethod
    def _case_row(view: IndexView, case_id: str) -> dict | None:
        """The stored fields of the passage where the case starts (its record in ``case``)."""
        for stored in view.documents("case_id", case_id):
            if stored.get("case"):
                return stored
        return None

    @staticmethod
    def _vocabulary(segmenter: Segmenter) -> list[str]:
        dictionaries = segmenter.dictionaries
        return sorted({t for t, _ in dictionaries.userdict} | set(dictionaries.synonyms.expansions))

    def catalog(self) -> dict[str, DocumentSummary]:
        """doc_id -> what the index holds of every document (title, type, date ...), from
        each document's first passage: one query, not a read of every passage. An engine lists
        as many documents as one query may return (OpenSearch: its result window)."""
        with self._view() as view:
            rows = view.documents("ordinal", "0")
        return {
            row["doc_id"]: DocumentSummary(
                doc_id=row["doc_id"],
                path=row.get("path", ""),
                title=row.get("title", ""),
                doc_type=row.get("doc_type", ""),
                date=row.get("date", ""),
                year=int(row.get("year") or 0) or None,
                issuer=row.get("issuer", ""),
                doc_no=row.get("doc_no", ""),
            )
            for row in rows
        }

    def document(self, doc_id: str) -> DocumentView | None:
        """The document with every passage in order, or None if the index has no such id."""
        with self._view() as view:
            rows = sorted(view.documents("doc_id", doc_id), key=lambda row: row["ordinal"])
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
                    "meta": bool(row.get("meta")),
                    "place": row.get("place", row["ordinal"]),
                    "requirements": list(row.get("requirements") or []),
                }
                for row in rows
            ],
            ocr=bool(first.get("ocr")),
            notes=list(first.get("notes") or []),
        )


class RestrictedSearch(SearchCore):
    """A searcher's answers limited to the passages ``visible`` matches (see
    ``SearchCore.for_viewer``): one per request, sharing the engine's open index."""

    def __init__(self, core: SearchCore, visible: Node) -> None:
        self.core = core
        self.visible = visible

    @property
    def segmenter(self) -> Segmenter:
        return self.core.segmenter

    @contextmanager
    def _view(self) -> Iterator[IndexView]:
        with self.core._view() as view:
            yield _RestrictedView(view, self.visible)

    def counts(self, visible: Node | None = None) -> tuple[int, int]:
        """(documents, passages) this viewer may see."""
        both = self.visible if visible is None else AllOf((visible, self.visible))
        return self.core.counts(both)

    def damage(self) -> str:
        return self.core.damage()

    def close(self) -> None:
        """Nothing of its own: the engine stays open for the other viewers."""


class _RestrictedView:
    """An ``IndexView`` whose searches and document lookups are filtered by ``visible``:
    the engine compiles the filter into its query, so nothing outside it is ever a
    candidate. Where every live passage is 公开 (nothing is restricted), no filter is
    needed and none is added. Term statistics stay those of the whole index (they decide
    how words are searched and weighed, and are never shown)."""

    def __init__(self, view: IndexView, visible: Node) -> None:
        self.inner = view
        self.segmenter = view.segmenter
        self._visible = visible
        self._needed: bool | None = None

    @property
    def visible(self) -> Node | None:
        if self._needed is None:
            public = self.inner.doc_frequency(ACCESS_FIELD, PUBLIC)
            self._needed = public < self.inner.doc_count()
        return self._visible if self._needed else None

    @property
    def table(self) -> Columns:
        return self.inner.table

    def doc_count(self) -> int:
        return self.inner.doc_count()

    def doc_frequency(self, field: str, term: str) -> int:
        return self.inner.doc_frequency(field, term)

    def prefetch(self, pairs: list[tuple[str, str]]) -> None:
        self.inner.prefetch(pairs)

    def lexicon(self, field: str) -> list[str]:
        return self.inner.lexicon(field)

    def run(
        self, query: Node, filter: Node | None, mask: Node | None, by_date: bool
    ) -> tuple[list[tuple[float, int]], str]:
        visible = self.visible
        if visible is not None:
            filter = visible if filter is None else AllOf((filter, visible))
        return self.inner.run(query, filter, mask, by_date)

    def stored(self, keys: list[int]) -> dict[int, dict]:
        return self.inner.stored(keys)

    def documents(self, field: str, value: str, filter: Node | None = None) -> list[dict]:
        visible = self.visible
        if visible is not None:
            filter = visible if filter is None else AllOf((filter, visible))
        return self.inner.documents(field, value, filter)


def _hit(
    view: IndexView,
    found: dict[int, dict],
    docnum: int,
    score: float,
    copies: list[int],
    plan: Plan,
    texts: dict[str, list[dict]],
) -> Hit:
    # The copies of a reposted passage are shown once, credited to the copy kb.primary
    # chooses; an engine may return {} for a passage deleted meanwhile.
    group = [key for key in (docnum, *copies) if found.get(key)] or [docnum]
    if len(group) > 1:
        dictionaries = view.segmenter.dictionaries
        copies_of = _copies(view, [found[key] for key in group], texts)
        docnum = group[credited(copies_of, dictionaries.doc_types, dictionaries.people_words)]
    stored = found[docnum]
    text = stored.get("text", "")
    also_in = []
    for copy in group:
        other = found.get(copy, {})
        entry = {k: other.get(k, "") for k in ("doc_id", "path", "title", "date")}
        if entry["doc_id"] != stored["doc_id"] and entry not in also_in:
            also_in.append(entry)
    return Hit(
        doc_id=stored.get("doc_id", ""),
        path=stored.get("path", ""),
        title=stored.get("title", ""),
        doc_type=stored.get("doc_type", ""),
        date=stored.get("date", ""),
        issuer=stored.get("issuer", ""),
        doc_no=stored.get("doc_no", ""),
        section=list(stored.get("section") or []),
        text=text,
        snippet=make_snippet(text, plan.needles),
        score=round(score, 4),
        also_in=also_in,
        ordinal=stored.get("ordinal", 0),
        case_id=stored.get("case_id", ""),
        matched=matched(
            plan,
            fold(text),
            context_of(stored),
            stored.get("doc_no", ""),
            facet_set(facets_of(stored)),
        ),
        ocr=bool(stored.get("ocr")),
    )


def _copies(view: IndexView, rows: list[dict], texts: dict[str, list[dict]]) -> list[Copy]:
    """The copies of a repeated passage (kb.primary) with their documents' text up to and
    including each; ``texts`` keeps the documents read, by id, for the rest of the query."""
    copies = []
    for row in rows:
        doc_id = row.get("doc_id", "")
        if doc_id not in texts:
            texts[doc_id] = [r for r in view.documents("doc_id", doc_id) if not r.get("meta")]
        ordinal = row.get("ordinal", 0)
        before = [r for r in texts[doc_id] if r.get("ordinal", 0) <= ordinal]
        before.sort(key=lambda r: r.get("ordinal", 0))
        copies.append(Copy.from_stored(row, "\n".join(r.get("text", "") for r in before)))
    return copies


def _credited_case(
    view: IndexView, group: list[tuple[CaseRecord, dict]], texts: dict[str, list[dict]]
) -> CaseRecord:
    """The record of the copy of a case kb.primary credits, the other copies under
    ``also_in`` (in rank order, once per document)."""
    if len(group) == 1:
        return group[0][0]
    dictionaries = view.segmenter.dictionaries
    copies = _copies(view, [row for _, row in group], texts)
    lead = credited(copies, dictionaries.doc_types, dictionaries.people_words)
    record = group[lead][0]
    for other, _ in group[:lead] + group[lead + 1 :]:
        entry = {k: getattr(other, k) for k in ("doc_id", "path", "title", "date")}
        if other.doc_id != record.doc_id and entry not in record.also_in:
            record.also_in.append(entry)
    return record


def _parse(
    raw_query: str,
    filters: dict[str, list[str]] | None,
    cases_only: bool = False,
    requirements_only: bool = False,
) -> ParsedQuery:
    """The query with the page's filters and scope applied (as if typed in the query)."""
    parsed = parse_query(raw_query)
    parsed.cases_only = cases_only
    parsed.requirements_only = requirements_only
    for key, values in (filters or {}).items():
        for value in values:
            if key == "issuer" and value:  # a facet's value, matched whole (see search)
                parsed.exact_issuers.append(value)
            elif value:
                apply_filter(key, value, parsed)
    return parsed


def _case_order(top: list[tuple[float, int]], table: Columns) -> list[str]:
    """The cases of ranked passages, each once, at its best passage's rank."""
    return list(dict.fromkeys(table.case_ids[key] for _, key in top if table.case_ids[key]))


def _arrange(scores, table: Columns, per_doc: int) -> list[tuple[int, float, list[int]]]:
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


def _documents(ranked, table: Columns) -> dict[str, int]:
    """doc_id -> one of its passages, for every document a result comes from: its own passages
    and the reposted copies shown under another's (a filter on the copy's year or type finds
    it on its own, so it counts here too: the facets then agree with the filtered lists)."""
    first: dict[str, int] = {}
    for docnum, _, copies in ranked:
        for key in (docnum, *copies):
            first.setdefault(table.doc_ids[key], key)
    return first


def _facets(
    first: dict[str, int], table: Columns, view: IndexView
) -> dict[str, list[tuple[str, int]]]:
    """Documents (``_documents``) per type, year and issuer, most frequent first. The year is
    the one the year filter matches (kb.model.Document.year): a document dated by its month
    only has no date in the table, so its stored year is read."""
    undated = [docnum for docnum in first.values() if year_of(table.dates[docnum]) is None]
    stored_years = {
        docnum: int(fields.get("year") or 0) for docnum, fields in view.stored(undated).items()
    }
    counters: dict[str, dict[str, int]] = {"doc_type": {}, "year": {}, "issuer": {}}
    for docnum in first.values():
        year = year_of(table.dates[docnum]) or stored_years.get(docnum)
        for name, value in (
            ("doc_type", table.doc_types[docnum]),
            ("year", str(year) if year else ""),
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
