"""A reposted case or passage is credited to where it comes from (kb.primary): the original
通报 rather than a notice asking staff to study it, the 规定 rather than a speech quoting it,
in case cards, search hits and a 对照检查 draft's case suggestions."""

from __future__ import annotations

from pathlib import Path

from conftest import REALDOCS

from kb.doctypes import default_doc_types
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
