"""Query forms users type, tried on indexes of a realistic size (../shared/realdocs, where
Whoosh's optimisations switch on) and on our own corpus: none may fail, each answers as the
README's query table says."""

from __future__ import annotations

import pytest

from kb.engines.whoosh.searcher import Searcher
from kb.folding import fold


def contains(hit, phrase: str) -> bool:
    return fold(phrase) in fold(hit.text)


# --- a quoted phrase together with other words -----------------------------------------------


@pytest.mark.parametrize(
    "query, phrase",
    [
        ('"八项规定" 违规吃喝', "八项规定"),
        ('违规吃喝 "八项规定"', "八项规定"),
        ('"干部" 作风', "干部"),
    ],
)
def test_phrase_with_words_on_a_real_size_index(real_searcher: Searcher, query, phrase):
    result = real_searcher.search(query, limit=10)
    assert not result.error
    assert result.hits and all(contains(h, phrase) for h in result.hits)
    # Every passage holding the phrase is found, as grep finds it.
    everything = real_searcher.search(query, limit=100_000, per_doc=0)
    alone = real_searcher.search(f'"{phrase}"', limit=100_000, per_doc=0)
    assert everything.total == alone.total > 10


@pytest.mark.parametrize(
    "query, phrase", [('"错题本" 学生', "错题本"), ('"四风" 典型问题', "四风")]
)
def test_phrase_with_words_on_our_corpus(searcher: Searcher, query, phrase):
    result = searcher.search(query, limit=10)
    assert not result.error
    assert result.hits and all(contains(h, phrase) for h in result.hits)


# --- a failure inside kb stays with its one query --------------------------------------------


@pytest.fixture
def broken_planner(monkeypatch):
    """Make kb fail internally on queries holding 故障, as a bug we do not know yet would."""
    from kb.planner import Planner

    plan = Planner.plan

    def failing(self, parsed):
        if "故障" in parsed.raw:
            raise RuntimeError("simulated bug")
        return plan(self, parsed)

    monkeypatch.setattr(Planner, "plan", failing)


def test_an_internal_error_is_a_message_for_that_query(searcher, broken_planner, caplog):
    result = searcher.search("故障 八项规定")
    assert result.error and "出错" in result.error and result.total == 0
    assert "error" in result.as_dict()
    assert any("simulated bug" in r.getMessage() or r.exc_info for r in caplog.records)
    assert "error" not in searcher.search("八项规定").as_dict()


def test_batch_goes_on_after_a_failing_line(corpus_index, broken_planner, capsys):
    import io
    import json
    import sys

    from kb.cli import main

    queries = "八项规定\n故障 四风\n为基层减负\n"
    stdin = sys.stdin
    sys.stdin = io.StringIO(queries)
    try:
        code = main(["search", "-", "--index", str(corpus_index)])
    finally:
        sys.stdin = stdin
    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [line["query"] for line in lines] == queries.split()[:1] + [
        "故障 四风",
        "为基层减负",
    ]
    assert "error" not in lines[0] and lines[0]["total"] > 0
    assert "出错" in lines[1]["error"] and lines[1]["hits"] == []
    assert "error" not in lines[2] and lines[2]["total"] > 0
    assert "Traceback" not in err and "simulated bug" in err


def test_web_and_api_answer_a_failing_query_without_a_500(corpus_index, broken_planner):
    from web import create_app

    client = create_app({"INDEX": str(corpus_index)}).test_client()
    page = client.get("/search?q=故障")
    assert page.status_code == 200 and "出错" in page.get_data(as_text=True)
    api = client.get("/api/search?q=故障")
    assert api.status_code == 200 and "出错" in api.get_json()["error"]
    cases = client.get("/api/cases?q=故障")
    assert cases.status_code == 200


# --- nothing to look for ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["", "   ", '""', "“”", "。，、！", "-宴请", '-"私人会所"', "!!! ???"]
)
def test_a_query_with_nothing_to_find_gets_a_message_not_the_index(real_searcher, query):
    result = real_searcher.search(query)
    assert result.total == 0 and not result.hits and not result.error
    assert result.notes and all("请" in note for note in result.notes), result.notes


def test_filters_alone_still_list_documents(real_searcher):
    assert real_searcher.search("type:通报 year:2021-2023").total > 0
    assert real_searcher.search("type:通报 -宴请").total > 0


# --- quoted search is grep over the whole document, header lines included -----------------


def _manifest() -> list[dict]:
    import csv

    from conftest import REALDOCS

    with (REALDOCS / "MANIFEST.tsv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def test_a_quoted_doc_number_finds_its_document_first(real_searcher):
    from pathlib import Path

    from conftest import REALDOCS

    rows = [
        r
        for r in _manifest()
        if r["doc_no"]
        and fold(r["doc_no"]) in fold((REALDOCS / "docs" / r["file"]).read_text(encoding="utf-8"))
    ]
    assert len(rows) >= 20
    for row in rows:
        for typed in (row["doc_no"], row["doc_no"].replace("〔", "[").replace("〕", "]")):
            result = real_searcher.search(f'"{typed}"')
            assert result.hits, typed
            assert Path(result.hits[0].path).name == row["file"], typed
            assert "<mark>" in result.hits[0].snippet


def test_quoted_search_finds_header_and_signature_lines(build):
    searcher = build(
        {
            "notice.txt": "青岚县人民政府办公室文件\n\n青政办发〔2024〕12号\n\n"
            "关于开展作风建设专项整治的通知\n\n各乡镇人民政府：\n\n"
            "现将有关事项通知如下。\n\n一、严禁以会议落实会议。\n\n"
            "青岚县人民政府办公室\n\n2024年3月5日\n",
            "other.txt": "关于转发的说明\n\n请认真学习青政办发〔2024〕12号文件。\n",
        }
    )
    for phrase, expected in (
        ("青政办发〔2024〕12号", "青政办发〔2024〕12号"),
        ("青岚县人民政府办公室文件", "青岚县人民政府办公室文件"),
        ("2024年3月5日", "2024年3月5日"),
        ("各乡镇人民政府", "各乡镇人民政府："),
    ):
        result = searcher.search(f'"{phrase}"', per_doc=0)
        assert result.hits and result.hits[0].path.endswith("notice.txt"), phrase
        assert result.hits[0].text == expected
    # The cited number is found in the other document too (grep), after the document itself.
    cited = searcher.search('"青政办发[2024]12号"', per_doc=0)
    assert [h.path.rsplit("/", 1)[-1] for h in cited.hits] == ["notice.txt", "other.txt"]
    # The document reads in its own order: header lines stand where they stood.
    view = searcher.document(cited.hits[0].doc_id)
    texts = [p["text"] for p in view.in_reading_order()]
    assert texts.index("青政办发〔2024〕12号") < texts.index("现将有关事项通知如下。")
    assert texts[-2:] == ["青岚县人民政府办公室", "2024年3月5日"]
    assert all(view.passages[n]["ordinal"] == n for n in range(len(view.passages)))


# --- the case library understands categories and their common names --------------------------


@pytest.mark.parametrize(
    "query, categories",
    [
        ("形式主义", ["形式主义官僚主义"]),
        ("违规吃喝", ["违规吃喝"]),
        ("八项规定", ["违规吃喝", "违规收送礼品礼金", "公款旅游", "公车私用"]),
        ("四风", ["形式主义官僚主义", "违规吃喝", "违规收送礼品礼金"]),
    ],
)
@pytest.mark.parametrize("index", ["searcher", "real_searcher"])
def test_case_search_finds_the_cases_filed_under_a_category(request, index, query, categories):
    library = request.getfixturevalue(index)
    found = library.cases(query, limit=100_000)
    from kb.duplicates import fingerprint

    ids = [case.id for case in found.cases]
    # A case reposted by another unit is listed once, under whichever copy ranks first.
    shown = {fingerprint(case.text) or case.id for case in found.cases}
    assert not found.error
    for category in categories:
        filed = library.cases(problems=[category], limit=100_000).cases
        assert filed, category
        missing = [c.summary for c in filed if (fingerprint(c.text) or c.id) not in shown]
        assert not missing, (category, missing[:3])
    assert len(ids) == len(set(ids)) > 0


def test_cases_filed_and_matching_come_before_the_others(searcher):
    found = searcher.cases("违规吃喝 宴请", limit=100_000).cases
    filed = ["违规吃喝" in c.problems for c in found]
    assert filed[0] and filed == sorted(filed, reverse=True)


@pytest.mark.parametrize("query", ["砉䶮 㸚鿏", "䶮䶮䶮䶮"])
def test_words_no_passage_holds_find_nothing_not_everything(real_searcher, query):
    result = real_searcher.search(query)
    assert result.total == 0 and not result.error


# --- colloquial questions: vocabulary, not queries ----------------------------------------------

FILLER = {f"f{i}.txt": f"第{i}号学习通知\n\n党员干部要认真学习第{i}期课程。\n" for i in range(30)}


def test_a_rare_everyday_word_never_outweighs_the_domain_words(build):
    """偷偷 is rarer in the archive than anything else typed, but it is everyday language, not a
    term of the domain: the passage about what the question is about comes first."""
    searcher = build(
        {
            **FILLER,
            "story.txt": "一则随笔\n\n他偷偷地走了。\n",
            "rule.txt": "经商规定\n\n不得违规经商办企业。\n",
        }
    )
    hits = searcher.search("党员干部偷偷做生意").hits
    assert hits[0].path.endswith("rule.txt")
    assert {"word": "经商办企业", "for": "做生意"} in hits[0].matched["expansions"]


def test_a_recognised_phrase_still_holds_the_words_it_was_typed_with(build):
    """老板请吃饭 is a lexicon phrase; a passage telling it in other words (老板 … 吃饭) without
    the official wording (宴请, 私营企业主) is still found, as a weaker match."""
    searcher = build({**FILLER, "story.txt": "忏悔\n\n有的老板经常约我吃饭，我都去了。\n"})
    hits = searcher.search("老板请吃饭").hits
    assert hits and hits[0].path.endswith("story.txt")
    reached = {e["word"] for e in hits[0].matched["expansions"]}
    assert {"老板", "吃饭"} <= reached


def test_case_words_prefer_typical_cases_over_text_that_says_the_word(build):
    notice = (
        "关于违规吃喝典型问题的通报\n\n"
        "近期查处了一批问题，现通报如下。\n\n"
        "1.某局局长张某违规吃喝问题。2024年3月，张某接受管理服务对象宴请。张某受到党内警告处分。\n"
    )
    speech = "在会议上的讲话\n\n各单位要严查违规吃喝，这类案例很多，要引以为戒。\n"
    searcher = build({"notice.txt": notice, "speech.txt": speech})
    hits = searcher.search("违规吃喝 案例").hits
    assert hits[0].case_id and hits[0].path.endswith("notice.txt")
    assert "案例" not in hits[0].matched["missing"]  # a wish, not a word every hit must hold


def test_level_words_match_the_level_cases_are_filed_under(build):
    """A trainer types 处级干部: case records say 县处级, the case text says 局长."""
    notice = (
        "关于3起违规吃喝典型问题的通报\n\n"
        "1.某镇党委副书记钱某违规吃喝问题。2021年8月，钱某接受私营企业主宴请。"
        "钱某受到党内警告处分。\n\n"
        "2.某县村委会主任孙某违规吃喝问题。2022年3月，孙某接受私营企业主宴请。"
        "孙某受到党内严重警告处分。\n\n"
        "3.某市财政局局长赵某违规吃喝问题。2023年5月，赵某多次接受私营企业主宴请。"
        "赵某受到撤职处分。\n"
    )
    searcher = build({"notice.txt": notice})
    levels = {c.person: c.level for c in searcher.cases(limit=10).cases}
    assert levels == {"钱某": "乡科级", "孙某": "其他", "赵某": "县处级"}
    for query, person in (("处级干部 违规吃喝", "赵某"), ("乡镇干部 违规吃喝", "钱某")):
        hit = searcher.search(query).hits[0]
        assert person in hit.text, query
    hit = searcher.search("处级干部 违规吃喝").hits[0]
    assert {"word": "县处级（干部层级）", "for": "处级"} in hit.matched["expansions"]


def test_feedback_takes_the_dictionary_words_the_best_passages_share(searcher):
    from kb.feedback import feedback
    from kb.ranking import Concept

    texts = [
        "某局干部饮酒后驾驶机动车，被查获，属醉酒驾驶。",
        "张某饮酒后驾驶机动车，酒精含量超标，属醉酒驾驶。",
        "李某酒后驾驶机动车，受到政务处分。",
    ]
    with searcher._view() as view:
        extra = feedback([Concept("喝酒", ["喝酒"])], texts, view)
    assert extra is not None and extra.hint and not extra.required and extra.typed == ""
    assert "醉酒驾驶" in extra.alternatives or "饮酒" in extra.alternatives
    assert "喝酒" not in extra.forms and extra.weight > 0


def test_feedback_words_are_never_shown_as_matched(real_searcher):
    result = real_searcher.search("喝了酒开车会怎么样")
    assert result.hits
    for hit in result.hits:
        # Every expansion names the typed words it stands for; feedback words stand for none.
        assert all(e["for"] and e["for"] in result.query for e in hit.matched["expansions"])


# --- content before furniture -----------------------------------------------------------------


def _is_furniture(searcher, hit) -> bool:
    passage = searcher.document(hit.doc_id).passages[hit.ordinal]
    return passage["heading"] or passage["meta"]


@pytest.mark.parametrize("query", ["八项规定", "为基层减负", "政务新媒体", "违规吃喝 典型问题"])
def test_passages_that_say_something_come_before_titles_and_headings(real_searcher, query):
    hits = real_searcher.search(query, limit=10, per_doc=0).hits
    kinds = [_is_furniture(real_searcher, h) for h in hits]
    assert kinds and not kinds[0]
    covering = [h for h in hits if not h.matched["missing"]]
    seen_furniture = False
    for hit in covering:  # among passages that match as well, no heading before text
        furniture = _is_furniture(real_searcher, hit)
        assert not (seen_furniture and not furniture), query
        seen_furniture = seen_furniture or furniture


def test_a_filter_only_listing_shows_each_documents_text_first(real_searcher):
    hits = real_searcher.search("type:通报 year:2021-2023", limit=30).hits
    firsts = {}
    for hit in hits:
        firsts.setdefault(hit.doc_id, hit)
    assert firsts and not any(_is_furniture(real_searcher, h) for h in firsts.values())


# --- a partial match says so --------------------------------------------------------------------


def test_words_found_nowhere_are_named(real_searcher):
    result = real_searcher.search("砉䶮 八项规定")
    assert result.total > 0
    assert any("没有找到“砉䶮”" in note for note in result.notes), result.notes


def test_a_query_matching_only_in_part_says_so(real_searcher):
    result = real_searcher.search("区块链 挖矿 八项规定")
    first = result.hits[0]
    assert first.matched["missing"]
    assert any("没有同时包含全部检索词" in note for note in result.notes), result.notes
    complete = real_searcher.search("违规吃喝 八项规定")
    assert not complete.hits[0].matched["missing"]
    assert not any("没有同时包含" in note for note in complete.notes)


def test_a_query_cut_by_the_search_box_says_so(real_searcher, realdocs_index):
    from urllib.parse import quote

    from web import create_app

    client = create_app({"INDEX": str(realdocs_index)}).test_client()
    long = "为基层减负" * 130  # 650 characters
    page = client.get(f"/search?q={quote(long)}").get_data(as_text=True)
    assert "检索词过长" in page and 'maxlength="500"' not in page
    api = client.get(f"/api/search?q={quote(long)}").get_json()
    assert any("过长" in note for note in api["notes"])


def test_a_phrase_a_wrong_cut_hides_is_still_recognised(searcher):
    """jieba cuts 份子钱能收吗 into 份子/钱能/收/吗; 钱能 is a word no passage holds, and the
    lexicon phrase 份子钱 it hides is recognised. Right cuts are left alone."""
    from kb.planner import Planner

    with searcher._view() as view:
        planner = Planner(view)
        typed = [c.typed for c in planner.concepts("下属随的份子钱能收吗")]
        assert "份子钱" in typed and "钱能" not in typed
        assert [c.typed for c in planner.concepts("中纪委全会 讲话")][0] in ("中纪委全会", "中纪委")


def test_a_count_jieba_cuts_in_two_is_one_word_when_passages_say_it(real_searcher):
    from kb.planner import Planner

    with real_searcher._view() as view:
        counted = [c.typed for c in Planner(view).concepts("通报十起 违规吃喝")]
    assert "十起" in counted and "起" not in counted


def test_the_page_shows_why_each_hit_was_found(corpus_index):
    import re

    from web import create_app

    client = create_app({"INDEX": str(corpus_index)}).test_client()
    html = client.get("/search?q=领导接受老板请吃饭").get_data(as_text=True)
    lines = re.findall(r'<p class="why">(.*?)</p>', html, re.S)
    assert lines and all("匹配" in line or "扩展" in line for line in lines)
    assert any("←" in line and "老板" in line for line in lines)
    api = client.get("/api/search?q=领导接受老板请吃饭").get_json()
    first = api["hits"][0]["matched"]
    assert first["words"] and any(e["word"] in api["hits"][0]["text"] for e in first["expansions"])
