"""Cases of typical-case notices as records (kb.cases): our corpus checked by hand, small
synthetic notices for the edge cases, and the real CCDI notices when ../shared/realdocs is there."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import REALDOCS
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.cases import (
    DEFAULT_TAXONOMY,
    LEVELS,
    chinese_number,
    conduct_years,
    extract_cases,
    infer_level,
    is_case_notice,
    load_taxonomy,
    parse_taxonomy,
    split_unit_position,
    stated_count,
)
from kb.structure import read_outline

CORPUS_DOCS = Path(__file__).resolve().parents[1] / "corpus" / "docs"
TAXONOMY = load_taxonomy()


def outline_of(path: Path):
    return read_outline(path.read_text(encoding="utf-8"))


def cases_of(text: str):
    outline = read_outline(text)
    return extract_cases(outline.title, outline.passages, TAXONOMY)


def full_text(outline) -> str:
    return "\n".join([outline.title, *(p.text for p in outline.passages)])


# --------------------------------------------------------------------------------------------
# The taxonomy file
# --------------------------------------------------------------------------------------------


def test_taxonomy_file_has_the_required_categories_and_sanctions():
    problems = [c.label for c in TAXONOMY.problems]
    for label in (
        "违规收送礼品礼金",
        "违规吃喝",
        "公款旅游",
        "违规发放津贴补贴",
        "公车私用",
        "违规出入私人会所",
        "违规操办婚丧喜庆",
        "违规兼职取酬/经商办企业",
        "形式主义官僚主义",
        "形式主义官僚主义/加重基层负担",
        "形式主义官僚主义/政绩工程面子工程",
        "形式主义官僚主义/数据造假",
        "形式主义官僚主义/不担当不作为",
        "形式主义官僚主义/层层加码一刀切",
        "形式主义官僚主义/文山会海",
        "形式主义官僚主义/弄虚作假",
        "贪污受贿",
        "以权谋私",
    ):
        assert label in problems
    sanctions = [c.label for c in TAXONOMY.sanctions]
    assert sanctions[:5] == ["党内警告", "党内严重警告", "撤销党内职务", "留党察看", "开除党籍"]
    for label in ("政务警告", "记过", "记大过", "降级", "撤职", "开除公职", "诫勉"):
        assert label in sanctions
    for label in ("批评教育", "责令检查", "组织处理", "移送检察机关", "判刑"):
        assert label in sanctions
    # A slash after a name that is not a category is part of the name, not a sub-kind.
    side_job = next(c for c in TAXONOMY.problems if c.label == "违规兼职取酬/经商办企业")
    assert side_job.parent == ""
    data = next(c for c in TAXONOMY.problems if c.label == "形式主义官僚主义/数据造假")
    assert data.parent == "形式主义官僚主义"
    assert DEFAULT_TAXONOMY.read_text(encoding="utf-8").startswith("#")


def test_sub_kinds_replace_their_parent_and_results_keep_file_order():
    taxonomy = parse_taxonomy(
        "[问题类别]\n甲类: 甲词\n形式主义: 形式主义\n形式主义/造假: 数据造假, 虚报…数据\n乙类: 乙词\n"
        "[处理处分]\n警告: 警告\n"
    )
    assert taxonomy.find_problems("乙词，甲词") == ["甲类", "乙类"]
    assert taxonomy.find_problems("搞形式主义") == ["形式主义"]
    assert taxonomy.find_problems("搞形式主义，数据造假") == ["形式主义/造假"]
    # "…" stands for a short gap inside a sentence, never across one.
    assert taxonomy.find_problems("虚报招商引资数据") == ["形式主义/造假"]
    assert taxonomy.find_problems("虚报了。另有数据") == []


def test_the_longest_keyword_wins_where_keywords_overlap():
    assert TAXONOMY.find_sanctions("受到党内严重警告处分") == ["党内严重警告"]
    assert TAXONOMY.find_sanctions("受到党内警告、政务记大过处分") == ["党内警告", "记大过"]
    assert TAXONOMY.find_sanctions("受到警告处分") == ["政务警告"]
    assert TAXONOMY.find_problems("虚报冒领补贴") == ["侵害群众利益"]


def test_taxonomy_errors_are_reported_in_chinese():
    with pytest.raises(ValueError, match="冒号"):
        parse_taxonomy("[问题类别]\n没有冒号的一行\n")
    with pytest.raises(ValueError, match="段"):
        parse_taxonomy("违规吃喝: 宴请\n")


# --------------------------------------------------------------------------------------------
# Our corpus
# --------------------------------------------------------------------------------------------

CASE_FILES = sorted(CORPUS_DOCS.glob("case_*.txt"))


def corpus_cases(name: str):
    outline = outline_of(CORPUS_DOCS / name)
    return outline, extract_cases(outline.title, outline.passages, TAXONOMY)


def test_corpus_has_case_notices():
    assert len(CASE_FILES) >= 4


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.name)
def test_every_corpus_notice_yields_as_many_cases_as_it_states(path):
    outline = outline_of(path)
    assert is_case_notice(outline.title, outline.passages, TAXONOMY)
    cases = extract_cases(outline.title, outline.passages, TAXONOMY)
    stated = stated_count(full_text(outline))
    assert stated is not None
    assert len(cases) == stated
    assert [c.ordinal for c in cases] == list(range(1, stated + 1))
    for case in cases:
        assert case.text == "\n".join(outline.passages[i].text for i in case.passage_ordinals)
        assert case.level in LEVELS
        assert case.person and case.summary and case.sanctions and case.problems
        # Neither the announcing paragraph nor the closing part belongs to a case.
        assert "通报如下" not in case.text
        assert not any(line.startswith(("以上", "上述", "一是")) for line in case.text.split("\n"))
    ordinals = [i for case in cases for i in case.passage_ordinals]
    assert ordinals == sorted(set(ordinals))


def test_stated_counts_of_the_corpus_notices():
    expected = {
        "case_2023_xingshi_zhuyi_tongbao.txt": 4,  # 现将其中4起典型问题通报如下
        "case_2024_baxiang_guiding_tongbao.txt": 5,
        "case_2024_jingshi_jiaoyu_anli_huibian.txt": 8,  # 本辑收录典型案例8起
        "case_2025_weigui_chihe_tongbao.txt": 6,
    }
    for name, count in expected.items():
        assert stated_count(full_text(outline_of(CORPUS_DOCS / name))) == count, name


def test_a_case_with_its_person_in_the_headline():
    _, cases = corpus_cases("case_2024_baxiang_guiding_tongbao.txt")
    case = cases[0]
    assert case.summary == "青石镇党委原副书记、镇长罗建平接受私营企业主宴请问题"
    assert (case.person, case.position, case.unit) == ("罗建平", "党委原副书记、镇长", "青石镇")
    assert case.level == "乡科级"
    assert case.problems == ["违规收送礼品礼金", "违规吃喝", "违规出入私人会所", "以权谋私"]
    assert case.sanctions == ["撤销党内职务", "撤职"]
    assert case.years == [2022, 2023, 2024]  # 2022年3月至2024年2月, not the 2024年6月 sanction


def test_a_case_against_a_unit_names_the_leader_held_responsible():
    _, cases = corpus_cases("case_2024_baxiang_guiding_tongbao.txt")
    case = cases[3]
    assert case.summary == "区市场监管局违规发放津贴补贴问题"
    assert (case.person, case.position, case.unit) == ("宋光明", "原党组书记、局长", "区市场监管局")
    assert case.level == "县处级"  # the 局长 of a county-level bureau
    assert case.problems == ["违规发放津贴补贴"]
    # Only 宋光明's sanction: the 记过 of the deputy and the 诫勉谈话 of the office head are not his.
    assert case.sanctions == ["党内警告"]
    assert case.years == [2022, 2023]


def test_formalism_cases_carry_their_sub_kinds():
    _, cases = corpus_cases("case_2023_xingshi_zhuyi_tongbao.txt")
    first, second, third, fourth = cases
    assert (first.person, first.position, first.level) == ("赵文博", "科长", "乡科级")
    assert first.unit == "区住房城乡建设局物业管理科"
    assert "形式主义官僚主义/数据造假" in first.problems
    assert first.sanctions == ["党内警告", "记过"]
    assert first.years == [2023]
    assert (second.person, second.unit) == ("吴晓峰", "西山街道党政办公室")
    assert "形式主义官僚主义/层层加码一刀切" in second.problems
    assert "形式主义官僚主义/加重基层负担" in second.problems
    assert (third.person, third.position, third.unit) == ("唐志刚", "党委书记", "青石镇")
    assert third.problems[0] == "形式主义官僚主义/政绩工程面子工程"
    assert third.sanctions == ["党内严重警告", "降级"]
    assert third.years == [2022, 2023]
    assert fourth.problems == ["形式主义官僚主义/不担当不作为"]
    assert fourth.level == "乡科级"


def test_warning_education_compilation():
    _, cases = corpus_cases("case_2024_jingshi_jiaoyu_anli_huibian.txt")
    village = cases[0]
    assert (village.person, village.unit) == ("蒋福生", "北塘镇柳湾村")
    assert village.position == "原党支部书记、村委会主任"
    assert village.level == "其他"  # village cadres are not 乡科级
    assert {"贪污受贿", "侵害群众利益"} <= set(village.problems)
    assert village.sanctions == ["开除党籍", "移送检察机关"]
    assert village.years == [2019, 2020, 2021, 2022, 2023]
    assert "【警示】" in village.text  # the text is the whole case
    bribery = cases[7]
    assert bribery.summary == "青岚区政协原副主席魏长青受贿案"
    assert (bribery.person, bribery.position, bribery.unit) == ("魏长青", "原副主席", "青岚区政协")
    assert bribery.level == "县处级"
    assert bribery.sanctions == ["开除党籍", "开除公职", "移送检察机关", "判刑"]
    assert bribery.years == list(range(2012, 2023))
    assert cases[4].level == "其他"  # a school principal
    assert (cases[5].position, cases[5].level) == ("原所长", "乡科级")


def test_compound_surnames_and_staff_ranks():
    _, cases = corpus_cases("case_2025_weigui_chihe_tongbao.txt")
    canteen = cases[2]
    assert (canteen.person, canteen.position, canteen.unit) == (
        "欧阳志明",
        "原主任",
        "区政务服务中心",
    )
    assert canteen.level == "县处级"
    drink_driving = cases[5]
    assert (drink_driving.person, drink_driving.position) == ("孙浩然", "四级主任科员")
    assert drink_driving.level == "乡科级"
    assert drink_driving.problems == ["违规吃喝", "酒驾醉驾"]
    assert drink_driving.sanctions == ["党内严重警告", "记过"]
    assert drink_driving.years == [2024]
    trip = cases[1]
    assert trip.summary == "白沙乡党委借培训之名公款旅游问题"
    assert (trip.person, trip.unit, trip.level) == ("冯建军", "白沙乡", "乡科级")
    assert trip.problems[0] == "公款旅游"


def test_documents_that_are_not_case_notices_have_no_cases():
    others = [
        p
        for p in sorted(CORPUS_DOCS.glob("*.txt"))
        if p.name.startswith(("speech_", "plan_", "opinion_", "regulation_", "report_"))
    ]
    assert len(others) >= 5
    for path in others:
        try:
            outline = outline_of(path)
        except UnicodeDecodeError:
            continue
        assert not is_case_notice(outline.title, outline.passages, TAXONOMY), path.name
        assert extract_cases(outline.title, outline.passages, TAXONOMY) == []


# --------------------------------------------------------------------------------------------
# Synthetic notices: edge cases
# --------------------------------------------------------------------------------------------


def test_chinese_and_arabic_counts():
    assert [chinese_number(n) for n in ("十", "十二", "二十", "两", "七", "12", "一百零五")] == [
        10,
        12,
        20,
        2,
        7,
        12,
        105,
    ]
    assert chinese_number("起") is None
    assert stated_count("关于十二起违规吃喝典型问题的通报\n正文。") == 12
    assert (
        stated_count("市纪委通报\n今年共查处问题21起，处理28人。现将其中两起典型问题通报如下：")
        == 2
    )
    assert stated_count("警示教育案例汇编\n前言。本辑收录典型案例8起，涉及多个领域。") == 8
    assert stated_count("中央纪委国家监委公开通报青海省6名党员领导干部违规吃喝问题\n正文。") == 6
    assert stated_count("关于加强作风建设的通知\n今年共查处问题21起。") is None


NOTICE_CN = """关于三起违反中央八项规定精神典型问题的通报

各镇乡党委：

今年以来，全县共查处违反中央八项规定精神问题12起。现将其中三起典型问题通报如下：

一、某县某局原副局长王某某违规收受礼金问题。2021年至2023年，王某某多次收受管理服务对象所送礼金共计3万元。2024年3月，王某某受到党内严重警告、政务降级处分；分管该局财务的李四被给予诫勉谈话。

二、某县某镇镇长陈某违规公款吃喝问题。2023年5月，陈某在镇机关食堂安排宴请，餐费以会议费名义报销。2024年1月，陈某受到党内警告处分。

三、某县某局局长赵五受贿问题。2015年至2022年，赵五利用职务便利为他人谋取利益，非法收受财物共计200万元。2023年，赵五被开除党籍、开除公职，涉嫌犯罪问题被移送检察机关依法审查起诉。2024年5月，赵五因犯受贿罪被判处有期徒刑六年。

以上问题，教训深刻。各级党组织要引以为戒。

一是要严格落实中央八项规定精神。
"""


def test_chinese_numbering_masked_names_and_several_sanctions():
    cases = cases_of(NOTICE_CN)
    assert len(cases) == stated_count(NOTICE_CN) == 3
    first, second, third = cases
    assert (first.person, first.position, first.unit) == ("王某某", "原副局长", "某县某局")
    assert first.sanctions == ["党内严重警告", "降级"]  # not the 诫勉 of 李四
    assert first.problems == ["违规收送礼品礼金"]
    assert first.years == [2021, 2022, 2023]
    assert (second.person, second.position) == ("陈某", "镇长")
    assert second.problems == ["违规吃喝"]
    assert third.person == "赵五"
    assert third.sanctions == ["开除党籍", "开除公职", "移送检察机关", "判刑"]
    assert third.years == list(range(2015, 2023))
    assert "以上问题" not in third.text


NOTICE_UNNUMBERED = """中央纪委国家监委公开通报三起违规吃喝典型问题

日前，中央纪委国家监委对3起违规吃喝典型问题进行公开通报。具体如下：
甲省乙市政府原党组成员、副市长钱多多违规接受宴请问题。2019年至2022年，钱多多多次接受私营企业主安排的宴请，饮用高档酒水。钱多多还存在其他严重违纪违法问题，被开除党籍、开除公职。
丙省丁县委原书记孙少少违规收受礼品礼金问题。2020年至2021年，孙少少收受礼金共计10万元。孙少少受到党内严重警告处分。
戊省某厅机关服务中心违规发放津贴补贴问题。2021年，该中心以加班补助名义违规发放津贴补贴5万元。中心主任周大大受到党内警告处分，其他人员受到批评教育。
中央纪委国家监委指出，违规吃喝问题反弹风险较高。
中央纪委国家监委强调，各级纪检监察机关要紧盯节点。
"""


def test_a_notice_without_numbering():
    cases = cases_of(NOTICE_UNNUMBERED)
    assert len(cases) == stated_count(NOTICE_UNNUMBERED) == 3
    mayor, secretary, unit = cases
    assert (mayor.person, mayor.unit, mayor.level) == ("钱多多", "甲省乙市政府", "省管干部")
    assert mayor.position == "原党组成员、副市长"
    assert mayor.sanctions == ["开除党籍", "开除公职"]
    assert (secretary.person, secretary.unit, secretary.level) == ("孙少少", "丙省丁县委", "县处级")
    assert unit.summary == "戊省某厅机关服务中心违规发放津贴补贴问题"
    assert (unit.person, unit.unit) == ("周大大", "戊省某厅机关服务中心")
    assert unit.problems == ["违规发放津贴补贴"]
    assert not any("指出" in case.text for case in cases)


def test_a_notice_forwarding_another_states_the_sum_of_both_runs():
    text = (
        "关于学习两份典型问题通报的通知（附通报全文）\n\n"
        "各位老师：请认真学习下列通报。\n"
        "附：市纪委对2起违规吃喝典型问题进行通报。具体如下：\n"
        "甲市财政局原局长吴一一违规接受宴请问题。2022年，吴一一多次接受宴请。吴一一受到党内警告处分。\n"
        "甲市教育局原副局长郑二二违规收受礼金问题。2023年，郑二二收受礼金。郑二二受到党内警告处分。\n"
        "市纪委指出，要以案为鉴。\n"
        "附：县纪委通报1起典型问题\n"
        "现将县纪委查处的1起典型问题通报如下。\n"
        "1.乙县某镇副镇长冯三三公车私用问题。2024年，冯三三公车私用。冯三三受到党内警告处分。\n"
    )
    cases = cases_of(text)
    assert stated_count(text) == 3
    assert [c.person for c in cases] == ["吴一一", "郑二二", "冯三三"]
    assert cases[2].level == "乡科级"


def test_one_incident_reported_as_n_persons_yields_a_record_each():
    text = (
        "中央纪委国家监委公开通报某省3名党员领导干部违规聚餐饮酒问题\n\n"
        "日前，中央纪委国家监委公开通报了某省3名党员领导干部违规聚餐饮酒问题。\n"
        "经查，2023年5月，时任某省政府党组成员、秘书长杜甲甲，组织某省水利厅党组书记、厅长"
        "白乙乙，某省某市委书记包丙丙，在某宾馆聚餐饮酒。\n"
        "经研究，给予杜甲甲撤销党内职务、政务撤职处分，给予白乙乙留党察看一年、政务撤职处分，"
        "给予包丙丙党内严重警告处分。\n"
        "中央纪委国家监委指出，各级党组织要引以为戒。\n"
    )
    cases = cases_of(text)
    assert [c.person for c in cases] == ["杜甲甲", "白乙乙", "包丙丙"]
    assert [c.sanctions for c in cases] == [
        ["撤销党内职务", "撤职"],
        ["留党察看", "撤职"],
        ["党内严重警告"],
    ]
    assert [c.level for c in cases] == ["省管干部", "省管干部", "省管干部"]
    assert all(c.problems == ["违规吃喝"] and c.years == [2023] for c in cases)


def test_a_warning_education_write_up_is_one_case():
    text = (
        "一念之差 悔之晚矣\n\n"
        "一念之差 悔之晚矣\n"
        "韩某某：一念之差 悔之晚矣\n"
        "韩某某，某省某市原副市长。2022年，韩某某因涉嫌严重违纪违法接受审查调查并被留置。\n"
        "2013年至2021年，韩某某利用职务便利，在工程承揽方面为他人谋取利益，非法收受财物共计500万元。\n"
        "韩某某被开除党籍、开除公职，2023年因犯受贿罪被判处有期徒刑十年。\n"
        "（来源：某某网）\n"
    )
    outline = read_outline(text)
    assert is_case_notice(outline.title, outline.passages, TAXONOMY)
    (case,) = extract_cases(outline.title, outline.passages, TAXONOMY)
    assert case.summary == "韩某某：一念之差 悔之晚矣"
    assert (case.person, case.position, case.unit) == ("韩某某", "原副市长", "某省某市")
    assert case.level == "省管干部"
    assert case.sanctions == ["开除党籍", "开除公职", "判刑"]
    assert case.years == list(range(2013, 2022))
    assert "来源" not in case.text


def test_notices_of_good_practice_and_speeches_are_not_case_notices():
    practice = (
        "关于作风建设典型经验做法的通报\n\n"
        "为推广好经验，对以下2个单位的经验做法予以通报表扬。\n"
        "一、甲镇“无会周”做法\n"
        "甲镇每月第二周不开会，干部下村走访。\n"
        "二、乙街道报表“一表通”做法\n"
        "乙街道整合报表，减轻社区负担。\n"
    )
    outline = read_outline(practice)
    assert not is_case_notice(outline.title, outline.passages, TAXONOMY)
    speech = (
        "以案为鉴 警钟长鸣\n\n"
        "——在全区警示教育大会上的讲话\n"
        "同志们：近年来查处的案件中，有人被开除党籍、开除公职，有人因受贿罪被判处有期徒刑。\n"
        "一、正视问题\n"
        "有的干部违纪违法，被立案审查调查并留置。\n"
    )
    outline = read_outline(speech)
    assert not is_case_notice(outline.title, outline.passages, TAXONOMY)


def test_years_leave_out_discovery_and_sanction_dates():
    text = (
        "2019年9月至2021年6月，某某违规发放津补贴。2022年区委巡察期间发现该问题。"
        "2023年3月，某某受到党内警告处分。"
    )
    assert conduct_years(text) == [2019, 2020, 2021]
    assert conduct_years("２０２４年５月，组织干部赴外地旅游。") == [2024]


@pytest.mark.parametrize(
    ("position", "unit", "level"),
    [
        ("原党组书记、部长", "农业农村部", "中管干部"),
        ("原常委、杭州市委原书记", "浙江省委", "中管干部"),
        ("原党组成员、副主席", "广西壮族自治区政府", "中管干部"),
        ("原党委书记、董事长", "中国人寿保险（集团）公司", "中管干部"),
        ("原党委委员、副主席", "中国银行业监督管理委员会", "中管干部"),
        ("原委员、执行局原局长", "最高人民法院审判委员会", "省管干部"),
        ("原党组成员、秘书长", "上海市政协", "省管干部"),
        ("原党组书记、厅长", "江西省文化和旅游厅", "省管干部"),
        ("原书记", "宁夏回族自治区中卫市委", "省管干部"),
        ("一级巡视员", "国家统计局辽宁调查总队", "省管干部"),
        ("原区委副书记、区长", "宁夏回族自治区银川市金凤区", "县处级"),
        ("原党组成员、副局长", "区教育局", "县处级"),
        ("原党组书记、局长", "沅陵县教育局", "县处级"),
        ("二级调研员", "北京市原密云经济开发区管理委员会", "县处级"),
        ("", "河北省廊坊市三河市", "县处级"),
        ("党委原副书记、镇长", "青石镇", "乡科级"),
        ("股长", "区农业农村局农村经营管理股", "乡科级"),
        ("原党支部书记、村委会主任", "北塘镇柳湾村", "其他"),
        ("原校长", "区教育局所属某中学", "其他"),
        ("教师", "华中科技大学", "其他"),
    ],
)
def test_levels(position, unit, level):
    assert infer_level(position, unit) == level


def test_unit_and_position_are_split_where_the_posts_begin():
    assert split_unit_position("北塘镇党委原副书记") == ("北塘镇", "党委原副书记")
    assert split_unit_position("区住房城乡建设局物业管理科科长") == (
        "区住房城乡建设局物业管理科",
        "科长",
    )
    assert split_unit_position("原江苏省淮海剧团党支部书记、团长") == (
        "江苏省淮海剧团",
        "原党支部书记、团长",
    )
    assert split_unit_position("时任青石镇党委书记") == ("青石镇", "党委书记")
    assert split_unit_position("山西省原粮食局党组书记、局长") == (
        "山西省原粮食局",
        "党组书记、局长",
    )


PARAGRAPHS = [
    "现将2起典型问题通报如下：",
    "1.甲镇干部张某某违规吃喝问题。2023年张某某多次公款吃喝，受到党内警告处分。",
    "二、乙局局长李某公车私用问题。2024年李某公车私用，受到诫勉处理。",
    "丙县委原书记王某某受贿问题。王某某被开除党籍。",
    "以上问题，教训深刻。",
    "一是要严守纪律。",
    "各级党组织要引以为戒。",
    "这是一段普通的说明文字。",
    "●丁街道违规发放津贴补贴问题",
    "2022年，该街道违规发放补贴。",
]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from(PARAGRAPHS), max_size=12),
    st.sampled_from(["关于典型问题的通报", "某文件"]),
)
def test_cases_never_overlap_and_their_text_is_their_passages(paragraphs, title):
    outline = read_outline("\n".join([title, *paragraphs]))
    cases = extract_cases(outline.title, outline.passages, TAXONOMY)
    seen: list[int] = []
    for number, case in enumerate(cases, 1):
        assert case.ordinal == number
        assert case.passage_ordinals == sorted(case.passage_ordinals)
        assert case.text == "\n".join(outline.passages[i].text for i in case.passage_ordinals)
        assert case.level in LEVELS
        seen += case.passage_ordinals
    if len(cases) > 1:
        assert seen == sorted(set(seen))


# --------------------------------------------------------------------------------------------
# Real notices (../shared/realdocs)
# --------------------------------------------------------------------------------------------

realdocs = pytest.mark.skipif(
    not (REALDOCS / "docs").is_dir(),
    reason="../shared/realdocs is absent (it sits beside the checkout in CI)",
)


def manifest() -> list[dict]:
    with (REALDOCS / "MANIFEST.tsv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def real_outline(name: str):
    return read_outline((REALDOCS / "docs" / name).read_text(encoding="utf-8"))


@realdocs
def test_real_notices_yield_the_number_of_cases_they_state():
    stated_rows = exact = 0
    misses = []
    for row in manifest():
        if row["genre"] != "case":
            continue
        outline = real_outline(row["file"])
        if not is_case_notice(outline.title, outline.passages, TAXONOMY):
            misses.append((row["file"], "not a case notice"))
            continue
        stated = stated_count(full_text(outline))
        if stated is None:
            continue
        stated_rows += 1
        found = len(extract_cases(outline.title, outline.passages, TAXONOMY))
        if found == stated:
            exact += 1
        else:
            misses.append((row["file"], f"stated {stated}, found {found}"))
    assert stated_rows >= 14
    assert exact / stated_rows >= 0.9, misses
    assert not [m for m in misses if m[1] == "not a case notice"]


@realdocs
def test_real_documents_of_other_genres_are_not_case_notices():
    for row in manifest():
        if row["genre"] == "case":
            continue
        outline = real_outline(row["file"])
        assert not is_case_notice(outline.title, outline.passages, TAXONOMY), row["file"]


@realdocs
def test_fields_of_real_ccdi_cases():
    outline = real_outline("case_024_ccdi_20220905.txt")
    cases = extract_cases(outline.title, outline.passages, TAXONOMY)
    assert len(cases) == 10
    provincial = cases[2]
    assert provincial.person == "周江勇"
    assert provincial.unit == "浙江省委"
    assert provincial.level == "中管干部"
    assert provincial.problems[:2] == ["违规收送礼品礼金", "违规吃喝"]
    assert provincial.sanctions == ["开除党籍", "开除公职", "移送检察机关"]
    assert provincial.years == list(range(2013, 2022))
    assert cases[5].level == "省管干部"  # a city 人大常委会 deputy director
    outline = real_outline("case_029_ccdi_20230427.txt")
    persons = extract_cases(outline.title, outline.passages, TAXONOMY)
    assert len(persons) == 6  # 通报……6名党员领导干部: one record per person
    assert persons[0].person == "师存武"
    assert persons[0].sanctions == ["开除党籍", "开除公职"]
