"""kb's query plans (``kb.plan``) as OpenSearch DSL.

The translation keeps scores comparable with Whoosh's: a union sums what matches (bool
should), an optional part adds its score, a substring or a keyword term scores a constant.
"""

from __future__ import annotations

from kb.engines.opensearch.mapping import EXACT_FIELD, TOKEN_FIELDS
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

MATCH_NONE: dict = {"match_none": {}}


def to_dsl(node: Node) -> dict:
    """One plan node (and its children) as a query clause."""
    if isinstance(node, Nothing):
        return MATCH_NONE
    if isinstance(node, Contains):
        if not node.text or "\n" in node.text:
            return MATCH_NONE  # as kb.passage_table: a passage never holds a line break
        return {
            "constant_score": {
                "filter": {"match_phrase": {EXACT_FIELD: node.text}},
                "boost": node.score,
            }
        }
    if isinstance(node, Filed):
        inner = to_dsl(node.child)
        if inner is MATCH_NONE:
            return MATCH_NONE
        return {"constant_score": {"filter": inner, "boost": node.score}}
    if isinstance(node, Term):
        boost = float(node.boost)
        if node.field in TOKEN_FIELDS:
            return {"term": {node.field: {"value": node.text, "boost": boost}}}
        return {"constant_score": {"filter": {"term": {node.field: node.text}}, "boost": boost}}
    if isinstance(node, Everything):
        if node.field is None:
            return {"match_all": {"boost": 1.0}}
        return {"constant_score": {"filter": {"exists": {"field": node.field}}, "boost": 1.0}}
    if isinstance(node, YearRange):
        bounds: dict = {}
        if node.start is not None:
            bounds["gte"] = node.start
        if node.end is not None:
            bounds["lte"] = node.end
        return {"range": {node.field: bounds}}
    if isinstance(node, WithOptional):
        required, optional = to_dsl(node.required), to_dsl(node.optional)
        return {"bool": {"must": [required], "should": [optional], "boost": 1.0}}
    if isinstance(node, (AnyOf, Ranked)):
        children = [to_dsl(child) for child in node.children]
        children = [c for c in children if c is not MATCH_NONE]
        if not children:
            return MATCH_NONE
        boost = float(node.boost) if isinstance(node, AnyOf) else 1.0
        return {"bool": {"should": children, "minimum_should_match": 1, "boost": boost}}
    if isinstance(node, AllOf):
        children = [to_dsl(child) for child in node.children]
        if any(c is MATCH_NONE for c in children):
            return MATCH_NONE
        return {"bool": {"must": children, "boost": 1.0}}
    raise TypeError(f"no OpenSearch translation for {node!r}")


def search_query(query: Node, filter: Node | None, mask: Node | None) -> dict:
    """The whole query: what ranks, what must hold (no score), what must not."""
    clause: dict = {"must": [to_dsl(query)]}
    if filter is not None:
        clause["filter"] = [to_dsl(filter)]
    if mask is not None:
        clause["must_not"] = [to_dsl(mask)]
    return {"bool": clause}
