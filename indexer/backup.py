"""Backups of a deployment (``kb backup``) and putting one back (``kb restore``).

A backup is one zip: the instance folder (settings, dictionaries, admin password and key,
reports, removed files), the live index generation, and with ``documents`` the documents
folder too. Taken while the server runs: under the index's write lock the live generation is
hard-linked (copied where links are refused) into a staging folder, so an update that
switches generations meanwhile cannot change or delete what is being written; the zip is
written from the staging folder after the lock is released, so updates wait only for the
links. Generations are never written after they go live, which makes the links a
consistent snapshot.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
import uuid
import zipfile
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from filelock import FileLock, Timeout

from kb import __version__
from kb.indexdir import Generation, IndexDir, sync_tree
from kb.integrity import problems
from kb.schema import SCHEMA_VERSION

MANIFEST = "kb-backup.json"
FORMAT = 1
INSTANCE, INDEX, DOCUMENTS = "instance", "index", "documents"
# Left out of the instance part: rotating logs (large, not needed to run) and what the
# backup itself wrote there.
SKIPPED_IN_INSTANCE = ("logs",)
LOCK_WAIT = 600.0  # seconds a backup waits for an update in progress to finish

Progress = Callable[[str], None]


class BackupError(RuntimeError):
    """A backup cannot be written or restored; the message says why, in Chinese."""


@dataclass
class BackupSummary:
    path: Path
    files: int = 0
    bytes: int = 0
    generation: str | None = None
    documents: int = 0
    notes: list[str] = field(default_factory=list)


def write_backup(
    out: Path,
    instance: Path,
    index: Path | None,
    corpus: Path | None = None,
    documents: bool = False,
    progress: Progress = lambda message: None,
) -> BackupSummary:
    """Write ``out`` (a .zip). ``index`` is the Whoosh index folder (None: the index lives
    in OpenSearch and is rebuilt from the documents after a restore). Raises BackupError."""
    out = Path(out).resolve()
    instance = Path(instance).resolve()
    if not instance.is_dir():
        raise BackupError(f"实例文件夹不存在：{instance}")
    if documents and (corpus is None or not Path(corpus).is_dir()):
        raise BackupError(f"文档文件夹不存在，无法备份文档：{corpus}")
    summary = BackupSummary(out)
    inside = {p.resolve() for p in (index, corpus, out.parent) if p is not None}
    staging: Path | None = None
    partial = out.with_name(out.name + f".{uuid.uuid4().hex[:8]}.part")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if index is not None:
            staging, summary.generation = _stage_live_generation(IndexDir(Path(index)))
            if staging is None:
                summary.notes.append("索引还没有建立，备份中没有索引；恢复后会重新建立。")
        else:
            summary.notes.append("索引在 OpenSearch 中，不在备份里；恢复后运行 kb index 重建。")
        if not documents:
            summary.notes.append(
                "文档本身不在备份中（文档文件夹由管理员保管）；需要时加 --with-documents。"
            )
        manifest = {
            "format": FORMAT,
            "kb_version": __version__,
            "schema_version": SCHEMA_VERSION,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "generation": summary.generation,
            "documents": documents,
            # The index names documents by their absolute paths: a restore elsewhere rebuilds.
            "corpus": str(Path(corpus).resolve()) if corpus is not None else None,
            "notes": summary.notes,
        }
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            progress(f"正在备份实例文件夹 {instance}……")
            for path, name in _walk(instance, skip=inside, skip_names=SKIPPED_IN_INSTANCE):
                if path.resolve() not in (out, partial):  # written inside the instance
                    _add(archive, path, f"{INSTANCE}/{name}", summary)
            if staging is not None and summary.generation is not None:
                progress(f"正在备份索引（{summary.generation}）……")
                for path, name in _walk(staging):
                    _add(archive, path, f"{INDEX}/{summary.generation}/{name}", summary)
            if documents and corpus is not None:
                progress(f"正在备份文档文件夹 {corpus}……")
                for path, name in _walk(Path(corpus).resolve(), skip={out.parent}):
                    _add(archive, path, f"{DOCUMENTS}/{name}", summary)
                    summary.documents += 1
            archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        os.replace(partial, out)
    except OSError as error:
        raise BackupError(
            f"备份没有写成：{error.strerror or error}（{error.filename or out}）"
        ) from error
    finally:
        with contextlib.suppress(OSError):
            partial.unlink()
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    summary.bytes = out.stat().st_size
    return summary


def _stage_live_generation(index_dir: IndexDir) -> tuple[Path | None, str | None]:
    """Links of the live generation's files in a staging folder, made under the write lock."""
    if not index_dir.root.is_dir():
        return None, None
    try:
        lock = FileLock(index_dir.lock_path, timeout=LOCK_WAIT)
        lock.acquire()
    except Timeout as error:
        raise BackupError(
            f"索引更新已进行 {LOCK_WAIT:g} 秒仍未结束，暂时无法备份，请稍后再试。"
        ) from error
    try:
        generation = index_dir.current()
        if generation is None:
            return None, None
        staging = index_dir.root / f".backup-{uuid.uuid4().hex[:12]}"
        for path, name in _walk(generation.folder):
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, target)
            except OSError:  # another file system, or links refused: a copy will do
                shutil.copy2(path, target)
        return staging, generation.folder.name
    finally:
        lock.release()


def _walk(
    root: Path, skip: Collection[Path] = (), skip_names: tuple[str, ...] = ()
) -> Iterator[tuple[Path, str]]:
    """Regular files under ``root`` in a stable order, with their names inside it (POSIX);
    links to elsewhere are not followed."""
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(
            d
            for d in dirs
            if (here / d).resolve() not in skip
            and not (here / d).is_symlink()
            and not (here == root and d in skip_names)
        )
        for name in sorted(files):
            path = here / name
            if path.is_symlink() or not path.is_file():
                continue
            yield path, path.relative_to(root).as_posix()


def _add(archive: zipfile.ZipFile, path: Path, name: str, summary: BackupSummary) -> None:
    archive.write(path, name)
    summary.files += 1


# --- restore ---------------------------------------------------------------------------------


@dataclass
class RestoreSummary:
    instance: Path
    index: Path | None
    corpus: Path | None
    generation: str | None
    documents: int = 0
    notes: list[str] = field(default_factory=list)
    # The documents folder the backup was taken from, when ``corpus`` is another place: the
    # index names documents by their paths, so it must be rebuilt from the new place.
    moved_from: str | None = None


def read_manifest(backup: Path) -> dict:
    """The backup's own description; raises BackupError for a file that is not one."""
    try:
        with zipfile.ZipFile(backup) as archive:
            return _manifest(archive, backup)
    except (OSError, zipfile.BadZipFile) as error:
        raise BackupError(f"{backup} 不是可用的 kb 备份文件：{error}") from error


def _manifest(archive: zipfile.ZipFile, backup: Path) -> dict:
    try:
        manifest = json.loads(archive.read(MANIFEST).decode("utf-8"))
    except (KeyError, ValueError, UnicodeDecodeError) as error:
        raise BackupError(f"{backup} 不是 kb 的备份文件（缺少 {MANIFEST}）。") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{backup} 的备份格式不认识（{manifest.get('format')!r}）。")
    return manifest


def restore_backup(
    backup: Path,
    instance: Path,
    index: Path | None,
    corpus: Path | None = None,
    progress: Progress = lambda message: None,
) -> RestoreSummary:
    """Put ``backup`` back: the instance files into ``instance``, the index generation into
    ``index`` (None: not restored), the documents into ``corpus`` when the backup holds them;
    each folder written must be empty or absent. ``corpus`` is also where the documents are
    now: when that is not where they were, the index (which names them by path) is left out,
    to be built again from them. Raises BackupError and leaves nothing half written."""
    backup = Path(backup)
    manifest = read_manifest(backup)
    generation = manifest.get("generation")
    summary = RestoreSummary(Path(instance), index, corpus, generation)
    original = manifest.get("corpus")
    if corpus is not None and original and Path(original) != Path(corpus).resolve():
        summary.moved_from, summary.generation, generation = original, None, None
        summary.notes.append(f"文档文件夹与备份时不同（原为 {original}），索引要按新位置重新建立。")
    with_documents = bool(manifest.get("documents"))
    if with_documents and corpus is None:
        summary.notes.append("备份中有文档，但没有指定文档文件夹，文档未恢复。")
    if not with_documents:
        summary.notes.append("备份中没有文档：请把文档放回文档文件夹。")
    targets = [Path(instance)]
    if index is not None and generation:
        targets.append(Path(index))
    if corpus is not None and with_documents:
        targets.append(Path(corpus))
    for target in targets:
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise BackupError(f"{target} 不是空文件夹；恢复只写入空文件夹，以免覆盖现有数据。")
    roots = {INSTANCE: Path(instance)}
    if index is not None and generation:
        roots[INDEX] = Path(index)
    if corpus is not None and with_documents:
        roots[DOCUMENTS] = Path(corpus)
    made: list[Path] = []
    try:
        with zipfile.ZipFile(backup) as archive:
            plan: list[tuple[zipfile.ZipInfo, Path]] = []
            for info in archive.infolist():
                if info.is_dir() or info.filename == MANIFEST:
                    continue
                part, _, rest = info.filename.partition("/")
                target = _safe(rest, backup)  # every member checked, restored or not
                if part == DOCUMENTS:
                    summary.documents += 1
                if part in roots:
                    plan.append((info, roots[part] / target))
            for folder in targets:
                if not folder.exists():
                    folder.mkdir(parents=True)
                    made.append(folder)
            progress(f"正在从 {backup} 恢复 {len(plan)} 个文件……")
            for info, path in plan:
                path.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as source, open(path, "wb") as sink:
                    shutil.copyfileobj(source, sink, 1 << 20)
        if index is not None and generation:
            _make_live(Path(index), str(generation))
    except (OSError, zipfile.BadZipFile) as error:
        _undo(targets, made)
        raise BackupError(f"恢复失败：{error}") from error
    except BackupError:
        _undo(targets, made)
        raise
    if generation and manifest.get("schema_version") != SCHEMA_VERSION:
        summary.notes.append("备份的索引由较早版本的 kb 建立，启动服务时会按新格式重建。")
    return summary


def _safe(name: str, backup: Path) -> Path:
    """A member's relative path, refusing absolute paths and ``..`` (a crafted zip)."""
    parts = PurePosixPath(name).parts
    if not parts or PurePosixPath(name).is_absolute() or ".." in parts or ":" in parts[0]:
        raise BackupError(f"{backup} 含有不安全的路径：{name}")
    return Path(*parts)


def _make_live(index: Path, name: str) -> None:
    generation = Generation(index / name)
    damage = problems(generation.folder, generation.whoosh_dir)
    if damage:
        raise BackupError(f"备份中的索引已损坏：{'；'.join(damage[:3])}")
    sync_tree(generation.folder)
    IndexDir(index).switch_to(generation)


def _undo(targets: list[Path], made: list[Path]) -> None:
    """Empty again the folders the restore wrote into (they were empty or absent)."""
    for target in targets:
        if target in made:
            shutil.rmtree(target, ignore_errors=True)
        elif target.is_dir():
            for child in target.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    with contextlib.suppress(OSError):
                        child.unlink()
