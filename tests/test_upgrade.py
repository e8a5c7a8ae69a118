"""A newer kb over an index an older kb wrote (issue 17, item 6): ``kb serve`` keeps
answering from the old generation while it rebuilds in the background, says so on the
terminal, the admin page and the search page, and switches when done; ``kb search`` says
how to upgrade; nothing ends in a traceback about a format."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path

import pytest

from kb import cli
from kb.indexdir import IndexDir
from kb.schema import SCHEMA_VERSION
from kb.upgrade import format_behind

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpus" / "docs"
# The last commit whose index format (SCHEMA_VERSION 11) is older than today's.
OLD_KB = "dae82303f9"


def _build(index: Path, corpus: Path = SAMPLE) -> None:
    assert cli.main(["index", str(corpus), "--index", str(index)]) == 0


def _age(index: Path, version: int | None) -> None:
    """Make the live generation look written by an older kb (its meta's schema)."""
    generation = IndexDir(index).require_current()
    meta = generation.read_meta()
    if version is None:
        meta.pop("schema_version", None)
    else:
        meta["schema_version"] = version
    generation.write_meta(meta)


def _schema_of(index: Path) -> object:
    return IndexDir(index).require_current().read_meta().get("schema_version")


@pytest.fixture
def old_index(tmp_path: Path) -> Path:
    index = tmp_path / "index"
    _build(index)
    _age(index, SCHEMA_VERSION - 1)
    return index


def test_format_behind_names_both_formats(old_index: Path, tmp_path: Path) -> None:
    from kb.backend import Backend

    said = format_behind(Backend(old_index))
    assert said is not None
    assert str(SCHEMA_VERSION - 1) in said and str(SCHEMA_VERSION) in said
    _age(old_index, None)
    assert "未知" in (format_behind(Backend(old_index)) or "")
    _age(old_index, SCHEMA_VERSION)
    assert format_behind(Backend(old_index)) is None
    assert format_behind(Backend(tmp_path / "nothing")) is None  # no index: nothing to upgrade


def test_kb_search_on_an_old_index_answers_and_says_how_to_upgrade(old_index, capsys):
    assert cli.main(["search", "八项规定", "--index", str(old_index)]) == 0
    captured = capsys.readouterr()
    assert "共" in captured.out
    assert "较早版本" in captured.err and "kb index" in captured.err


def test_kb_index_on_an_old_index_rebuilds_and_says_why(old_index, capsys):
    before = IndexDir(old_index).require_current().folder
    assert cli.main(["index", str(SAMPLE), "--index", str(old_index)]) == 0
    err = capsys.readouterr().err
    assert "索引格式已更新" in err
    assert _schema_of(old_index) == SCHEMA_VERSION
    assert IndexDir(old_index).require_current().folder != before


def _wait(job, seconds: float = 180.0) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = job.snapshot()
        if state["state"] in ("done", "failed"):
            return state
        time.sleep(0.2)
    raise AssertionError(f"the upgrade did not finish: {job.snapshot()}")


def test_kb_serve_answers_from_the_old_index_while_it_upgrades(
    old_index, tmp_path, capsys, monkeypatch
):
    import indexer.isolated

    release = threading.Event()
    real = indexer.isolated.update_in_child

    def held(*args, **kwargs):  # the rebuild waits until the test has looked
        assert release.wait(60)
        return real(*args, **kwargs)

    monkeypatch.setattr(indexer.isolated, "update_in_child", held)
    before = IndexDir(old_index).require_current().folder
    arguments = ["serve", "--index", str(old_index), "--corpus", str(SAMPLE)]
    app = cli.serve_app(cli.parse_args([*arguments, "--instance", str(tmp_path / "inst")]))
    assert not isinstance(app, int)
    err = capsys.readouterr().err
    assert "较早版本" in err and "后台" in err

    job = app.extensions["kb.admin_job"]
    client = app.test_client()
    try:
        assert job.snapshot()["state"] == "running"
        page = client.get("/", query_string={"q": "八项规定"})
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "正在按新版本的格式重建索引" in html  # the reader is told
        assert "中央八项规定精神" in html  # and answered from the old generation
        api = client.get("/api/search", query_string={"q": "八项规定"}).get_json()
        assert api["total"] > 0
    finally:
        release.set()
    state = _wait(job)
    assert state["state"] == "done", state
    assert any("索引格式已更新" in line for line in state["lines"]), state["lines"]
    assert _schema_of(old_index) == SCHEMA_VERSION
    assert IndexDir(old_index).require_current().folder != before
    html = client.get("/", query_string={"q": "八项规定"}).get_data(as_text=True)
    assert "正在按新版本的格式重建索引" not in html and "中央八项规定精神" in html
    assert "升级完成" in capsys.readouterr().err


def test_kb_serve_rebuilds_first_when_the_old_index_cannot_be_read(
    old_index, tmp_path, capsys, monkeypatch
):
    """An index this kb cannot even open (say a class its pickled schema names is gone) is
    rebuilt before serving, with a message, not a traceback."""
    from kb.backend import Backend

    real = Backend.open_searcher
    calls: list[int] = []

    def fussy(self):
        calls.append(1)
        if len(calls) == 1:
            raise AttributeError("Can't get attribute 'OldTokenizer' on <module 'kb.analysis'>")
        return real(self)

    monkeypatch.setattr(Backend, "open_searcher", fussy)
    before = IndexDir(old_index).require_current().folder
    arguments = ["serve", "--index", str(old_index), "--corpus", str(SAMPLE)]
    app = cli.serve_app(cli.parse_args([*arguments, "--instance", str(tmp_path / "inst")]))
    err = capsys.readouterr().err
    assert not isinstance(app, int), err
    assert "无法读取" in err and "重建" in err and "Traceback" not in err
    assert _schema_of(old_index) == SCHEMA_VERSION
    assert IndexDir(old_index).require_current().folder != before
    assert app.extensions["kb.admin_job"].snapshot()["state"] == "idle"  # nothing left to do
    hits = app.test_client().get("/api/search", query_string={"q": "八项规定"}).get_json()
    assert hits["total"] > 0


def _old_kb(tmp_path: Path) -> Path:
    """kb's sources as of OLD_KB, from this checkout's history (skips without it)."""
    if shutil.which("git") is None:
        pytest.skip("git 不可用：无法取出旧版本的 kb")
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", OLD_KB, "kb", "indexer", "corpus/dict"],
        capture_output=True,
    )
    if archive.returncode != 0:
        pytest.skip(f"本检出没有提交 {OLD_KB} 的历史（浅克隆？）：无法取出旧版本的 kb")
    folder = tmp_path / "old-kb"
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def test_an_index_written_by_a_real_older_kb_is_upgraded(tmp_path, capsys):
    old = _old_kb(tmp_path)
    index = tmp_path / "index"
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from kb.cli import main; sys.exit(main())",
            "index",
            str(SAMPLE),
            "--index",
            str(index),
            "--dict",
            str(old / "corpus" / "dict"),
        ],
        cwd=tmp_path,
        env={"PYTHONPATH": str(old), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    meta = json.loads(
        (IndexDir(index).require_current().folder / "meta.json").read_text(encoding="utf-8")
    )
    assert meta["schema_version"] == SCHEMA_VERSION - 1

    assert cli.main(["search", "year:2024 八项规定", "--index", str(index)]) == 0
    assert "较早版本" in capsys.readouterr().err
    assert cli.main(["index", str(SAMPLE), "--index", str(index)]) == 0
    assert "索引格式已更新" in capsys.readouterr().err
    assert _schema_of(index) == SCHEMA_VERSION
    assert cli.main(["search", "year:2024 八项规定", "--index", str(index)]) == 0
    assert "较早版本" not in capsys.readouterr().err
