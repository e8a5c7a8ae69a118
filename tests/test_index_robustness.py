"""Whatever lands in the corpus folder: names in any encoding, links that leave it, deep trees,
special files. The index stays right and every file is accounted for (issue 12)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from test_cli import kb

from indexer.store import update_index
from kb.cli import DEFAULT_DICT
from kb.search import Searcher

POSIX_BYTES = pytest.mark.skipif(
    sys.platform in ("win32", "darwin"), reason="file names are bytes only on Linux and BSD"
)


def _named(folder: Path, raw_name: bytes, text: str) -> Path:
    """A file whose name is ``raw_name`` as the file system stores it (any bytes)."""
    path = Path(os.fsdecode(os.path.join(os.fsencode(folder), raw_name)))
    path.write_text(text, encoding="utf-8")
    return path


@POSIX_BYTES
def test_a_file_named_in_gbk_is_indexed_and_shown_readably(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    _named(docs, "测试".encode("gbk") + b".txt", "关于测试的通知\n\n严禁违规吃喝。\n")
    _named(docs, b"\xff\xfe\x80.txt", "另一份通知\n\n严禁公车私用。\n")
    (docs / "正常.txt").write_text("第三份通知\n\n严禁大操大办。\n", encoding="utf-8")
    report = update_index(tmp_path / "index", [docs], DEFAULT_DICT)
    assert not report.failed and len(report.added) == 3
    shown = sorted(report.added)
    assert any(s.endswith("测试.txt") for s in shown), shown  # GBK bytes decoded for reading
    assert any(s.endswith("\\xff\\xfe\\x80.txt") for s in shown), shown  # the rest escaped
    searcher = Searcher(tmp_path / "index")
    hit = searcher.search("违规吃喝").hits[0]
    assert hit.path.endswith("测试.txt")
    assert searcher.search("公车私用").hits[0].path.endswith("\\xff\\xfe\\x80.txt")
    # A second run sees nothing changed; removing the file removes it from the index.
    again = update_index(tmp_path / "index", [docs], DEFAULT_DICT)
    assert not again.changed and again.unchanged == 3
    for path in docs.iterdir():
        if path.name != "正常.txt":
            path.unlink()
    gone = update_index(tmp_path / "index", [docs], DEFAULT_DICT)
    assert len(gone.removed) == 2 and Searcher(tmp_path / "index").search("公车私用").total == 0


@POSIX_BYTES
def test_the_cli_reports_and_searches_gbk_names(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    _named(docs, "测试".encode("gbk") + b".txt", "关于测试的通知\n\n严禁违规吃喝。\n")
    index = str(tmp_path / "index")
    result = kb("index", str(docs), "--index", index)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "新增 1" in result.stdout
    found = kb("search", "违规吃喝", "--index", index, "--json")
    assert found.returncode == 0 and "测试.txt" in found.stdout


LINKS = pytest.mark.skipif(not hasattr(os, "symlink") or sys.platform == "win32",
                           reason="symbolic links need a POSIX file system here")  # fmt: skip


def _failed(report) -> dict[str, str]:
    return {Path(f.path).name: f.reason for f in report.failed}


@LINKS
def test_links_out_of_the_corpus_are_refused_and_reported(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    secret = tmp_path / "outside.txt"
    secret.write_text("机密\n\n不该被检索的内容。\n", encoding="utf-8")
    (docs / "a.txt").write_text("一份通知\n\n严禁公车私用。\n", encoding="utf-8")
    os.symlink(secret, docs / "leak.txt")
    os.symlink("/etc/hostname", docs / "host.txt")
    os.symlink(docs / "a.txt", docs / "same.txt")  # inside the corpus: the file counts once
    os.symlink(docs / "nowhere.txt", docs / "broken.txt")
    (docs / "sub").mkdir()
    os.symlink(docs, docs / "sub" / "loop")  # a folder link that loops
    report = update_index(tmp_path / "index", [docs], DEFAULT_DICT)
    assert [Path(p).name for p in report.added] == ["a.txt"]
    failed = _failed(report)
    assert "文档文件夹以外" in failed["leak.txt"] and "文档文件夹以外" in failed["host.txt"]
    assert "不存在" in failed["broken.txt"] and "文件夹的链接" in failed["loop"]
    assert Searcher(tmp_path / "index").search('"不该被检索"').total == 0


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_is_reported_not_read(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("一份通知\n\n严禁公车私用。\n", encoding="utf-8")
    os.mkfifo(docs / "pipe.txt")  # reading it would block for ever
    report = update_index(tmp_path / "index", [docs], DEFAULT_DICT)
    assert len(report.added) == 1 and "不是普通文件" in _failed(report)["pipe.txt"]


def test_a_tree_1400_levels_deep_is_walked(tmp_path):
    docs = tmp_path / "docs"
    deep = str(docs)
    os.mkdir(deep)
    for _ in range(1400):  # level by level: pathlib's own mkdir(parents=True) would recurse
        deep = os.path.join(deep, "a")
        os.mkdir(deep)
    with open(os.path.join(deep, "deep.txt"), "w", encoding="utf-8") as stream:
        stream.write("深处的通知\n\n严禁以会议落实会议。\n")
    (docs / "top.txt").write_text("上层的通知\n\n严禁公车私用。\n", encoding="utf-8")
    try:
        report = update_index(tmp_path / "index", [docs], DEFAULT_DICT)
        assert sorted(Path(p).name for p in report.added) == ["deep.txt", "top.txt"]
        from indexer.watch import snapshot

        assert len(snapshot([docs])) == 2
    finally:  # pytest's (and shutil's) recursive clean-up would hit the recursion limit
        os.remove(os.path.join(deep, "deep.txt"))
        while deep != str(docs):
            os.rmdir(deep)
            deep = os.path.dirname(deep)


def test_an_unreadable_folder_is_reported(tmp_path, monkeypatch):
    docs = tmp_path / "docs"
    (docs / "closed").mkdir(parents=True)
    (docs / "closed" / "c.txt").write_text("通知\n\n内容。\n", encoding="utf-8")
    (docs / "a.txt").write_text("一份通知\n\n严禁公车私用。\n", encoding="utf-8")
    scandir = os.scandir

    def guarded(path):  # as a folder without read permission answers (root ignores chmod)
        if os.fspath(path).endswith("closed"):
            raise PermissionError(13, "Permission denied")
        return scandir(path)

    monkeypatch.setattr(os, "scandir", guarded)
    report = update_index(tmp_path / "index", [docs], DEFAULT_DICT)
    assert len(report.added) == 1
    assert "无法读取文件夹" in _failed(report)["closed"]


# --- a damaged index is noticed, named and repaired ----------------------------------------------


def _indexed(tmp_path) -> tuple[Path, Path]:
    docs = tmp_path / "docs"
    docs.mkdir()
    for number in range(6):
        (docs / f"n{number}.txt").write_text(
            f"第{number}号通知\n\n严禁违规吃喝，严禁公车私用。为基层减负{number}。\n",
            encoding="utf-8",
        )
    index = tmp_path / "index"
    update_index(index, [docs], DEFAULT_DICT)
    return docs, index


def _segment(index: Path) -> Path:
    from kb.indexdir import IndexDir

    live = IndexDir(index).require_current()
    return max(live.whoosh_dir.glob("*.seg"), key=lambda p: p.stat().st_size)


def _zero_head(path: Path) -> None:
    with open(path, "r+b") as stream:
        stream.write(b"\0" * min(4096, path.stat().st_size))


def _truncate(path: Path) -> None:
    with open(path, "r+b") as stream:
        stream.truncate(path.stat().st_size // 2)


@pytest.mark.parametrize("damage", [_zero_head, _truncate, Path.unlink])
def test_kb_index_notices_damage_and_rebuilds(tmp_path, damage):
    docs, index = _indexed(tmp_path)
    damage(_segment(index))
    result = kb("index", str(docs), "--index", str(index))
    assert result.returncode == 0, result.stderr
    assert "索引已损坏" in result.stderr + result.stdout and "已重建" in result.stdout
    found = kb("search", "违规吃喝", "--index", str(index), "--json")
    assert found.returncode == 0 and '"total": 6' in found.stdout


@pytest.mark.parametrize("damage", [_zero_head, _truncate, Path.unlink])
def test_search_names_a_damaged_index_instead_of_a_traceback(tmp_path, damage):
    docs, index = _indexed(tmp_path)
    damage(_segment(index))
    result = kb("search", "违规吃喝", "--index", str(index))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "索引已损坏" in result.stderr and "kb index" in result.stderr


@pytest.mark.parametrize("damage", [_zero_head, _truncate, Path.unlink])
def test_a_damaged_passage_table_is_derived_again(tmp_path, damage):
    """The passage table is derived data: searches rebuild it in memory, kb index writes it
    anew, neither needs a full rebuild."""
    from kb.indexdir import IndexDir

    docs, index = _indexed(tmp_path)
    table = next(IndexDir(index).require_current().whoosh_dir.glob("passages-*.txt"))
    damage(table)
    result = kb("search", "违规吃喝", "--index", str(index), "--json")
    assert result.returncode == 0 and '"total": 6' in result.stdout, result.stderr
    repaired = kb("index", str(docs), "--index", str(index))
    assert repaired.returncode == 0 and "段落表" in repaired.stderr
    assert "已重建" not in repaired.stdout and "未变 6" in repaired.stdout
    from kb.integrity import damaged_tables

    live = IndexDir(index).require_current()
    assert not damaged_tables(live.folder, live.whoosh_dir)


def test_a_server_keeps_answering_when_its_index_is_damaged_under_it(tmp_path):
    """No memory maps: a segment cut short under a running searcher makes queries report the
    damage (SIGBUS would kill the server); the repaired index is picked up afterwards."""
    docs, index = _indexed(tmp_path)
    searcher = Searcher(index)
    assert searcher.search("违规吃喝").total == 6
    _truncate(_segment(index))
    damaged = searcher.search("公车私用")
    assert damaged.total == 0 and "索引已损坏" in damaged.error
    update_index(index, [docs], DEFAULT_DICT)
    assert searcher.search("公车私用").total == 6 and not searcher.search("公车私用").error
