"""kb.doctypes, the one owner of 公文 document types: the list is data (corpus/dict/
doc_types.txt), parsed strictly; the type of a title follows it; and a dictionary folder's own
list decides the types of its index, side files and requirement clauses."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from indexer.sidecar import read_side_metadata
from kb.dictionaries import DOC_TYPES, Dictionaries, DictionaryError, doc_types_of
from kb.doctypes import (
    OTHER,
    default_doc_types,
    infer_doc_type,
    parse_doc_types,
    strip_title_note,
)
from kb.model import Passage
from kb.requirements import extract_requirements
from kb.resources import DEFAULT_DICT
from kb.structure import read_outline

TEXT = (DEFAULT_DICT / DOC_TYPES).read_text(encoding="utf-8")
# 纪要 becomes a type of its own; minutes state requirements too.
WITH_MINUTES = TEXT.replace("[文种]\n", "[文种]\n纪要\n", 1).replace(
    "[提出要求的文种]\n", "[提出要求的文种]\n纪要\n", 1
)


def test_the_projects_list():
    types = default_doc_types()
    assert types.all[:3] == ("讲话", "方案", "通报") and types.all[-1] == OTHER
    assert types.directing == {"讲话", "方案", "意见", "通知", "决定", "条例", "规定", "办法"}
    assert types.directing < set(types.names)
    lengths = [len(ending) for ending, _ in types.endings]
    assert lengths == sorted(lengths, reverse=True)  # the longest ending decides
    assert types.by_ending("2025年工作要点") == "方案"
    assert types.by_ending("议事规则") == "规定"
    assert types.by_ending("会议纪要") == ""
    assert types.ends_like_title("会议纪要") and types.ends_like_title("关于……的通知")
    assert not types.ends_like_title("关于加强作风建设")


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("关于开好民主生活会的通知", "通知"),
        ("某某实施细则（试行）", "规定"),
        ("关于印发《示范工作方案》的通知", "方案"),
        ("在全区大会上的讲话", "讲话"),
        ("青岚区警示教育典型案例汇编（第一辑）", "通报"),
        ("2024年工作报告", "报告"),
        ("区委常委会会议纪要", OTHER),
    ],
)
def test_the_type_of_a_title(title, expected):
    assert infer_doc_type(title) == expected


def test_a_report_delivered_at_a_meeting_is_a_speech():
    assert infer_doc_type("政府工作报告", "同志们：") == "讲话"
    assert infer_doc_type("政府工作报告", "", "——在区人大会议上的报告\n") == "讲话"


def test_strip_title_note():
    assert strip_title_note("某某办法（试行）") == "某某办法"
    assert strip_title_note("某某办法") == "某某办法"


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ("讲话\n[文种]\n通知\n", "段名之下"),
        ("[文种]\n", "不能为空"),
        ("[文种]\n通知\n[标题结尾]\n纪要：会议纪要\n", "须在 [文种]"),
        ("[文种]\n通知\n[标题结尾]\n通知 告知书\n", "文种：词"),
        ("[文种]\n通知\n[提出要求的文种]\n讲话\n", "“讲话”不在"),
        ("[文种]\n通知\n[文号]\n", "未知的段名"),
    ],
)
def test_a_list_with_a_mistake_is_refused_with_a_reason(text, wrong):
    with pytest.raises(ValueError, match=re.escape(wrong)):
        parse_doc_types(text)


def test_a_folders_own_list_decides(tmp_path: Path):
    folder = tmp_path / "d"
    shutil.copytree(DEFAULT_DICT, folder)
    (folder / DOC_TYPES).write_text(WITH_MINUTES, encoding="utf-8")
    types = Dictionaries.load(folder).doc_types
    assert types == doc_types_of(folder) and "纪要" in types.all
    minutes = "区委常委会会议纪要\n\n一、会议要求，各单位必须于月底前完成自查。\n"
    assert read_outline(minutes).doc_type == OTHER
    outline = read_outline(minutes, doc_types=types)
    assert outline.doc_type == "纪要"
    passages = [Passage(text="各单位必须于月底前完成自查。")]
    assert extract_requirements("会议纪要", "纪要", passages) == []
    assert extract_requirements("会议纪要", "纪要", passages, doc_types=types)
    source = tmp_path / "纪要.txt"
    source.write_text(minutes, encoding="utf-8")
    (tmp_path / "纪要.txt.json").write_text(json.dumps({"doc_type": "纪要"}), encoding="utf-8")
    assert read_side_metadata(source).values == {}
    assert read_side_metadata(source, types).values == {"doc_type": "纪要"}
    (folder / DOC_TYPES).write_text("[文种]\n", encoding="utf-8")
    with pytest.raises(DictionaryError, match=DOC_TYPES):
        doc_types_of(folder)


def test_an_index_takes_its_folders_types_and_an_edit_rebuilds_it(tmp_path: Path):
    from indexer.store import update_index
    from kb.engines.whoosh.searcher import Searcher

    dict_dir = tmp_path / "dict"
    shutil.copytree(DEFAULT_DICT, dict_dir)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "minutes.txt").write_text(
        "区委常委会会议纪要\n\n会议研究了作风建设有关工作，要求各单位抓好落实。\n", encoding="utf-8"
    )
    index = tmp_path / "index"
    assert update_index(index, [docs], dict_dir).rebuilt
    assert {h.doc_type for h in Searcher(index).search("作风建设").hits} == {OTHER}
    (dict_dir / DOC_TYPES).write_text(WITH_MINUTES, encoding="utf-8")
    assert update_index(index, [docs], dict_dir).rebuilt
    assert {h.doc_type for h in Searcher(index).search("作风建设").hits} == {"纪要"}
