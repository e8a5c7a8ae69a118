"""Typed records end to end: kb hands cases and requirement clauses around as dataclasses
(kb.results.CaseRecord, RequirementRecord), and JSON comes only from their ``as_dict``, in
the shapes the command line and the API have always printed."""

from __future__ import annotations

import dataclasses
import html
import json

from indexer.pipeline import case_fields
from kb.cases import default_taxonomy
from kb.model import Document, Passage
from kb.results import CASE_KEYS, CaseList, CaseRecord, RequirementRecord
from kb.workbench import PASSAGE_KIND, cases_for_item, draft_item, requirements, suggest_cases
from web import openapi
from web.paths import public_paths

REQUIREMENT_KEYS = (
    "id", "doc_id", "path", "title", "doc_no", "date", "doc_type", "section", "passage", "text",
    "full_text", "kind", "topics", "also_in",
)  # fmt: skip


def _case(**changes) -> CaseRecord:
    record = CaseRecord(
        id="abc-c1",
        doc_id="abc",
        path="docs/通报.txt",
        title="关于违规吃喝问题的通报",
        doc_no="纪发〔2024〕3号",
        date="2024-03-18",
        summary="某局局长张某违规接受宴请问题",
        person="张某",
        position="局长",
        unit="某局",
        level="县处级",
        problems=["违规吃喝"],
        sanctions=["党内警告"],
        years=[2023],
        text="2023年，张某……受到党内警告处分。",
        ordinal=1,
        first_passage=4,
    )
    return dataclasses.replace(record, **changes)


def test_a_case_record_shows_exactly_the_case_keys_in_order():
    shown = _case().as_dict()
    assert tuple(shown) == CASE_KEYS
    assert shown["years"] == [2023] and shown["also_in"] == []
    # The fields kb keeps for links (ordinal, first_passage) stay out of the JSON.
    assert tuple(f.name for f in dataclasses.fields(CaseRecord))[: len(CASE_KEYS)] == CASE_KEYS
    json.dumps(shown, ensure_ascii=False)  # plain JSON data only


def test_a_score_is_shown_only_when_the_case_was_matched_to_a_requirement():
    assert "score" not in _case().as_dict()
    assert list(_case(score=0.42).as_dict())[-1:] == ["score"]
    assert _case(score=0.0).as_dict()["score"] == 0.0


def test_as_dict_copies_the_lists():
    record = _case(also_in=[{"doc_id": "d", "path": "p", "title": "t", "date": ""}])
    shown = record.as_dict()
    shown["problems"].append("x")
    shown["also_in"][0]["title"] = "changed"
    assert record.problems == ["违规吃喝"] and record.also_in[0]["title"] == "t"


def test_a_requirement_s_as_dict_copies_its_copies():
    copy = {"doc_id": "d", "path": "p", "title": "t", "date": ""}
    fields = {name: "" for name in REQUIREMENT_KEYS} | {"passage": 0, "section": [], "topics": []}
    record = RequirementRecord(**(fields | {"also_in": [copy]}))
    shown = record.as_dict()
    shown["also_in"][0]["title"] = "changed"
    assert record.also_in[0]["title"] == "t"


def test_a_stored_case_becomes_a_record_at_the_boundary():
    """The row indexer.pipeline stores for a case's first passage, read back by kb."""
    passages = [
        Passage(text="关于违规吃喝问题的典型案例通报", heading=True),
        Passage(
            text="1.某县财政局局长王某某违规接受宴请问题。2023年5月，王某某接受管理服务对象"
            "安排的宴请。王某某受到党内警告处分。",
        ),
        Passage(
            text="2.某镇党委书记李某某违规公款吃喝问题。2022年，李某某违规使用公款吃喝。"
            "李某某受到党内严重警告处分。",
        ),
    ]
    document = Document(
        doc_id="d1",
        path="/srv/docs/通报.txt",
        title="关于违规吃喝问题的典型案例通报",
        passages=passages,
        doc_no="某纪发〔2024〕1号",
        date="2024-01-05",
    )
    rows = {
        ordinal: {"doc_id": "d1", "path": document.path, "title": document.title,
                  "doc_no": document.doc_no, "date": document.date, "ordinal": ordinal, **extra}
        for ordinal, extra in case_fields(document, default_taxonomy()).items()
    }  # fmt: skip
    records = [
        CaseRecord.from_stored(row["case_id"], row) for row in rows.values() if "case" in row
    ]
    assert [r.id for r in records] == ["d1-c1", "d1-c2"]
    first = records[0]
    assert (first.person, first.first_passage, first.ordinal) == ("王某某", 1, 1)
    assert first.years == [2023] and "违规吃喝" in first.problems
    assert tuple(first.as_dict()) == CASE_KEYS
    assert first.as_dict()["doc_no"] == "某纪发〔2024〕1号"


def test_searcher_cases_are_records_and_kb_cases_json_is_their_as_dict(searcher):
    found = searcher.cases(problems=["违规吃喝"])
    assert found.cases and all(isinstance(c, CaseRecord) for c in found.cases)
    assert found.as_dict() == {"cases": [c.as_dict() for c in found.cases]}
    one = searcher.case(found.cases[0].id)
    assert isinstance(one, CaseRecord) and one.as_dict() == {**found.cases[0].as_dict()}
    assert searcher.case("nosuch-c1") is None
    assert CaseList(0, [], error="检索出错").as_dict() == {"cases": [], "error": "检索出错"}


def test_the_openapi_case_and_requirement_schemas_name_the_records_fields():
    assert tuple(openapi._CASE["required"]) == CASE_KEYS
    required = openapi._REQUIREMENT["required"]
    assert tuple(required) == (*REQUIREMENT_KEYS, "citation", "link")
    assert tuple(f.name for f in dataclasses.fields(RequirementRecord)) == REQUIREMENT_KEYS


def test_requirement_records_show_today_s_shape(searcher):
    found = requirements(searcher, limit=5)
    assert found.items and all(isinstance(i, RequirementRecord) for i in found.items)
    for item in found.items:
        assert tuple(item.as_dict()) == REQUIREMENT_KEYS
        assert isinstance(item.as_dict()["section"], list)
    assert found.as_dict()["requirements"] == [i.as_dict() for i in found.items]
    clause = found.items[0]
    kept = draft_item(searcher, f"{clause.doc_id}-p{clause.passage}")
    assert (
        kept is not None and kept.kind == PASSAGE_KIND and tuple(kept.as_dict()) == REQUIREMENT_KEYS
    )


def test_the_case_api_answers_with_the_records_as_dicts(app, client, searcher):
    data = client.get("/api/cases?problem=违规吃喝&per_page=5").get_json()
    expected = searcher.cases(problems=["违规吃喝"], limit=5)
    with app.app_context():
        shown = public_paths([c.as_dict() for c in expected.cases])
    assert data == {"total": expected.total, "notes": expected.notes, "cases": shown}
    assert all(set(c) == set(CASE_KEYS) for c in data["cases"])  # jsonify sorts the keys


def test_the_requirement_apis_answer_with_the_records_as_dicts(app, client, searcher):
    clause = next(
        item
        for item in requirements(searcher, limit=200).items
        if suggest_cases(searcher, item.id, limit=1)
    )
    answer = client.get(f"/api/requirements/{clause.id}/cases?limit=3").get_json()
    suggested = cases_for_item(searcher, clause, limit=3)
    assert all(c.score is not None for c in suggested)
    with app.app_context():
        cases = public_paths([c.as_dict() for c in suggested])
        record = public_paths(clause.as_dict())
    assert answer["cases"] == cases and all(
        set(c) == {*CASE_KEYS, "score"} for c in answer["cases"]
    )
    assert {k: answer["requirement"][k] for k in REQUIREMENT_KEYS} == record
    assert (
        answer["requirement"]["link"]
        == f"/doc/{clause.doc_id}?p={clause.passage}#p-{clause.passage}"
    )
    assert client.get(f"/api/requirements/{clause.id}").get_json() == answer["requirement"]
    # A 收集夹 passage's cases come from a case search: no score.
    passage_id = f"{clause.doc_id}-p{clause.passage}"
    plain = client.get(f"/api/requirements/{passage_id}/cases").get_json()
    assert plain["requirement"]["kind"] == PASSAGE_KIND


def test_the_pages_show_the_records_fields(client, searcher):
    """Jinja shows a missing attribute as nothing: the pages must show each record's fields."""
    page = client.get("/requirements").get_data(as_text=True)
    for item in requirements(searcher, limit=20).items:
        assert f'data-id="{item.id}"' in page
        assert html.escape(item.full_text, quote=False) in page
    cases = client.get("/cases?problem=违规吃喝").get_data(as_text=True)
    for case in searcher.cases(problems=["违规吃喝"], limit=30).cases:
        assert html.escape(case.summary, quote=False) in cases
        assert f"#p-{case.first_passage}" in cases
