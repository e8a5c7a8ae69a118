"""Query semantics, on the sample corpus and on small corpora written for one behaviour."""

from __future__ import annotations

from pathlib import Path

from kb.folding import fold


def doc(title: str, *paragraphs: str) -> str:
    return title + "\n\n" + "\n".join(paragraphs) + "\n"


FILLER = "各单位要结合实际认真抓好贯彻落实，确保各项任务按期完成。"


# --- free text ---------------------------------------------------------------------------


def test_passages_with_every_word_come_first(build):
    searcher = build(
        {
            "a.txt": doc("甲文件", "巡察整改 " * 6 + FILLER),
            "b.txt": doc("乙文件", "巡察整改要同台账管理结合起来。" + FILLER),
            "c.txt": doc("丙文件", "台账管理 " * 6 + FILLER),
        }
    )
    hits = searcher.search("巡察整改 台账管理").hits
    assert hits[0].path.endswith("b.txt")
    assert {h.path[-5:] for h in hits} == {"a.txt", "b.txt", "c.txt"}


def test_a_word_that_matches_nothing_does_not_empty_the_result(searcher):
    result = searcher.search("作风建设 龘靐齉")
    assert result.total > 0
    assert "作风建设" in result.hits[0].text


def test_words_close_together_rank_higher(build):
    searcher = build(
        {
            "far.txt": doc("甲", "公款问题必须严查。" + FILLER * 3 + "宴请问题同样如此。"),
            "near.txt": doc("乙", FILLER + "严禁公款宴请，" + FILLER * 3),
        }
    )
    assert searcher.search("公款 宴请").hits[0].path.endswith("near.txt")


def test_matches_in_title_or_heading_rank_higher(build):
    searcher = build(
        {
            "plain.txt": doc("工作要点", "一、总体安排", "东湖街道做好巡察整改工作。" + FILLER),
            "titled.txt": doc(
                "关于巡察整改的通知", "一、总体安排", "西山街道做好巡察整改工作。" + FILLER
            ),
            "headed.txt": doc("工作要点", "一、巡察整改", "南桥街道做好巡察整改工作。" + FILLER),
        }
    )
    ranked = [Path(h.path).name for h in searcher.search("巡察整改").hits]
    assert ranked[2] == "plain.txt"


def test_colloquial_question_reaches_official_wording(searcher):
    hit = searcher.search("领导接受老板请吃饭").hits[0]
    assert "私营企业主" in hit.text and "宴请" in hit.text


def test_abbreviation_expands_through_synonyms(searcher):
    texts = [h.text for h in searcher.search("四风", limit=10).hits]
    assert all(
        any(w in t for w in ("四风", "形式主义", "官僚主义", "享乐主义", "奢靡之风")) for t in texts
    )


def test_typed_words_weigh_more_than_synonyms(build):
    searcher = build(
        {
            "synonym.txt": doc("甲", "严禁公务用车私用。" + FILLER),
            "typed.txt": doc("乙", "严禁公车私用。" + FILLER),
        }
    )
    paths = [h.path for h in searcher.search("公车").hits]
    assert paths[0].endswith("typed.txt") and paths[1].endswith("synonym.txt")


def test_traditional_and_full_width_queries_find_simplified_text(searcher):
    simplified = [h.text for h in searcher.search("民主生活会 对照检查").hits]
    assert [h.text for h in searcher.search("民主生活會 對照檢查").hits] == simplified
    assert searcher.search("１２３４５热线").total == searcher.search("12345热线").total > 0


# --- quoted, excluded, filters -----------------------------------------------------------


def _all_texts(searcher) -> list[str]:
    searcher_, store = searcher._current_searcher()
    return [t for t in store.texts if t]


def test_quoted_phrase_equals_grep_across_word_boundaries_and_single_characters(searcher):
    everything = _all_texts(searcher)
    for phrase in ("错题本", "会议过", "罚", "的通", "12345政务"):
        hits = searcher.search(f'"{phrase}"', limit=1000, per_doc=0).hits
        assert all(fold(phrase) in fold(h.text) for h in hits), phrase
        assert len(hits) == sum(fold(phrase) in t for t in everything), phrase


def test_exclusion_removes_passages_containing_the_word(searcher):
    with_word = searcher.search("违规吃喝", limit=200, per_doc=0)
    without = searcher.search("违规吃喝 -宴请", limit=200, per_doc=0)
    assert without.total < with_word.total
    assert all("宴请" not in h.text for h in without.hits)


def test_type_year_and_issuer_filters(searcher):
    hits = searcher.search("问题 type:通报 year:2024", limit=50).hits
    # The 案例汇编 is dated 2024年12月 (no day): its date is "" and its year 2024.
    assert hits and all(
        h.doc_type == "通报" and (h.date or "2024").startswith("2024") for h in hits
    )
    assert any(h.date == "" and "汇编" in h.title for h in hits)
    hits = searcher.search("整改 issuer:组织部", limit=50).hits
    assert hits and all("组织部" in h.issuer for h in hits)
    assert searcher.search("整改 year:2019").total == 0


def test_filters_alone_list_documents_newest_first(searcher):
    hits = searcher.search("type:通报", limit=50).hits
    dates = [h.date for h in hits]
    assert dates == sorted(dates, reverse=True) and hits


def test_doc_number_in_any_spelling_finds_the_document_first(searcher):
    for query in ("青岚委办发[2024]8号", "青岚委办发（2024）8号 会议", "青岚委办发 〔2024〕 8 号"):
        hit = searcher.search(query).hits[0]
        assert hit.doc_no == "青岚委办发〔2024〕8号", query


def test_unknown_doc_number_finds_passages_citing_it(searcher):
    hits = searcher.search("青岚委发[2024]3号 落实").hits
    assert hits[0].doc_no == "青岚委发〔2024〕3号"
    cited = searcher.search("青岚委发(2099)3号").hits
    assert cited == []


# --- result shape ------------------------------------------------------------------------


def test_at_most_three_passages_per_document_and_the_rest_reachable(searcher):
    hits = searcher.search("整改", limit=30).hits
    per_doc: dict[str, int] = {}
    for h in hits:
        per_doc[h.doc_id] = per_doc.get(h.doc_id, 0) + 1
    assert max(per_doc.values()) == 3
    busiest = max(per_doc, key=per_doc.get)
    everything = searcher.search(f"整改 doc:{busiest}", limit=100, per_doc=0)
    assert everything.total > 3
    assert {h.doc_id for h in everything.hits} == {busiest}


def test_paging_has_no_overlap(searcher):
    first = searcher.search("整改", limit=5)
    second = searcher.search("整改", limit=5, offset=5)
    keys = {(h.doc_id, h.text) for h in first.hits}
    assert not keys & {(h.doc_id, h.text) for h in second.hits}
    assert first.total == second.total


def test_hits_carry_document_context_and_marked_snippets(searcher):
    hit = searcher.search('"错题本"').hits[0]
    assert hit.title == "在全区作风建设暨为基层减负工作会议上的讲话"
    assert hit.doc_type == "讲话" and hit.date == "2024-03-12"
    assert hit.section[0].startswith("四、")
    assert "<mark>错题本</mark>" in hit.snippet
    assert hit.path.endswith("speech_2024_zuofeng_dahui.txt")


def test_snippets_escape_html(build):
    searcher = build({"x.txt": doc("标题", "页面里出现<script>alert(1)</script>不得执行。")})
    snippet = searcher.search("执行").hits[0].snippet
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet


def test_empty_query_gets_a_hint(searcher):
    result = searcher.search("  ")
    assert result.total == 0 and result.notes


def test_reposted_passages_are_shown_once_with_where_else_they_stand(build):
    case = (
        "1.北塘镇党委原副书记何振东接受私营企业主宴请问题。2023年他多次接受宴请，受到党内警告处分。"
    )
    searcher = build(
        {
            "notice.txt": doc("关于典型问题的通报", case, FILLER),
            "repost.txt": doc(
                "关于认真学习典型问题通报的通知",
                "各学校要组织党员干部认真学习，引以为戒。",
                case.replace("1.", "一、").replace("。", "． ", 1),
            ),
        }
    )
    hits = searcher.search("何振东 宴请").hits
    copies = [h for h in hits if "何振东" in h.text]
    assert len(copies) == 1
    (other,) = copies[0].also_in
    assert other["title"] != copies[0].title
    assert {Path(copies[0].path).name, Path(other["path"]).name} == {"notice.txt", "repost.txt"}


def test_facets_count_documents_per_type_year_and_issuer(searcher):
    result = searcher.search("整改", facets=True, limit=500, per_doc=0)
    documents = {h.doc_id: h for h in result.hits}
    by_type: dict[str, int] = {}
    for hit in documents.values():
        by_type[hit.doc_type] = by_type.get(hit.doc_type, 0) + 1
    assert dict(result.facets["doc_type"]) == by_type
    assert sum(n for _, n in result.facets["year"]) <= len(documents)
    counts = [n for _, n in result.facets["doc_type"]]
    assert counts == sorted(counts, reverse=True)


def test_sort_by_date_puts_newer_documents_first(searcher):
    hits = searcher.search("整改", sort="date", limit=30).hits
    dates = [h.date for h in hits]
    assert dates == sorted(dates, reverse=True)
    assert set(dates) != {dates[0]}


def test_document_view_has_every_passage_in_order(searcher):
    hit = searcher.search('"错题本"').hits[0]
    view = searcher.document(hit.doc_id)
    assert view.title == hit.title and view.date == "2024-03-12"
    assert [p["ordinal"] for p in view.passages] == list(range(len(view.passages)))
    assert any(p["text"] == hit.text for p in view.passages)
    assert any(p["heading"] for p in view.passages)
    assert view.source.endswith("speech_2024_zuofeng_dahui.txt")
    assert searcher.document("no-such-id") is None


def test_suggestions_when_nothing_matches(searcher):
    assert searcher.search('"错题簿"').total == 0
    suggestions = searcher.suggest('"错题簿"')
    assert suggestions and all(searcher.search(s).total > 0 for s in suggestions)
    close = searcher.suggest('"四不两值"')  # a typo of 四不两直
    assert any("四不两直" in s for s in close)


def test_filters_given_apart_from_the_query(searcher):
    issuer = "中共青岚区委　青岚区人民政府"
    hits = searcher.search("减负", filters={"issuer": [issuer]}, limit=20).hits
    assert hits and {h.issuer for h in hits} == {"中共青岚区委 青岚区人民政府"}
    assert searcher.search("", filters={"type": ["通报"]}).total > 0


def test_facet_counts_follow_the_request_not_the_first_hit(build):
    """The facet counts are computed when asked for, whatever the best passage is filed
    under (a passage with no case facets and no date used to switch them off, and one with
    facets switched them on unasked)."""
    searcher = build(
        {
            "通知甲.txt": "关于加强节约的通知\n\n各单位要厉行节约，反对铺张浪费。\n",
            "通知乙.txt": "关于节约用电的通知\n\n各部门要节约用电。\n",
        }
    )
    first = searcher.search("节约", limit=1)
    assert first.total >= 2 and first.facets == {}
    asked = searcher.search("节约", facets=True)
    assert dict(asked.facets["doc_type"]) == {"通知": 2}
