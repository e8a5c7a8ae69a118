"""Whatever lands in the corpus folder: names in any encoding, links that leave it, deep trees,
special files. The index stays right and every file is accounted for (issue 12)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
from test_cli import kb

from indexer.store import update_index
from kb.cli import DEFAULT_DICT
from kb.engines.whoosh.searcher import Searcher

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


def _download_name(disposition: str) -> str:
    """The file name a browser saves an attachment under: ``filename*`` (RFC 6266) first."""
    assert disposition.startswith("attachment;"), disposition
    extended = re.search(r"filename\*=UTF-8''([^;]+)", disposition)
    if extended:
        return unquote(extended.group(1))
    plain = re.search(r'filename="((?:[^"\\]|\\.)*)"|filename=([^;]+)', disposition)
    assert plain, disposition
    return re.sub(r"\\(.)", r"\1", plain.group(1)) if plain.group(1) is not None else plain.group(2)


@POSIX_BYTES
def test_the_original_of_a_gbk_named_file_downloads_under_a_readable_name(tmp_path):
    from web import create_app

    docs = tmp_path / "docs"
    docs.mkdir()
    _named(docs, "测试".encode("gbk") + b".txt", "关于测试的通知\n\n严禁违规吃喝。\n")
    _named(docs, b"\xff\xfe.txt", "另一份通知\n\n严禁公车私用。\n")
    update_index(tmp_path / "index", [docs], DEFAULT_DICT)
    client = create_app({"INDEX": str(tmp_path / "index"), "CORPUS": str(docs)}).test_client()
    # Undecodable bytes are written out as \xNN, never a broken header or a 500.
    for query, name in (("违规吃喝", "测试.txt"), ("公车私用", "\\xff\\xfe.txt")):
        hit = client.get(f"/api/search?q={query}").get_json()["hits"][0]
        response = client.get(f"/doc/{hit['doc_id']}/original")
        assert response.status_code == 200
        assert query in response.get_data().decode("utf-8")
        assert _download_name(response.headers["Content-Disposition"]) == name


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
    os.symlink(docs / "self.txt", docs / "self.txt")  # a link to itself
    report = update_index(tmp_path / "index", [docs], DEFAULT_DICT)
    assert [Path(p).name for p in report.added] == ["a.txt"]
    failed = _failed(report)
    assert "文档文件夹以外" in failed["leak.txt"] and "文档文件夹以外" in failed["host.txt"]
    assert "不存在" in failed["broken.txt"] and "文件夹的链接" in failed["loop"]
    assert "循环链接" in failed["self.txt"]
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


@pytest.mark.parametrize("kept", [0.5, 0.9, 0.999])
def test_a_server_keeps_answering_when_its_index_is_damaged_under_it(tmp_path, kept):
    """No memory maps: a segment cut short under a running searcher makes queries report the
    damage (SIGBUS would kill the server), wherever the cut falls: a query whose postings lie
    before the cut must not answer from half a segment (it gave hits without titles); the
    repaired index is picked up afterwards."""
    docs, index = _indexed(tmp_path)
    searcher = Searcher(index)
    assert searcher.search("违规吃喝").total == 6
    segment = _segment(index)
    with open(segment, "r+b") as stream:
        stream.truncate(int(segment.stat().st_size * kept))
    for query in ("公车私用", "违规吃喝"):
        damaged = searcher.search(query)
        assert damaged.total == 0 and "索引已损坏" in damaged.error, query
    update_index(index, [docs], DEFAULT_DICT)
    assert searcher.search("公车私用").total == 6 and not searcher.search("公车私用").error


# --- bounded memory: large files streamed, sizes checked before reading ---------------------


def _sample_docs(folder: Path) -> Path:
    folder.mkdir()
    for number in range(12):
        (folder / f"通知{number}.txt").write_text(
            f"关于第{number}项工作的通知\n\n一、总体要求\n\n严禁违规吃喝，第{number}条。\n\n"
            f"二、工作措施\n\n减轻基层负担，精简会议文件{number}次。\n",
            encoding="utf-8",
        )
    return folder


def _everything(index: Path) -> list[tuple]:
    searcher = Searcher(index)
    try:
        found = []
        for query in ("违规吃喝", "基层负担", "工作措施"):
            result = searcher.search(query, limit=50, per_doc=0)
            found.append((result.total, [(h.path, h.text, round(h.score, 6)) for h in result.hits]))
        return found
    finally:
        searcher.close()


def test_large_files_streamed_in_process_index_the_same_as_small_ones(tmp_path, monkeypatch):
    """Files over LARGE_FILE are tokenized passage by passage in the indexing process, not in
    a worker; the index is the same either way."""
    import indexer.store as store

    docs = _sample_docs(tmp_path / "docs")
    update_index(tmp_path / "pooled", [docs], DEFAULT_DICT)
    streamed: list[str] = []
    original = store._process_here
    monkeypatch.setattr(store, "LARGE_FILE", 0)
    monkeypatch.setattr(
        store,
        "_process_here",
        lambda job, seg, progress=None: streamed.append(job.shown) or original(job, seg, progress),
    )
    report = update_index(tmp_path / "streamed", [docs], DEFAULT_DICT)
    assert len(streamed) == 12 and len(report.added) == 12
    assert report.passages == 12 * 5
    assert _everything(tmp_path / "streamed") == _everything(tmp_path / "pooled")


def test_a_file_over_the_size_limit_is_skipped_before_it_is_read(tmp_path, monkeypatch):
    from indexer.readers import limits

    docs = _sample_docs(tmp_path / "docs")
    (docs / "大文件.txt").write_text("大文件\n\n" + "严禁违规吃喝。\n" * 200, encoding="utf-8")
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1000)
    opened: list[str] = []
    real_open = open

    def watching_open(file, *args, **kwargs):
        if isinstance(file, str | bytes | os.PathLike):
            opened.append(os.fsdecode(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", watching_open)
    report = update_index(tmp_path / "index", [docs], DEFAULT_DICT)
    assert [(f.path.endswith("大文件.txt"), f.reason) for f in report.failed] == [
        (True, limits.FILE_TOO_BIG)
    ]
    assert len(report.added) == 12
    assert not any(path.endswith("大文件.txt") for path in opened)  # not even hashed


def test_reading_warnings_are_reported_and_repeated_while_the_file_is_unchanged(tmp_path):
    docs = _sample_docs(tmp_path / "docs")
    (docs / "截断.txt").write_bytes("截断的通知\n\n严禁公车私用。".encode() + "要".encode()[:2])
    first = update_index(tmp_path / "index", [docs], DEFAULT_DICT)
    assert "截断.txt" in " ".join(first.added)
    warned = [w for w in first.warnings if "截断.txt" in w]
    assert len(warned) == 1 and "不完整的字符" in warned[0]
    again = update_index(tmp_path / "index", [docs], DEFAULT_DICT)
    assert not again.changed and again.warnings == first.warnings
    (docs / "截断.txt").write_text("截断的通知\n\n严禁公车私用。\n", encoding="utf-8")
    mended = update_index(tmp_path / "index", [docs], DEFAULT_DICT)
    assert len(mended.updated) == 1 and not mended.warnings


def test_workers_are_capped_by_free_memory(monkeypatch):
    import indexer.store as store

    monkeypatch.setattr(store.os, "cpu_count", lambda: 16)
    monkeypatch.setattr(store, "_memory_available", lambda: None)
    assert store.worker_count() == 8  # at most 8 whatever the cores
    monkeypatch.setattr(store, "_memory_available", lambda: 3 * store.WORKER_BYTES + 1)
    assert store.worker_count() == 3
    monkeypatch.setattr(store, "_memory_available", lambda: store.WORKER_BYTES // 2)
    assert store.worker_count() == 1  # always one: indexing goes on, only slower


# --- a full disk ---------------------------------------------------------------------------


def test_a_full_disk_is_told_in_chinese_and_the_old_index_stays(tmp_path, monkeypatch, capsys):
    """ENOSPC while Whoosh writes a segment: the CLI names the cause (exit 5), the half
    written generation goes, and the live index answers as before."""
    import errno

    from whoosh.filedb.structfile import StructFile

    from kb.cli import main

    docs = _sample_docs(tmp_path / "docs")
    index = tmp_path / "index"
    assert main(["index", str(docs), "--index", str(index)]) == 0
    before = _everything(index)
    folders = sorted(p.name for p in index.iterdir())
    (docs / "新增.txt").write_text("新增的通知\n\n严禁违规吃喝，新增。\n", encoding="utf-8")
    capsys.readouterr()

    def full(self, *args):
        raise OSError(errno.ENOSPC, "No space left on device", "/data/index/MAIN_x.seg")

    with monkeypatch.context() as patched:
        patched.setattr(StructFile, "write", full)
        assert main(["index", str(docs), "--index", str(index)]) == 5
    told = capsys.readouterr().err
    assert "磁盘空间不足，索引没有更新（/data/index/MAIN_x.seg）" in told
    assert "原来的索引未受影响" in told and "Traceback" not in told
    assert sorted(p.name for p in index.iterdir()) == folders
    assert _everything(index) == before
    assert main(["index", str(docs), "--index", str(index)]) == 0  # room again: it goes on
    assert "新增：" in capsys.readouterr().out


def test_write_failures_name_their_cause():
    import errno

    from indexer.update import write_failure

    assert write_failure(OSError(errno.EACCES, "Permission denied", "/srv/ix")).startswith(
        "没有写入权限，索引没有更新（/srv/ix）。"
    )
    assert "只读" in write_failure(OSError(errno.EROFS, "Read-only file system"))
    assert write_failure(OSError(errno.EIO, "Input/output error")).startswith(
        "写入索引时出错：Input/output error，索引没有更新。"
    )


def test_watch_tells_a_full_disk_and_keeps_watching(tmp_path):
    import errno
    import threading

    from indexer.watch import watch

    docs = _sample_docs(tmp_path / "docs")
    said: list[str] = []
    stop = threading.Event()

    def full_disk(*_args):
        stop.set()
        raise OSError(errno.ENOSPC, "No space left on device")

    watch(tmp_path / "index", [docs], DEFAULT_DICT, 0.01, said.append, stop, update=full_disk)
    assert len(said) == 1 and "磁盘空间不足，索引没有更新" in said[0]
    assert said[0].endswith("文件再有变化时重试。")
