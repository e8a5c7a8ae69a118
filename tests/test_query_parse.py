from kb.query import MAX_QUERY_CHARS, parse_query


def test_free_words_quotes_exclusions_and_filters():
    parsed = parse_query('四风 "错题本" -学生 type:通报 year:2023-2024 issuer:纪委 doc:abc')
    assert parsed.free_text == "四风"
    assert parsed.phrases == ["错题本"]
    assert parsed.excluded == ["学生"]
    assert parsed.doc_types == ["通报"]
    assert parsed.years == [(2023, 2024)]
    assert parsed.issuers == ["纪委"]
    assert parsed.doc_ids == ["abc"]


def test_chinese_quotes_names_and_full_width_colon():
    parsed = parse_query("“为基层减负” 类型：意见 年份：２０２４")
    assert parsed.phrases == ["为基层减负"]
    assert parsed.doc_types == ["意见"]
    assert parsed.years == [(2024, 2024)]


def test_excluded_phrase():
    parsed = parse_query('作风 -"私人会所"')
    assert parsed.excluded == ["私人会所"]
    assert parsed.free_text == "作风"


def test_doc_number_with_spaces_is_taken_out_of_the_words():
    parsed = parse_query("青岚委办发 [2024] 8 号 会议")
    assert [m.normal for m in parsed.doc_nos] == ["青岚委办发〔2024〕8号"]
    assert parsed.free_text == "会议"


def test_problems_become_notes_not_errors():
    parsed = parse_query('"没有闭合 year:20x type:')
    assert parsed.phrases == ["没有闭合 year:20x type:"]
    assert any("引号" in n for n in parsed.notes)
    assert any("year" in n for n in parse_query("year:20x").notes)
    assert any("缺少" in n for n in parse_query("type:").notes)


def test_overlong_query_is_cut_with_a_note():
    parsed = parse_query("会" * (MAX_QUERY_CHARS + 50))
    assert len(parsed.free_text) == MAX_QUERY_CHARS
    assert parsed.notes


def test_empty_query():
    assert parse_query("   ").is_empty
    assert not parse_query("type:通报").is_empty
