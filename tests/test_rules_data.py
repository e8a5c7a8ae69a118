"""The word lists of case and requirement detection are data (issue 13, item 3): surnames.txt,
case_people.txt and requirement_cues.txt in corpus/dict are what kb.cases and kb.requirements
use, an index built with another dictionary folder uses that folder's lists, and editing one of
them changes the index digest, so the next ``kb index`` rebuilds."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from kb.cases import (
    PeopleWords,
    default_people_words,
    extract_cases,
    infer_level,
    parse_people_words,
    split_unit_position,
)
from kb.dictionaries import (
    CASE_PEOPLE,
    DICT_FILES,
    DOC_TYPES,
    INDEX_SHAPING,
    REQUIREMENT_CUES,
    SURNAMES,
    Dictionaries,
    DictionaryError,
    dictionary_names,
)
from kb.doctypes import default_doc_types
from kb.requirements import (
    RequirementCues,
    default_requirement_cues,
    extract_requirements,
    is_requirement_sentence,
    parse_requirement_cues,
)
from kb.resources import DEFAULT_DICT
from kb.structure import read_outline

SURNAMES_TEXT = (DEFAULT_DICT / SURNAMES).read_text(encoding="utf-8")
PEOPLE_TEXT = (DEFAULT_DICT / CASE_PEOPLE).read_text(encoding="utf-8")
CUES_TEXT = (DEFAULT_DICT / REQUIREMENT_CUES).read_text(encoding="utf-8")

# 喵 is no surname: 喵大壮, named once after the headline, is found only when 喵 is one.
NOTICE = """关于两起违规收受礼金典型问题的通报

现将两起典型问题通报如下：

一、某县某局原副局长喵大壮违规收受礼金问题。2023年，其多次收受管理服务对象所送礼金共计3万元。2024年3月，喵大壮受到党内严重警告处分。

二、某县人民医院护士长钱某某违规收受红包问题。2023年，钱某某收受患者红包5000元，受到党内警告处分。

以上问题，教训深刻。
"""


def people_with(section: str, words: str, surnames: str = "") -> PeopleWords:
    """The project's people words with ``words`` added to ``section`` of case_people.txt."""
    people = PEOPLE_TEXT.replace(f"[{section}]\n", f"[{section}]\n{words}\n", 1)
    return parse_people_words(SURNAMES_TEXT + "\n" + surnames + "\n", people)


def cues_with(section: str, words: str) -> RequirementCues:
    return parse_requirement_cues(CUES_TEXT.replace(f"[{section}]\n", f"[{section}]\n{words}\n", 1))


def people_of(words: PeopleWords | None = None) -> list[tuple[str, str, str]]:
    outline = read_outline(NOTICE)
    return [
        (c.person, c.position, c.unit)
        for c in extract_cases(outline.title, outline.passages, None, words)
    ]


# --------------------------------------------------------------------------------------------
# Each list is used
# --------------------------------------------------------------------------------------------


def test_the_default_lists_are_loaded_once_and_hold_what_the_code_held():
    words = default_people_words()
    assert words is default_people_words()
    assert len(words.surnames) >= 400 and "王" in words.surnames and "於" in words.surnames
    assert "欧阳" in words.compound_surnames and "欧阳" not in words.surnames
    assert [len(r) for r in words.roles] == sorted(map(len, words.roles), reverse=True)
    assert words.roles.index("副书记") < words.roles.index("书记")  # longest first
    assert "干部" in words.not_names and "内蒙古" in words.provinces
    assert [level for level, _ in words.ranks] == ["中管干部", "省管干部", "县处级", "乡科级"]
    cues = default_requirement_cues()
    assert cues is default_requirement_cues()
    assert "必须" in cues.strong and "严禁" in cues.prohibitions and "主要" in cues.false_friends


def test_a_surname_added_to_the_list_finds_the_person():
    assert people_of()[0] == ("", "", "某县某局原副局")
    assert people_of(people_with("不是人名的词", "", surnames="喵"))[0] == (
        "喵大壮",
        "原副局长",
        "某县某局",
    )


def test_a_compound_surname_is_one_of_two_characters():
    words = parse_people_words(SURNAMES_TEXT + "\n喵喵\n", PEOPLE_TEXT)
    assert "喵喵" in words.compound_surnames and words.is_surname_start("喵喵大壮")
    assert not default_people_words().is_surname_start("喵喵大壮")


def test_a_word_that_is_never_a_name_stops_a_person():
    assert people_of(people_with("不是人名的词", "喵大", surnames="喵"))[0][0] == ""


def test_a_post_added_to_the_list_splits_unit_and_post_and_finds_the_person():
    nurse = people_with("职务", "护士长")
    assert split_unit_position("某县人民医院护士长") == ("某县人民医院护士长", "")
    assert split_unit_position("某县人民医院护士长", nurse) == ("某县人民医院", "护士长")
    assert people_of()[1] == ("", "", "某县人民医院")
    assert people_of(nurse)[1] == ("钱某某", "护士长", "某县人民医院")


@pytest.mark.parametrize(
    "section, word, position, unit, before, after",
    [
        ("单位类型", "书院", "院长", "某县第一书院", "县处级", "其他"),
        ("省级行政区", "桃源", "主任", "桃源发展改革委", "其他", "省管干部"),
        ("职级", "乡科级: 主办", "主办", "某县法院", "其他", "乡科级"),
    ],
)
def test_unit_kinds_provinces_and_ranks_decide_levels(section, word, position, unit, before, after):
    assert infer_level(position, unit) == before
    assert infer_level(position, unit, people_with(section, word)) == after


@pytest.mark.parametrize(
    "section, word, sentence, before, after",
    [
        ("要求", "亟待", "各单位亟待完善台账制度。", False, True),
        ("方案用语", "着力", "各单位着力解决群众急难愁盼问题。", False, True),
        ("不算要求的词", "要览", "本书是一部工作要览。", True, False),
        ("不算禁止的词", "见不得", "群众见不得铺张浪费。", True, False),
    ],
)
def test_requirement_cue_words_decide_requirements(section, word, sentence, before, after):
    assert is_requirement_sentence(sentence) is before
    assert is_requirement_sentence(sentence, cues_with(section, word)) is after


def requirements_of(text: str, cues: RequirementCues | None = None) -> list[tuple[str, str]]:
    outline = read_outline(text)
    found = extract_requirements(outline.title, outline.doc_type, outline.passages, None, cues)
    return [(r.text, r.kind) for r in found]


def test_prohibition_words_and_imperative_verbs_come_from_the_list():
    notice = "关于改进公务接待的通知\n\n各单位不宜超标准接待。\n"
    assert requirements_of(notice) == []
    assert requirements_of(notice, cues_with("禁止", "不宜")) == [
        ("各单位不宜超标准接待。", "禁止")
    ]
    plan = "关于改进工作作风的实施方案\n\n（一）夯实基层基础。\n"
    assert requirements_of(plan) == []
    assert requirements_of(plan, cues_with("祈使动词", "夯实")) == [("夯实基层基础。", "要求")]


def test_articles_that_state_no_rule_come_from_the_list():
    rules = "青岚区公务用车管理规定\n\n第一章 总则\n\n第九条 本规定由区委办公室负责解读。\n"
    article = "第九条 本规定由区委办公室负责解读。"
    assert requirements_of(rules) == [(article, "条款")]
    assert requirements_of(rules, cues_with("不算要求的条款", "负责解读")) == []
    # A marker keeps the article, whatever else it says.
    rules = "青岚区公务用车管理规定\n\n第一章 总则\n\n第九条 各单位应当报区委办公室负责解读。\n"
    assert requirements_of(rules, cues_with("不算要求的条款", "负责解读")) != []


def test_the_new_sections_may_be_left_out_of_an_older_list():
    older = re.sub(r"(?m)^\[(?:不算禁止的词|不算要求的条款|职责用语)\][^[]*", "", CUES_TEXT)
    cues = parse_requirement_cues(older)
    assert cues.not_prohibitions == () and cues.not_articles == () and cues.duties == ()
    assert is_requirement_sentence("各单位不得超标准接待。", cues)


@pytest.mark.parametrize(
    "name, text, message",
    [
        (CASE_PEOPLE, "[职位]\n书记\n", "未知的段名"),
        (CASE_PEOPLE, "书记\n", "段名之下"),
        (CASE_PEOPLE, PEOPLE_TEXT + "\n[职级]\n处级干部: 处长\n", "[职级]"),
        (REQUIREMENT_CUES, "[要求]\n要\n", "不能为空"),
    ],
)
def test_a_broken_list_is_a_dictionary_error_naming_the_file(tmp_path, name, text, message):
    folder = tmp_path / "d"
    shutil.copytree(DEFAULT_DICT, folder)
    (folder / name).write_text(text, encoding="utf-8")
    with pytest.raises(DictionaryError, match=r".*".join([name.replace(".", r"\."), message])):
        Dictionaries.load(folder)


# --------------------------------------------------------------------------------------------
# A dictionary folder's lists shape its index
# --------------------------------------------------------------------------------------------


def test_the_lists_travel_with_an_index_and_shape_its_digest():
    for name in (SURNAMES, CASE_PEOPLE, REQUIREMENT_CUES, DOC_TYPES):
        assert name in DICT_FILES and name in INDEX_SHAPING
        assert name in dictionary_names(DEFAULT_DICT)


@pytest.mark.parametrize("name", [SURNAMES, CASE_PEOPLE, REQUIREMENT_CUES, DOC_TYPES])
def test_editing_a_list_changes_the_index_digest(tmp_path, name):
    folder = tmp_path / "d"
    shutil.copytree(DEFAULT_DICT, folder)
    before = Dictionaries.index_digest_of(folder)
    with open(folder / name, "a", encoding="utf-8") as stream:
        stream.write("\n# 一行注释也算改动\n")
    assert Dictionaries.index_digest_of(folder) != before


def test_a_folder_without_the_lists_uses_the_projects_own(tmp_path):
    folder = tmp_path / "d"
    shutil.copytree(DEFAULT_DICT, folder)
    for name in (SURNAMES, CASE_PEOPLE, REQUIREMENT_CUES, DOC_TYPES):
        (folder / name).unlink()
    dictionaries = Dictionaries.load(folder)
    assert dictionaries.people_words == default_people_words()
    assert dictionaries.requirement_cues == default_requirement_cues()
    assert dictionaries.doc_types == default_doc_types()
    (folder / SURNAMES).write_text("喵\n", encoding="utf-8")  # only surnames: posts are ours
    words = Dictionaries.load(folder).people_words
    assert words.surnames == {"喵"} and words.roles == default_people_words().roles


def test_an_index_uses_its_folders_lists_and_an_edit_rebuilds_it(tmp_path: Path):
    from indexer.store import update_index
    from kb.engines.whoosh.searcher import Searcher

    dict_dir = tmp_path / "dict"
    shutil.copytree(DEFAULT_DICT, dict_dir)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "notice.txt").write_text(NOTICE, encoding="utf-8")
    index = tmp_path / "index"

    first = update_index(index, [docs], dict_dir)
    assert first.rebuilt and not first.failed
    assert [c.person for c in Searcher(index).cases().cases] == ["", ""]

    assert not update_index(index, [docs], dict_dir).rebuilt  # nothing changed
    with open(dict_dir / SURNAMES, "a", encoding="utf-8") as stream:
        stream.write("\n喵\n")
    with open(dict_dir / CASE_PEOPLE, "a", encoding="utf-8") as stream:
        stream.write("\n[职务]\n护士长\n")
    again = update_index(index, [docs], dict_dir)
    assert again.rebuilt
    people = sorted(c.person for c in Searcher(index).cases().cases)
    assert people == ["喵大壮", "钱某某"]
    # The project's own lists are untouched: an index of them still finds neither.
    other = tmp_path / "other"
    update_index(other, [docs], DEFAULT_DICT)
    assert [c.person for c in Searcher(other).cases().cases] == ["", ""]


def test_a_folder_without_a_list_follows_the_projects_list_in_its_digest(tmp_path: Path):
    """A folder that leaves a list out uses the project's, so the project's content stands in
    for it in the digest: editing the project's list rebuilds that index too."""
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "userdict.txt").write_text("四风\n", encoding="utf-8")
    full = tmp_path / "full"
    full.mkdir()
    (full / "userdict.txt").write_text("四风\n", encoding="utf-8")
    for name in (
        SURNAMES,
        CASE_PEOPLE,
        REQUIREMENT_CUES,
        DOC_TYPES,
        "case_taxonomy.txt",
        "topics.txt",
    ):
        shutil.copy(DEFAULT_DICT / name, full / name)
    assert Dictionaries.index_digest_of(folder) == Dictionaries.index_digest_of(full)
