"""The OpenSearch backend against a real server: the same answers as Whoosh, updates kept
current, and clear messages when the cluster is away.

Every query-semantics test of test_search.py runs here again on OpenSearch (imported below,
with this module's ``searcher`` and ``build`` fixtures); then both backends answer the same
queries over the sample corpus and must agree.
"""

from __future__ import annotations

import inspect
import itertools
import json
import shutil
import threading
import time
from pathlib import Path

import pytest
import test_access
import test_fuzz
import test_query_grammar
import test_search
from hypothesis import given
from hypothesis import strategies as st
from test_admin import PASSWORD, csrf, found, login, upload, wait_for_update
from test_cli import kb

from indexer.store import IndexBusy
from indexer.update import update
from indexer.watch import watch
from kb.backend import Backend
from kb.cli import DEFAULT_DICT, DEFAULT_DOCS
from kb.engines.opensearch.settings import OpenSearchSettings, SettingsError
from kb.indexdir import IndexMissing
from kb.view import EngineUnavailable
from web import create_app
from web.auth import set_password

pytest_plugins = ["opensearch_support"]

# The query-semantics tests, re-run on OpenSearch. The grep test reads Whoosh's passage table;
# its OpenSearch counterpart is test_quoted_search_is_the_same_on_both_backends below.
for _name in dir(test_search):
    if _name.startswith("test_") and _name != (
        "test_quoted_phrase_equals_grep_across_word_boundaries_and_single_characters"
    ):
        globals()[_name] = getattr(test_search, _name)

# Whatever users type: never an error on OpenSearch either (fuzzed, as on Whoosh).
test_search_never_raises_and_notes_explain_cut_offs = (
    test_fuzz.test_search_never_raises_and_notes_explain_cut_offs
)
test_suggestions_never_raise = test_fuzz.test_suggestions_never_raise
# The grammar of what users type, on an OpenSearch index of realdocs (or of our corpus).
test_every_query_answers_or_says_why = test_query_grammar.test_every_query_answers_or_says_why
test_every_case_search_answers = test_query_grammar.test_every_case_search_answers

_names = itertools.count()


@pytest.fixture(autouse=True)
def _no_wait_for_expunged_deletions(request, monkeypatch):
    """Updates here test other things than statistics after deletions: they need not wait
    the ~30 s OpenSearch keeps deleted passages (test_incremental_updates_answer_as_a_fresh_
    build waits, as production does)."""
    import indexer.opensearch_store as store

    if "answer_as_a_fresh_build" not in request.node.name:
        monkeypatch.setattr(store, "EXPUNGE_WAIT", 0.0)


def fresh_backend(url: str, folder: Path, shards: int = 2, replicas: int = 0) -> Backend:
    name = f"kbtest-{time.time_ns() % 10**12}-{next(_names)}"
    return Backend(folder, OpenSearchSettings(url, name, shards=shards, replicas=replicas))


def one_notice(url: str, tmp_path: Path, replicas: int = 0) -> tuple[Path, Backend]:
    """A folder holding one short notice, and a fresh backend to index it into."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("关于甲事项的通知\n\n严禁公车私用。\n", encoding="utf-8")
    return folder, fresh_backend(url, tmp_path / "state", replicas=replicas)


def drop(backend: Backend) -> None:
    client = backend.opensearch.client()
    name = backend.opensearch.index
    client.indices.delete(index=f"{name}-*", ignore=[404])  # the aliases go with them
    client.close()


@pytest.fixture(scope="module")
def grammar_searcher(opensearch_url, tmp_path_factory):
    """The grammar tests' searcher: OpenSearch over realdocs (our corpus where it is absent)."""
    from conftest import REALDOCS

    docs = REALDOCS / "docs" if (REALDOCS / "docs").is_dir() else DEFAULT_DOCS
    backend = fresh_backend(opensearch_url, tmp_path_factory.mktemp("os-grammar"))
    report = update(backend, [docs], DEFAULT_DICT)
    assert not report.failed
    yield backend.open_searcher()
    drop(backend)


@pytest.fixture(scope="module")
def os_corpus(opensearch_url, tmp_path_factory):
    backend = fresh_backend(opensearch_url, tmp_path_factory.mktemp("os-state"))
    report = update(backend, [DEFAULT_DOCS], DEFAULT_DICT)
    assert report.passages > 500 and not report.failed
    yield backend
    drop(backend)


@pytest.fixture(scope="module")
def searcher(os_corpus):
    """Overrides conftest's Whoosh searcher for the imported tests."""
    opened = os_corpus.open_searcher()
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def whoosh(corpus_index):
    return Backend(corpus_index).open_searcher()


@pytest.fixture
def build(opensearch_url, tmp_path):
    """Overrides conftest's ``build``: {file name: text} indexed on OpenSearch."""
    made: list[Backend] = []

    def _build(docs: dict[str, str], dict_dir: Path = DEFAULT_DICT):
        folder = tmp_path / "docs"
        folder.mkdir(exist_ok=True)
        for name, text in docs.items():
            (folder / name).write_text(text, encoding="utf-8")
        backend = fresh_backend(opensearch_url, tmp_path / "state")
        made.append(backend)
        update(backend, [folder], dict_dir)
        return backend.open_searcher()

    yield _build
    for backend in made:
        drop(backend)


# --- parity with Whoosh on the sample corpus ---------------------------------------------

QUERIES = [
    "四风",
    "领导接受老板请吃饭",
    "为基层减负 督查检查考核",
    "违规吃喝 -宴请",
    "公车私用",
    "type:通报 year:2024",
    "type:讲话 作风建设",
    "issuer:纪委 违纪",
    "青岚委办发〔2024〕12号",
    "月饼 蟹卡",
    "形式主义 官僚主义 整改",
    "問題清單",
    "ＡＢＣ",
]


def _keys(result) -> list[tuple[str, int]]:
    return [(hit.doc_id, hit.ordinal) for hit in result.hits]


@pytest.mark.parametrize("query", QUERIES)
def test_both_backends_match_the_same_passages(query, searcher, whoosh):
    on_os = searcher.search(query, limit=10_000, per_doc=0, facets=True)
    on_whoosh = whoosh.search(query, limit=10_000, per_doc=0, facets=True)
    assert on_os.total == on_whoosh.total
    assert sorted(_keys(on_os)) == sorted(_keys(on_whoosh))
    assert on_os.facets == on_whoosh.facets
    assert on_os.notes == on_whoosh.notes


@pytest.mark.parametrize("query", QUERIES)
def test_both_backends_rank_alike(query, searcher, whoosh):
    """One BM25 (kb.bm25: the same formula, the same rounding of lengths) and one re-ranking:
    the same passages in the same order, with the same scores."""
    on_os = searcher.search(query, limit=30)
    on_whoosh = whoosh.search(query, limit=30)
    assert _keys(on_os) == _keys(on_whoosh)
    for mine, theirs in zip(on_os.hits, on_whoosh.hits, strict=True):
        assert mine.score == pytest.approx(theirs.score, abs=2e-4)  # rounded to 4 places


@pytest.mark.parametrize("phrase", ["错题本", "会议过", "罚", "的通", "12345政务", "，严", "a"])
def test_quoted_search_is_the_same_on_both_backends(phrase, searcher, whoosh):
    on_os = searcher.search(f'"{phrase}"', limit=10_000, per_doc=0)
    on_whoosh = whoosh.search(f'"{phrase}"', limit=10_000, per_doc=0)
    assert _keys(on_os) == _keys(on_whoosh)  # equal scores: the same tie order too
    assert on_os.total == on_whoosh.total


@test_fuzz.FAST
@given(raw=test_fuzz.queries, per_doc=st.integers(0, 3))
def test_fuzzed_queries_find_the_same_passages_on_both(searcher, whoosh, raw, per_doc):
    on_os = searcher.search(raw, limit=10_000, per_doc=per_doc, facets=True)
    on_whoosh = whoosh.search(raw, limit=10_000, per_doc=per_doc, facets=True)
    assert on_os.notes == on_whoosh.notes
    # Grouping keeps each document's best passages and shows a reposted passage under its
    # best-ranked copy, so with per_doc > 0 close ranks may keep other passages.
    if per_doc == 0:
        assert on_os.total == on_whoosh.total
        assert sorted(_keys(on_os)) == sorted(_keys(on_whoosh))
        assert on_os.facets == on_whoosh.facets
    else:
        assert {h.doc_id for h in on_os.hits} <= {h.doc_id for h in on_whoosh.hits} | {
            h.doc_id for h in whoosh.search(raw, limit=10_000, per_doc=0).hits
        }


def test_the_json_shapes_are_the_same(searcher, whoosh):
    result = searcher.search("四风 整改", limit=5).as_dict()
    expected = whoosh.search("四风 整改", limit=5).as_dict()
    assert result.keys() == expected.keys()
    assert [hit.keys() for hit in result["hits"]] == [hit.keys() for hit in expected["hits"]]
    assert [h["doc_id"] for h in result["hits"]][:1] == [h["doc_id"] for h in expected["hits"]][:1]


def test_cases_documents_and_suggestions_are_the_same(searcher, whoosh):
    cases = searcher.cases(problems=["违规吃喝"])
    expected = whoosh.cases(problems=["违规吃喝"])
    assert cases.total == expected.total > 0
    assert [c.id for c in cases.cases] == [c.id for c in expected.cases]
    one = expected.cases[0].id
    assert searcher.case(one) == whoosh.case(one)
    doc_id = expected.cases[0].doc_id
    assert searcher.document(doc_id) == whoosh.document(doc_id)
    assert searcher.document("no-such-document") is None
    assert searcher.suggest("会义过多") == whoosh.suggest("会义过多")
    assert searcher.counts() == whoosh.counts()


def test_the_web_app_answers_the_same_from_either_backend(os_corpus, corpus_index, tmp_path):
    on_os = create_app({"INDEX": str(os_corpus.index), "BACKEND": os_corpus}).test_client()
    on_whoosh = create_app({"INDEX": str(corpus_index)}).test_client()
    for url in ("/api/search?q=四风&limit=3", "/api/cases?problem=违规吃喝"):
        got, expected = on_os.get(url), on_whoosh.get(url)
        assert got.status_code == expected.status_code == 200
        assert got.get_json()["total"] == expected.get_json()["total"]
    page = on_os.get("/?q=%E5%9B%9B%E9%A3%8E")
    assert page.status_code == 200 and "四风" in page.get_data(as_text=True)


# --- keeping the index current ----------------------------------------------------------


def test_updates_add_replace_and_remove_documents(opensearch_url, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("关于甲事项的通知\n\n严禁公车私用。\n", encoding="utf-8")
    (folder / "b.txt").write_text("关于乙事项的通知\n\n严禁违规吃喝。\n", encoding="utf-8")
    (folder / "bad.txt").write_bytes(bytes(range(256)) * 8)
    backend = fresh_backend(opensearch_url, tmp_path / "state")
    try:
        first = update(backend, [folder], DEFAULT_DICT)
        assert names(first.added) == ["a.txt", "b.txt"] and first.rebuilt
        assert names(f.path for f in first.failed) == ["bad.txt"]
        searcher = backend.open_searcher()
        assert searcher.search("公车私用").total == 1

        again = update(backend, [folder], DEFAULT_DICT)
        assert not again.changed and again.unchanged == 2

        (folder / "a.txt").write_text("关于甲事项的通知\n\n严禁超标准接待。\n", encoding="utf-8")
        (folder / "b.txt").unlink()
        (folder / "c.txt").write_text("关于丙事项的通知\n\n严禁收送月饼。\n", encoding="utf-8")
        changed = update(backend, [folder], DEFAULT_DICT)
        assert [names(changed.added), names(changed.updated), names(changed.removed)] == [
            ["c.txt"],
            ["a.txt"],
            ["b.txt"],
        ]
        assert not changed.rebuilt
        assert searcher.search("公车私用").total == 0
        assert searcher.search("超标准接待").total == 1
        assert searcher.search("违规吃喝").total == 0
        assert searcher.search('"月饼"').total == 1
        assert searcher.counts() == (2, 4)
    finally:
        drop(backend)


def test_synonym_edits_reach_searches_without_a_rebuild(opensearch_url, tmp_path):
    dict_dir = tmp_path / "dict"
    shutil.copytree(DEFAULT_DICT, dict_dir)
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("关于加强管理的通知\n\n严禁收受购物卡。\n", encoding="utf-8")
    backend = fresh_backend(opensearch_url, tmp_path / "state")
    try:
        update(backend, [folder], dict_dir)
        searcher = backend.open_searcher()
        assert searcher.search("灰色福利").total == 0
        with open(dict_dir / "synonyms.txt", "a", encoding="utf-8") as stream:
            stream.write("\n灰色福利, 购物卡\n")
        report = update(backend, [folder], dict_dir)
        assert not report.rebuilt
        deadline = time.monotonic() + 10
        while searcher.search("灰色福利").total == 0 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert searcher.search("灰色福利").total == 1
    finally:
        drop(backend)


def test_a_second_writer_waits_then_gives_up(opensearch_url, tmp_path):
    folder, backend = one_notice(opensearch_url, tmp_path)
    client = backend.opensearch.client()
    try:
        client.indices.create(index=backend.opensearch.lock_index)
        client.create(
            index=backend.opensearch.lock_index,
            id="writer",
            body={"host": "elsewhere", "pid": 1, "since": time.time()},
            refresh=True,
        )
        with pytest.raises(IndexBusy, match="另一个索引更新正在进行"):
            update(backend, [folder], DEFAULT_DICT, lock_timeout=0.5)
        client.delete(index=backend.opensearch.lock_index, id="writer", refresh=True)
        assert names(update(backend, [folder], DEFAULT_DICT).added) == ["a.txt"]
    finally:
        client.close()
        drop(backend)


def test_a_rebuild_moves_the_alias_and_drops_the_old_index(opensearch_url, tmp_path):
    folder, backend = one_notice(opensearch_url, tmp_path)
    client = backend.opensearch.client()
    try:
        update(backend, [folder], DEFAULT_DICT)
        before = set(client.indices.get_alias(name=backend.opensearch.index))
        searcher = backend.open_searcher()
        assert update(backend, [folder], DEFAULT_DICT, rebuild=True).rebuilt
        after = set(client.indices.get_alias(name=backend.opensearch.index))
        assert before != after and len(after) == 1
        assert not client.indices.exists(index=",".join(before))
        time.sleep(2.1)  # the searcher looks for a moved alias every 2 seconds
        assert searcher.search("公车私用").total == 1
    finally:
        client.close()
        drop(backend)


def test_replicas_a_single_node_cannot_hold_are_reported_not_waited_for(opensearch_url, tmp_path):
    folder, backend = one_notice(opensearch_url, tmp_path, replicas=1)
    client = backend.opensearch.client()
    nodes = client.cluster.health()["number_of_data_nodes"]
    client.close()
    if nodes > 1:
        pytest.skip(f"needs a one-node server; {opensearch_url} has {nodes} data nodes")
    said: list[str] = []
    try:
        assert update(backend, [folder], DEFAULT_DICT, progress=said.append).rebuilt
        assert any("副本尚未全部就绪" in line and "1 个数据节点" in line for line in said)
        assert backend.open_searcher().search("公车私用").total == 1
    finally:
        drop(backend)


def test_admin_uploads_reach_the_opensearch_index(opensearch_url, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("关于甲事项的通知\n\n严禁公车私用。\n", encoding="utf-8")
    backend = fresh_backend(opensearch_url, tmp_path / "state")
    instance = tmp_path / "instance"
    set_password(instance, PASSWORD)
    try:
        update(backend, [corpus], DEFAULT_DICT)
        settings = {"INDEX": str(backend.index), "BACKEND": backend, "CORPUS": str(corpus)}
        settings.update(DICT=str(DEFAULT_DICT), INSTANCE=str(instance))
        client = create_app(settings).test_client()
        login(client)
        assert "OpenSearch" in client.get("/admin/").get_data(as_text=True)
        notice = "关于路灯维护的通知\n做好背街小巷路灯维护工作。\n".encode()
        assert upload(client, [(notice, "路灯.txt")]).status_code == 200
        started = client.post("/admin/update", data={"csrf_token": csrf(client, "/admin/")})
        assert started.status_code == 303
        state = wait_for_update(client)
        assert state["state"] == "done", state
        assert found(client, "背街小巷路灯维护") == {"路灯.txt"}
        assert found(client, "公车私用") == {"a.txt"}
    finally:
        drop(backend)


def test_kb_watch_keeps_the_opensearch_index_current(opensearch_url, tmp_path):
    folder, backend = one_notice(opensearch_url, tmp_path)
    stop = threading.Event()
    lines: list[str] = []
    thread = threading.Thread(
        target=watch,
        args=(backend.index, [folder], DEFAULT_DICT, 0.1, lines.append, stop),
        kwargs={"update": lambda _, paths, dict_source: update(backend, paths, dict_source)},
    )
    thread.start()
    try:
        wait_until(lambda: any("新增 1" in line for line in lines))
        searcher = backend.open_searcher()
        (folder / "b.txt").write_text("关于乙事项的通知\n\n严禁违规吃喝。\n", encoding="utf-8")
        wait_until(lambda: searcher.search('"严禁违规吃喝"').total == 1)
    finally:
        stop.set()
        thread.join(timeout=30)
        drop(backend)


def wait_until(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not in time"
        time.sleep(0.2)


def test_searches_during_rebuilds_never_fail_nor_see_half_an_index(os_corpus, whoosh):
    """Rebuilds move the alias and delete the old index while eight threads search."""
    searcher = os_corpus.open_searcher()
    queries = ["四风", '"为基层减负"', "type:通报 year:2024", "领导接受老板请吃饭"]
    expected = {q: whoosh.search(q, per_doc=0, limit=10_000).total for q in queries}
    stop = threading.Event()
    problems: list[str] = []
    answered = itertools.count()

    def search_until_stopped(offset: int) -> None:
        for i in itertools.count(offset):
            if stop.is_set():
                return
            query = queries[i % len(queries)]
            try:
                total = searcher.search(query, per_doc=0, limit=10_000).total
            except Exception as error:  # noqa: BLE001 - every failure is the finding
                problems.append(f"{query}: {error!r}")
                continue
            if total != expected[query]:
                problems.append(f"{query}: {total} passages, expected {expected[query]}")
            next(answered)

    threads = [threading.Thread(target=search_until_stopped, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(2):
            assert update(os_corpus, [DEFAULT_DOCS], DEFAULT_DICT, rebuild=True).rebuilt
        time.sleep(2.5)  # past the searchers' next look at the alias
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not problems, problems[:5]
    assert next(answered) > 20


# --- clear messages ---------------------------------------------------------------------


def test_an_unreachable_cluster_is_a_clear_message(tmp_path):
    backend = Backend(tmp_path, OpenSearchSettings("http://127.0.0.1:9", "kb", replicas=0))
    with pytest.raises(EngineUnavailable, match="无法连接检索服务器 OpenSearch"):
        backend.open_searcher()
    with pytest.raises(EngineUnavailable, match="无法连接"):
        update(backend, [DEFAULT_DOCS], DEFAULT_DICT)


def test_searching_before_indexing_says_how_to_index(opensearch_url, tmp_path):
    backend = fresh_backend(opensearch_url, tmp_path)
    with pytest.raises(IndexMissing, match="kb index --backend opensearch"):
        backend.open_searcher()


def test_an_index_deleted_under_a_running_server_is_an_outage_not_a_crash(opensearch_url, tmp_path):
    folder, backend = one_notice(opensearch_url, tmp_path)
    update(backend, [folder], DEFAULT_DICT)
    searcher = backend.open_searcher()
    assert searcher.search("公车私用").total == 1
    drop(backend)
    time.sleep(2.1)  # the searcher looks at the alias every 2 seconds
    with pytest.raises(EngineUnavailable, match="没有索引"):
        searcher.search("公车私用")


def test_the_web_app_says_when_the_cluster_went_away(os_corpus, tmp_path):
    opened = os_corpus.open_searcher()
    app = create_app({"INDEX": str(tmp_path), "BACKEND": os_corpus, "SEARCHER": opened})
    opened.client.transport.hosts = [{"host": "127.0.0.1", "port": 9}]
    opened.client.transport.set_connections(opened.client.transport.hosts)
    answer = app.test_client().get("/api/search?q=四风")
    assert answer.status_code == 503
    assert "OpenSearch" in answer.get_json()["error"]["message"]
    page = app.test_client().get("/?q=四风")
    assert page.status_code == 503 and "无法连接检索服务器" in page.get_data(as_text=True)


def test_accounts_and_a_private_ca_reach_the_client(monkeypatch, tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("not checked until a connection is made", encoding="utf-8")
    monkeypatch.setenv("KB_OPENSEARCH_CA", str(bundle))
    settings = OpenSearchSettings.from_env("https://kb:secret@10.0.0.5:9200,https://10.0.0.6:9200")
    connections = settings.client().transport.connection_pool.connections
    by_host = {c.host: c for c in connections}  # the pool shuffles them
    assert sorted(by_host) == ["https://10.0.0.5:9200", "https://10.0.0.6:9200"]
    assert by_host["https://10.0.0.5:9200"].headers["authorization"].startswith("Basic ")
    assert all(c.pool.ca_certs == str(bundle) for c in connections)


def test_bad_settings_are_refused_with_reasons():
    for bad, message in (
        (dict(url="localhost:9200"), "http://"),
        (dict(url="http://x", index="KB"), "小写"),
        (dict(url="http://x", shards=0), "分片数"),
    ):
        with pytest.raises(SettingsError, match=message):
            OpenSearchSettings(**bad)


def test_the_command_line_indexes_and_searches_opensearch(opensearch_url, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "关于整治会议过多的通知\n\n青岚委办发〔2024〕9号\n\n严禁以会议落实会议。\n",
        encoding="utf-8",
    )
    name = f"kbcli-{time.time_ns() % 10**12}"
    options = ["--backend", "opensearch", "--url", opensearch_url, "--os-index", name]
    index = ["--index", str(tmp_path / "state")]
    try:
        built = kb("index", str(folder), *index, *options, "--shards", "2", "--replicas", "0")
        assert built.returncode == 0, built.stderr
        assert "新增 1" in built.stdout
        found = kb("search", '"会议落实会议"', "--json", *index, *options)
        assert found.returncode == 0, found.stderr
        assert json.loads(found.stdout)["total"] == 1
        env = {"KB_BACKEND": "opensearch", "KB_OPENSEARCH_URL": opensearch_url}
        by_env = kb("search", "以会议", "--json", *index, "--os-index", name, env=env)
        assert json.loads(by_env.stdout)["total"] == 2  # the title and the text
        refused = kb(
            "search", "会议", *index, "--backend", "opensearch", env={"KB_OPENSEARCH_URL": ""}
        )
        assert refused.returncode == 2 and "--url" in refused.stderr
        away = kb(
            "search", "会议", *index, "--backend", "opensearch", "--url", "http://127.0.0.1:9"
        )
        assert away.returncode == 2 and "无法连接" in away.stderr and "Traceback" not in away.stderr
    finally:
        drop(_named(opensearch_url, name))


def names(paths) -> list[str]:
    return sorted(Path(p).name for p in paths)


def _named(url: str, name: str) -> Backend:
    return Backend(Path("."), OpenSearchSettings(url, name))


def test_incremental_updates_answer_as_a_fresh_build(opensearch_url, tmp_path):
    """As on Whoosh (tests/test_incremental_equals_fresh.py): after changes and removals,
    the same passages with the same scores as a fresh build of the same files."""
    import random

    from test_incremental_equals_fresh import _answers, _apply, _document

    rng = random.Random(7)
    docs = tmp_path / "docs"
    docs.mkdir()
    for number in range(12):
        (docs / f"doc{number}.txt").write_text(_document(rng, f"文件{number}"), encoding="utf-8")
    updated = fresh_backend(opensearch_url, tmp_path / "state")
    fresh = fresh_backend(opensearch_url, tmp_path / "fresh-state")
    try:
        update(updated, [docs], DEFAULT_DICT)
        for batch in (["append", "change", "remove"], ["add", "append", "append"], ["remove"]):
            for number, kind in enumerate(batch):
                _apply(docs, rng, kind, number * 5 + 1)
            update(updated, [docs], DEFAULT_DICT)
        update(fresh, [docs], DEFAULT_DICT)
        assert _answers(updated.open_searcher()) == _answers(fresh.open_searcher())
    finally:
        drop(updated)
        drop(fresh)


def test_an_index_of_an_older_format_is_noticed_and_rebuilt(opensearch_url, tmp_path):
    """Issue 17 item 6 on OpenSearch: kb.upgrade reads the format from the index's _meta."""
    from kb.engines.opensearch.searcher import read_meta
    from kb.schema import SCHEMA_VERSION
    from kb.upgrade import format_behind

    folder, backend = one_notice(opensearch_url, tmp_path)
    update(backend, [folder], DEFAULT_DICT)
    try:
        assert format_behind(backend) is None
        client = backend.opensearch.client()
        name, meta = read_meta(client, backend.opensearch)
        client.indices.put_mapping(
            index=name, body={"_meta": {"kb": {**meta, "schema_version": SCHEMA_VERSION - 1}}}
        )
        client.close()
        said = format_behind(backend)
        assert said is not None and f"{SCHEMA_VERSION - 1}/" in said
        lines: list[str] = []
        report = update(backend, [folder], DEFAULT_DICT, progress=lines.append)
        assert report.rebuilt and any("索引格式已更新" in line for line in lines)
        assert format_behind(backend) is None
    finally:
        drop(backend)


# --- who may see what (kb.access), on OpenSearch --------------------------------------------
# The leak tests of test_access over an OpenSearch index of the same restricted corpus: the
# visibility filter is compiled into the DSL (kb.engines.opensearch.dsl) as into Whoosh.
WHOOSH_ONLY = {"test_quoted_phrases_the_pair_index_finds_are_filtered_too"}  # Whoosh's table
for _name in dir(test_access):
    if _name.startswith("test_") and _name not in WHOOSH_ONLY:
        _fixtures = inspect.signature(getattr(test_access, _name)).parameters
        if "restricted" in _fixtures or "searcher" in _fixtures:
            globals()[f"{_name}_on_opensearch"] = getattr(test_access, _name)


@pytest.fixture(scope="module")
def restricted(opensearch_url, tmp_path_factory):
    """Overrides test_access's fixture: the restricted corpus indexed on OpenSearch."""
    root = tmp_path_factory.mktemp("os-access")
    docs = test_access.lay_out(root)
    backend = fresh_backend(opensearch_url, root / "state")
    report = update(backend, [docs], DEFAULT_DICT)
    assert not report.failed
    opened = backend.open_searcher()
    yield opened, docs, root / "state"
    opened.close()
    drop(backend)
