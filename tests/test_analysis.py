from pathlib import Path

import pytest

from kb.analysis import Segmenter
from kb.cli import DEFAULT_DICT
from kb.dictionaries import Dictionaries, DictionaryError, parse_synonyms, parse_userdict
from kb.engines.whoosh.analysis import JiebaTokenizer
from kb.folding import normalize_space


@pytest.fixture(scope="module")
def segmenter(tmp_path_factory) -> Segmenter:
    return Segmenter(Dictionaries.load(DEFAULT_DICT), tmp_path_factory.mktemp("cache"))


def test_tokenizer_positions_are_sequential_and_offsets_point_into_the_original(segmenter):
    text = "坚持四不两直，纠治四风问题。"
    tokens = [
        (t.text, t.pos, t.startchar, t.endchar)
        for t in JiebaTokenizer(segmenter)(text, positions=True, chars=True)
    ]
    assert [pos for _, pos, _, _ in tokens] == list(range(len(tokens)))
    assert ("四不两直", 1) in [(w, p) for w, p, _, _ in tokens]
    for word, _, start, end in tokens:
        assert text[start:end] == word


def test_tokenizer_folds_traditional_and_full_width(segmenter):
    words = [t.text for t in JiebaTokenizer(segmenter)("對照檢查材料 ２０２４年")]
    assert "对照检查材料" in words
    assert "2024" in words


def test_user_dictionary_keeps_party_terms_whole(segmenter):
    for term in (
        "四不两直",
        "八项规定",
        "民主生活会",
        "三个区分开来",
        "12345政务服务热线",
        "两委换届",
    ):
        assert segmenter.words(term) == [term], term
    assert "四风" in segmenter.words("纠治四风问题")


def test_subwords_find_short_words_inside_long_ones(segmenter):
    subwords = segmenter.subwords(["中央八项规定精神", "12345政务服务热线"])
    assert "八项规定" in subwords
    assert "热线" in subwords
    assert "12345" in subwords


def test_admin_can_extend_the_user_dictionary(tmp_path):
    (tmp_path / "userdict.txt").write_text("# 新增\n清廉青岚\n", encoding="utf-8")
    extended = Segmenter(Dictionaries.load(tmp_path), tmp_path)
    assert extended.words("建设清廉青岚") == ["建设", "清廉青岚"]


def test_jieba_cache_is_kept_in_the_given_folder(tmp_path):
    Segmenter(Dictionaries.load(DEFAULT_DICT), tmp_path / "idx").words("测试")
    assert (tmp_path / "idx" / "jieba.cache").is_file()


def test_userdict_rejects_terms_with_spaces():
    with pytest.raises(DictionaryError, match="第2行"):
        parse_userdict("四风\n四 风 好\n")


def test_synonym_lines_equivalence_and_expansion():
    synonyms = parse_synonyms("公家的车, 公车, 公务用车\n四风 => 形式主义, 官僚主义\n")
    assert synonyms.of("公车") == ["公家的车", "公务用车"]
    assert synonyms.of("四风") == ["形式主义", "官僚主义"]
    assert synonyms.of("形式主义") == ["四风"]  # reaches the abbreviation, not its siblings


def test_synonyms_are_folded():
    assert parse_synonyms("請吃飯, 宴請\n").of("请吃饭") == ["宴请"]


def test_project_dictionaries_are_large_enough():
    dictionaries = Dictionaries.load(DEFAULT_DICT)
    assert len(dictionaries.userdict) >= 300
    assert dictionaries.synonyms.of("四风") == ["形式主义", "官僚主义", "享乐主义", "奢靡之风"]
    assert "宴请" in dictionaries.synonyms.of("请吃饭")
    assert "怎么办" in dictionaries.stopwords


def test_normalize_space_collapses_all_whitespace():
    assert normalize_space("　第一条\t为了\u3000规范  管理 \n") == "第一条 为了 规范 管理"


def test_dictionary_files_exist():
    for name in ("userdict.txt", "synonyms.txt", "query_stopwords.txt"):
        assert (Path(DEFAULT_DICT) / name).is_file()
