"""Fuzzing the doors of kb: whatever a user types or drops in a folder, the query parser, the
search path, the web pages and the file readers answer (or refuse with a Chinese reason) and
never crash. Hypothesis generates the input; everything runs against a real index of
corpus/docs (the session's, built once) and the real readers."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.readers import READERS, UnreadableFile, legacy, read_file
from kb.cli import DEFAULT_DOCS
from kb.model import Extracted
from kb.query import MAX_QUERY_CHARS, ParsedQuery, parse_query
from kb.results import SearchResult

FAST = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
HANZI = re.compile(r"[\u4e00-\u9fff]")

# --- what users type ------------------------------------------------------------------------

# Pieces of the query language and the text around it, to be glued together at random.
PIECES = [
    '"',
    "“",
    "”",
    "「",
    "」",
    "『",
    "』",
    "＂",
    "'",
    "-",
    "--",
    '-"',
    ":",
    "：",
    "::",
    ":：",
    " ",
    "\u3000",
    "\t",
    "\n",
    "\r",
    "type:",
    "类型：",
    "文种:",
    "ｔｙｐｅ：",
    "year:",
    "年份：",
    "年:",
    "issuer:",
    "发文机关：",
    "doc:",
    "problem:",
    "sanction:",
    "level:",
    "处分：",
    "2024",
    "2023-2025",
    "2025-2023",
    "１９９９年",
    "0000",
    "99999999999999999999",
    "〔",
    "〕",
    "[",
    "]",
    "（",
    "）",
    "号",
    "国办发",
    "青岚委办发〔2024〕8号",
    "发〔",
    "四风",
    "会议",
    "會議",
    "民主生活会",
    "错题本",
    "以会议落实会议",
    "通报",
    "讲话",
    "ＡＢＣ",
    "ａ",
    "！",
    "？",
    "，",
    "。",
    "、",
    "……",
    "*",
    "?",
    "(",
    ")",
    "\\",
    "/",
    "%",
    "&",
    "<mark>",
    "<script>",
    "\x00",
    "\x1f",
    "\x7f",
    "\x85",
    "\u200b",
    "\u2028",
    "\ufeff",
    "\ufffd",
    "\ud800",
    "\udfff",
    "\U0001f600",
    "𠀀",
    "ﬁ",
    "Ⅻ",
    "①",
    "ﾊﾝｶｸ",
]
syntax_text = st.lists(st.sampled_from(PIECES) | st.text(max_size=4), max_size=40).map("".join)
any_text = st.text(st.characters(exclude_categories=()), max_size=300)  # lone surrogates too
punctuation_only = st.text(
    st.characters(categories=["Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So"]),
    min_size=1,
    max_size=60,
)
filters_only = st.lists(
    st.sampled_from(["type:", "year:", "issuer:", "doc:", "类型：", "年份:", "level:"]).flatmap(
        lambda key: st.text(max_size=8).map(lambda value: key + value)
    ),
    min_size=1,
    max_size=8,
).map(" ".join)
full_width = st.text(st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E), max_size=80)


def _repeat(seed: str, size: int) -> str:
    return (seed * (size // len(seed) + 1))[:size]


huge = st.builds(
    _repeat, syntax_text.filter(bool) | st.text(min_size=1, max_size=20), st.integers(501, 100_000)
)
queries = st.one_of(any_text, syntax_text, punctuation_only, filters_only, full_width, huge)


@FAST
@given(raw=queries)
def test_parse_query_never_raises_and_says_what_it_cut(raw):
    parsed = parse_query(raw)
    assert isinstance(parsed, ParsedQuery)
    assert all(isinstance(note, str) and HANZI.search(note) for note in parsed.notes)
    if len(raw) > MAX_QUERY_CHARS:
        assert any("过长" in note for note in parsed.notes)


@FAST
@given(
    raw=queries,
    limit=st.integers(1, 50),
    offset=st.integers(0, 5000),
    per_doc=st.integers(0, 5),
    sort=st.sampled_from(["relevance", "date", "", "随机"]),
    facets=st.booleans(),
    filters=st.dictionaries(
        st.sampled_from(["type", "year", "issuer"]),
        st.lists(st.text(st.characters(exclude_categories=()), max_size=12), max_size=3),
        max_size=3,
    ),
)
def test_search_never_raises_and_notes_explain_cut_offs(
    searcher, raw, limit, offset, per_doc, sort, facets, filters
):
    result = searcher.search(
        raw, limit=limit, offset=offset, per_doc=per_doc, sort=sort, facets=facets, filters=filters
    )
    assert isinstance(result, SearchResult)
    assert len(result.hits) <= limit and result.total >= len(result.hits)
    assert all(isinstance(note, str) and HANZI.search(note) for note in result.notes)
    if len(raw) > MAX_QUERY_CHARS:
        assert any("过长" in note for note in result.notes)
    if not raw.strip() and not any(filters.values()):
        assert result.notes  # says what to type
    result.as_dict()  # what the JSON API sends


@settings(max_examples=15, deadline=None, database=None)
@given(raw=queries)
def test_suggestions_never_raise(searcher, raw):
    assert all(isinstance(s, str) for s in searcher.suggest(raw))


# --- the web pages --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(corpus_index, tmp_path_factory):
    from web import create_app

    instance = tmp_path_factory.mktemp("fuzz-instance")
    app = create_app({"INDEX": str(corpus_index), "INSTANCE": str(instance)})
    return app.test_client()


def _encoded(value: str) -> bytes:
    return value.encode("utf-8", "surrogatepass")  # lone surrogates: invalid UTF-8 on the wire


param_value = st.one_of(
    queries.map(_encoded),
    st.binary(max_size=60),  # any bytes, invalid UTF-8 included
    st.text(max_size=40).map(lambda t: t.encode("gb18030")),
    st.sampled_from([b"", b"0", b"-1", b"1e9", b"99999999999999999999", b"NaN", b"date", b" 2 "]),
)
params = st.lists(
    st.tuples(
        st.sampled_from(["q", "page", "per_page", "sort", "type", "year", "issuer"]), param_value
    ),
    max_size=8,
)


@FAST
@given(path=st.sampled_from(["/", "/search", "/api/search"]), args=params)
def test_search_page_and_api_never_give_a_server_error(client, path, args):
    query = "&".join(f"{key}={quote_from_bytes(value, safe='')}" for key, value in args)
    response = client.get(f"{path}?{query}" if query else path)
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if path.startswith("/api/"):
        assert response.is_json


# --- files dropped into the corpus ----------------------------------------------------------

SAMPLE = "关于进一步加强作风建设的通知\n各单位要认真落实中央八项规定精神，坚决纠治四风。\n"


def _seeds() -> dict[str, bytes]:
    """One real file of every kind from corpus/docs (.docx and .pdf made by make_formats)."""
    seeds = {}
    for path in sorted(DEFAULT_DOCS.iterdir()):
        suffix = path.suffix.lower()
        if suffix in READERS and suffix not in seeds and not path.name.endswith(".json"):
            seeds[suffix] = path.read_bytes()
    return seeds


SEEDS = _seeds()


@pytest.fixture(scope="module", autouse=True)
def _no_converters():
    """Hide antiword and LibreOffice from the legacy readers: a converter run costs seconds
    per file, and the contract (Extracted or UnreadableFile) is the reader's, not theirs."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(legacy, "_soffice", lambda: None)
        patch.setattr(legacy.shutil, "which", lambda name, *a, **k: None)
        yield


def _truncated(seed: bytes, where: float) -> bytes:
    return seed[: int(len(seed) * where)]


def _mixed(text: str, where: float) -> bytes:
    """The first part in UTF-8, the rest in GBK: what concatenating two files gives."""
    cut = int(len(text) * where)
    return text[:cut].encode("utf-8") + text[cut:].encode("gbk")


control_text = st.text(
    st.characters(categories=["Cc"]) | st.sampled_from(list(SAMPLE)), max_size=400
).map(lambda t: t.encode("utf-8"))
file_data = st.one_of(
    st.binary(max_size=3000),
    st.builds(_truncated, st.sampled_from(sorted(SEEDS.values())), st.floats(0, 1)),
    st.builds(_truncated, st.sampled_from([SEEDS[".docx"], SEEDS[".pdf"]]), st.floats(0, 1)),
    st.builds(_mixed, st.sampled_from([SAMPLE * 3, SAMPLE * 40]), st.floats(0, 1)),
    control_text,
    st.binary(max_size=200).map(lambda junk: b"PK\x03\x04" + junk),  # a "zip"
    st.binary(max_size=200).map(lambda junk: b"%PDF-1.7\n" + junk),
    st.binary(max_size=200).map(lambda junk: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + junk),  # OLE
    st.binary(max_size=200).map(lambda junk: b"<html><body>" + junk),
)


def _check_read(suffix: str, data: bytes) -> Extracted | None:
    """read_file's contract: an Extracted with some text, or UnreadableFile in Chinese."""
    try:
        extracted = read_file(Path("文件" + suffix), data)
    except UnreadableFile as error:
        assert HANZI.search(str(error)), repr(str(error))
        return None
    assert isinstance(extracted, Extracted)
    assert any(block.text.strip() for block in extracted.blocks)
    return extracted


def test_every_format_has_a_seed():
    assert {".txt", ".md", ".html", ".docx", ".pdf"} <= set(SEEDS)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(suffix=st.sampled_from(sorted(READERS)), data=file_data)
def test_readers_give_text_or_a_chinese_reason_for_any_bytes(suffix, data):
    _check_read(suffix, data)


@pytest.mark.parametrize("suffix", sorted(READERS))
def test_readers_take_a_ten_megabyte_single_line(suffix):
    unit = "关于进一步加强作风建设的通知，各单位要认真落实。"
    line = (unit * (10_000_000 // len(unit.encode("utf-8")))).encode("utf-8")
    extracted = _check_read(suffix, line)
    if suffix in (".txt", ".md", ".html"):
        assert extracted is not None and len(extracted.blocks) == 1


def _docx_without_document_xml() -> bytes:
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(SEEDS[".docx"])) as source,
        zipfile.ZipFile(buffer, "w") as target,
    ):
        for item in source.infolist():
            if item.filename != "word/document.xml":
                target.writestr(item, source.read(item.filename))
    return buffer.getvalue()


def test_kb_index_reports_each_bad_file_once_and_indexes_the_rest(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    files = {
        "好的通知.txt": SAMPLE.encode("utf-8"),
        "好的网页.html": f"<html><body><p>{SAMPLE}</p></body></html>".encode(),
        "随机.pdf": bytes(range(256)) * 4,
        "截断.pdf": SEEDS[".pdf"][: len(SEEDS[".pdf"]) // 2],
        "截断.docx": SEEDS[".docx"][: len(SEEDS[".docx"]) // 3],
        "缺正文.docx": _docx_without_document_xml(),
        "二进制.txt": b"\x00\x01\x02\xff\xfe" * 400,
        "空白.md": b" \n\t\n",
        "控制字符.html": bytes(range(32)) * 10,
        "混合编码.txt": _mixed(SAMPLE * 20, 0.5),
        "随机.doc": bytes(range(255, -1, -1)) * 4,
        "随机.wps": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    expected_bad = set()
    for name, data in files.items():
        try:
            read_file(folder / name, data)
        except UnreadableFile:
            expected_bad.add(name)
    assert len(expected_bad) >= 8

    script = Path(sys.executable).with_name("kb")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "kb.cli"]
    completed = subprocess.run(
        [*command, "index", str(folder), "--index", str(tmp_path / "index")],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        # Only the venv on PATH: no antiword or LibreOffice, as for expected_bad above.
        env={**os.environ, "PATH": str(Path(sys.executable).parent)},
    )
    assert completed.returncode == 0, completed.stderr
    failed = Counter(
        Path(line.split("：")[1]).name
        for line in completed.stdout.splitlines()
        if line.startswith("  失败：")
    )
    assert set(failed) == expected_bad, completed.stdout
    assert all(count == 1 for count in failed.values()), completed.stdout
    assert f"失败 {len(expected_bad)}" in completed.stdout
    assert "好的通知.txt" in completed.stdout and "好的网页.html" in completed.stdout
