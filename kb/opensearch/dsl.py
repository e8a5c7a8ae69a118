"""kb's query plans (trees of Whoosh query objects, see ``kb.planner``) as OpenSearch DSL.

The translation keeps scores comparable with Whoosh's: an Or sums what matches (bool should),
an AndMaybe adds its optional part, a substring or a keyword term scores a constant.
"""

from __future__ import annotations

from whoosh import query as wq

from kb.opensearch.mapping import EXACT_FIELD, TOKEN_FIELDS

MATCH_NONE: dict = {"match_none": {}}


class Substring(wq.Query):
    """Passages whose folded text contains ``text``, each scored ``score``: a phrase of single
    characters on the ``exact`` field. Only OpenSearch runs it."""

    def __init__(self, text: str, score: float = 1.0) -> None:
        self.text = text
        self.score = score
        self.boost = 1.0

    def __repr__(self) -> str:
        return f"Substring({self.text!r}, {self.score})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Substring) and (self.text, self.score, self.boost) == (
            other.text,
            other.score,
            other.boost,
        )

    def __hash__(self) -> int:
        return hash((self.text, self.score, self.boost))

    def matcher(self, searcher, context=None):
        raise TypeError("Substring is translated for OpenSearch, not run by Whoosh")


def to_dsl(query: wq.Query) -> dict:
    """One plan node (and its children) as a query clause."""
    if query is wq.NullQuery or isinstance(query, type(wq.NullQuery)):
        return MATCH_NONE
    boost = float(getattr(query, "boost", 1.0))
    if isinstance(query, Substring):
        if not query.text or "\n" in query.text:
            return MATCH_NONE  # as kb.passage_table: a passage never holds a line break
        return {
            "constant_score": {
                "filter": {"match_phrase": {EXACT_FIELD: query.text}},
                "boost": query.score * boost,
            }
        }
    if isinstance(query, wq.ConstantScoreQuery):
        inner = to_dsl(query.child)
        if inner is MATCH_NONE:
            return MATCH_NONE
        return {"constant_score": {"filter": inner, "boost": query.score * boost}}
    if isinstance(query, wq.Term):
        if query.fieldname in TOKEN_FIELDS:
            return {"term": {query.fieldname: {"value": query.text, "boost": boost}}}
        return {
            "constant_score": {"filter": {"term": {query.fieldname: query.text}}, "boost": boost}
        }
    if isinstance(query, wq.Every):
        if query.fieldname in (None, "", "*"):
            return {"match_all": {"boost": boost}}
        return {
            "constant_score": {"filter": {"exists": {"field": query.fieldname}}, "boost": boost}
        }
    if isinstance(query, wq.NumericRange):
        bounds: dict = {}
        if query.start is not None:
            bounds["gt" if query.startexcl else "gte"] = query.start
        if query.end is not None:
            bounds["lt" if query.endexcl else "lte"] = query.end
        return {"range": {query.fieldname: bounds}}
    if isinstance(query, wq.AndMaybe):
        required, optional = query.a, query.b
        return {"bool": {"must": [to_dsl(required)], "should": [to_dsl(optional)], "boost": boost}}
    if isinstance(query, wq.Or):
        children = [to_dsl(q) for q in query.subqueries]
        children = [c for c in children if c is not MATCH_NONE]
        if not children:
            return MATCH_NONE
        return {"bool": {"should": children, "minimum_should_match": 1, "boost": boost}}
    if isinstance(query, wq.And):
        children = [to_dsl(q) for q in query.subqueries]
        if any(c is MATCH_NONE for c in children):
            return MATCH_NONE
        return {"bool": {"must": children, "boost": boost}}
    raise TypeError(f"no OpenSearch translation for {query!r}")


def search_query(query: wq.Query, filter: wq.Query | None, mask: wq.Query | None) -> dict:
    """The whole query: what ranks, what must hold (no score), what must not."""
    clause: dict = {"must": [to_dsl(query)]}
    if filter is not None:
        clause["filter"] = [to_dsl(filter)]
    if mask is not None:
        clause["must_not"] = [to_dsl(mask)]
    return {"bool": clause}
