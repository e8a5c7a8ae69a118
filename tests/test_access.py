"""Who may see what (kb.access): visibility from side files and folder rules, stored per
passage, and every search, count, case and document page filtered inside the engine's query."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from indexer.sidecar import read_side_metadata
from indexer.store import update_index
from kb.access import (
    ANONYMOUS,
    INTERNAL,
    PUBLIC,
    READER,
    RESTRICTED,
    RULE_FILE,
    SYSTEM_ADMIN,
    Viewer,
    Visibility,
    check_visibility,
    from_stored,
    rule_files,
    split_names,
)
from kb.cli import DEFAULT_DICT, DEFAULT_DOCS
from kb.engines.whoosh.searcher import Searcher
from kb.filenames import doc_id_for

CHIHE = "case_2025_weigui_chihe_tongbao.txt"  # 限定 to 纪检组 (folder rule)
BAXIANG = "case_2024_baxiang_guiding_tongbao.txt"  # 限定 to 纪检组 (folder rule)
JIANFU = "opinion_2024_weijiceng_jianfu.txt"  # 内部 (folder rule)
ZHENGZHI = "plan_2024_zuofeng_zhuanxiang_zhengzhi.txt"  # 限定 to 张三 (side file)
COPY = "zhuanfa_chihe_tongbao.txt"  # public, repeats a paragraph of CHIHE


def _first_paragraph(path: Path) -> str:
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return max((line for line in lines if line), key=len)


def lay_out(folder: Path) -> Path:
    """corpus/docs with some documents restricted by folder rules and a side file."""
    docs = folder / "docs"
    shutil.copytree(DEFAULT_DOCS, docs)
    jijian, neibu = docs / "jijian", docs / "neibu"
    jijian.mkdir()
    neibu.mkdir()
    for name in (CHIHE, BAXIANG):
        (docs / name).rename(jijian / name)
    (docs / JIANFU).rename(neibu / JIANFU)
    (jijian / RULE_FILE).write_text(
        'visibility = "限定"\ndepartments = ["纪检组"]\n', encoding="utf-8"
    )
    (neibu / RULE_FILE).write_text('visibility = "内部"\n', encoding="utf-8")
    (docs / f"{ZHENGZHI}.json").write_text(
        json.dumps({"visibility": "限定", "people": "张三"}, ensure_ascii=False), encoding="utf-8"
    )
    copied = _first_paragraph(jijian / CHIHE)
    (docs / COPY).write_text(
        f"关于转发违规吃喝问题通报的通知\n\n各单位：\n\n{copied}\n\n请认真学习。\n",
        encoding="utf-8",
    )
    return docs


@pytest.fixture(scope="module")
def restricted(tmp_path_factory) -> tuple[Searcher, Path, Path]:
    folder = tmp_path_factory.mktemp("access")
    docs = lay_out(folder)
    report = update_index(folder / "index", [docs], DEFAULT_DICT)
    assert not report.failed
    return Searcher(folder / "index"), docs, folder / "index"


def _ids(*names: str, docs: Path) -> set[str]:
    found = set()
    for name in names:
        path = next(docs.rglob(name))
        found.add(doc_id_for(path))
    return found


JIJIAN_READER = Viewer("李四", "纪检组", READER)
OFFICE_READER = Viewer("王五", "办公室", READER)
ZHANGSAN = Viewer("张三", "办公室", READER)


# --- the model ------------------------------------------------------------------------------


def test_names_split_on_chinese_and_ascii_separators():
    assert split_names("纪检组、办公室，组织部; 宣传部 纪检组") == (
        "纪检组",
        "办公室",
        "组织部",
        "宣传部",
    )
    assert split_names(["甲", "乙、丙"]) == ("甲", "乙", "丙")
    assert split_names(None) == ()


def test_visibility_is_checked_with_chinese_reasons():
    assert check_visibility("", "", "") == (Visibility(), "")
    assert check_visibility("内部", None, None) == (Visibility(INTERNAL), "")
    found, problem = check_visibility("保密", "", "")
    assert found is None and "公开、内部、限定" in problem
    found, problem = check_visibility("公开", "纪检组", "")
    assert found is None and "只有“限定”" in problem
    found, _ = check_visibility("限定", "纪检组、办公室", ["张三"])
    assert found == Visibility(RESTRICTED, ("纪检组", "办公室"), ("张三",))


def test_stored_tokens_round_trip():
    for visibility in (
        Visibility(),
        Visibility(INTERNAL),
        Visibility(RESTRICTED),
        Visibility(RESTRICTED, ("纪检组",), ("张三", "李四")),
    ):
        assert from_stored(visibility.stored()) == visibility
    assert from_stored("") == Visibility(PUBLIC)
    assert Visibility(RESTRICTED).describe() == "限定（仅管理员）"


def test_viewers_rights():
    restricted_doc = Visibility(RESTRICTED, ("纪检组",), ("张三",))
    assert not ANONYMOUS.may_see(Visibility(INTERNAL))
    assert ANONYMOUS.may_see(Visibility())
    assert OFFICE_READER.may_see(Visibility(INTERNAL))
    assert not OFFICE_READER.may_see(restricted_doc)
    assert JIJIAN_READER.may_see(restricted_doc) and ZHANGSAN.may_see(restricted_doc)
    assert SYSTEM_ADMIN.may_see(Visibility(RESTRICTED)) and SYSTEM_ADMIN.filter() is None
    assert not JIJIAN_READER.may_see(Visibility(RESTRICTED))


def test_rule_files_run_from_the_folder_up_to_the_corpus_folder(tmp_path):
    file = tmp_path / "a" / "b" / "x.txt"
    assert rule_files(file, [tmp_path / "a"]) == [
        tmp_path / "a" / "b" / RULE_FILE,
        (tmp_path / "a").resolve() / RULE_FILE,
    ]
    assert rule_files(file) == [tmp_path / "a" / "b" / RULE_FILE]


def test_side_file_beats_the_nearest_folder_rule(tmp_path):
    top, inner = tmp_path, tmp_path / "inner"
    inner.mkdir()
    (top / RULE_FILE).write_text('visibility = "内部"\n', encoding="utf-8")
    (inner / RULE_FILE).write_text(
        'visibility = "限定"\ndepartments = "纪检组、办公室"\n', encoding="utf-8"
    )
    for name in ("a.txt", "b.txt"):
        (inner / name).write_text("正文", encoding="utf-8")
    (top / "c.txt").write_text("正文", encoding="utf-8")
    (inner / "b.txt.json").write_text('{"visibility": "公开"}', encoding="utf-8")
    assert read_side_metadata(inner / "a.txt", roots=[top]).visibility == Visibility(
        RESTRICTED, ("纪检组", "办公室")
    )
    assert read_side_metadata(inner / "b.txt", roots=[top]).visibility == Visibility()
    side = read_side_metadata(top / "c.txt", roots=[top])
    assert side.visibility == Visibility(INTERNAL) and side.values["access"] == INTERNAL
    assert read_side_metadata(tmp_path / "d.txt").values["access"] == INTERNAL
    (top / RULE_FILE).write_text('visibility = "公开"\n', encoding="utf-8")
    assert "access" not in read_side_metadata(top / "c.txt", roots=[top]).values


def test_unusable_visibility_shows_the_document_to_the_admin_only(tmp_path):
    (tmp_path / RULE_FILE).write_text("visibility = 限定\n", encoding="utf-8")  # not TOML
    (tmp_path / "a.txt").write_text("正文", encoding="utf-8")
    side = read_side_metadata(tmp_path / "a.txt", roots=[tmp_path])
    assert side.visibility == Visibility(RESTRICTED) and "仅管理员" in side.problems[0]
    (tmp_path / "b.txt").write_text("正文", encoding="utf-8")
    (tmp_path / "b.txt.json").write_text('{"visibility": "秘密"}', encoding="utf-8")
    side = read_side_metadata(tmp_path / "b.txt", roots=[tmp_path])
    assert side.visibility == Visibility(RESTRICTED) and "秘密" in side.problems[0]
    (tmp_path / "c.txt").write_text("正文", encoding="utf-8")
    (tmp_path / "c.txt.json").write_text('{"visibility": "公开",', encoding="utf-8")
    side = read_side_metadata(tmp_path / "c.txt", roots=[tmp_path])
    assert side.visibility == Visibility(RESTRICTED)


# --- enforced in the search -----------------------------------------------------------------


def _doc_ids(result) -> set[str]:
    found = {hit.doc_id for hit in result.hits}
    found |= {entry["doc_id"] for hit in result.hits for entry in hit.also_in}
    return found


def test_without_rules_every_viewer_gets_the_admins_answers(searcher):
    anonymous = searcher.for_viewer(ANONYMOUS)
    for query in ("违规吃喝", '"为基层减负"', "type:通报 year:2024", "四风"):
        mine, theirs = anonymous.search(query, facets=True), searcher.search(query, facets=True)
        assert (mine.total, mine.facets) == (theirs.total, theirs.facets)
        assert [(h.doc_id, h.ordinal) for h in mine.hits] == [
            (h.doc_id, h.ordinal) for h in theirs.hits
        ]
    assert anonymous.cases().total == searcher.cases().total
    assert anonymous.counts() == searcher.counts()


def test_restricted_documents_are_invisible_to_those_without_rights(restricted):
    searcher, docs, _ = restricted
    hidden_from_anonymous = _ids(CHIHE, BAXIANG, JIANFU, ZHENGZHI, docs=docs)
    everyone = searcher.search("违规吃喝 作风", limit=1000, per_doc=0, facets=True)
    assert hidden_from_anonymous & _doc_ids(everyone)
    anonymous = searcher.for_viewer(ANONYMOUS)
    result = anonymous.search("违规吃喝 作风", limit=1000, per_doc=0, facets=True)
    assert result.hits and not hidden_from_anonymous & _doc_ids(result)
    assert result.total == len(result.hits) < everyone.total
    # facet counts count only what may be seen
    assert sum(n for _, n in result.facets["doc_type"]) == len({h.doc_id for h in result.hits})
    for doc_id in hidden_from_anonymous:
        assert anonymous.document(doc_id) is None
        assert searcher.document(doc_id) is not None
    documents, passages = anonymous.counts()
    all_documents, all_passages = searcher.counts()
    assert documents == all_documents - len(hidden_from_anonymous)
    assert passages < all_passages


def test_each_viewer_sees_exactly_what_the_rules_allow(restricted):
    searcher, docs, _ = restricted
    jijian = _ids(CHIHE, BAXIANG, docs=docs)
    internal = _ids(JIANFU, docs=docs)
    zhangsan = _ids(ZHENGZHI, docs=docs)
    query = "作风 违规吃喝 基层 减负 整治"
    everyone = _doc_ids(searcher.search(query, limit=1000, per_doc=0))
    assert jijian | internal | zhangsan <= everyone
    expected = {
        ANONYMOUS: everyone - jijian - internal - zhangsan,
        OFFICE_READER: everyone - jijian - zhangsan,
        JIJIAN_READER: everyone - zhangsan,
        ZHANGSAN: everyone - jijian,
    }
    for viewer, wanted in expected.items():
        seen = _doc_ids(searcher.for_viewer(viewer).search(query, limit=1000, per_doc=0))
        assert seen == wanted, viewer


def test_a_quoted_phrase_of_a_restricted_document_finds_nothing(restricted):
    searcher, docs, _ = restricted
    phrase = '"青岚纪发〔2025〕3号"'
    assert _ids(CHIHE, docs=docs) <= _doc_ids(searcher.search(phrase))
    result = searcher.for_viewer(OFFICE_READER).search(phrase, facets=True)
    assert result.total == 0 and not result.hits
    assert all(not counts for counts in result.facets.values())
    assert searcher.for_viewer(JIJIAN_READER).search(phrase).total >= 1


def test_a_copy_in_a_public_document_never_names_the_restricted_original(restricted):
    searcher, docs, _ = restricted
    chihe, copy = _ids(CHIHE, docs=docs), _ids(COPY, docs=docs)
    paragraph = _first_paragraph(next(docs.rglob(CHIHE)))
    phrase = f'"{paragraph[:30]}"'
    admin_hits = searcher.search(phrase).hits
    assert chihe | copy <= _doc_ids(searcher.search(phrase))
    assert any(h.also_in for h in admin_hits)  # collapsed as one hit with the other copy
    hits = searcher.for_viewer(ANONYMOUS).search(phrase).hits
    assert {h.doc_id for h in hits} == copy
    assert all(not h.also_in for h in hits)
    assert all(paragraph[:30] in h.text for h in hits)


def test_cases_and_case_pages_follow_the_rules(restricted):
    searcher, docs, _ = restricted
    jijian = _ids(CHIHE, BAXIANG, docs=docs)
    every_case = searcher.cases(limit=1000)
    restricted_cases = [c for c in every_case.cases if c.doc_id in jijian]
    assert restricted_cases
    for viewer in (ANONYMOUS, OFFICE_READER):
        visible = searcher.for_viewer(viewer).cases(limit=1000)
        assert not {c.doc_id for c in visible.cases} & jijian
        assert all(e["doc_id"] not in jijian for c in visible.cases for e in c.also_in)
        # A case reposted in a public document is listed with that copy instead.
        assert visible.total == len(visible.cases) >= every_case.total - len(restricted_cases)
        assert searcher.for_viewer(viewer).case(restricted_cases[0].id) is None
        filtered = searcher.for_viewer(viewer).cases("违规吃喝", limit=1000)
        assert not {c.doc_id for c in filtered.cases} & jijian
    seen = searcher.for_viewer(JIJIAN_READER).cases(limit=1000)
    assert seen.total == every_case.total


def test_requirements_of_restricted_documents_stay_hidden(restricted):
    searcher, docs, _ = restricted
    hidden = _ids(CHIHE, BAXIANG, JIANFU, ZHENGZHI, docs=docs)
    everyone = searcher.search("要求", requirements_only=True, per_doc=0, limit=1000)
    assert hidden & {h.doc_id for h in everyone.hits}
    mine = searcher.for_viewer(ANONYMOUS).search(
        "要求", requirements_only=True, per_doc=0, limit=1000
    )
    assert mine.hits and not hidden & {h.doc_id for h in mine.hits}


def test_suggestions_never_lead_to_restricted_documents(restricted):
    searcher, docs, _ = restricted
    anonymous = searcher.for_viewer(ANONYMOUS)
    for suggestion in anonymous.suggest('"青岚纪发〔2025〕3号" 转场'):
        assert anonymous.search(suggestion).total > 0


def test_a_changed_rule_applies_at_the_next_update_without_a_rebuild(tmp_path):
    docs = lay_out(tmp_path)
    update_index(tmp_path / "index", [docs], DEFAULT_DICT)
    searcher = Searcher(tmp_path / "index")
    chihe = _ids(CHIHE, docs=docs).pop()
    assert searcher.for_viewer(ANONYMOUS).document(chihe) is None
    (docs / "jijian" / RULE_FILE).write_text('visibility = "公开"\n', encoding="utf-8")
    report = update_index(tmp_path / "index", [docs], DEFAULT_DICT)
    assert not report.rebuilt and len(report.updated) == 2
    assert searcher.for_viewer(ANONYMOUS).document(chihe) is not None
    (docs / "jijian" / RULE_FILE).unlink()
    (docs / "jijian" / f"{CHIHE}.json").write_text('{"visibility": "内部"}', encoding="utf-8")
    report = update_index(tmp_path / "index", [docs], DEFAULT_DICT)
    assert not report.rebuilt and len(report.updated) == 2  # one now 公开, one 内部
    assert searcher.for_viewer(ANONYMOUS).document(chihe) is None
    assert searcher.for_viewer(OFFICE_READER).document(chihe) is not None
    searcher.close()


def test_a_viewer_who_may_see_nothing_finds_nothing(build):
    searcher = build(
        {
            "a.txt": "关于食堂管理的通知\n\n严格食堂管理。\n",
            "a.txt.json": '{"visibility": "内部"}',
            "b.txt": "关于食堂采购的通知\n\n规范食堂采购。\n",
            "b.txt.json": '{"visibility": "限定", "departments": ["纪检组"]}',
        }
    )
    anonymous = searcher.for_viewer(ANONYMOUS)
    for query in ("食堂", '"食堂"', "type:通知", "食堂 year:2024"):
        result = anonymous.search(query, facets=True)
        assert (result.total, result.hits) == (0, []), query
    assert anonymous.cases().total == 0 and anonymous.counts() == (0, 0)
    assert len({h.doc_id for h in searcher.for_viewer(OFFICE_READER).search("食堂").hits}) == 1
    assert len({h.doc_id for h in searcher.search("食堂").hits}) == 2


def test_kb_watch_notices_a_folder_rule_changing(tmp_path):
    from indexer.watch import snapshot

    inner = tmp_path / "a" / "b"
    inner.mkdir(parents=True)
    (inner / "x.txt").write_text("正文", encoding="utf-8")
    before = snapshot([tmp_path])
    (tmp_path / "a" / RULE_FILE).write_text('visibility = "内部"\n', encoding="utf-8")
    after = snapshot([tmp_path])
    assert after != before and str((tmp_path / "a").resolve() / RULE_FILE) in after
    (tmp_path / "a" / RULE_FILE).write_text('visibility = "限定"\n', encoding="utf-8")
    assert snapshot([tmp_path]) != after


def test_quoted_phrases_the_pair_index_finds_are_filtered_too(restricted):
    """A large index answers quoted phrases from its character pairs (kb.grams), outside
    Whoosh: those candidates pass the same filter."""
    _, docs, index = restricted
    searcher = Searcher(index)
    try:
        _, table = searcher._current_searcher()
        table.index_grams()  # as a searcher does by itself past GRAMS_FROM characters
        assert table.grams is not None
        chihe, copy = _ids(CHIHE, docs=docs), _ids(COPY, docs=docs)
        paragraph = _first_paragraph(next(docs.rglob(CHIHE)))
        for phrase in ('"青岚纪发〔2025〕3号"', f'"{paragraph[:30]}"'):
            assert chihe <= _doc_ids(searcher.search(phrase, per_doc=0))
            for viewer in (ANONYMOUS, OFFICE_READER):
                found = _doc_ids(searcher.for_viewer(viewer).search(phrase, per_doc=0))
                assert not found & chihe and found <= copy
            assert chihe <= _doc_ids(searcher.for_viewer(JIJIAN_READER).search(phrase, per_doc=0))
    finally:
        searcher.close()
