"""The OpenAPI document against the real API: every /api/ route is described, and real
answers of each (hits, no hits, filters, errors) validate against its schema, with no field
the document does not name."""

from __future__ import annotations

import copy
import re

import pytest
from jsonschema import Draft202012Validator

SPEC_ONLY = {"/api/openapi.json"}  # the document itself


@pytest.fixture(scope="module")
def spec(client) -> dict:
    return client.get("/api/openapi.json").get_json()


def closed(schema: dict) -> dict:
    """``schema`` with every object that lists its properties closed to others, so that an
    answer carrying a field the document does not describe fails."""
    schema = copy.deepcopy(schema)
    todo = [schema]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            if "properties" in node and "additionalProperties" not in node:
                node["additionalProperties"] = False
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return schema


def response_schema(spec: dict, path: str, status: int) -> dict:
    responses = spec["paths"][path]["get"]["responses"]
    assert str(status) in responses, f"{path} answers {status}, which the document omits"
    return responses[str(status)]["content"]["application/json"]["schema"]


def check(client, spec: dict, path: str, url: str, status: int = 200) -> dict:
    """The answer to ``url``, after checking it validates against ``path``'s schema."""
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    answer = response.get_json()
    validator = Draft202012Validator(closed(response_schema(spec, path, status)))
    errors = sorted(validator.iter_errors(answer), key=lambda e: list(e.absolute_path))
    assert not errors, f"{url}: " + "; ".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5]
    )
    return answer


def test_the_document_is_valid_json_schema(spec):
    assert spec["openapi"].startswith("3.1")
    for item in spec["paths"].values():
        for response in item["get"]["responses"].values():
            Draft202012Validator.check_schema(response["content"]["application/json"]["schema"])


def test_every_api_route_is_described_and_nothing_else(app, spec):
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.rule not in SPEC_ONLY:
            routes.add(re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule))
    described = {re.sub(r"\{\w+\}", "{}", path) for path in spec["paths"]}
    assert {re.sub(r"\{\w+\}", "{}", route) for route in routes} == described


SEARCHES = [
    "四风",
    "领导接受老板请吃饭",
    '"八项规定" 违规吃喝',
    "没有这个词的检索aaaa",
    "四风&doc_type=通报&sort=date",
    "违规吃喝&per_page=2&page=2",
    "&year=1900",
    "(((",
]


@pytest.mark.parametrize("query", SEARCHES)
def test_search_answers_match_the_document(client, spec, query):
    check(client, spec, "/api/search", f"/api/search?q={query}")


def test_document_answers_match_the_document(client, spec):
    hits = check(client, spec, "/api/search", "/api/search?q=违规吃喝")["hits"]
    assert hits
    for hit in hits[:3]:
        check(client, spec, "/api/docs/{doc_id}", f"/api/docs/{hit['doc_id']}")
    check(client, spec, "/api/docs/{doc_id}", "/api/docs/nosuchdocument", 404)


@pytest.mark.parametrize(
    "query",
    ["", "q=吃喝", "problem=违规吃喝", "q=四风&level=县处级&year=2023", "q=(((", "q=无此案例zz"],
)
def test_case_answers_match_the_document(client, spec, query):
    check(client, spec, "/api/cases", f"/api/cases?{query}")


def test_requirement_answers_match_the_document(client, spec):
    listed = check(client, spec, "/api/requirements", "/api/requirements?q=严禁&limit=5")
    assert listed["items"], "the sample corpus states requirements"
    check(client, spec, "/api/requirements", "/api/requirements?topic=作风建设")
    check(client, spec, "/api/requirements", "/api/requirements?q=无此要求zz")
    item = listed["items"][0]
    check(client, spec, "/api/requirements/{id}", f"/api/requirements/{item['id']}")
    check(client, spec, "/api/requirements/{id}/cases", f"/api/requirements/{item['id']}/cases")
    # A passage kept in the 收集夹 resolves in the same shape.
    passage = f"{item['doc_id']}-p{item['passage']}"
    check(client, spec, "/api/requirements/{id}", f"/api/requirements/{passage}")
    check(client, spec, "/api/requirements/{id}/cases", f"/api/requirements/{passage}/cases")
    for missing in ("nosuch-r1", "x"):
        check(client, spec, "/api/requirements/{id}", f"/api/requirements/{missing}", 404)
        check(
            client, spec, "/api/requirements/{id}/cases", f"/api/requirements/{missing}/cases", 404
        )


def test_the_checker_catches_an_undescribed_field(spec):
    """The test above can fail: an answer with one field more than described does not pass."""
    schema = closed(response_schema(spec, "/api/search", 200))
    answer = {"query": "x", "total": 0, "documents": 0, "hits": [], "notes": [], "surprise": 1}
    assert list(Draft202012Validator(schema).iter_errors(answer))
    del answer["surprise"]
    assert not list(Draft202012Validator(schema).iter_errors(answer))
