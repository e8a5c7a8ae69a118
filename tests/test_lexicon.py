"""The everyday-words lexicon (corpus/dict/lexicon): its format, how it travels with an index,
and that typed everyday words reach the words documents print."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from kb.cli import DEFAULT_DICT
from kb.dictionaries import (
    Dictionaries,
    DictionaryError,
    dictionary_names,
    dictionary_path,
    parse_synonyms,
)
from kb.folding import fold

LEXICON = DEFAULT_DICT / "lexicon"
ENTRY = re.compile(r"^[^#].*->")


def test_one_way_lines_reach_forward_only():
    synonyms = parse_synonyms("请吃饭, 请客 -> 宴请, 吃请\n八项规定 => 中央八项规定\n")
    assert synonyms.of("请吃饭") == ["宴请", "吃请"] and synonyms.of("请客") == ["宴请", "吃请"]
    assert synonyms.of("宴请") == []  # official words do not expand back into slang
    assert synonyms.of("中央八项规定") == ["八项规定"]  # => stays two-way


@pytest.mark.parametrize("line", ["-> 宴请", "请吃饭 ->", "a -> b -> c"])
def test_bad_lexicon_lines_name_the_file_and_line(line):
    with pytest.raises(DictionaryError, match=r"lexicon/x.txt 第2行"):
        parse_synonyms("# 注释\n" + line, source="lexicon/x.txt")


def test_the_lexicon_is_large_and_well_formed():
    lines = [
        line
        for path in sorted(LEXICON.glob("*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if ENTRY.match(line.strip())
    ]
    assert len(lines) >= 2000
    dictionaries = Dictionaries.load(DEFAULT_DICT)
    lefts = [
        t.strip() for line in lines for t in re.split(r"[,，、]", line.split("->")[0]) if t.strip()
    ]
    assert len(set(lefts)) >= 5000
    for left in lefts:
        assert len(left) >= 2, left
        assert dictionaries.synonyms.of(fold(left)), left


def test_every_dictionary_file_is_named_and_paths_stay_inside(tmp_path):
    names = dictionary_names(DEFAULT_DICT)
    assert "synonyms.txt" in names and "lexicon/words.txt" in names
    assert dictionary_path(tmp_path, "lexicon/words.txt") == tmp_path / "lexicon" / "words.txt"
    for hostile in ("../x.txt", "lexicon/../../x.txt", "/etc/passwd", "lexicon/a/b.txt", "x.py"):
        assert dictionary_path(tmp_path, hostile) is None, hostile


def test_an_index_carries_its_lexicon_and_drops_a_removed_file(tmp_path, build):
    from indexer.store import update_index
    from kb.indexdir import IndexDir

    dict_dir = tmp_path / "dict"
    shutil.copytree(DEFAULT_DICT, dict_dir)
    (dict_dir / "lexicon" / "local.txt").write_text("喵喵会 -> 以会议落实会议\n", encoding="utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("关于精简会议的通知\n\n严禁以会议落实会议。\n", encoding="utf-8")
    index = tmp_path / "index"
    update_index(index, [docs], dict_dir)
    live = IndexDir(index).require_current()
    assert (live.dict_dir / "lexicon" / "local.txt").is_file()
    from kb.engines.whoosh.searcher import Searcher

    assert Searcher(index).search("喵喵会").total == 1
    (dict_dir / "lexicon" / "local.txt").unlink()
    update_index(index, [docs], dict_dir)
    assert not (live.dict_dir / "lexicon" / "local.txt").exists()
    assert Searcher(index).search("喵喵会").total == 0


@pytest.mark.parametrize(
    "typed, official",
    [("喝酒", "饮酒"), ("请吃饭", "宴请"), ("酒驾", "酒后驾驶"), ("开会太多", "会议过多")],
)
def test_everyday_words_reach_official_wording(typed, official):
    dictionaries = Dictionaries.load(DEFAULT_DICT)
    assert official in dictionaries.synonyms.of(typed)


def test_lexicon_phrases_are_found_across_jieba_words(searcher):
    """A lexicon phrase is recognised in a question however jieba cuts the words around it."""
    result = searcher.search("领导接受老板请吃饭怎么处理")
    expansions = {e["word"] for h in result.hits for e in h.matched["expansions"]}
    assert expansions & {"宴请", "私营企业主", "接受宴请"}


def test_a_lexicon_edit_never_forces_a_rebuild(tmp_path):
    """The lexicon only applies at query time: editing it leaves the index's digest alone."""
    shutil.copytree(DEFAULT_DICT, tmp_path / "d")
    before = Dictionaries.index_digest_of(tmp_path / "d")
    with open(tmp_path / "d" / "lexicon" / "words.txt", "a", encoding="utf-8") as stream:
        stream.write("\n喵喵会 -> 以会议落实会议\n")
    assert Dictionaries.index_digest_of(tmp_path / "d") == before
    assert "以会议落实会议" in Dictionaries.load(tmp_path / "d").synonyms.of("喵喵会")


def test_dictionary_names_are_sorted_and_only_txt(tmp_path: Path):
    shutil.copytree(DEFAULT_DICT, tmp_path / "d")
    (tmp_path / "d" / "lexicon" / "notes.md").write_text("x", encoding="utf-8")
    names = dictionary_names(tmp_path / "d")
    lexicon = [n for n in names if n.startswith("lexicon/")]
    assert lexicon == sorted(lexicon) and all(n.endswith(".txt") for n in lexicon)
