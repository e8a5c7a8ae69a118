"""Contracts an audit broke on purpose without any test noticing (issue 12), each checked where
users meet it, plus the rules that keep the suite itself honest.

- Paging: page 2 holds exactly results 11-20 of the ranking, on the web page, in /api/search
  and through `kb search --offset`.
- `kb search`'s `--per-doc` default is 3 (a README contract), through the real `kb` command.
- An index update flushes every file of the new generation, and the name in CURRENT, to disk
  before CURRENT names it.
- The search page lists the facets (文种, 年份, 发文机关, with counts) without any browser.
- Under CI=true a missing chromium or ../shared/realdocs fails the run instead of skipping.
- Test OpenSearch nodes take free ports and die with the test run, even one killed by SIGKILL.
- A hung test fails after the per-test timeout (pytest-timeout) and the run goes on.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ElementTree
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import REALDOCS_MISSING, write_docs

from indexer.store import update_index
from kb.cli import DEFAULT_DICT
from kb.indexdir import CURRENT, IndexDir

pytest_plugins = ["opensearch_support"]

ROOT = Path(__file__).resolve().parents[1]
KB = Path(sys.executable).with_name("kb.exe" if os.name == "nt" else "kb")
# Queries with well over 30 results (3 pages of 10) in corpus/docs, where some documents hold
# more than 3 matching passages (so --per-doc matters).
QUERIES = ["会议", "违规吃喝 处分"]


def kb_json(*args: str) -> dict:
    """`kb search ... --json` through the installed `kb` command, parsed."""
    completed = run_kb("search", *args, "--json")
    return json.loads(completed.stdout)


def run_kb(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}  # the Whoosh backend
    completed = subprocess.run(
        [str(KB), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**env, "PYTHONIOENCODING": "utf-8"},
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    return completed


def key(hit: dict) -> tuple:
    """What identifies a result and its rank, whatever form of path an interface shows."""
    return hit["doc_id"], hit["text"], hit["score"]


def page_hits(page: str) -> list[tuple[str, int]]:
    """(doc_id, ordinal) of each result on a search page, in order."""
    found = re.findall(r'<h3><a data-open href="/doc/(\w+)\?[^"]*#p-(\d+)"', page)
    return [(doc_id, int(ordinal)) for doc_id, ordinal in found]


# --- 1. page 2 is results 11-20 --------------------------------------------------------------


@pytest.mark.parametrize("query", QUERIES)
def test_the_second_page_is_results_11_to_20_on_the_web_page(client, searcher, query):
    ranking = searcher.search(query, limit=20)
    assert ranking.total > 30 and len(ranking.hits) == 20
    expected = [(h.doc_id, h.ordinal) for h in ranking.hits]
    q = quote(query)
    twenty = page_hits(client.get(f"/search?q={q}&per_page=20").get_data(as_text=True))
    first = page_hits(client.get(f"/search?q={q}").get_data(as_text=True))
    page = client.get(f"/search?q={q}&page=2").get_data(as_text=True)
    second = page_hits(page)
    assert twenty == expected
    assert first == expected[:10]
    assert second == expected[10:20]
    assert '<ol class="hits" start="11">' in page  # numbered 11-20 too
    assert 'aria-current="page">2<' in page


@pytest.mark.parametrize("query", QUERIES)
def test_the_second_page_is_results_11_to_20_in_the_api(client, searcher, query):
    ranking = [key(h.as_dict()) for h in searcher.search(query, limit=20).hits]
    q = quote(query)
    twenty = client.get(f"/api/search?q={q}&per_page=20").get_json()
    second = client.get(f"/api/search?q={q}&page=2").get_json()
    third = client.get(f"/api/search?q={q}&page=3").get_json()
    assert [key(h) for h in twenty["hits"]] == ranking
    assert second["hits"] == twenty["hits"][10:20]
    assert second["total"] == twenty["total"] > 30
    assert not {h["text"] for h in third["hits"]} & {h["text"] for h in second["hits"]}


@pytest.mark.parametrize("query", QUERIES)
def test_the_second_page_is_results_11_to_20_from_kb_search(corpus_index, searcher, query):
    ranking = [key(h.as_dict()) for h in searcher.search(query, limit=20).hits]
    index = str(corpus_index)
    twenty = kb_json(query, "--index", index, "--limit", "20")
    second = kb_json(query, "--index", index, "--offset", "10")
    assert [key(h) for h in twenty["hits"]] == ranking
    assert second["hits"] == twenty["hits"][10:20]
    text = run_kb("search", query, "--index", index, "--offset", "10").stdout
    numbers = [int(n) for n in re.findall(r"^(\d+)\. 《", text, flags=re.M)]
    assert numbers == list(range(11, 21))


# --- 2. --per-doc defaults to 3 --------------------------------------------------------------


@pytest.mark.parametrize("query", QUERIES)
def test_kb_search_shows_at_most_three_passages_per_document_by_default(corpus_index, query):
    index = str(corpus_index)
    default = kb_json(query, "--index", index, "--limit", "1000")
    three = kb_json(query, "--index", index, "--limit", "1000", "--per-doc", "3")
    every = kb_json(query, "--index", index, "--limit", "1000", "--per-doc", "0")
    assert default == three
    assert max(Counter(h["doc_id"] for h in default["hits"]).values()) == 3
    assert max(Counter(h["doc_id"] for h in every["hits"]).values()) > 3
    assert default["total"] == len(default["hits"]) < every["total"]
    batch = subprocess.run(
        [str(KB), "search", "-", "--index", index, "--limit", "1000"],
        input=query + "\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        timeout=120,
    )
    assert json.loads(batch.stdout)["hits"] == default["hits"]  # `kb search -` as well


# --- 3. a generation and CURRENT reach the disk before CURRENT names them ---------------------


class DiskLog:
    """os.fsync and os.replace as the code under test calls them, in order. A flushed file is
    known by its identity (device, inode), which a rename keeps, so a file flushed under a
    temporary name counts for the name it is given."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.events: list[tuple] = []
        real_fsync, real_replace = os.fsync, os.replace

        def fsync(fd: int) -> None:
            self.events.append(("fsync", self.identity(os.fstat(fd))))
            real_fsync(fd)

        def replace(source, target, **kwargs) -> None:
            self.events.append(("replace", Path(source).name, Path(target)))
            real_replace(source, target, **kwargs)

        monkeypatch.setattr(os, "fsync", fsync)
        monkeypatch.setattr(os, "replace", replace)

    @staticmethod
    def identity(stat: os.stat_result) -> tuple[int, int]:
        return stat.st_dev, stat.st_ino

    def switch(self, index: Path) -> int:
        """The position of the one rename that made CURRENT name a new generation."""
        switches = [
            i
            for i, event in enumerate(self.events)
            if event[0] == "replace" and event[2] == index / CURRENT
        ]
        assert len(switches) == 1, self.events
        return switches[0]

    def flushed(self, events: list[tuple]) -> set[tuple[int, int]]:
        return {event[1] for event in events if event[0] == "fsync"}


def assert_durable_switch(log: DiskLog, index: Path) -> None:
    live = IndexDir(index).require_current().folder
    at = log.switch(index)
    before, after = log.flushed(log.events[:at]), log.flushed(log.events[at + 1 :])
    files = [p for p in live.rglob("*") if p.is_file()]
    assert {p.name for p in live.iterdir()} >= {"whoosh", "dict", "meta.json", "manifest.json"}
    assert any(p.suffix == ".seg" for p in files) and any(p.suffix == ".toc" for p in files)
    not_flushed = [str(p.relative_to(index)) for p in files if log.identity(p.stat()) not in before]
    assert not_flushed == [], "written but not flushed before CURRENT named the generation"
    current = log.identity((index / CURRENT).stat())  # the file renamed to CURRENT
    assert current in before, "CURRENT's new content was not flushed before the rename"
    if os.name != "nt":  # folders: new names on disk before the switch, the rename after it
        folders = [live, *(p for p in live.rglob("*") if p.is_dir())]
        not_flushed = [str(p) for p in folders if log.identity(p.stat()) not in before]
        assert not_flushed == [], "folders' new entries not flushed before the switch"
        assert log.identity(index.stat()) in after, "the rename to CURRENT was not flushed"


def test_an_update_flushes_the_generation_and_current_before_switching(tmp_path, monkeypatch):
    docs = write_docs(
        tmp_path / "docs",
        {
            "会议通知.txt": "关于精简会议的通知\n\n严格控制会议数量，提高会议质量。\n",
            "减负方案.txt": "为基层减负实施方案\n\n坚决整治形式主义，为基层减负。\n",
            "案例通报.txt": "典型案例通报\n\n某局干部违规吃喝，受到党内警告处分。\n",
        },
    )
    index = tmp_path / "index"
    log = DiskLog(monkeypatch)
    update_index(index, [docs], DEFAULT_DICT)  # a full build
    assert_durable_switch(log, index)

    log.events.clear()
    (docs / "会议通知.txt").write_text("关于精简会议的通知\n\n会议一律从简。\n", encoding="utf-8")
    (docs / "案例通报.txt").unlink()
    report = update_index(index, [docs], DEFAULT_DICT)  # an update: hard links to the old files
    assert report.updated and report.removed
    assert IndexDir(index).require_current().folder.name == "gen-2"
    assert_durable_switch(log, index)


# --- 4. the search page lists the facets, no browser needed -----------------------------------


def facet_lists(page: str) -> dict[str, list[tuple[str, int]]]:
    """{facet heading: [(value, count)]} of the search page's filter column."""
    aside = re.search(r'<aside class="facets"[^>]*>(.*?)</aside>', page, flags=re.S)
    assert aside, "the search page has no filter column"
    shown = {}
    for heading, items in re.findall(r"<h2>(.*?)</h2>\s*<ul>(.*?)</ul>", aside.group(1), re.S):
        values = re.findall(
            r'<a [^>]*href="[^"]*">([^<]+)<span class="n"[^>]*>(\d+) 篇</span>', items
        )
        shown[heading] = [(html.unescape(value), int(count)) for value, count in values]
    return shown


@pytest.mark.parametrize("query", QUERIES)
def test_the_search_page_lists_facets_with_counts(client, searcher, query):
    facets = searcher.search(query, facets=True).facets
    expected = {
        "文种": facets["doc_type"][:12],
        "年份": facets["year"][:12],
        "发文机关": facets["issuer"][:12],
    }
    assert all(len(values) >= 2 for values in expected.values()), expected
    page = client.get(f"/search?q={quote(query)}").get_data(as_text=True)
    assert facet_lists(page) == expected
    value, count = expected["文种"][0]
    link = re.search(rf'href="([^"]*)">{re.escape(value)}<span class="n"[^>]*>{count} 篇<', page)
    filtered = client.get(html.unescape(link.group(1))).get_data(as_text=True)
    assert 'class="active" href=' in filtered
    assert facet_lists(filtered)["文种"] == [(value, count)]


# --- 5. under CI=true, missing prerequisites fail ---------------------------------------------

PROBE = """
import pytest
from conftest import missing_prerequisite, prerequisite

@prerequisite(False, "chromium is not installed")
def test_marked():
    pass

def test_called():
    missing_prerequisite("{realdocs}")

@pytest.mark.skipif(True, reason="../shared/realdocs/raw is absent (it sits beside the checkout in CI)")
def test_plain_skipif():
    pass

@pytest.mark.skipif(True, reason="fake tools are POSIX scripts")
def test_unrelated_skip():
    pass

@prerequisite(True, "chromium is not installed")
def test_present():
    pass
"""


def outcomes(junit: Path) -> dict[str, str]:
    """{test name: passed | skipped | failed} from a JUnit XML report."""
    found = {}
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        kinds = {child.tag for child in case} & {"skipped", "failure", "error"}
        name = case.get("name")
        if case.get("classname", "").startswith("tests."):  # a module of the real suite
            name = f"{case.get('classname').removeprefix('tests.')}::{name}"
        found[name] = "failed" if kinds & {"failure", "error"} else "skipped" if kinds else "passed"
    return found


def run_pytest(args: list[str], tmp_path: Path, ci: bool, **env: str) -> dict[str, str]:
    junit = tmp_path / f"junit-{ci}.xml"
    environ = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci:
        environ["CI"] = "true"
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={junit}"]
        + args,
        cwd=ROOT,
        env={**environ, **env},
        capture_output=True,
        timeout=240,
    )
    return outcomes(junit)


@pytest.mark.parametrize("ci", [False, True])
def test_under_ci_a_missing_prerequisite_fails_instead_of_skipping(tmp_path, ci):
    probe = tmp_path / "test_probe.py"
    probe.write_text(PROBE.replace("{realdocs}", REALDOCS_MISSING), encoding="utf-8")
    tests = str(ROOT / "tests")
    found = run_pytest(
        ["-p", "conftest", "--rootdir", str(tmp_path), str(probe)],
        tmp_path,
        ci,
        PYTHONPATH=os.pathsep.join([tests, os.environ.get("PYTHONPATH", "")]),
    )
    missing = "failed" if ci else "skipped"
    assert found == {
        "test_marked": missing,
        "test_called": missing,
        "test_plain_skipif": missing,
        "test_unrelated_skip": "skipped",
        "test_present": "passed",
    }


def test_under_ci_the_browser_tests_fail_without_chromium(tmp_path):
    """The real browser test modules, with chromium out of reach."""
    no_chromium = {"PATH": str(Path(sys.executable).parent), "KB_CHROMIUM": ""}
    modules = ["tests/test_browser.py", "tests/test_workbench_browser.py"]
    modules.append("tests/test_admin_browser.py")
    found = run_pytest(modules, tmp_path, True, **no_chromium)
    assert {name.split("::")[0] for name in found} == {Path(m).stem for m in modules}
    assert set(found.values()) == {"failed"}, found
    found = run_pytest(modules, tmp_path, False, **no_chromium)
    assert {name.split("::")[0] for name in found} == {Path(m).stem for m in modules}
    assert set(found.values()) == {"skipped"}, found


# --- 6. test OpenSearch nodes die with the test run -------------------------------------------


def wait_until(check, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


def alive(pid: int) -> bool:
    """A live process (a zombie counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def server_module():
    if not sys.platform.startswith("linux"):
        pytest.skip("parent-death signals and /proc are Linux's (so is the test server)")
    from opensearch_support import server

    return server()


HOLDER = """
import subprocess, sys, time
sys.path.insert(0, {tools!r})
import server
tie = server.tie_to_caller()
assert tie is not None
child = subprocess.Popen(["sleep", "600"], preexec_fn=tie, start_new_session=True)
print(child.pid, flush=True)
time.sleep(600)
"""


def test_a_tied_child_dies_when_its_parent_is_killed(server_module):
    tools = str(ROOT / "tools" / "opensearch")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER.format(tools=tools)], stdout=subprocess.PIPE, text=True
    )
    try:
        child = int(holder.stdout.readline())
        assert alive(child)
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(10)
        assert wait_until(lambda: not alive(child), 10), "the child outlived its killed parent"
    finally:
        holder.kill()
        holder.wait(10)
        holder.stdout.close()


def test_the_watchdog_stops_a_node_whose_parent_is_gone(server_module, tmp_path, monkeypatch):
    """The fallback where no parent-death signal can be set: a stand-in node (a process with
    the node's config in its environment, as server.py recognises its nodes) and a parent
    that exits."""
    monkeypatch.setenv("KB_OPENSEARCH_HOME", str(tmp_path))
    folder = server_module.node_dir("test-watchdog")
    (folder / "config").mkdir(parents=True)
    node = subprocess.Popen(
        ["sleep", "600"],
        env={**os.environ, "OPENSEARCH_PATH_CONF": str(folder / "config")},
        start_new_session=True,
    )
    parent = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        (folder / "pid").write_text(f"{node.pid}\n")
        assert server_module._node_pid("test-watchdog") == node.pid
        watchdog = server_module.start_watchdog("test-watchdog", parent=parent.pid)
        time.sleep(2 * server_module.WATCHDOG_INTERVAL)
        assert node.poll() is None and watchdog.poll() is None  # parent alive: nothing done
        parent.kill()
        parent.wait(10)
        assert node.wait(20) is not None
        assert watchdog.wait(20) == 0
    finally:
        for process in (node, parent):
            with contextlib.suppress(OSError):
                process.kill()
            process.wait(10)


KEEPER = """
import os, time
from pathlib import Path

pytest_plugins = ["opensearch_support"]

def test_keep_a_node(opensearch_url):
    Path(os.environ["KB_TEST_NODE_URL"]).write_text(opensearch_url)
    time.sleep(600)
"""


@pytest.mark.usefixtures("local_opensearch")
def test_killing_the_test_run_stops_its_opensearch_node(server_module, tmp_path):
    """A pytest run holding a local node is killed with SIGKILL: the node goes with it."""
    (tmp_path / "test_keeper.py").write_text(KEEPER, encoding="utf-8")
    url_file = tmp_path / "url"
    env = {k: v for k, v in os.environ.items() if k != "KB_OPENSEARCH_URL"}
    env["KB_TEST_NODE_URL"] = str(url_file)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "tests"), env.get("PYTHONPATH", "")])
    run = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        + ["--rootdir", str(tmp_path), str(tmp_path / "test_keeper.py")],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    folder = f"test-{run.pid}-single"
    try:
        assert wait_until(lambda: url_file.exists() or run.poll() is not None, 240)
        assert run.poll() is None, "the keeper run ended before its node answered"
        url = url_file.read_text()
        node = server_module._node_pid(folder)
        assert node is not None and alive(node)
        assert int(url.rsplit(":", 1)[1]) not in (9200, 9250), url  # a free port, not a fixed one
        os.kill(run.pid, signal.SIGKILL)
        run.wait(10)
        assert wait_until(lambda: not alive(node), 30), "the node outlived the killed test run"
        with pytest.raises(OSError):
            urllib.request.urlopen(url, timeout=5)
    finally:
        run.kill()
        run.wait(10)
        with contextlib.suppress(server_module.ServerError):
            server_module.stop_node(folder)
        shutil.rmtree(server_module.node_dir(folder), ignore_errors=True)


# --- 7. a hung test fails instead of hanging the run -------------------------------------------

HANG = """
import time

def test_hangs():
    time.sleep(600)

def test_after_it():
    pass
"""


def test_a_hung_test_fails_and_the_run_goes_on(pytestconfig, tmp_path):
    assert pytestconfig.pluginmanager.hasplugin("timeout")
    assert float(pytestconfig.getini("timeout")) >= 300  # the project's default, pyproject.toml
    (tmp_path / "test_hang.py").write_text(HANG, encoding="utf-8")
    started = time.monotonic()
    found = run_pytest(  # the project's settings, with a timeout short enough to wait for
        ["-c", str(ROOT / "pyproject.toml"), "--rootdir", str(tmp_path), "-o", "timeout=3"]
        + [str(tmp_path / "test_hang.py")],
        tmp_path,
        False,
    )
    assert found == {"test_hangs": "failed", "test_after_it": "passed"}
    assert time.monotonic() - started < 120
