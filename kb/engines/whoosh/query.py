"""kb's plan (``kb.plan``) as Whoosh query objects, and the query classes kb adds to Whoosh."""

from __future__ import annotations

import bisect
from collections.abc import Callable

from whoosh import matching
from whoosh import query as wq

from kb.plan import (
    AllOf,
    AnyOf,
    Contains,
    Everything,
    Filed,
    Node,
    Nothing,
    Ranked,
    Term,
    WithOptional,
    YearRange,
)


def compile_query(node: Node, containing: Callable[[str], list[int]]) -> wq.Query:
    """``node`` as a Whoosh query; ``containing(text)`` gives the sorted document numbers of
    the passages whose folded text contains ``text`` (kb.passage_table)."""

    def build(node: Node) -> wq.Query:
        if isinstance(node, Term):
            return wq.Term(node.field, node.text, boost=node.boost)
        if isinstance(node, Contains):
            return DocnumsQuery(containing(node.text), score=node.score, label=node.text)
        if isinstance(node, AnyOf):
            return wq.Or([build(child) for child in node.children], boost=node.boost)
        if isinstance(node, Ranked):
            return _FlatOr([build(child) for child in node.children])
        if isinstance(node, AllOf):
            return wq.And([build(child) for child in node.children])
        if isinstance(node, WithOptional):
            return wq.AndMaybe(build(node.required), build(node.optional))
        if isinstance(node, Filed):
            return FiledQuery(build(node.child), node.score)
        if isinstance(node, YearRange):
            return wq.NumericRange(node.field, node.start, node.end)
        if isinstance(node, Everything):
            return wq.Every() if node.field is None else wq.Every(node.field)
        if isinstance(node, Nothing):
            return wq.NullQuery
        raise TypeError(f"no Whoosh query for {node!r}")

    return build(node)


class FiledQuery(wq.ConstantScoreQuery):
    """Passages filed under some facet values, each scored ``score`` times ``boost`` (Whoosh
    needs no scorer for the keyword fields underneath)."""

    def __init__(self, child: wq.Query, score: float = 1.0) -> None:
        super().__init__(child, score)
        self.boost = 1.0

    def _rewrap(self, child: wq.Query) -> FiledQuery:
        rewrapped = FiledQuery(child, self.score)
        rewrapped.boost = self.boost
        return rewrapped

    def matcher(self, searcher, context=None):
        found = self.child.matcher(searcher, searcher.boolean_context())
        if isinstance(found, matching.NullMatcherClass):
            return found
        ids = list(found.all_ids())
        return matching.ListMatcher(ids, all_weights=self.score * self.boost)


class _FlatOr(wq.Or):
    """An Or whose matcher scores into arrays: ~20% faster here than Whoosh's union tree."""

    matcher_type = wq.Or.ARRAY_MATCHER


class DocnumsQuery(wq.Query):
    """Matches a precomputed set of global document numbers, each with the same score."""

    def __init__(self, docnums: list[int], score: float = 1.0, label: str = "") -> None:
        self.docnums = docnums
        self.score = score
        self.label = label
        self.boost = 1.0

    def __repr__(self) -> str:
        return f"DocnumsQuery({self.label!r}, {len(self.docnums)} passages)"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, DocnumsQuery)
            and self.docnums == other.docnums
            and self.score == other.score
        )

    def __hash__(self) -> int:
        return hash((tuple(self.docnums), self.score))

    def estimate_size(self, ixreader) -> int:
        return len(self.docnums)

    def matcher(self, searcher, context=None):
        offset = 0
        parent = searcher.get_parent() if searcher.has_parent() else None
        if parent is not None:
            for leaf, leaf_offset in parent.leaf_searchers():
                if leaf is searcher:
                    offset = leaf_offset
                    break
        size = searcher.reader().doc_count_all()
        low = bisect.bisect_left(self.docnums, offset)
        high = bisect.bisect_left(self.docnums, offset + size)
        local = [d - offset for d in self.docnums[low:high]]
        if not local:
            return matching.NullMatcher()
        return matching.ListMatcher(local, all_weights=self.score * self.boost)
