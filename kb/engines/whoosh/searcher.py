"""The Whoosh engine: kb's search (``kb.search.SearchCore``) over the index in a folder.

``Searcher`` opens the live generation (``kb.indexdir``) and follows each update to the newest
one; a query works on one snapshot of it through ``_WhooshView`` (``kb.view.IndexView``), which
compiles kb's plan with ``kb.engines.whoosh.query``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import query as wq
from whoosh.collectors import FilterCollector, TimeLimitCollector
from whoosh.idsets import BitSet, DocIdSet
from whoosh.searching import Searcher as WhooshSearcher
from whoosh.searching import TimeLimit
from whoosh.sorting import FieldFacet, MultiFacet

from kb.analysis import Segmenter
from kb.bm25 import KbBM25F, live_statistics
from kb.engines.whoosh.query import compile_query
from kb.engines.whoosh.schema import build_schema
from kb.indexdir import Generation, IndexDir, IndexMissing
from kb.integrity import (
    IndexDamaged,
    damage_message,
    damaged_tables,
    open_whoosh,
    problems,
    recorded_sizes,
    resized,
)
from kb.passage_table import PassageTable
from kb.plan import AllOf, Node
from kb.search import (
    TIME_BUDGET,
    TIMEOUT_NOTE,
    SearchCore,
)
from kb.view import CONTAINS, IndexView

GRAMS_FROM = 1_000_000  # folded characters from which a snapshot indexes them (kb.grams)
OPEN_ATTEMPTS = 5  # generations tried when rebuilds keep replacing the one being opened
SEARCHERS_PER_SNAPSHOT = 8  # Whoosh searchers, one per query running at the same time
FILTERS_PER_SNAPSHOT = 64  # filters (a viewer's rights, type:, year: ...) kept as bit sets

log = logging.getLogger("kb.search")


class _Snapshot:
    """One opened version of the index: the passage table, the segmenter and the Whoosh
    searchers of one generation.

    A Whoosh searcher must never serve two queries at once: its readers seek and then read
    file objects they share, so two threads interleaving on one searcher read each other's
    bytes (garbled postings: IndexError, UnpicklingError, zlib errors, or silently wrong
    hits). Each running query checks out a searcher of its own; they are opened on demand
    (~3 ms each), at most SEARCHERS_PER_SNAPSHOT, and a query beyond that waits for one.
    A generation's files never change once written: ``sizes`` (theirs as written) are checked
    before every query, so that a file cut short under the server is reported, not read.
    Queries hold the snapshot (``users``) while they run; once a newer version has replaced
    it (``retired``), the last of them closes its searchers."""

    def __init__(self, generation: Generation, segmenter: Segmenter, ix, searcher, table):
        self.generation = generation
        self.segmenter = segmenter
        self.ix = ix
        self.table: PassageTable = table
        self.sizes = recorded_sizes(generation.folder, generation.whoosh_dir)
        self.version = searcher.reader().generation()
        self.searchers: list[WhooshSearcher] = [searcher]
        self._free: list[WhooshSearcher] = [searcher]
        self._available = threading.Condition()
        self._may_open = True
        self.users = 0
        self.retired = False
        # The passages a filter allows, by plan node: a snapshot never changes, so a filter
        # asked again (every query of one viewer carries the same one, kb.access) is a lookup.
        self.filters: dict[Node, BitSet] = {}
        self._filters_lock = threading.Lock()

    def allowed(self, node: Node, compute) -> BitSet:
        """The passages ``node`` allows, ``compute(node)`` the first time."""
        with self._filters_lock:
            found = self.filters.get(node)
        if found is None:
            found = compute(node)
            with self._filters_lock:
                if len(self.filters) >= FILTERS_PER_SNAPSHOT:
                    self.filters.clear()
                self.filters[node] = found
        return found

    @property
    def first(self) -> WhooshSearcher:
        """The searcher opened with the snapshot; for metadata only (up_to_date)."""
        return self.searchers[0]

    def checkout(self) -> WhooshSearcher:
        with self._available:
            while not self._free:
                if self._may_open and len(self.searchers) < SEARCHERS_PER_SNAPSHOT:
                    searcher = self._open_another()
                    if searcher is not None:
                        self.searchers.append(searcher)
                        return searcher
                    self._may_open = False
                else:
                    self._available.wait()
            return self._free.pop()

    def _open_another(self) -> WhooshSearcher | None:
        """Another searcher of the same version, or None once that cannot be had (an update
        committed into this generation since: the next query opens a newer snapshot)."""
        try:
            searcher = self.ix.searcher(weighting=KbBM25F())
        except Exception:
            return None
        if searcher.reader().generation() != self.version:
            searcher.close()
            return None
        return searcher

    def checkin(self, searcher: WhooshSearcher) -> None:
        with self._available:
            self._free.append(searcher)
            self._available.notify()

    def close(self) -> None:
        for searcher in self.searchers:
            searcher.close()


class _Allowed(DocIdSet):
    """The passages a filter allows, as Whoosh's FilterCollector takes them. The collector
    takes a *falsy* set for "no filter": an empty one (a viewer who may see nothing, a year
    nothing was written in) must still filter everything out, so this set is always true."""

    def __init__(self, bits: BitSet) -> None:
        self.bits = bits

    def __bool__(self) -> bool:
        return True

    def __contains__(self, docnum: object) -> bool:
        return docnum in self.bits

    def __iter__(self):
        return iter(self.bits)

    def __len__(self) -> int:
        return len(self.bits)


def _index_grams(table: PassageTable) -> None:
    """Index a snapshot's character pairs while it already answers (by scanning)."""
    try:
        table.index_grams()
    except Exception:  # MemoryError above all: the scan goes on answering exactly
        log.warning("cannot index the character pairs; quoted search scans", exc_info=True)


class Searcher(SearchCore):
    """Answers queries against the live generation of an index; safe to share across threads.

    Every query works on one snapshot from start to end, with a Whoosh searcher of its own
    (see ``_Snapshot``). A full rebuild (a new generation made live, the old folder deleted)
    or an update (a new Whoosh commit) makes the next query open the new version; queries
    still running on the old one finish undisturbed.
    """

    def __init__(self, index_root: Path) -> None:
        self.index_dir = IndexDir(Path(index_root))
        self._lock = threading.Lock()
        self._snap = self._open_live()

    @property
    def segmenter(self) -> Segmenter:
        return self._snap.segmenter

    def _open_live(self) -> _Snapshot:
        """Open the live generation. A rebuild may make a newer one live and delete this one
        while we open it: then we open the newer one. Only a generation that was live before
        and after opening it is kept (its files were all there while we read them)."""
        for attempt in range(OPEN_ATTEMPTS):
            generation = self.index_dir.require_current()
            try:
                snap = self._open(generation)
            except Exception:
                if self.index_dir.current() == generation or attempt == OPEN_ATTEMPTS - 1:
                    raise  # not a switch under our feet: a real problem
                continue
            if self.index_dir.current() == generation:
                return snap
            snap.close()
        raise IndexMissing(f"索引正在频繁重建，暂时无法打开：{self.index_dir.root}。请稍后再试。")

    def _open(self, generation: Generation, ix=None) -> _Snapshot:
        """Open ``generation``; IndexDamaged, with what is wrong, when its files are not
        the ones it was written with (missing, cut short, or unreadable and altered)."""
        damage = problems(generation.folder, generation.whoosh_dir, digests=False)
        if damage:
            raise IndexDamaged(damage_message(self.index_dir.root, damage))
        try:
            segmenter = self.index_dir.segmenter_for(generation)
            if ix is None:
                ix = open_whoosh(generation.whoosh_dir, build_schema(segmenter))
            searcher = ix.searcher(weighting=KbBM25F())
        except Exception as error:
            damage = problems(generation.folder, generation.whoosh_dir)
            if damage:
                raise IndexDamaged(damage_message(self.index_dir.root, damage)) from error
            raise
        try:
            # A damaged passage table is derived again from the index (in memory here;
            # kb index writes it anew).
            trusted = not damaged_tables(generation.folder, generation.whoosh_dir)
            table = PassageTable.for_reader(generation.whoosh_dir, searcher.reader(), trusted)
        except BaseException:
            searcher.close()
            raise
        if len(table.text) >= GRAMS_FROM:
            threading.Thread(
                target=_index_grams, args=(table,), name="kb-grams", daemon=True
            ).start()
        return _Snapshot(generation, segmenter, ix, searcher, table)

    def damage(self) -> str:
        """A message naming what is damaged in the index being searched, or ""."""
        generation = self._snap.generation
        found = problems(generation.folder, generation.whoosh_dir)
        return damage_message(self.index_dir.root, found) if found else ""

    def _newer(self, snap: _Snapshot) -> _Snapshot | None:
        """A snapshot of a newer version of the index than ``snap``, or None. Never raises:
        when the newer version cannot be opened (a rebuild is deleting folders this very
        moment), queries go on with the snapshot they have and the next one tries again."""
        live = None
        try:
            live = self.index_dir.current()
            if live is not None and live != snap.generation:
                return self._open_live()
            if live is None or snap.first.up_to_date():
                return None
            # An update committed into the live generation. Whoosh's refresh() would share
            # segment readers with (and close some under) queries still running, so the new
            # version gets readers of its own.
            return self._open(snap.generation, snap.ix)
        except Exception:
            if self.index_dir.current() == live:  # no switch in progress: worth a look
                log.warning("cannot open the newer index at %s", self.index_dir.root, exc_info=True)
            return None

    @contextmanager
    def _snapshot(self) -> Iterator[tuple[_Snapshot, WhooshSearcher]]:
        """The newest snapshot and a Whoosh searcher for this query alone, held (not closed
        by a switch, not used by another thread) until the block ends. Never nest: a query
        holding a searcher must not wait for a second one."""
        with self._lock:
            fresh = self._newer(self._snap)
            if fresh is not None:
                old, self._snap = self._snap, fresh
                old.retired = True
                if old.users == 0:
                    old.close()
            snap = self._snap
            snap.users += 1
        try:
            damage = resized(snap.sizes)
            if damage and self.index_dir.current() == snap.generation:  # not a rebuild's switch
                raise IndexDamaged(damage_message(self.index_dir.root, damage))
            searcher = snap.checkout()
            try:
                yield snap, searcher
            finally:
                snap.checkin(searcher)
        finally:
            with self._lock:
                snap.users -= 1
                if snap.retired and snap.users == 0:
                    snap.close()

    def _current_searcher(self):
        """A Whoosh searcher and the passage table of the newest version. The table is plain
        data, safe to keep and to share; the searcher is for a quick look by one thread (it
        may be closed by a later switch, and queries use ``_snapshot()``)."""
        with self._snapshot() as (snap, searcher):
            return searcher, snap.table

    @contextmanager
    def _view(self) -> Iterator[IndexView]:
        with self._snapshot() as (snap, searcher):
            yield _WhooshView(snap, searcher)

    def counts(self, visible: Node | None = None) -> tuple[int, int]:
        if visible is None:
            _, table = self._current_searcher()
            doc_ids = [d for d in table.doc_ids if d]
        else:
            with self._view() as view:
                assert isinstance(view, _WhooshView)
                query = view.compiled(visible)
                assert query is not None
                doc_ids = [view.table.doc_ids[key] for key in query.docs(view.searcher)]
        return len(set(doc_ids)), len(doc_ids)

    def close(self) -> None:
        with self._lock:
            self._snap.retired = True
            if self._snap.users == 0:
                self._snap.close()


class _WhooshView:
    """One query's view of a Whoosh snapshot (see kb.view.IndexView): keys are document
    numbers, the table is the snapshot's whole passage table."""

    def __init__(self, snap: _Snapshot, searcher: WhooshSearcher) -> None:
        self.segmenter = snap.segmenter
        self.table = snap.table
        self.snap = snap
        self.searcher = searcher
        self._containing: dict[str, list[int]] = {}  # a scan of the texts is worth keeping

    def _passages_containing(self, text: str) -> list[int]:
        if text not in self._containing:
            self._containing[text] = self.table.containing(text)
        return self._containing[text]

    def doc_count(self) -> int:
        return self.searcher.doc_count()

    def doc_frequency(self, field: str, term: str) -> int:
        if field == CONTAINS:
            return len(self._passages_containing(term))
        return live_statistics(self.searcher.reader()).doc_frequency(field, term)

    def prefetch(self, pairs: list[tuple[str, str]]) -> None:
        pass  # the statistics are at hand

    def lexicon(self, field: str) -> list[str]:
        return [
            value.decode("utf-8") if isinstance(value, bytes) else value
            for value in self.searcher.lexicon(field)
        ]

    def compiled(self, node: Node | None) -> wq.Query | None:
        """``node`` as a Whoosh query over this snapshot (None stays None)."""
        return None if node is None else compile_query(node, self._passages_containing)

    def run(
        self, query: Node, filter: Node | None, mask: Node | None, by_date: bool
    ) -> tuple[list[tuple[float, int]], str]:
        options: dict = {"limit": None}
        if by_date:
            options["sortedby"] = MultiFacet(
                [FieldFacet("date", reverse=True), FieldFacet("ordinal")]
            )
        # The filter must wrap the time limit: the other way round Whoosh ignores the filter.
        collector = FilterCollector(
            # No SIGALRM: it only works in the main thread, and not at all on Windows.
            TimeLimitCollector(
                self.searcher.collector(**options), timelimit=TIME_BUDGET, use_alarm=False
            ),
            None if filter is None else _Allowed(self._allowed(filter)),
            self.compiled(mask),
        )
        note = ""
        try:
            self.searcher.search_with_collector(self.compiled(query), collector)
        except TimeLimit:
            note = TIMEOUT_NOTE
        return collector.results().top_n, note

    def _allowed(self, node: Node) -> BitSet:
        """The passages a filter allows, as Whoosh's collector takes them; kept with the
        snapshot (the parts of an AllOf each on their own, so a viewer's rights are found
        once whatever else the query filters on)."""

        def compute(node: Node) -> BitSet:
            if isinstance(node, AllOf):
                parts = [self._allowed(child) for child in node.children]
                found = parts[0].copy()
                for part in parts[1:]:
                    found.intersection_update(part)
                return found
            query = self.compiled(node)
            size = self.searcher.doc_count_all()
            return BitSet(self.searcher.docs_for_query(query), size=size)

        return self.snap.allowed(node, compute)

    def stored(self, keys: list[int]) -> dict[int, dict]:
        return {key: self.searcher.stored_fields(key) for key in keys}

    def documents(self, field: str, value: str, filter: Node | None = None) -> list[dict]:
        if filter is None:
            return list(self.searcher.documents(**{field: value}))
        query = wq.And([wq.Term(field, value), self.compiled(filter)])
        return [self.searcher.stored_fields(docnum) for docnum in query.docs(self.searcher)]
