"""Backup and restore (issue 17, item 5): a backup restored into empty folders answers every
query as the original did; it is consistent while updates switch generations under it; it
refuses to overwrite and refuses crafted archives, with Chinese messages."""

from __future__ import annotations

import json
import shutil
import threading
import zipfile
from pathlib import Path

import pytest

from indexer.backup import BackupError, read_manifest, restore_backup, write_backup
from indexer.update import update
from kb.backend import Backend
from kb.indexdir import IndexDir
from kb.integrity import problems
from kb.resources import DEFAULT_DICT, DEFAULT_DOCS
from web.auth import check_password, set_password

QUERIES = [
    "八项规定",
    "领导接受老板请吃饭",
    "四风",
    '"违规吃喝"',
    "year:2024 公务接待",
    "type:通报 收受礼品",
    "problem:违规吃喝",
    "整改 台账 -讲话",
]
PASSWORD = "backup-test-password"


def _answers(index: Path) -> list[list[tuple]]:
    searcher = Backend(index).open_searcher()
    try:
        out = []
        for query in QUERIES:
            result = searcher.search(query, limit=20)
            out.append(
                [result.total]
                + [(Path(h.path).name, h.section, h.text, round(h.score, 6)) for h in result.hits]
            )
        return out
    finally:
        searcher.close()


@pytest.fixture
def deployment(tmp_path: Path) -> dict[str, Path]:
    corpus = tmp_path / "site" / "docs"
    shutil.copytree(DEFAULT_DOCS, corpus)
    index = tmp_path / "site" / "index"
    instance = tmp_path / "site" / "instance"
    assert not update(Backend(index), [corpus], DEFAULT_DICT).failed
    set_password(instance, PASSWORD)
    (instance / "removed" / "20260101-000000-1").mkdir(parents=True)
    (instance / "removed" / "20260101-000000-1" / "旧通知.txt").write_text("旧的", "utf-8")
    (instance / "logs").mkdir()
    (instance / "logs" / "kb.log").write_text("a log line\n", "utf-8")
    return {"corpus": corpus, "index": index, "instance": instance}


def test_a_restored_backup_answers_every_query_as_the_original(deployment, tmp_path):
    out = tmp_path / "backups" / "kb-备份.zip"
    summary = write_backup(out, deployment["instance"], deployment["index"], deployment["corpus"])
    assert out.is_file() and summary.generation == "gen-1"
    assert any("文档本身不在备份中" in note for note in summary.notes)
    manifest = read_manifest(out)
    assert manifest["documents"] is False and manifest["generation"] == "gen-1"
    names = zipfile.ZipFile(out).namelist()
    assert "instance/removed/20260101-000000-1/旧通知.txt" in names
    assert not any(name.startswith("instance/logs/") for name in names)  # logs left out
    assert not any(name.startswith("documents/") for name in names)

    target = tmp_path / "restored"
    restored = restore_backup(out, target / "instance", target / "index")
    assert any("没有文档" in note for note in restored.notes)
    assert check_password(target / "instance", PASSWORD)  # the admin can still log in
    assert (target / "instance" / "removed" / "20260101-000000-1" / "旧通知.txt").is_file()
    live = IndexDir(target / "index").require_current()
    assert problems(live.folder, live.whoosh_dir, tables=True) == []
    assert _answers(target / "index") == _answers(deployment["index"])


def test_documents_travel_with_the_flag(deployment, tmp_path):
    out = tmp_path / "full.zip"
    summary = write_backup(
        out, deployment["instance"], deployment["index"], deployment["corpus"], documents=True
    )
    originals = sorted(p.relative_to(deployment["corpus"]) for p in deployment["corpus"].rglob("*"))
    assert summary.documents == sum(1 for p in deployment["corpus"].rglob("*") if p.is_file())
    target = tmp_path / "restored"
    restored = restore_backup(out, target / "inst", target / "index", target / "docs")
    assert restored.documents == summary.documents
    assert sorted(p.relative_to(target / "docs") for p in (target / "docs").rglob("*")) == originals
    for path in deployment["corpus"].rglob("*.txt"):
        assert (target / "docs" / path.relative_to(deployment["corpus"])).read_bytes() == (
            path.read_bytes()
        )
    # The index names documents by their paths: restored elsewhere, it is rebuilt from them
    # (kb restore does this), and answers stay the same.
    assert restored.moved_from == str(deployment["corpus"].resolve())
    assert any("重新建立" in note for note in restored.notes)
    assert restored.generation is None and IndexDir(target / "index").current() is None
    report = update(Backend(target / "index"), [target / "docs"], DEFAULT_DICT)
    assert not report.failed
    assert _answers(target / "index") == _answers(deployment["index"])


def test_restored_in_place_the_index_and_documents_need_no_rebuild(deployment, tmp_path):
    """After a disk is lost: the same folders, restored from the backup, are up to date."""
    out = tmp_path / "full.zip"
    write_backup(
        out, deployment["instance"], deployment["index"], deployment["corpus"], documents=True
    )
    before = _answers(deployment["index"])
    site = deployment["corpus"].parent
    shutil.rmtree(site)
    restored = restore_backup(
        out, deployment["instance"], deployment["index"], deployment["corpus"]
    )
    assert restored.moved_from is None
    report = update(Backend(deployment["index"]), [deployment["corpus"]], DEFAULT_DICT)
    assert not report.added and not report.updated and not report.removed and not report.rebuilt
    assert _answers(deployment["index"]) == before


def test_a_backup_taken_while_updates_switch_generations_is_consistent(deployment, tmp_path):
    stop = threading.Event()
    errors: list[BaseException] = []

    def keep_updating() -> None:
        n = 0
        try:
            while not stop.is_set():
                n += 1
                note = deployment["corpus"] / f"新增通知{n}.txt"
                note.write_text(f"关于第{n}次检查的通知\n\n严禁公款吃喝，第{n}次重申。\n", "utf-8")
                update(Backend(deployment["index"]), [deployment["corpus"]], DEFAULT_DICT)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    worker = threading.Thread(target=keep_updating)
    worker.start()
    try:
        for round_ in range(2):
            out = tmp_path / f"b{round_}.zip"
            summary = write_backup(out, deployment["instance"], deployment["index"])
            target = tmp_path / f"r{round_}"
            restore_backup(out, target / "inst", target / "index")
            live = IndexDir(target / "index").require_current()
            assert live.folder.name == summary.generation
            assert problems(live.folder, live.whoosh_dir, tables=True) == []
            searcher = Backend(target / "index").open_searcher()
            assert searcher.search("八项规定").total > 0
            searcher.close()
    finally:
        stop.set()
        worker.join(120)
    assert not errors, errors


def test_restore_refuses_to_overwrite_and_leaves_nothing_half_written(deployment, tmp_path):
    out = tmp_path / "b.zip"
    write_backup(out, deployment["instance"], deployment["index"])
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine", "utf-8")
    with pytest.raises(BackupError, match="不是空文件夹"):
        restore_backup(out, busy, tmp_path / "index")
    assert [p.name for p in busy.iterdir()] == ["keep.txt"]
    assert not (tmp_path / "index").exists()


def test_restore_refuses_what_is_not_a_kb_backup(tmp_path):
    plain = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("a.txt", "x")
    with pytest.raises(BackupError, match="不是 kb 的备份文件"):
        restore_backup(plain, tmp_path / "i", tmp_path / "x")
    text = tmp_path / "notes.zip"
    text.write_text("not a zip", "utf-8")
    with pytest.raises(BackupError, match="不是可用的 kb 备份文件"):
        read_manifest(text)


def test_restore_refuses_a_crafted_path(deployment, tmp_path):
    out = tmp_path / "b.zip"
    write_backup(out, deployment["instance"], deployment["index"])
    crafted = tmp_path / "crafted.zip"
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(crafted, "w") as sink:
        for info in source.infolist():
            sink.writestr(info, source.read(info))
        sink.writestr("instance/../../escaped.txt", "x")
    target = tmp_path / "t"
    with pytest.raises(BackupError, match="不安全的路径"):
        restore_backup(crafted, target / "inst", target / "index")
    assert not (tmp_path / "escaped.txt").exists()
    assert not (target / "inst").exists() and not (target / "index").exists()


def test_a_backup_without_an_index_yet_says_so(tmp_path):
    instance = tmp_path / "instance"
    set_password(instance, PASSWORD)
    summary = write_backup(tmp_path / "b.zip", instance, tmp_path / "no-index")
    assert summary.generation is None
    assert any("索引还没有建立" in note for note in summary.notes)
    restored = restore_backup(tmp_path / "b.zip", tmp_path / "r" / "i", tmp_path / "r" / "x")
    assert restored.generation is None and check_password(tmp_path / "r" / "i", PASSWORD)


# --- kb backup / kb restore on the command line -------------------------------------------


def _kb(*argv: str) -> int:
    from kb import cli

    try:
        return cli.main(list(argv))
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else 2


def _cli_answers(capsys, *where: str) -> list[str]:
    out = []
    for query in QUERIES:
        capsys.readouterr()
        assert _kb("search", query, "--json", *where) in (0, 1)
        answer = json.loads(capsys.readouterr().out)
        out.append(
            json.dumps(
                [answer["total"]] + [(Path(h["path"]).name, h["text"]) for h in answer["hits"]],
                ensure_ascii=False,
            )
        )
    return out


def test_kb_backup_and_restore_an_instance_made_by_kb_init(tmp_path, capsys):
    site = tmp_path / "site"
    assert _kb("init", str(site), "--sample", "--no-password") == 0
    set_password(site, PASSWORD)
    assert _kb("index", "--instance", str(site)) == 0
    before = _cli_answers(capsys, "--instance", str(site))

    out = tmp_path / "kb-backup.zip"
    capsys.readouterr()
    assert _kb("backup", str(out), "--instance", str(site), "--with-documents") == 0
    said = capsys.readouterr().err
    assert "备份完成" in said and "gen-" in said
    names = zipfile.ZipFile(out).namelist()
    assert "instance/kb.toml" in names and any(n.startswith("documents/") for n in names)
    assert not any(n.startswith("instance/index/") or n.startswith("instance/docs/") for n in names)

    new = tmp_path / "elsewhere" / "kb"
    assert _kb("restore", str(out), "--instance", str(new)) == 0
    said = capsys.readouterr().err
    assert "建立索引" in said  # the documents moved with the instance: built again there
    assert (new / "kb.toml").is_file() and check_password(new, PASSWORD)
    assert _cli_answers(capsys, "--instance", str(new)) == before

    # Into a folder that holds something: refused, nothing touched, exit 2.
    assert _kb("restore", str(out), "--instance", str(site)) == 2
    assert "不是空文件夹" in capsys.readouterr().err


def test_kb_backup_and_restore_the_default_layout(deployment, tmp_path, capsys):
    """Without kb init: --index and an instance beside it; restored, the index goes beside
    the new instance folder, as kb's default layout puts it."""
    where = ["--index", str(deployment["index"])]
    before = _cli_answers(capsys, *where)
    out = tmp_path / "b.zip"
    assert (
        _kb(
            "backup",
            str(out),
            *where,
            "--instance",
            str(deployment["instance"]),
            "--corpus",
            str(deployment["corpus"]),
        )
        == 0
    )
    assert "文档本身不在备份中" in capsys.readouterr().err
    new = tmp_path / "new"
    assert _kb("restore", str(out), "--instance", str(new / "instance")) == 0
    assert "kb serve" in capsys.readouterr().err
    assert _cli_answers(capsys, "--index", str(new / "index")) == before
    assert check_password(new / "instance", PASSWORD)


def test_kb_restore_of_what_is_not_a_backup_is_a_message(tmp_path, capsys):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK\x03\x04 not really")
    assert _kb("restore", str(junk), "--instance", str(tmp_path / "x")) == 2
    err = capsys.readouterr().err
    assert "不是可用的 kb 备份文件" in err and "Traceback" not in err
    assert not (tmp_path / "x").exists()
