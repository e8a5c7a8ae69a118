"""`kb watch`: the "changed and stable?" rule, the snapshot, and a real watcher process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from indexer.store import Report
from indexer.watch import describe, should_update, snapshot, watch
from kb.cli import DEFAULT_DICT

A = {"a.txt": (10, 1)}
AB = {"a.txt": (10, 1), "b.txt": (5, 2)}


def test_nothing_happens_before_the_files_have_been_seen_twice():
    assert not should_update(None, None, A)


def test_stable_files_never_indexed_are_indexed():
    assert should_update(None, A, A)


def test_stable_files_already_indexed_are_left_alone():
    assert not should_update(A, A, A)


def test_files_still_changing_wait():
    assert not should_update(A, A, AB)  # b.txt appeared since the last poll
    assert not should_update(A, AB, {"a.txt": (10, 1), "b.txt": (9, 3)})  # still growing
    assert should_update(A, AB, AB)  # stable for one interval: now


def test_a_removal_is_a_change_too():
    assert should_update(AB, A, A)


def test_a_large_copy_is_indexed_once():
    """A file growing over several polls, then stable: one update, after the copy."""
    polls = [A, A] + [{**A, "big.txt": (size, size)} for size in (100, 200, 300, 400)]
    polls += [polls[-1]] * 3
    indexed, previous, updates = None, None, []
    for number, current in enumerate(polls):
        if should_update(indexed, previous, current):
            updates.append(number)
            indexed = current
        previous = current
    assert updates == [1, 6]  # the first stable view, then once after the copy


def test_snapshot_sees_sizes_and_times_and_skips_hidden_entries(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("乙", encoding="utf-8")
    (tmp_path / "a.txt").write_text("甲甲", encoding="utf-8")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "c.txt").write_text("丙", encoding="utf-8")
    (tmp_path / ".d.txt").write_text("丁", encoding="utf-8")
    found = snapshot([tmp_path])
    assert set(found) == {str(tmp_path / "a.txt"), str(tmp_path / "sub" / "b.md")}
    stat = (tmp_path / "a.txt").stat()
    assert found[str(tmp_path / "a.txt")] == (stat.st_size, stat.st_mtime_ns)
    assert snapshot([tmp_path / "missing"]) == {}
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / "CURRENT").write_text("gen-1", encoding="utf-8")
    assert set(snapshot([tmp_path], skip=tmp_path / "index")) == set(found)


def test_one_line_per_update_names_the_files():
    report = Report(added=["docs/新文件.txt"], removed=["docs/a.txt"], unchanged=3)
    line = describe(report)
    assert line.startswith("新增 1，更新 0，删除 1，未变 3，失败 0")
    assert "新增：新文件.txt" in line and "删除：a.txt" in line and "\n" not in line


def test_the_loop_retries_when_another_writer_is_busy(tmp_path):
    from indexer.store import IndexBusy

    (tmp_path / "a.txt").write_text("甲", encoding="utf-8")
    calls: list[float] = []
    lines: list[str] = []
    stop = threading.Event()

    def update(*args):
        calls.append(time.monotonic())
        if len(calls) == 1:
            raise IndexBusy("busy")
        stop.set()
        return Report(unchanged=1)

    watch(tmp_path / "idx", [tmp_path], DEFAULT_DICT, 0.01, lines.append, stop, update)
    assert len(calls) == 2
    assert "另一个索引更新正在进行……" in lines[0] and "未变 1" in lines[1]


# --- a real watcher -----------------------------------------------------------------------


def kb(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kb.cli", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def found(index: Path, query: str) -> int:
    result = kb("search", query, "--index", str(index), "--json")
    if result.returncode:  # no index yet
        return -1
    return json.loads(result.stdout)["total"]


def wait_for(condition, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the index did not follow in time"
        time.sleep(0.2)


@pytest.fixture
def watcher(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(
        "关于整治会议过多的通知\n\n严禁以会议落实会议。\n", encoding="utf-8"
    )
    index = tmp_path / "index"
    process = subprocess.Popen(
        [sys.executable, "-m", "kb.cli", "watch", str(docs), "--index", str(index)]
        + ["--interval", "0.2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)
    reader.start()
    yield docs, index, process, lines
    if process.poll() is None:
        process.kill()
        process.wait(timeout=30)


def test_the_index_follows_files_as_they_appear_change_and_go(watcher):
    docs, index, process, lines = watcher
    wait_for(lambda: found(index, '"以会议落实会议"') == 1)

    (docs / "b.txt").write_text("新文件\n\n为基层减负，严禁文山会海。\n", encoding="utf-8")
    wait_for(lambda: found(index, '"严禁文山会海"') == 1)

    (docs / "a.txt").write_text("关于整治会议过多的通知\n\n严禁层层开会。\n", encoding="utf-8")
    wait_for(lambda: found(index, '"严禁层层开会"') == 1)
    assert found(index, '"以会议落实会议"') == 0

    (docs / "b.txt").unlink()
    wait_for(lambda: found(index, '"严禁文山会海"') == 0)

    if os.name == "nt":
        return  # no Ctrl+C to send to a console-less child on Windows
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0
    assert "已停止监视" in process.stderr.read()
    assert "Traceback" not in "".join(lines)
    assert any("新增 1" in line and "b.txt" in line for line in lines)
    assert any("删除 1" in line and "b.txt" in line for line in lines)


def test_a_file_written_over_several_polls_is_indexed_once(watcher):
    docs, index, process, lines = watcher
    wait_for(lambda: found(index, '"以会议落实会议"') == 1)
    before = len(lines)
    with open(docs / "big.txt", "w", encoding="utf-8") as stream:
        stream.write("大文件\n\n")
        for number in range(20):  # 1 s of writing, longer than several 0.2 s polls
            stream.write(f"第{number}段：持续为基层减负。\n\n")
            stream.flush()
            os.fsync(stream.fileno())
            time.sleep(0.05)
    wait_for(lambda: found(index, '"第19段"') == 1)
    time.sleep(1.0)  # a second update, if one were coming, would come now
    mentions = [line for line in lines[before:] if "big.txt" in line]
    assert len(mentions) == 1 and "新增：big.txt" in mentions[0], lines
