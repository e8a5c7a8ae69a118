"""A reposted case or passage is credited to where it comes from (kb.primary): the original
通报 rather than a notice asking staff to study it, the 规定 rather than a speech quoting it,
in case cards, search hits and a 对照检查 draft's case suggestions."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from conftest import REALDOCS

from kb.doctypes import default_doc_types
from kb.duplicates import fingerprint
from kb.primary import Copy, credited
from kb.workbench import requirements, suggest_cases

CASE_ONE = (
    "一、北塘镇党委原副书记何振东接受私营企业主宴请问题。2023年5月，何振东多次接受私营企业主"
    "安排的宴请，并收受高档白酒两箱。何振东受到党内警告处分。"
)
CASE_TWO = (
    "二、北塘镇财政所原所长罗敏达违规公款吃喝问题。2023年8月，罗敏达以招商为名，用公款在"
    "私人会所宴请亲友，花费一万二千元。罗敏达受到政务记过处分，违规费用全部退赔。"
)
ORIGINAL_TITLE = "中共青岚县纪委关于北塘镇两起违规吃喝典型问题的通报"
ORIGINAL = "\n".join(
    [
        ORIGINAL_TITLE,
        "",
        "各乡镇党委，县直各单位：",
        "近期，县纪委查处了两起违规吃喝典型问题，现通报如下。",
        CASE_ONE,
        CASE_TWO,
        "各级党组织要引以为戒，严格落实中央八项规定精神。",
        "",
        "中共青岚县纪委",
        "2024年3月5日",
    ]
)
FORWARD = "\n".join(
    [
        f"关于学习《{ORIGINAL_TITLE}》的通知",
        "",
        "各学校：",
        "现将县纪委通报转发给你们，请组织全体教职工认真学习北塘镇违规吃喝问题，引以为戒。",
        "附：通报全文",
        CASE_ONE,
        CASE_TWO,
        "",
        "青岚县教育局",
        "2024年3月20日",
    ]
)
FILES = {"original.txt": ORIGINAL, "forward.txt": FORWARD}

ARTICLE = (
    "第八条 接待单位不得超标准接待，不得组织旅游和与公务活动无关的参观，"
    "不得组织到营业性娱乐、健身场所活动。"
)
REGULATION = "\n".join(
    [
        "青岚县机关公务接待管理规定（2024年修订）",
        "",
        "第一条 为规范全县机关公务接待工作，厉行勤俭节约，制定本规定。",
        ARTICLE,
        "第九条 接待单位应当如实填写接待清单，并由相关负责人审签。",
        "",
        "青岚县人民政府办公室",
        "2024年6月1日",
    ]
)
SPEECH = "\n".join(
    [
        "在全县作风建设推进会上的讲话",
        "",
        "同志们：",
        "今天召开会议，主要是推动作风建设各项要求落地见效。",
        "关于公务接待，规定写得很清楚：",
        ARTICLE,
        "各单位要对照检查，发现问题立即整改。",
        "",
        "2023年11月2日",
    ]
)


CAR_ARTICLE = (
    "第六条 公务用车实行统一调度，严禁公车私用，不得将公务用车停放在住宅小区、"
    "旅游景点等非办公场所。"
)
CAR_RULES = "\n".join(
    [
        "云溪市机关公务用车使用管理规定",
        "",
        "第一条 为加强全市机关公务用车管理，降低行政成本，制定本规定。",
        CAR_ARTICLE,
        "第七条 公务用车应当建立使用登记制度，逐车记录出车事由和行驶里程。",
        "",
        "云溪市人民政府办公室",
        "2024年9月10日",
    ]
)
CAR_SPEECH = "\n".join(
    [
        "在云溪市机关作风建设大会上的讲话",
        "",
        "同志们：",
        "这次大会的任务，是把作风建设的各项要求真正落到实处。",
        "车辆管理方面，规定里有一条讲得很明白：",
        CAR_ARTICLE,
        "各部门主要负责同志要带头执行，切实管好本单位的车辆。",
        "",
        "2024年5月8日",
    ]
)
CUTS_TITLE = "云溪市精简会议文件为基层减负实施方案"
CUTS_PARAGRAPH = (
    "严禁超量发文。市级部门每年印发文件总量要比上年减少一成以上，没有实质内容的文件一律不发。"
)
CUTS_PLAN = "\n".join(
    [
        CUTS_TITLE,
        "",
        "为切实减轻基层负担，结合本市实际，制定本方案。",
        "一、主要措施",
        "（一）" + CUTS_PARAGRAPH,
        "（二）从严控制会议规模。全市性会议原则上只开到县一级，不得层层陪会。",
        "",
        "云溪市委办公室",
        "2024年3月1日",
    ]
)
CUTS_STUDY = "\n".join(
    [
        f"关于认真学习《{CUTS_TITLE}》的通知",
        "",
        "各科室：",
        "现将市里的减负方案要点转发给你们，请认真组织学习，抓好落实。",
        "1." + CUTS_PARAGRAPH,
        "",
        "云溪市农业农村局办公室",
        "2024年3月20日",
    ]
)
REQUIREMENT_FILES = {
    "rules.txt": CAR_RULES,
    "speech.txt": CAR_SPEECH,
    "plan.txt": CUTS_PLAN,
    "study.txt": CUTS_STUDY,
}


def _name(path: str) -> str:
    return Path(path).name


# --- the rule -----------------------------------------------------------------------------


def test_a_study_or_forwarding_notice_is_told_by_its_title():
    types = default_doc_types()
    assert types.forwards(f"关于学习《{ORIGINAL_TITLE}》的通知（附通报全文）")
    assert types.forwards("关于认真学习典型问题通报的通知")
    assert types.forwards("关于转发县纪委违规吃喝问题通报的通知")
    assert not types.forwards("关于印发《青岚县作风建设实施方案》的通知")  # first published
    assert not types.forwards("关于开展党纪学习教育的通知")  # names no document
    assert not types.forwards(ORIGINAL_TITLE)


def test_the_original_beats_a_forward_then_the_earlier_then_the_higher_issuer():
    forward = Copy(f"关于学习《{ORIGINAL_TITLE}》的通知", "通报", "2024-03-01")
    original = Copy(ORIGINAL_TITLE, "通报", "2024-03-05")
    assert credited([forward, original]) == 1  # even though the forward is dated earlier
    later = Copy("关于两起典型问题的通报", "通报", "2024-04-01", "中共中央纪委")
    assert credited([later, original]) == 1
    county = Copy("关于两起典型问题的通报", "通报", "2024-03-05", "青岚县纪委")
    province = Copy("关于两起典型问题的通报", "通报", "2024-03-05", "浙江省纪委")
    assert credited([county, province]) == 1
    undated = Copy("关于两起典型问题的通报", "通报")
    assert credited([undated, county]) == 1
    assert credited([county, Copy(county.title, "通报", county.date, county.issuer)]) == 0


def test_a_copy_after_a_line_naming_another_copy_reprints_it():
    reprint = Copy("违规吃喝典型问题", "通报", upto=f"汇编如下。\n{ORIGINAL_TITLE}：")
    assert credited([reprint, Copy(ORIGINAL_TITLE, "通报")]) == 1
    # The original's own title line names the shorter title of the reprint: no evidence.
    original = Copy(ORIGINAL_TITLE, "通报", upto=ORIGINAL_TITLE)
    assert credited([original, Copy("违规吃喝典型问题", "通报")]) == 0


def test_a_regulation_beats_a_speech_quoting_it():
    speech = Copy("在全县作风建设推进会上的讲话", "讲话", "2023-11-02")
    regulation = Copy("青岚县机关公务接待管理规定", "规定", "2024-06-01")
    assert credited([speech, regulation]) == 1


# --- where cases and passages are shown ------------------------------------------------------


def test_case_cards_credit_the_original_notice_not_the_study_notice(build):
    searcher = build(FILES)
    cards = searcher.cases().cases  # newest first: the study notice came first before
    assert len(cards) == 2
    for card in cards:
        assert _name(card.path) == "original.txt" and card.title == ORIGINAL_TITLE
        assert [_name(o["path"]) for o in card.also_in] == ["forward.txt"]
    (found,) = searcher.cases("学习 何振东").cases
    assert _name(found.path) == "original.txt"


def test_search_hits_credit_the_original_whichever_copy_ranks_first(build):
    searcher = build(FILES)
    for query in ("学习 何振东 宴请", "何振东 宴请", "罗敏达"):
        hits = [h for h in searcher.search(query).hits if "何振东" in h.text or "罗敏达" in h.text]
        assert hits, query
        for hit in hits:
            assert _name(hit.path) == "original.txt", query
            assert [_name(o["path"]) for o in hit.also_in] == ["forward.txt"], query


def test_draft_case_suggestions_credit_the_original(build):
    files = dict(FILES)
    files["speech.txt"] = "\n".join(
        [
            "在全县违规吃喝专项整治动员会上的讲话",
            "",
            "同志们：",
            "各级党员干部要严禁接受私营企业主宴请，严禁用公款吃喝。",
        ]
    )
    searcher = build(files)
    (item,) = [i for i in requirements(searcher, limit=100).items if "宴请" in i.text]
    suggested = suggest_cases(searcher, item.id)
    assert suggested
    assert {_name(c.path) for c in suggested} == {"original.txt"}
    assert all([_name(o["path"]) for o in c.also_in] == ["forward.txt"] for c in suggested)


def test_a_passage_quoted_from_a_regulation_is_credited_to_the_regulation(build):
    searcher = build({"regulation.txt": REGULATION, "speech.txt": SPEECH})
    for query in ("作风建设 超标准接待", "超标准接待 营业性娱乐"):
        hits = [h for h in searcher.search(query).hits if "超标准接待" in h.text]
        assert len(hits) == 1, query
        assert _name(hits[0].path) == "regulation.txt", query
        assert [_name(o["path"]) for o in hits[0].also_in] == ["speech.txt"], query


# --- realdocs --------------------------------------------------------------------------------


def test_realdocs_study_notice_is_a_forward_and_a_reprinted_ccdi_case_keeps_its_source(
    real_searcher,
):
    study = REALDOCS / "docs" / "case_002_sxyz_item14780.txt"
    title = study.read_text(encoding="utf-8").splitlines()[0]
    assert default_doc_types().forwards(title)
    # case_019 reprints ten cases of the 2025-04 ccdi notice under that notice's title.
    reprinted = [
        c
        for c in real_searcher.cases(limit=10_000).cases
        if {_name(o["path"]) for o in c.also_in} == {"case_019_sxyz_item21621.txt"}
    ]
    assert len(reprinted) == 10
    assert {_name(c.path) for c in reprinted} == {"case_037_ccdi_20250424.txt"}
    for case in reprinted[:3]:
        (found,) = [c for c in real_searcher.cases(case.person).cases if c.id == case.id]
        assert _name(found.path) == "case_037_ccdi_20250424.txt"
        hits = [h for h in real_searcher.search(f"{case.person} 典型问题").hits if h.also_in]
        assert hits
        for hit in hits:  # the case, and the line naming the ccdi notice in the reprint
            assert _name(hit.path) != "case_019_sxyz_item21621.txt"
            assert "case_019_sxyz_item21621.txt" in {_name(o["path"]) for o in hit.also_in}


# --- the requirement list ---------------------------------------------------------------------


def _copies_of(items, text: str) -> list:
    return [i for i in items if fingerprint(i.text) == fingerprint(text)]


def test_a_requirement_stated_in_several_documents_is_listed_once_credited_to_its_source(build):
    searcher = build(REQUIREMENT_FILES)
    for query in ("", "公车私用 统一调度", "发文数量 实质内容"):
        found = requirements(searcher, query, limit=100)
        article = _copies_of(found.items, CAR_ARTICLE)
        if article:  # the speech is older, yet the 规定 it quotes keeps the article
            (record,) = article
            assert _name(record.path) == "rules.txt" and record.doc_type == "规定", query
            assert [_name(o["path"]) for o in record.also_in] == ["speech.txt"], query
            assert set(record.also_in[0]) == {"doc_id", "path", "title", "date"}
        cut = "市级部门每年印发文件总量要比上年减少一成以上，没有实质内容的文件一律不发。"
        reposted = _copies_of(found.items, cut) + [
            i for i in found.items if i.text == "严禁超量发文。"
        ]
        for record in reposted:  # newest first without a query: the study notice came first
            assert _name(record.path) == "plan.txt", query
            assert [_name(o["path"]) for o in record.also_in] == ["study.txt"], query
        assert len(reposted) in (0, 2), query
        assert article or reposted, query
        assert found.total == len(found.items)
    listed = requirements(searcher, limit=100)
    # 2 articles (第一条 only states the purpose), 3 clauses of the 方案 (（二）从严控制会议规模。
    # only heads its sentence); none twice
    assert listed.total == 5
    counts = dict(listed.facets["topic"])
    assert counts == dict(Counter(t for i in listed.items for t in i.topics))
    documents = {title: n for _, title, n in listed.facets["doc"]}
    assert documents == {CUTS_TITLE: 3, "云溪市机关公务用车使用管理规定": 2}


def test_requirements_of_different_text_stay_separate(build):
    changed = CAR_ARTICLE.replace("住宅小区", "居民小区")
    files = {"rules.txt": CAR_RULES, "speech.txt": CAR_SPEECH.replace(CAR_ARTICLE, changed)}
    items = requirements(build(files), limit=100).items
    assert [_name(i.path) for i in _copies_of(items, CAR_ARTICLE)] == ["rules.txt"]
    assert [_name(i.path) for i in _copies_of(items, changed)] == ["speech.txt"]
    assert all(not i.also_in for i in items)
    # A short clause alone (a run-in heading) is the same only in the same paragraph.
    plan = CUTS_PLAN.replace("没有实质内容的文件一律不发", "可发可不发的文件一律不发")
    items = requirements(build({"plan.txt": plan, "study.txt": CUTS_STUDY}), limit=100).items
    headings = [i for i in items if i.text == "严禁超量发文。"]
    assert sorted(_name(i.path) for i in headings) == ["plan.txt", "study.txt"]


def test_the_requirement_page_api_and_draft_show_the_credited_source(build, tmp_path):
    from test_openapi import check
    from test_workbench import token

    from web import create_app

    build(REQUIREMENT_FILES)
    client = create_app({"INDEX": str(tmp_path / "index")}).test_client()
    spec = client.get("/api/openapi.json").get_json()
    answer = check(client, spec, "/api/requirements", "/api/requirements?q=公车私用&limit=50")
    (item,) = [i for i in answer["items"] if fingerprint(i["text"]) == fingerprint(CAR_ARTICLE)]
    assert item["path"] == "rules.txt" and "管理规定" in item["citation"]
    assert item["also_in"] == [
        {
            "doc_id": item["also_in"][0]["doc_id"],
            "path": "speech.txt",
            "title": "在云溪市机关作风建设大会上的讲话",
            "date": "2024-05-08",
        }
    ]
    assert answer["total"] == 1
    one = check(client, spec, "/api/requirements/{id}", f"/api/requirements/{item['id']}")
    assert one["path"] == "rules.txt"

    page = client.get("/requirements?q=公车私用").get_data(as_text=True)
    assert page.count('class="clause">第六条 公务用车实行统一调度') == 1
    assert "也见于" in page and "在云溪市机关作风建设大会上的讲话" in page
    assert f"/doc/{item['also_in'][0]['doc_id']}" in page

    printed = client.post(
        "/draft/print",
        data={"draft": json.dumps([{"id": item["id"]}]), "title": "", "csrf_token": token(client)},
    ).get_data(as_text=True)
    assert "云溪市机关公务用车使用管理规定" in printed
    assert "在云溪市机关作风建设大会上的讲话" not in printed
