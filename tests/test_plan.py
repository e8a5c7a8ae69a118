"""kb's plan (kb.plan) and the two compilers: every node has a meaning in both engines, and
a union flattens with its boost carried into its children."""

from __future__ import annotations

import pytest
from whoosh import query as wq

from kb.engines.opensearch.dsl import MATCH_NONE, to_dsl
from kb.engines.whoosh.query import DocnumsQuery, FiledQuery, compile_query
from kb.plan import (
    NOTHING,
    AllOf,
    AnyOf,
    Contains,
    Everything,
    Filed,
    Ranked,
    Term,
    WithOptional,
    YearRange,
    ranked,
)

EVERY_NODE = WithOptional(
    AllOf((Contains("八项规定"), AnyOf((Term("doc_type", "通报"), YearRange("year", 2020, None))))),
    Ranked(
        (
            Term("words", "吃喝", 1.0),
            Filed(AnyOf((Term("problem", "违规吃喝"),)), 0.6),
            Everything("case_id"),
            NOTHING,
        )
    ),
)


def test_every_node_compiles_for_whoosh():
    query = compile_query(EVERY_NODE, lambda text: [1, 3] if text == "八项规定" else [])
    assert isinstance(query, wq.AndMaybe)
    required, optional = query.a, query.b
    phrase = required.subqueries[0]
    assert isinstance(phrase, DocnumsQuery) and phrase.docnums == [1, 3]
    assert isinstance(optional.subqueries[1], FiledQuery)
    assert optional.subqueries[3] is wq.NullQuery


def test_every_node_translates_for_opensearch():
    dsl = to_dsl(EVERY_NODE)
    must, should = dsl["bool"]["must"][0], dsl["bool"]["should"][0]
    phrase = must["bool"]["must"][0]["constant_score"]
    assert phrase["filter"] == {"match_phrase": {"exact": "八项规定"}}
    assert must["bool"]["must"][1]["bool"]["should"][1] == {"range": {"year": {"gte": 2020}}}
    # Nothing drops out of a union; a union of nothing matches nothing.
    assert len(should["bool"]["should"]) == 3
    assert to_dsl(AnyOf((NOTHING,))) is MATCH_NONE and to_dsl(AllOf((NOTHING,))) is MATCH_NONE


def test_a_union_flattens_with_its_boost():
    word = AnyOf((Term("words", "减负"), Term("subwords", "减负", 0.6)), boost=0.5)
    flat = ranked([word, Contains("基层", 2.0)])
    assert flat == Ranked(
        (Term("words", "减负", 0.5), Term("subwords", "减负", 0.3), Contains("基层", 2.0))
    )
    assert ranked([Contains("基层")]) == Contains("基层")


@pytest.mark.parametrize("bad", [object(), "text"])
def test_an_unknown_node_is_refused_by_both(bad):
    with pytest.raises(TypeError):
        compile_query(bad, lambda text: [])
    with pytest.raises(TypeError):
        to_dsl(bad)
