"""Queries built from a grammar of what users type, run against an index of realistic size.

Each query combines quoted phrases (all quote styles, unclosed too), words and everyday
questions, exclusions, every filter with valid and broken values, 发文字号 in any brackets,
traditional characters, full-width forms and junk. Pieces of text come from the indexed
documents themselves (read at run time, never copied into the project), so phrases really
occur and Whoosh's optimisations really switch on. Every query must answer or say why not:
never an exception, never ``error``, quoted phrases in every hit, excluded text in none, and
the same through the CLI batch, the web page and the JSON API.

The index is ../shared/realdocs (170 documents); where it is absent, our own corpus.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import opencc
import pytest
from conftest import REALDOCS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.cli import DEFAULT_DOCS
from kb.docno import find_doc_nos, printed_forms, whole_doc_no
from kb.engines.whoosh.searcher import Searcher
from kb.folding import fold, normalize_space
from kb.query import MAX_QUERY_CHARS

ROUNDS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,
)
HANZI = re.compile(r"[\u4e00-\u9fff]")
RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


def _source_texts() -> list[str]:
    folder = REALDOCS / "docs" if (REALDOCS / "docs").is_dir() else DEFAULT_DOCS
    return [p.read_text(encoding="utf-8", errors="replace") for p in sorted(folder.glob("*.txt"))]


TEXTS = _source_texts()
RUNS = [run for text in TEXTS for run in RUN.findall(text)]
DOC_NOS = sorted({m.normal for text in TEXTS for m in find_doc_nos(text)})
TO_TRADITIONAL = opencc.OpenCC("s2t")


def _piece(rng: random.Random, low: int, high: int) -> str:
    run = rng.choice(RUNS)
    size = rng.randint(low, max(low, high))
    start = rng.randint(0, max(0, len(run) - size))
    return run[start : start + size]


pieces = st.builds(_piece, st.randoms(use_true_random=False), st.integers(1, 3), st.integers(2, 6))
everyday = st.sampled_from(
    ["领导接受老板请吃饭", "开会太多怎么整改", "基层负担重怎么办", "酒驾会受什么处分",
     "办个证跑了好几趟", "村支书把低保给了亲戚", "上班时间打游戏", "工作群里天天要截图打卡",
     "四风", "八项规定", "违规吃喝", "为基层减负", "案例", "通报", "2023年", "处级干部"]
)  # fmt: skip
quotes = st.sampled_from(
    [('"', '"'), ("“", "”"), ("「", "」"), ("『", "』"), ("＂", "＂"), ('"', "")]
)
phrase = st.tuples(quotes, pieces).map(lambda q: q[0][0] + q[1] + q[0][1])
exclusion = st.one_of(pieces.map(lambda p: "-" + p), pieces.map(lambda p: f'-"{p}"'))
filter_key = st.sampled_from(
    ["type", "类型", "文种", "year", "年份", "issuer", "发文机关", "doc", "problem", "sanction",
     "level", "topic", "ｔｙｐｅ", "处分", "级别"]
)  # fmt: skip
filter_value = st.one_of(
    st.sampled_from(["通报", "讲话", "方案", "意见", "2024", "2023-2025", "2025-2023", "１９９９",
                     "国务院", "纪委", "违规吃喝", "开除党籍", "县处级", "", "0", "99999"]),
    pieces,
)  # fmt: skip
a_filter = st.tuples(filter_key, st.sampled_from([":", "："]), filter_value).map("".join)
doc_no = st.builds(
    lambda number, pair, spaced: (
        number.replace("〔", pair[0])
        .replace("〕", pair[1])
        .replace("号", " 号" if spaced else "号")
    ),
    st.sampled_from(DOC_NOS or ["青岚委办发〔2024〕8号"]),
    st.sampled_from(["〔〕", "[]", "()", "（）", "【】"]),
    st.booleans(),
)
quoted_doc_no = st.sampled_from(DOC_NOS or ["青岚委办发〔2024〕8号"]).map(lambda n: f'"{n}"')
junk = st.one_of(
    st.sampled_from(["。，、！", "？？", "*", "OR", "AND", "NOT", "(", ")", "\\", "<script>", "%",
                     "\x00", "\u200b", "\ufeff", "\U0001f600", "𠀀", "ﬁ", "Ⅻ", "①", "-", "--", ":"]),
    st.text(max_size=3),
)  # fmt: skip
term = st.one_of(
    pieces, pieces, everyday, phrase, phrase, exclusion, a_filter, doc_no, quoted_doc_no, junk
)


def _dress(text: str, traditional: bool, full_width: bool) -> str:
    if traditional:
        text = TO_TRADITIONAL.convert(text)
    if full_width:
        text = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
    return text


query = st.builds(
    _dress,
    st.lists(term, min_size=1, max_size=8).map(" ".join),
    st.booleans(),
    st.booleans(),
) | st.builds(lambda t, n: (t + " ") * n, term, st.integers(60, 200))  # past the length limit


def _quoted(raw: str) -> tuple[list[str], list[str]]:
    """(required phrases, excluded phrases) as kb reads them (kb.query), for the checks."""
    from kb.query import parse_query

    parsed = parse_query(raw)
    return parsed.phrases, parsed.excluded


def check(result, raw: str, limit: int) -> None:
    """What every answer must be, whatever was typed."""
    assert not result.error, (raw, result.error)
    assert 0 <= len(result.hits) <= limit and result.total >= len(result.hits)
    assert all(isinstance(n, str) and HANZI.search(n) for n in result.notes), result.notes
    if len(raw) > MAX_QUERY_CHARS:
        assert any("过长" in n for n in result.notes)
    phrases, excluded = _quoted(raw)
    for hit in result.hits:
        text = fold(normalize_space(hit.text))
        for wanted in phrases:
            number = whole_doc_no(wanted)
            forms = printed_forms(number) if number else [wanted]
            assert any(form in text for form in forms), (raw, wanted, hit.text[:80])
        for unwanted in excluded:
            assert unwanted not in text, (raw, unwanted, hit.text[:80])
        assert set(hit.matched) >= {"words", "expansions", "phrases", "missing"}
    json.dumps(result.as_dict(), ensure_ascii=False)


@pytest.fixture(scope="module")
def grammar_index(request) -> Path:
    if (REALDOCS / "docs").is_dir():
        return request.getfixturevalue("realdocs_index")
    return request.getfixturevalue("corpus_index")


@pytest.fixture(scope="module")
def grammar_searcher(grammar_index) -> Searcher:
    return Searcher(grammar_index)


@ROUNDS
@given(raw=query, limit=st.integers(1, 30), per_doc=st.integers(0, 3))
def test_every_query_answers_or_says_why(grammar_searcher, raw, limit, per_doc):
    check(grammar_searcher.search(raw, limit=limit, per_doc=per_doc), raw, limit)


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(raw=query)
def test_every_case_search_answers(grammar_searcher, raw):
    found = grammar_searcher.cases(raw, limit=20)
    assert not found.error and len(found.cases) <= 20 and found.total >= len(found.cases)
    json.dumps(found.as_dict(), ensure_ascii=False)


def test_the_batch_answers_every_line_in_order(grammar_index):
    """`kb search -` through a real process: one JSON line per query, none an error."""
    from test_cli import kb

    rng = random.Random(11)
    lines = [
        _dress(f"{_piece(rng, 2, 3)} {_piece(rng, 2, 4)} 怎么办", True, False),
        _dress(f'"{_piece(rng, 2, 4)}" issuer:国务院 year:2018', False, True),
        f"{DOC_NOS[0].replace('〔', '[').replace('〕', ']')} {_piece(rng, 2, 3)}",
        f'"{_piece(rng, 2, 4)}" {_piece(rng, 2, 3)}',
        f'{_piece(rng, 2, 3)} "{_piece(rng, 2, 4)}" -{_piece(rng, 2, 2)}',
        f'"{_piece(rng, 2, 4)}" year:2020-2025 type:通报',
        *(f'"{n}"' for n in DOC_NOS[:5]),
        '""',
        "。，、！",
        "-宴请",
    ]
    lines = [re.sub(r"[\r\n\x85\u2028\u2029]", " ", line) for line in lines]
    result = kb("search", "-", "--index", str(grammar_index), stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr[-500:]
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["query"] for a in answers] == lines
    assert not [a for a in answers if "error" in a]
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def client(grammar_index, tmp_path_factory):
    from web import create_app

    app = create_app({"INDEX": str(grammar_index), "INSTANCE": str(tmp_path_factory.mktemp("i"))})
    return app.test_client()


@settings(max_examples=80, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(raw=query)
def test_pages_and_api_answer_every_query(client, grammar_searcher, raw):
    from urllib.parse import quote

    for path in ("/search", "/api/search", "/cases", "/api/cases"):
        response = client.get(f"{path}?q={quote(raw, safe='')}")
        assert response.status_code == 200, (path, raw)
        if path.startswith("/api/"):
            assert "error" not in response.get_json(), (path, raw)
        else:
            assert "出错" not in response.get_data(as_text=True), (path, raw)


def test_the_grammar_reaches_real_phrases():
    """The pieces are real text, so quoted phrases find passages (the test means something)."""
    rng = random.Random(3)
    assert len(RUNS) > 1000 and len(DOC_NOS) >= 3
    assert all(len(_piece(rng, 2, 6)) >= 1 for _ in range(100))


def test_no_query_takes_the_subprocess_down(grammar_index):
    """A query holding NUL, a lone surrogate's replacement and a 50,000-character line."""
    from test_cli import kb

    stdin = "\x00\ufffd\n" + "四风" * 25_000 + "\n" + '"' * 999 + "\n"
    result = kb("search", "-", "--index", str(grammar_index), stdin=stdin)
    assert result.returncode == 0, result.stderr[-300:]
    assert len(result.stdout.splitlines()) == 3
    assert "Traceback" not in result.stderr
