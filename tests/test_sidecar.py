"""Metadata stated beside the files overrides what kb infers."""

from __future__ import annotations

import json

from indexer.sidecar import read_side_metadata
from indexer.store import update_index
from kb.cli import DEFAULT_DICT
from kb.engines.whoosh.searcher import Searcher

TEXT = "关于加强督查检查的通知\n\n严格控制督查检查考核总量。\n"


def test_json_side_file_overrides_inferred_metadata(tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text(TEXT, encoding="utf-8")
    (tmp_path / "a.txt.json").write_text(
        json.dumps(
            {"doc_no": "青岚委办发[2024]12号", "date": "2024年5月6日", "issuer": "区委办公室"}
        ),
        encoding="utf-8",
    )
    side = read_side_metadata(doc)
    assert side.values == {
        "doc_no": "青岚委办发〔2024〕12号",
        "date": "2024-05-06",
        "issuer": "区委办公室",
    }
    assert not side.problems


def test_folder_csv_and_json_combine_with_json_winning(tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text(TEXT, encoding="utf-8")
    (tmp_path / "metadata.csv").write_text(
        "\ufefffile,title,doc_type,speaker,issuer\na.txt,新标题,方案,,区政府办\nb.txt,别的,通报,,\n",
        encoding="utf-8",
    )
    (tmp_path / "a.json").write_text('{"issuer": "区委办公室"}', encoding="utf-8")
    assert read_side_metadata(doc).values == {
        "title": "新标题",
        "doc_type": "方案",
        "issuer": "区委办公室",
    }


def test_bad_side_files_are_reported_and_ignored(tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text(TEXT, encoding="utf-8")
    (tmp_path / "a.txt.json").write_text('{"doc_type": "随笔", "date": "去年"', encoding="utf-8")
    side = read_side_metadata(doc)
    assert side.values == {}
    assert "不是有效的 JSON" in side.problems[0]
    (tmp_path / "a.txt.json").write_text('{"doc_type": "随笔", "date": "去年"}', encoding="utf-8")
    problems = read_side_metadata(doc).problems
    assert any("随笔" in p for p in problems) and any("去年" in p for p in problems)


def test_index_applies_side_metadata_and_notices_when_it_changes(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    side = folder / "a.txt.json"
    side.write_text('{"doc_no": "青岚委办发〔2024〕12号"}', encoding="utf-8")
    report = update_index(tmp_path / "idx", [folder], DEFAULT_DICT)
    assert len(report.added) == 1 and not report.failed  # the .json is no document of its own
    searcher = Searcher(tmp_path / "idx")
    assert searcher.search("青岚委办发[2024]12号").hits[0].doc_no == "青岚委办发〔2024〕12号"

    side.write_text('{"doc_no": "青岚委办发〔2024〕13号"}', encoding="utf-8")
    report = update_index(tmp_path / "idx", [folder], DEFAULT_DICT)
    assert len(report.updated) == 1
    assert searcher.search("督查检查").hits[0].doc_no == "青岚委办发〔2024〕13号"
