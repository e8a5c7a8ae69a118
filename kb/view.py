"""What a search engine must answer for kb: the seam between ``kb.search`` and an engine.

A query works on one ``IndexView`` from start to end. Candidates are named by *keys*, small
integers that index the view's ``table`` (the columns ``kb.passage_table`` defines): for Whoosh
they are document numbers over the whole passage table, for OpenSearch positions in the list of
candidates one request returned.
"""

from __future__ import annotations

from typing import Protocol

from whoosh import query as wq

from kb.analysis import Segmenter


class Columns(Protocol):
    """Per-key facts the ranking, grouping and facets read (folded ``contexts``/``texts``)."""

    doc_ids: list[str]
    headings: list[bool]
    fingerprints: list[str]
    doc_types: list[str]
    dates: list[str]
    issuers: list[str]
    contexts: list[str]
    texts: list[str]


class IndexView(Protocol):
    segmenter: Segmenter

    @property
    def table(self) -> Columns: ...

    def doc_count(self) -> int:
        """Live passages."""
        ...

    def doc_frequency(self, field: str, term: str) -> int:
        """Passages whose ``field`` holds ``term``."""
        ...

    def prefetch(self, pairs: list[tuple[str, str]]) -> None:
        """Document frequencies about to be asked for, (field, term) each: a remote engine
        fetches them in one request."""
        ...

    def lexicon(self, field: str) -> list[str]:
        """Every value of a keyword field (issuers are few)."""
        ...

    def substring(self, text: str, score: float) -> wq.Query:
        """A query for passages whose folded text contains ``text``, each scored ``score``."""
        ...

    def run(
        self, query: wq.Query, filter: wq.Query | None, mask: wq.Query | None, by_date: bool
    ) -> tuple[list[tuple[float, int]], str]:
        """(score, key) of every match, best first (newest first when ``by_date``), and a
        note for the user when that is not all of them (the time budget ran out)."""
        ...

    def stored(self, keys: list[int]) -> dict[int, dict]:
        """The stored fields of the passages ``keys`` name."""
        ...

    def documents(self, field: str, value: str) -> list[dict]:
        """Stored fields of every passage whose ``field`` is ``value`` (doc_id, case_id)."""
        ...


class EngineUnavailable(RuntimeError):
    """The search engine cannot be reached or refuses; the message is for the user."""
