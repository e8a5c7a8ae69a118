"""Bring an index up to date with a set of files: add new, replace changed, drop deleted.

A full build goes into a fresh generation folder and is switched live in one step
(``IndexDir.switch_to``); an update on a current index goes into the live generation through
one Whoosh commit. Tokenizing runs on all cores; Whoosh writes in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import LockError

from indexer.pipeline import Failure, content_hash, doc_id_for, index_rows, load_document
from indexer.readers import UnreadableFile, supported
from indexer.sidecar import is_side_file, read_side_metadata
from kb.analysis import Segmenter
from kb.dictionaries import DICT_FILES, Dictionaries
from kb.indexdir import Generation, IndexDir
from kb.passage_table import write_table
from kb.schema import SCHEMA_VERSION, build_schema

Progress = Callable[[str], None]


class IndexBusy(RuntimeError):
    """Another writer holds the index."""


@dataclass
class Report:
    """What an indexing run did; printed as the summary."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    failed: list[Failure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rebuilt: bool = False
    passages: int = 0


@dataclass(frozen=True)
class SourceFile:
    path: Path
    shown: str


def discover(paths: Iterable[Path]) -> tuple[list[SourceFile], list[Failure]]:
    """Files under ``paths`` (folders recursively, hidden entries skipped), sorted."""
    found: dict[Path, SourceFile] = {}
    failures: list[Failure] = []
    for given in paths:
        if given.is_dir():
            for path in sorted(given.rglob("*")):
                relative = path.relative_to(given).parts
                if path.is_file() and not any(part.startswith(".") for part in relative):
                    found.setdefault(path.resolve(), SourceFile(path, str(path)))
        elif given.is_file():
            found.setdefault(given.resolve(), SourceFile(given, str(given)))
        else:
            failures.append(Failure(str(given), "路径不存在"))
    files = []
    for source in found.values():
        if is_side_file(source.path):
            continue
        if supported(source.path):
            files.append(source)
        else:
            failures.append(
                Failure(source.shown, f"不支持的文件类型“{source.path.suffix or '无扩展名'}”")
            )
    files.sort(key=lambda s: s.shown)
    return files, failures


# --- worker side --------------------------------------------------------------------------

_worker_segmenter: Segmenter | None = None


def _init_worker(dict_dir: str, cache_dir: str) -> None:
    global _worker_segmenter
    if _worker_segmenter is None:
        _worker_segmenter = Segmenter(Dictionaries.load(Path(dict_dir)), Path(cache_dir))


@dataclass(frozen=True)
class Job:
    path: str
    shown: str
    data: bytes
    digest: str
    overrides: dict[str, str]


def _process(job: Job) -> tuple[str, list[dict] | None, str]:
    shown = job.shown
    assert _worker_segmenter is not None
    try:
        document = load_document(Path(job.path), shown, job.data, job.overrides, job.digest)
    except UnreadableFile as error:
        return shown, None, str(error)
    return shown, index_rows(document, _worker_segmenter), ""


def _tokenize_all(
    jobs: list[Job],
    segmenter: Segmenter,
    generation: Generation,
    cache_dir: Path,
) -> Iterator[tuple[str, list[dict] | None, str]]:
    global _worker_segmenter
    _worker_segmenter = segmenter
    workers = min(os.cpu_count() or 1, 8)
    if workers < 2 or len(jobs) < 8:
        yield from map(_process, jobs)
        return
    segmenter.words("预热")  # load jieba once here so forked workers inherit it
    context = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    with context.Pool(
        workers, initializer=_init_worker, initargs=(str(generation.dict_dir), str(cache_dir))
    ) as pool:
        yield from pool.imap(_process, jobs, chunksize=4)


# --- writer side --------------------------------------------------------------------------


def _copy_dictionaries(source: Path, generation: Generation) -> None:
    generation.dict_dir.mkdir(parents=True, exist_ok=True)
    for name in DICT_FILES:
        if (source / name).exists():
            shutil.copyfile(source / name, generation.dict_dir / name)


def _manifest(generation: Generation, schema) -> dict[str, tuple[str, str, str]]:
    """doc_id -> (source, shown path, content hash) of what the generation holds."""
    ix = whoosh_index.open_dir(str(generation.whoosh_dir), schema=schema)
    with ix.searcher() as searcher:
        return {
            fields["doc_id"]: (fields["source"], fields["path"], fields["content_hash"])
            for fields in searcher.all_stored_fields()
            if fields.get("ordinal") == 0
        }


def _within(source: str, scopes: list[Path]) -> bool:
    path = Path(source)
    return any(path == scope or scope in path.parents for scope in scopes)


def update_index(
    index_root: Path,
    paths: list[Path],
    dict_source: Path,
    rebuild: bool = False,
    progress: Progress = lambda message: None,
) -> Report:
    """Make the index at ``index_root`` reflect the files under ``paths``."""
    index_dir = IndexDir(index_root)
    report = Report()
    dictionaries = Dictionaries.load(dict_source)
    current = index_dir.current()
    meta = current.read_meta() if current else {}
    reasons = []
    if current is None:
        reasons.append("新建索引")
    elif rebuild:
        reasons.append("按要求重建")
    elif meta.get("schema_version") != SCHEMA_VERSION:
        reasons.append("索引格式已更新")
    elif meta.get("dictionaries") != dictionaries.index_digest:
        reasons.append("用户词典或案例分类已修改")
    full_build = bool(reasons)

    files, report.failed = discover(paths)
    scopes = [p.resolve() for p in paths]

    if full_build:
        previous: dict[str, tuple[str, str, str]] = {}
        if current is not None:
            try:
                previous = _manifest(current, build_schema())
            except Exception:  # an unreadable old index is replaced, not mended
                previous = {}
        # Keep documents indexed earlier from other folders.
        known = {s.path.resolve() for s in files}
        for source, shown, _ in previous.values():
            if not _within(source, scopes) and Path(source).is_file() and Path(source) not in known:
                files.append(SourceFile(Path(source), shown))
        generation = index_dir.new_generation()
        _copy_dictionaries(dict_source, generation)
        progress(f"{reasons[0]}：{len(files)} 个文件")
    else:
        assert current is not None
        generation = current
        _copy_dictionaries(dict_source, generation)  # synonyms/stopwords apply at once
        previous = _manifest(current, build_schema())

    segmenter = Segmenter(Dictionaries.load(generation.dict_dir), index_dir.jieba_cache_dir)
    schema = build_schema(segmenter)
    if full_build:
        ix = whoosh_index.create_in(str(generation.whoosh_dir), schema)
    else:
        ix = whoosh_index.open_dir(str(generation.whoosh_dir), schema=schema)

    jobs: list[Job] = []
    replaced: set[str] = set()
    seen: set[str] = set()
    for source in files:
        doc_id = doc_id_for(source.path)
        seen.add(doc_id)
        try:
            data = source.path.read_bytes()
            side = read_side_metadata(source.path)
        except OSError as error:
            report.failed.append(Failure(source.shown, f"无法读取文件：{error.strerror or error}"))
            continue
        report.warnings.extend(side.problems)
        digest = content_hash(data + side.fingerprint)
        old = previous.get(doc_id)
        if not full_build and old and old[2] == digest:
            report.unchanged += 1
            continue
        if not full_build and old:
            replaced.add(doc_id)
        jobs.append(Job(str(source.path), source.shown, data, digest, side.values))

    gone = [
        doc_id
        for doc_id, (source, _, _) in previous.items()
        if not full_build and doc_id not in seen and _within(source, scopes)
    ]
    if not full_build and not jobs and not gone:
        return report

    try:
        writer = ix.writer(limitmb=256)
    except LockError as error:
        raise IndexBusy("另一个索引更新正在进行，请稍后再试。") from error
    try:
        for doc_id in gone:
            writer.delete_by_term("doc_id", doc_id)
            report.removed.append(previous[doc_id][1])
        for done, (shown, rows, reason) in enumerate(
            _tokenize_all(jobs, segmenter, generation, index_dir.jieba_cache_dir), 1
        ):
            if rows is None:
                report.failed.append(Failure(shown, reason))
                continue
            doc_id = rows[0]["doc_id"]
            if doc_id in replaced:  # only now: a changed file that fails keeps its old text
                writer.delete_by_term("doc_id", doc_id)
            for row in rows:
                writer.add_document(**row)
            report.passages += len(rows)
            (report.updated if doc_id in replaced else report.added).append(shown)
            if done % 20 == 0 or done == len(jobs):
                progress(f"已处理 {done}/{len(jobs)} 个文件")
        progress("正在写入索引……")
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    with ix.reader() as reader:
        write_table(generation.whoosh_dir, reader)
    generation.write_meta(
        {"schema_version": SCHEMA_VERSION, "dictionaries": dictionaries.index_digest}
    )
    if full_build:
        index_dir.switch_to(generation)
        report.rebuilt = True
        _remove_old_generations(index_dir, keep=generation)
    return report


def _remove_old_generations(index_dir: IndexDir, keep: Generation) -> None:
    for folder in index_dir.root.glob("gen-*"):
        if folder != keep.folder:
            shutil.rmtree(folder, ignore_errors=True)
