"""One writer at a time: a second one waits, then gives up politely; readers never wait."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from filelock import FileLock

from indexer.store import LOCK_TIMEOUT_ENV, IndexBusy, update_index
from kb.cli import DEFAULT_DICT, DEFAULT_DOCS
from kb.indexdir import IndexDir

BUSY = "另一个索引更新正在进行……"


def kb(*args: str, timeout: float | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if timeout is not None:
        env[LOCK_TIMEOUT_ENV] = str(timeout)
    return subprocess.run(
        [sys.executable, "-m", "kb.cli", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=300,
    )


@pytest.fixture
def docs(tmp_path) -> Path:
    """corpus/docs and copies of its text files: a build of a few seconds."""
    folder = tmp_path / "docs"
    shutil.copytree(DEFAULT_DOCS, folder)
    for number in range(3):
        for path in sorted(DEFAULT_DOCS.glob("*.txt")):
            text = path.read_text(encoding="utf-8", errors="ignore")
            (folder / f"copy{number}_{path.name}").write_text(f"副本{number}\n\n{text}", "utf-8")
    return folder


def test_a_second_writer_waits_then_says_so_in_chinese(tmp_path):
    index = tmp_path / "index"
    (tmp_path / "a.txt").write_text("通知\n\n严禁以会议落实会议。\n", encoding="utf-8")
    assert kb("index", str(tmp_path / "a.txt"), "--index", str(index)).returncode == 0
    with FileLock(IndexDir(index).lock_path):  # another writer, in this process
        start = time.monotonic()
        busy = kb("index", str(tmp_path / "a.txt"), "--index", str(index), timeout=1)
        waited = time.monotonic() - start
        assert busy.returncode == 3
        assert BUSY in busy.stderr
        assert "Traceback" not in busy.stderr and "LockError" not in busy.stderr
        assert waited >= 1.0
        # Readers take no lock.
        found = kb("search", '"以会议落实会议"', "--index", str(index), "--json")
        assert found.returncode == 0 and json.loads(found.stdout)["total"] == 1
        with pytest.raises(IndexBusy, match=BUSY):
            update_index(index, [tmp_path / "a.txt"], DEFAULT_DICT, lock_timeout=0.1)
    again = kb("index", str(tmp_path / "a.txt"), "--index", str(index))
    assert again.returncode == 0 and again.stdout.startswith("新增 0，更新 0，删除 0，未变 1")


def test_two_writers_one_waits_for_the_other(docs, tmp_path):
    index = str(tmp_path / "index")
    assert kb("index", str(docs), "--index", index).returncode == 0
    first = subprocess.Popen(
        [sys.executable, "-m", "kb.cli", "index", str(docs), "--index", index, "--rebuild"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    try:
        # Its first progress line comes once it holds the lock.
        assert "按要求重建" in first.stderr.readline()
        impatient = kb("index", str(docs), "--index", index, timeout=0.2)
        patient = kb("index", str(docs), "--index", index, timeout=120)
        out, rest = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, rest
    assert "已重建索引" in out
    assert impatient.returncode == 3 and BUSY in impatient.stderr
    assert "Traceback" not in impatient.stderr
    assert patient.returncode == 0, patient.stderr
    assert patient.stdout.startswith("新增 0，更新 0，删除 0")  # it ran after the rebuild
    assert [p.name for p in Path(index).glob("gen-*")] == [
        IndexDir(Path(index)).current().folder.name
    ]
