from kb.folding import fold


def test_full_width_digits_letters_and_space_fold_to_ascii():
    assert fold("２０２４年ＡＢＣ　ｘ（一）") == "2024年abc x(一)"


def test_traditional_folds_to_simplified():
    assert fold("民主生活會 對照檢查") == "民主生活会 对照检查"
    assert fold("違規吃喝 典型問題") == "违规吃喝 典型问题"
    assert fold("為基層減負") == "为基层减负"


def test_simplified_text_is_left_alone():
    # OpenCC's t2s alone turns 坏 into 坯; we only map characters that are not simplified ones.
    for text in ("破坏土壤", "头发", "皇后", "干部", "里面", "系统"):
        assert fold(text) == text


def test_folding_keeps_length_so_offsets_stay_valid():
    samples = ["㈠①ｆｉ〔２０１９〕８６０号", "學習貫徹 ＡＢＣ", "ﬁ ㍿ ¼ 𠀀"]
    for text in samples:
        assert len(fold(text)) == len(text)


def test_ascii_is_lower_cased():
    assert fold("APP和ＡＰＰ") == "app和app"


def test_the_table_kept_in_a_folder_is_the_table_built(tmp_path, monkeypatch):
    import kb.folding as folding

    built = folding._build_table()
    monkeypatch.setattr(folding, "_cache_dir", tmp_path)
    folding.fold_table.cache_clear()
    try:
        assert folding.fold_table() == built  # built and written
        (kept,) = tmp_path.glob("fold-*.json")
        folding.fold_table.cache_clear()
        assert folding.fold_table() == built  # read back
        kept.write_text("{broken", encoding="utf-8")
        folding.fold_table.cache_clear()
        assert folding.fold_table() == built  # a damaged file is rebuilt, not trusted
    finally:
        folding.fold_table.cache_clear()
