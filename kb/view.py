"""What a search engine must answer for kb: the seam between ``kb.search`` and an engine.

A query works on one ``IndexView`` from start to end. Candidates are named by *keys*, small
integers that index the view's ``table`` (the columns ``kb.passage_table`` defines): for Whoosh
they are document numbers over the whole passage table, for OpenSearch positions in the list of
candidates one request returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from kb.analysis import Segmenter
from kb.plan import Node


class Columns(Protocol):
    """Per-key facts the ranking, grouping and facets read (folded ``contexts``/``texts``).
    ``furniture`` marks what frames a document rather than says something: its title,
    headings, 附件 lines and metadata lines (发文字号, dates, signature)."""

    doc_ids: list[str]
    furniture: list[bool]
    fingerprints: list[str]
    doc_types: list[str]
    dates: list[str]
    issuers: list[str]
    case_ids: list[str]  # the typical case a passage belongs to, or ""
    facets: list[str]  # what it is filed under (kb.passage_table.facets_of)
    contexts: list[str]

    @property
    def texts(self) -> Sequence[str]:  # read only: a list, or slices of one string
        ...


# The pseudo-field of ``doc_frequency`` and ``prefetch`` that counts passages whose folded text
# contains a string anywhere (a quoted phrase, a form the index never saw as a word).
CONTAINS = "exact"


class IndexView(Protocol):
    segmenter: Segmenter

    @property
    def table(self) -> Columns: ...

    def doc_count(self) -> int:
        """Live passages."""
        ...

    def doc_frequency(self, field: str, term: str) -> int:
        """Passages whose ``field`` holds ``term``; for ``CONTAINS``, whose text contains it."""
        ...

    def prefetch(self, pairs: list[tuple[str, str]]) -> None:
        """Document frequencies about to be asked for, (field, term) each: a remote engine
        fetches them in one request."""
        ...

    def lexicon(self, field: str) -> list[str]:
        """Every value of a keyword field (issuers are few)."""
        ...

    def run(
        self, query: Node, filter: Node | None, mask: Node | None, by_date: bool
    ) -> tuple[list[tuple[float, int]], str]:
        """(score, key) of every match of kb's plan (``kb.plan``), compiled by the engine, best first (newest first when ``by_date``), and a
        note for the user when that is not all of them (the time budget ran out)."""
        ...

    def stored(self, keys: list[int]) -> dict[int, dict]:
        """The stored fields of the passages ``keys`` name."""
        ...

    def documents(self, field: str, value: str, filter: Node | None = None) -> list[dict]:
        """Stored fields of every passage whose ``field`` is ``value`` (doc_id, case_id) and
        that ``filter`` (compiled into the engine's query, as in ``run``) matches."""
        ...


class EngineUnavailable(RuntimeError):
    """The search engine cannot be reached or refuses; the message is for the user."""
