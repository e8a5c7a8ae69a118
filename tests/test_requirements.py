"""Requirement clauses (kb.requirements): our corpus checked against counts made here
independently, hand-picked clauses and topics, small synthetic texts for the rules, and case
matching on the judged set bench/judgments/requirements/requirement_cases.jsonl."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import REALDOCS
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.readers import read_file, supported
from kb.cases import extract_cases, is_case_notice, load_taxonomy
from kb.doctypes import default_doc_types
from kb.engines.whoosh.searcher import Searcher
from kb.model import Passage
from kb.numbering import LIST_NUMBER, SPOKEN_NUMBER, SPOKEN_POINT
from kb.requirements import (
    DEFAULT_TOPICS,
    KINDS,
    LEAD_HEADING_CHARS,
    Requirement,
    extract_requirements,
    is_requirement_sentence,
    load_topics,
    match_cases,
    parse_topics,
    states_duty,
)
from kb.structure import Outline, read_outline
from kb.workbench import requirements as requirement_list

ROOT = Path(__file__).resolve().parents[1]
CORPUS_DOCS = ROOT / "corpus" / "docs"
SOURCES = ROOT / "corpus" / "sources"
JUDGED = ROOT / "bench" / "judgments" / "requirements" / "requirement_cases.jsonl"
TOPICS = load_topics()
TAXONOMY = load_taxonomy()

# Parts of our speeches that review past work: their 一是/二是 items tell what was done or
# what went wrong, they require nothing (checked by hand).
PAST_PARTS = {
    "speech_2025_jiwei_quanhui.txt": "一、2024年工作回顾",
    "speech_2024_minzhu_shenghuohui.txt": "一、客观看待这次民主生活会的成效和不足",
}


def outline(path: Path) -> Outline:
    return read_outline(read_file(path, path.read_bytes()), fallback_title=path.stem)


@pytest.fixture(scope="module")
def corpus() -> dict[str, tuple[Outline, list[Requirement]]]:
    """Every readable document of corpus/docs with its requirements."""
    docs = {}
    for path in sorted(CORPUS_DOCS.iterdir()):
        if supported(path):
            o = outline(path)
            docs[path.name] = (o, extract_requirements(o.title, o.doc_type, o.passages, TOPICS))
    return docs


def find(corpus, name: str, start: str) -> Requirement:
    """The requirement of ``name`` whose text starts with ``start``."""
    found = [r for r in corpus[name][1] if r.text.startswith(start)]
    assert len(found) == 1, (name, start, [r.text[:30] for r in corpus[name][1]])
    return found[0]


# --------------------------------------------------------------------------------------------
# Topics file
# --------------------------------------------------------------------------------------------


def test_topics_file_has_the_topics_and_maps_to_known_case_categories():
    names = TOPICS.names
    for name in (
        "学习教育",
        "查摆问题",
        "整改落实",
        "督查问责",
        "为基层减负",
        "八项规定",
        "形式主义官僚主义",
        "群众工作",
        "营商环境",
        "廉洁自律",
        "选人用人",
        "意识形态",
    ):
        assert name in names
    assert 15 <= len(names) <= 20
    labels = {c.label for c in TAXONOMY.problems}
    for topic in TOPICS.topics:
        assert topic.keywords, topic.name
        for category in topic.categories:
            assert category in labels, (topic.name, category)
    assert "违规吃喝" in TOPICS.categories(["八项规定"])
    assert DEFAULT_TOPICS.read_text(encoding="utf-8").startswith("# ")


def test_topic_keywords_longest_match_and_gaps():
    topics = parse_topics(
        "[话题]\n整改: 整改台账\n减负: 台账, 督查检查考核\n问责: 督查, 追究…责任\n"
        "[对应案例类别]\n减负: 形式主义官僚主义/加重基层负担\n"
    )
    assert topics.find("建立整改台账") == ["整改"]
    assert topics.find("不得要求基层补做台账") == ["减负"]
    assert topics.find("规范督查检查考核") == ["减负"]
    assert topics.find("加强督查，追究有关单位和人员责任") == ["问责"]
    assert topics.find("追究。责任") == []  # a gap does not cross a sentence end
    assert topics.categories(["减负", "问责"]) == ["形式主义官僚主义/加重基层负担"]


@pytest.mark.parametrize(
    "text",
    [
        "[话题]\n没有冒号的行\n",
        "学习教育: 学习\n",
        "[别的段]\n学习教育: 学习\n",
        "[话题]\n学习教育: 学习\n[对应案例类别]\n不存在: 违规吃喝\n",
        "[话题]\n学习教育: 学习\n学习教育: 党课\n",
    ],
)
def test_topics_file_errors_are_explained(text):
    with pytest.raises(ValueError, match="话题词表"):
        parse_topics(text)


# --------------------------------------------------------------------------------------------
# Our corpus
# --------------------------------------------------------------------------------------------


def test_every_clause_is_quoted_verbatim(corpus):
    for name, (o, requirements) in corpus.items():
        for number, r in enumerate(requirements, 1):
            assert r.ordinal == number
            assert r.kind in KINDS
            assert r.text and r.text == r.text.strip()
            assert r.text in o.passages[r.passage].text, (name, r.text)
            assert not o.passages[r.passage].heading
            for i, paragraph in enumerate(r.continuation):
                assert paragraph == o.passages[r.passage + 1 + i].text.strip()
            assert r.topics == [t for t in TOPICS.names if t in r.topics]
        texts = [r.full_text for r in requirements]
        assert len(texts) == len(set(texts)), name


def test_only_directive_documents_have_requirements(corpus):
    for name, (o, requirements) in corpus.items():
        if o.doc_type not in default_doc_types().directing:
            assert requirements == [], name
        if is_case_notice(o.title, o.passages, TAXONOMY) or name.startswith(
            ("case_", "report_", "communique_", "checklist_", "minutes_")
        ):
            assert requirements == [], name
    for name in ("speech_2024_zuofeng_dahui.txt", "plan_2024_dangji_xuexi_jiaoyu.docx"):
        assert corpus[name][1], name
    title, passages = "关于3起违规吃喝问题的通报", [Passage("各单位要引以为戒。")]
    assert extract_requirements(title, "通报", passages, TOPICS) == []
    assert extract_requirements("工作报告", "报告", passages, TOPICS) == []
    assert extract_requirements("全会公报", "公报", passages, TOPICS) == []


_ITEM_START = re.compile(r"(?:^|[。；;：:，,！？])\s*([一二三四五六七八九十]{1,3})是")


def test_every_numbered_item_is_found(corpus):
    """Each 一是/二是/三是 of a speech, plan or other directive is a requirement of its own,
    except in the two parts reviewing past work."""
    checked = 0
    for name, (o, requirements) in corpus.items():
        if o.doc_type not in default_doc_types().directing:
            continue
        expected = []
        for index, passage in enumerate(o.passages):
            if passage.heading or PAST_PARTS.get(name) in passage.section:
                continue
            starts = [m.start(1) for m in _ITEM_START.finditer(passage.text)]
            for start, end in zip(starts, [*starts[1:], None], strict=False):
                expected.append((index, passage.text[start:end][:12]))
        found = [(r.passage, r.text[:12]) for r in requirements if r.kind == "分项"]
        assert sorted(found) == sorted(expected), name
        checked += len(expected)
    assert checked >= 120


def _articles_of_raw_text(text: str) -> list[str]:
    """The articles of a regulation's plain text: from a 第X条 line to the next article, chapter
    or a line without sentence punctuation (the signature); whitespace dropped."""
    articles: list[list[str]] = []
    current: list[str] | None = None
    for line in (re.sub(r"\s", "", raw) for raw in text.splitlines()):
        if not line:
            continue
        if re.match(r"^第[一二三四五六七八九十百]+条", line):
            current = [line]
            articles.append(current)
        elif re.match(r"^第[一二三四五六七八九十]+章", line) or not re.search("[。；：，]", line):
            current = None
        elif current is not None:
            current.append(line)
    return ["".join(lines) for lines in articles]


# Articles that state no rule, read by hand: the purpose (第一条 为……制定本细则), the scope
# and definitions (适用于……，所称……是指/包括), who may write local rules, who interprets, when it
# takes effect. The requirement list leaves them out.
FRAMEWORK_ARTICLES = {
    "regulation_2023_hunsang_xishi_xize.txt": (
        "第一条",
        "第二条",
        "第三条",
        "第十七条",
        "第十八条",
    ),
    "regulation_2024_huiyi_wenjian_guanli.txt": ("第一条", "第二十八条", "第二十九条", "第三十条"),
    "regulation_2024_gongwu_jiedai.pdf": (
        "第一条",
        "第三条",
        "第二十三条",
        "第二十五条",
        "第二十六条",
    ),
}


@pytest.mark.parametrize(
    "name, source",
    [
        ("regulation_2023_hunsang_xishi_xize.txt", "regulation_2023_hunsang_xishi_xize.txt"),
        ("regulation_2024_huiyi_wenjian_guanli.txt", "regulation_2024_huiyi_wenjian_guanli.txt"),
        ("regulation_2024_gongwu_jiedai.pdf", "../sources/regulation_2024_gongwu_jiedai.txt"),
    ],
)
def test_every_article_is_found_whole(corpus, name, source):
    framework = FRAMEWORK_ARTICLES[name]
    expected = [
        a
        for a in _articles_of_raw_text((CORPUS_DOCS / source).read_text(encoding="utf-8"))
        if not a.startswith(framework)
    ]
    articles = [r for r in corpus[name][1] if r.kind == "条款"]
    assert len(expected) >= 13
    assert [re.sub(r"\s", "", r.full_text) for r in articles] == expected
    assert all(r.section and re.match(r"^第.+章", r.section[0]) for r in articles)
    assert all(r.kind == "条款" for r in corpus[name][1] if r.text.startswith("第"))


def test_article_with_its_list_and_a_second_paragraph(corpus):
    article = find(corpus, "regulation_2023_hunsang_xishi_xize.txt", "第十条")
    assert article.text.endswith("不得有下列行为：")
    assert len(article.continuation) == 6
    assert article.continuation[-1].startswith("（六）除结婚、丧事外")
    assert article.section == ("第三章 操办要求",)
    fifth = find(corpus, "regulation_2023_hunsang_xishi_xize.txt", "第五条")
    assert len(fifth.continuation) == 1
    assert fifth.continuation[0].startswith("报告内容包括：操办事由")
    # 第二条 only says whom the rules bind and what a word means: no clause of its own.
    texts = [r.text for r in corpus["regulation_2023_hunsang_xishi_xize.txt"][1]]
    assert not any(t.startswith(("第二条", "第三条", "第十七条")) for t in texts)


def test_hand_picked_clauses_kinds_and_topics(corpus):
    cases = [
        ("regulation_2024_gongwu_jiedai.pdf", "第十二条 工作餐", "条款", ["八项规定"]),
        (
            "regulation_2024_huiyi_wenjian_guanli.txt",
            "第二十二条 规范工作留痕",
            "条款",
            ["为基层减负"],
        ),
        (
            "plan_2024_zuofeng_zhuanxiang_zhengzhi.txt",
            "一是公务用车用于接送子女",
            "分项",
            ["八项规定"],
        ),
        ("speech_2023_zhuti_jiaoyu.txt", "二是建立“三个清单”", "分项", ["查摆问题", "整改落实"]),
        ("speech_2023_zhuti_jiaoyu.txt", "一是领导班子要带头学", "分项", ["学习教育"]),
        ("speech_2023_zhuti_jiaoyu.txt", "五是强化整改监督", "分项", ["整改落实", "督查问责"]),
        ("speech_2023_zhuti_jiaoyu.txt", "区委宣传部要加强宣传引导", "要求", ["意识形态"]),
        ("speech_2023_zhuti_jiaoyu.txt", "区委组织部要把党员干部", "要求", ["选人用人"]),
        ("speech_2023_zhuti_jiaoyu.txt", "力戒形式主义。", "禁止", ["形式主义官僚主义"]),
        (
            "plan_2023_12345_rexian_tisu.txt",
            "二是承办单位不得诱导群众评价",
            "分项",
            ["群众工作", "求真务实"],
        ),
        ("plan_2024_yingshang_huanjing.md", "制定政商交往正面清单", "要求", ["营商环境"]),
        ("plan_2024_yingshang_huanjing.md", "严禁乱检查、乱收费、乱罚款。", "禁止", ["营商环境"]),
        (
            "speech_2024_zuofeng_dahui.txt",
            "一是各级领导干部要带头，做到不吃请",
            "分项",
            ["廉洁自律"],
        ),
        ("speech_2024_zuofeng_dahui.txt", "二是严格控制会议时长", "分项", ["为基层减负"]),
        (
            "notice_2025_minzhu_shenghuohui.txt",
            "领导班子对照检查材料由党组织书记",
            "禁止",
            ["查摆问题"],
        ),
        ("opinion_2024_rongcuo_jiucuo.txt", "要落实澄清正名机制", "要求", ["担当作为"]),
        ("speech_2024_jingshi_jiaoyu_dahui.pdf", "要把警示教育纳入年度", "要求", ["警示教育"]),
    ]
    for name, start, kind, topics in cases:
        requirement = find(corpus, name, start)
        assert requirement.kind == kind, (name, start, requirement.kind)
        for topic in topics:
            assert topic in requirement.topics, (name, start, requirement.topics)


def test_run_in_headings_and_what_is_not_a_requirement(corpus):
    speech = "speech_2023_zhuti_jiaoyu.txt"
    # （一）压实领导责任。…… : the run-in heading only heads its item; the item's sentences are
    # the requirements.
    texts = [r.text for r in corpus[speech][1]]
    assert "压实领导责任。" not in texts
    child = find(corpus, speech, "各级党组织要切实担负起主体责任")
    assert child.kind == "要求"
    # The heading is shown once, as the section line of its item's clauses.
    assert child.section == (
        "三、加强组织领导，确保主题教育取得实实在在的成效",
        "（一）压实领导责任",
    )
    # （一）理论学习要往深里走……。一是……二是……: the heading goes, its items stay.
    assert "理论学习要往深里走、往心里走、往实里走。" not in texts
    find(corpus, speech, "一是领导班子要带头学")
    find(corpus, "speech_2023_beitang_zhen_tuijinhui.txt", "会议能不开的不开，能合并的合并。")
    texts = {name: [r.text for r in reqs] for name, (_, reqs) in corpus.items()}
    not_requirements = [
        (speech, "开展主题教育是用党的创新理论武装头脑"),  # a descriptive run-in heading
        ("speech_2024_minzhu_shenghuohui.txt", "会前准备比较扎实"),
        ("speech_2024_jingshi_jiaoyu_dahui.pdf", "近年来，区委坚决扛起"),  # the past
        ("speech_2025_jiwei_quanhui.txt", "2024年，在市纪委监委和区委的坚强领导下"),
        ("speech_2025_jiwei_quanhui.txt", "一是强化节点监督"),  # an item of the work review
        ("speech_2024_zuofeng_dahui.txt", "会议和文件是推动工作的重要手段"),  # 绝不是
        ("plan_2024_dangji_xuexi_jiaoyu.docx", "为确保学习教育扎实有序开展，制定本方案。"),
        ("opinion_2024_rongcuo_jiucuo.txt", "在推进重大项目建设、招商引资"),  # a condition
        ("speech_2023_zhuti_jiaoyu.txt", "主题教育搞得好不好，最终要看"),  # 要看
        ("regulation_2024_huiyi_wenjian_guanli.txt", "《青岚区精简会议文件"),  # forwarding note
        ("plan_2024_zuofeng_zhuanxiang_zhengzhi.txt", "中共青岚区委办公室关于印发"),  # the title
    ]
    for name, start in not_requirements:
        assert not any(t.startswith(start) for t in texts[name]), (name, start)
    headings = {p.text for o, _ in corpus.values() for p in o.passages if p.heading}
    assert not any(t in headings for reqs in texts.values() for t in reqs)


# --------------------------------------------------------------------------------------------
# Rules on small texts
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("各单位要精简会议。", True),
        ("严禁公款吃喝。", True),
        ("对照检查材料必须本人亲自撰写。", True),
        ("受理机关应当听取当事人陈述申辩。", True),
        ("内容相近的会议一律合并召开。", True),
        ("确因特殊情况不能参会的，须由主要负责同志书面请假。", True),
        ("这次会议的要点是总结经验。", False),
        ("主要任务是总结经验。", False),
        ("需要指出的是，问题仍然存在。", False),
        ("去年区委要求各单位要精简会议。", False),
        ("区委曾经要求各单位报送材料。", False),
        ("近年来，各级党组织坚决落实部署。", False),
        ("重点检查是否严格执行派车审批制度。", False),
        ("会议和文件是推动工作的重要手段，但绝不是越多越好。", False),
        ("严格执纪和关心爱护干部是统一的。", False),
        ("各单位要做到以下几点：", False),
        ("要不要开这个会？", False),
        ("为规范公务接待，制定本规定。", False),
    ],
)
def test_requirement_sentences(sentence, expected):
    assert is_requirement_sentence(sentence) is expected


def test_kinds_items_and_duplicates():
    passages = [
        Passage("关于做好会议精简工作的通知", heading=True),
        Passage("各单位要精简会议。严禁借会议之名游览。各单位要精简会议。"),
        Passage("主要有三点要求：一是会议要短，讲话要精；二是不得层层陪会；三是会后不报材料。"),
        Passage("（一）严格控制会议数量。内容相近的会议一律合并召开。"),
        Passage("第一，表格能共享的不重复填。"),
        Passage("中共某某区委办公室"),
    ]
    found = extract_requirements(passages[0].text, "通知", passages, TOPICS)
    assert [(r.passage, r.kind, r.text) for r in found] == [
        (1, "要求", "各单位要精简会议。"),
        (1, "禁止", "严禁借会议之名游览。"),
        (2, "分项", "一是会议要短，讲话要精"),
        (2, "分项", "二是不得层层陪会"),
        (2, "分项", "三是会后不报材料。"),
        (3, "要求", "内容相近的会议一律合并召开。"),
        (4, "要求", "表格能共享的不重复填。"),
    ]
    assert "为基层减负" in found[0].topics
    assert extract_requirements(passages[0].text, "其他", passages, TOPICS) == []


_FRAGMENTS = st.sampled_from(
    [
        "各单位要",
        "严禁",
        "不得",
        "必须",
        "一是",
        "二是",
        "（一）",
        "第三条 ",
        "精简会议",
        "加强监督",
        "去年",
        "主要",
        "。",
        "，",
        "；",
        "：",
        "的",
        " ",
        "“留痕”",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_FRAGMENTS, min_size=1, max_size=25).map("".join), max_size=6))
def test_any_text_gives_verbatim_clauses(paragraphs):
    passages = [Passage(p) for p in paragraphs]
    for r in extract_requirements("标题", "讲话", passages, TOPICS):
        assert r.text and r.text in passages[r.passage].text
        assert r.kind in KINDS


# --------------------------------------------------------------------------------------------
# Matching typical cases
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cases():
    """The typical cases of corpus/docs; a forwarded case is counted once."""
    found, seen = [], set()
    for path in sorted(CORPUS_DOCS.iterdir()):
        if supported(path):
            o = outline(path)
            for case in extract_cases(o.title, o.passages, TAXONOMY):
                if (case.person, case.summary) not in seen:
                    seen.add((case.person, case.summary))
                    found.append(case)
    return found


def test_judged_matching_quality(corpus, cases):
    rows = [json.loads(line) for line in JUDGED.read_text(encoding="utf-8").splitlines() if line]
    assert len(rows) >= 15
    reciprocal, top3 = [], []
    names = [c.person or c.summary for c in cases]
    for row in rows:
        assert row["file"].startswith("corpus/")
        name = row["file"].removeprefix("corpus/")
        requirement = next(r for r in corpus[name][1] if r.text == row["requirement"])
        assert all(n in names for n in row["relevant_cases"]), row["relevant_cases"]
        ranked = match_cases(requirement.full_text, requirement.topics, cases, TOPICS)
        ranking = [names[i] for i, _ in ranked]
        rank = next((k for k, n in enumerate(ranking, 1) if n in row["relevant_cases"]), None)
        reciprocal.append(1 / rank if rank else 0.0)
        top3.append(bool(rank) and rank <= 3)
    mrr = sum(reciprocal) / len(rows)
    print(f"requirement -> case matching: MRR {mrr:.3f}, Success@3 {sum(top3) / len(rows):.3f}")
    assert mrr >= 0.8
    assert sum(top3) / len(rows) >= 0.9


def test_matching_scores_order_and_unrelated_cases(cases):
    text = "一是公务用车用于接送子女上下学、探亲访友、节假日出游等私人事务"
    ranked = match_cases(text, TOPICS.find(text), cases, TOPICS)
    assert ranked and cases[ranked[0][0]].problems == ["公车私用"]
    scores = [s for _, s in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 1 for s in scores)
    assert len({i for i, _ in ranked}) == len(ranked)
    # Linked by no category and sharing little text: no case at all.
    text = "理论学习要往深里走、往心里走、往实里走。"
    assert match_cases(text, TOPICS.find(text), cases, TOPICS) == []
    # A 减负 clause does not bring up the 八项规定 cases.
    text = "第二十二条 规范工作留痕。不得要求基层对日常工作全程留痕。"
    ranked = match_cases(text, ["为基层减负"], cases, TOPICS)
    assert all(any(p.startswith("形式主义官僚主义") for p in cases[i].problems) for i, _ in ranked)
    assert match_cases(text, ["为基层减负"], [], TOPICS) == []


def test_matching_accepts_dicts_and_a_segmenter(cases):
    dicts = [{"problems": c.problems, "summary": c.summary, "text": c.text} for c in cases]
    text = "严禁公车私用、私车公养，严禁违规借用下属单位、管理服务对象的车辆。"
    assert match_cases(text, ["八项规定"], dicts, TOPICS) == match_cases(
        text, ["八项规定"], cases, TOPICS
    )

    def words(folded: str) -> list[str]:
        return re.findall(r"公车私用|公务用车|私车公养|车辆|[\u4e00-\u9fff]", folded)

    ranked = match_cases(text, ["八项规定"], dicts, TOPICS, segment=words)
    assert cases[ranked[0][0]].problems == ["公车私用"]


# --------------------------------------------------------------------------------------------
# The requirement list a cadre picks from (issue 16): headings, 禁止 labels, order, ranking
# --------------------------------------------------------------------------------------------


def _listed(title: str, paragraphs: list[str], doc_type: str = "通知") -> list[tuple[str, str]]:
    passages = [Passage(title, heading=True), *(Passage(p) for p in paragraphs)]
    return [(r.kind, r.text) for r in extract_requirements(title, doc_type, passages, TOPICS)]


def test_a_bare_lead_sentence_is_dropped_and_its_item_kept():
    found = _listed(
        "关于开展机关作风整顿的通知",
        [
            "（一）加强组织领导。各单位要成立工作专班，主要负责同志亲自抓。",
            "（二）做好信息报送。",
            "各单位要于每月5日前将整顿进展报送区委办公室。",
            "（三）严禁借检查之名吃请。检查组一律在机关食堂就餐。",
            "（四）严格结果运用。检查结果纳入年度考核。",
            "（五）认真做好全区各级机关办公用房清理腾退和集中统一管理工作。各单位要如实填报。",
            "第一，会议能不开的不开。确需召开的会议，一律控制在一小时以内。",
        ],
    )
    assert found == [
        ("要求", "各单位要成立工作专班，主要负责同志亲自抓。"),
        ("要求", "各单位要于每月5日前将整顿进展报送区委办公室。"),
        ("禁止", "严禁借检查之名吃请。"),  # a heading that prohibits is checked against
        ("要求", "检查组一律在机关食堂就餐。"),
        ("要求", "检查结果纳入年度考核。"),  # the body, stated without a marker
        ("要求", "认真做好全区各级机关办公用房清理腾退和集中统一管理工作。"),  # not short
        ("要求", "各单位要如实填报。"),
        ("要求", "会议能不开的不开。"),  # a rule by negation, not a heading
        ("要求", "确需召开的会议，一律控制在一小时以内。"),
    ]


def test_spoken_points_and_opening_sentences_that_head_what_follows():
    found = _listed(
        "在全区作风建设大会上的讲话",
        [
            "二要抓好问题整改。对查摆出的问题，各单位要建立台账、逐项销号。",
            "要找准问题。各单位要对照清单逐项查摆，不回避矛盾。",
            "要加强学习。要深入调研。",
            "三要严格执行请销假制度。",
        ],
        doc_type="讲话",
    )
    assert found == [
        ("要求", "对查摆出的问题，各单位要建立台账、逐项销号。"),
        ("要求", "各单位要对照清单逐项查摆，不回避矛盾。"),
        ("要求", "要加强学习。"),  # parallel requirements, no heading among them
        ("要求", "要深入调研。"),
        ("要求", "三要严格执行请销假制度。"),  # nothing follows it: it is the requirement
    ]


def test_long_spoken_points_and_short_inner_headings():
    found = _listed(
        "在全市干部大会上的讲话",
        [
            "第二，持续深化作风建设，坚决纠治群众身边的不正之风和腐败问题。各单位要建立问题清单。",
            "要干得快。对定下来的工作，各单位要说干就干。要干得实。各单位要把工作落到实处。",
        ],
        doc_type="讲话",
    )
    assert found == [
        ("要求", "各单位要建立问题清单。"),  # 第二，…… opens with its heading, however long
        ("要求", "对定下来的工作，各单位要说干就干。"),
        ("要求", "各单位要把工作落到实处。"),
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "这种想法和干劲是必须有的。",  # the marker stands inside the closing copula
        "对规范性文件进行审核是确保文件合法有效的重要措施。",
        "解决这些问题，根本上要靠制度。",
    ],
)
def test_descriptions_with_a_marker_word_are_no_requirements(sentence):
    assert not is_requirement_sentence(sentence)


def test_lead_ins_narratives_and_framework_articles_are_no_requirements():
    assert _listed("关于做好年终考核工作的通知", ["尤其要做好以下工作。"]) == []
    assert _listed("关于做好年终考核工作的通知", ["对存在下列问题的单位要进行整改。"]) == []
    assert _listed("在纪念大会上的讲话", ["他认为改革要放开手脚。"], "讲话") == []
    rules = [
        "第一条 为规范全区办公用房管理，严格执行有关规定，制定本规定。",
        "第二条 本规定所称办公用房，是指机关的办公室、会议室和服务用房。",
        "第三条 各单位不得超标准配置办公用房。",
        "第四条 本规定由区机关事务服务中心负责解释。",
        "第五条 本规定自印发之日起施行。",
    ]
    found = _listed("某区机关办公用房管理规定", rules, "规定")
    assert found == [("条款", "第三条 各单位不得超标准配置办公用房。")]


@pytest.mark.parametrize(
    "sentence, kind",
    [
        ("各单位不得以任何名义违规发放津补贴。", "禁止"),
        ("严禁公款吃喝。", "禁止"),
        ("要把探索中的失误，同明令禁止后依然我行我素的违纪行为区分开来。", "要求"),
        ("对巡察发现的问题要跟踪督办，做到问题不解决不放过。", "要求"),
        ("各单位要如实报告，不得隐瞒。", "禁止"),  # the main clause prohibits
    ],
)
def test_prohibition_label_only_with_a_prohibiting_cue(sentence, kind):
    assert _listed("关于加强纪律建设的通知", [sentence]) == [(kind, sentence)]


def test_words_that_only_look_like_prohibitions_prohibit_nothing():
    assert not is_requirement_sentence("群众都说这支队伍惹不得。")
    assert not is_requirement_sentence("看病不排队不要钱。")


def test_corpus_prohibitions_carry_a_prohibiting_cue(corpus):
    cues = ("不得", "严禁", "禁止", "不准", "不许", "决不", "绝不", "杜绝", "严防", "力戒")
    cues += ("切忌", "不要", "不能", "不搞", "一律不")
    labelled = [r for _, reqs in corpus.values() for r in reqs if r.kind == "禁止"]
    assert len(labelled) >= 30
    for r in labelled:
        assert any(c in r.text for c in cues), r.text
        assert "明令禁止" not in r.text or r.text.count("禁止") > 1, r.text


def test_no_clause_repeats_its_own_section_line(corpus_index):
    """A run-in heading is shown once: dropped as a clause where it only heads its item (its
    clauses stand under it), or, kept as a clause (it prohibits, or is long), not under itself."""
    items = requirement_list(Searcher(corpus_index), limit=1000).items
    assert len(items) > 300
    for item in items:
        own = item.text.rstrip("。！!；;")
        for heading in item.section:
            assert not heading.endswith(own), (item.title, item.text, heading)
    kept = [i for i in items if i.text.startswith("各单位要高度重视，严格按照通知要求确定参会人员")]
    assert len(kept) == 1 and kept[0].section == ["五、有关要求"]  # a long heading, kept


# Our own small documents: a 规定 with a who-is-responsible article, a speech, a 表彰决定.
ORDER_FILES = {
    "rules.txt": "\n".join(
        [
            "云溪市机关办公用房管理规定",
            "",
            "第三条 市机关事务服务中心负责全市办公用房的统筹管理，市财政局负责办公用房维修经费的预算管理，"
            "办公用房的调剂由市机关事务服务中心统一办理。",
            "第四条 各单位不得超标准配置办公用房，不得以任何名义新建楼堂馆所。",
            "第五条 领导干部应当只在一处使用办公用房，调任的应当在一个月内腾退原办公用房。",
            "",
            "云溪市人民政府办公室",
            "2023年6月1日",
        ]
    ),
    "speech.txt": "\n".join(
        [
            "在云溪市机关作风建设大会上的讲话",
            "",
            "同志们：",
            "各单位要对照规定逐项清理办公用房，发现问题立行立改。",
            "",
            "2024年3月1日",
        ]
    ),
    "award.txt": "\n".join(
        [
            "中共云溪市委关于表彰2024年度优秀共产党员的决定",
            "",
            "全市各级党组织要以受表彰的同志为榜样，坚持以严的基调正风肃纪。",
            "对受表彰后出现违纪违法问题的，要按程序撤销其荣誉称号。",
            "",
            "中共云溪市委",
            "2025年1月20日",
        ]
    ),
}


def test_default_order_starts_with_rules_and_ends_with_decisions(build):
    items = requirement_list(build(ORDER_FILES), limit=100).items
    assert [(i.doc_type, i.text[:3]) for i in items] == [
        ("规定", "第四条"),
        ("规定", "第五条"),
        ("规定", "第三条"),  # who is responsible: after what one checks against
        ("讲话", "各单位"),
        ("决定", "全市各"),  # the 表彰决定 is newest, yet last
        ("决定", "对受表"),
    ]


def test_a_query_puts_what_one_checks_against_before_who_is_responsible(build):
    items = requirement_list(build(ORDER_FILES), "办公用房", limit=100).items
    texts = [i.text[:3] for i in items]
    assert set(texts) >= {"第三条", "第四条", "第五条"}
    assert texts[-1] == "第三条"
    assert not states_duty(items[0].full_text)


def test_corpus_query_ranks_the_reception_rules_before_who_is_responsible(corpus_index):
    found = requirement_list(Searcher(corpus_index), "公务接待", topics=["八项规定"], limit=100)
    duties = [i for i, item in enumerate(found.items) if states_duty(item.full_text)]
    assert found.items and duties
    assert not states_duty(found.items[0].full_text)
    assert duties == list(range(len(found.items) - len(duties), len(found.items)))
    heads = [item.text[:4] for item in found.items[:3]]
    assert "第五条" not in heads and "第一条" not in heads
    assert any(d.text.startswith("第五条") for d in (found.items[i] for i in duties))


def test_corpus_default_order_puts_decisions_last(corpus_index):
    items = requirement_list(Searcher(corpus_index), limit=1000).items
    ranks = [default_doc_types().requirement_rank(i.doc_type) for i in items]
    assert ranks == sorted(ranks)
    assert items[0].doc_type in ("条例", "规定")
    assert "撤销其荣誉称号" not in items[0].text
    assert any("表彰" in i.title for i in items[-10:])


# --------------------------------------------------------------------------------------------
# Real documents, when ../shared/realdocs is there
# --------------------------------------------------------------------------------------------


@pytest.mark.skipif(not REALDOCS.is_dir(), reason="../shared/realdocs is absent")
def test_realdocs_clauses_are_verbatim_and_case_notices_have_none():
    total = 0
    for path in sorted((REALDOCS / "docs").iterdir()):
        o = outline(path)
        found = extract_requirements(o.title, o.doc_type, o.passages, TOPICS)
        total += len(found)
        for r in found:
            assert r.text in o.passages[r.passage].text, (path.name, r.text)
        if path.name.startswith("case_") or o.doc_type in ("通报", "报告", "公报"):
            assert found == [], path.name
    assert total > 1000


@pytest.mark.skipif(not REALDOCS.is_dir(), reason="../shared/realdocs is absent")
def test_realdocs_clauses_include_no_bare_lead_sentence():
    """No clause over the real documents is a short heading sentence that its item's body
    follows (LEAD_HEADING_CHARS): a numbered run-in heading with text after it or a body
    paragraph under it, or a spoken point (四要……。) with its explanation after it."""
    checked = 0
    for path in sorted((REALDOCS / "docs").iterdir()):
        o = outline(path)
        passages = o.passages
        for r in extract_requirements(o.title, o.doc_type, passages, TOPICS):
            text = passages[r.passage].text
            short = len(r.text.rstrip("。！!；;")) <= LEAD_HEADING_CHARS
            if r.kind != "要求" or not short:
                continue
            number = LIST_NUMBER.match(text)
            if number and text[number.end() :].startswith(r.text):
                if SPOKEN_NUMBER.match(text) and "不" in r.text:
                    continue  # a rule by negation (会议能不开的不开), not a heading
                checked += 1
                rest = text[number.end() + len(r.text) :].strip().lstrip("；;，,、 ")
                following = passages[r.passage + 1] if r.passage + 1 < len(passages) else None
                body = (
                    following is not None
                    and not following.heading
                    and not LIST_NUMBER.match(following.text)
                    and not following.text.startswith("第")
                    and "。" in following.text
                )
                assert not rest and not body, (path.name, r.text)
            if SPOKEN_POINT.match(r.text):
                checked += 1
                after = text[text.index(r.text) + len(r.text) :].strip().lstrip("；;，,、 ")
                assert not after or SPOKEN_POINT.match(after), (path.name, r.text)
    assert checked >= 5
