"""kb's own query plan: what to find and how each part scores, in plain data.

``kb.planner`` builds these trees; each engine compiles them into its own queries
(``kb.engines.whoosh.query`` into Whoosh query objects, ``kb.engines.opensearch.dsl`` into the
OpenSearch DSL). Scores add up as BM25F scores do: a union sums what matches in it.

The nodes:

- ``Term``: passages whose ``field`` holds ``text`` (a word field is scored by BM25F, a keyword
  field such as ``doc_no`` or ``doc_type`` scores its boost);
- ``Contains``: passages whose folded text contains ``text`` anywhere, each scored ``score``;
- ``AnyOf``: passages any child matches, scored by the sum of the children that match;
  ``Ranked`` is the same, the flat union of everything that ranks a query;
- ``AllOf``: passages every child matches; ``WithOptional``: passages ``required`` matches,
  plus the score of ``optional`` where it matches too;
- ``Filed``: passages ``child`` matches, all scored ``score`` (what ``child`` scores is not used);
- ``YearRange``: a numeric range on ``field``; ``Everything`` (every passage, or every passage
  with ``field`` set) and ``Nothing``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Term:
    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Contains:
    text: str
    score: float = 1.0


@dataclass(frozen=True)
class AnyOf:
    children: tuple[Node, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Ranked:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class AllOf:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class WithOptional:
    required: Node
    optional: Node


@dataclass(frozen=True)
class Filed:
    child: Node
    score: float


@dataclass(frozen=True)
class YearRange:
    field: str
    start: int | None
    end: int | None


@dataclass(frozen=True)
class Everything:
    field: str | None = None  # None: every passage; else those where ``field`` has a value


@dataclass(frozen=True)
class Nothing:
    pass


Node = (
    Term
    | Contains
    | AnyOf
    | Ranked
    | AllOf
    | WithOptional
    | Filed
    | YearRange
    | Everything
    | Nothing
)
NOTHING = Nothing()


def with_boost(node: Node, factor: float) -> Node:
    """``node`` scoring ``factor`` times as much."""
    if factor == 1.0:
        return node
    if isinstance(node, (Term, AnyOf)):
        return replace(node, boost=node.boost * factor)
    if isinstance(node, Contains):
        return replace(node, score=node.score * factor)
    if isinstance(node, Filed):
        return replace(node, score=node.score * factor)
    raise ValueError(f"no boost for {node!r}")


def ranked(nodes: list[Node]) -> Node:
    """One flat union over ``nodes``: a union sums its children's scores, so a union inside
    it adds nothing but depth (its boost goes to its children)."""
    flat: list[Node] = []
    for node in nodes:
        if isinstance(node, AnyOf):
            flat.extend(with_boost(child, node.boost) for child in node.children)
        else:
            flat.append(node)
    return flat[0] if len(flat) == 1 else Ranked(tuple(flat))
