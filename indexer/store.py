"""Bring an index up to date with a set of files: add new, replace changed, drop deleted.

Every update that changes the index writes a new generation folder aside and switches it live
in one step (``IndexDir.switch_to``): a full build starts from an empty Whoosh index, an
incremental update from hard links to the live generation's Whoosh files (Whoosh never
rewrites a file it wrote, so the live index is untouched). The generation is flushed to disk
before the switch, so a crash or power loss at any moment leaves the last good index live,
and the next run removes what the interrupted one left (``IndexDir.remove_stale``).

One writer at a time: the whole run holds ``<index>/write.lock``; a second writer waits up to
``lock_timeout`` seconds (``$KB_LOCK_TIMEOUT``, default 5) and then gives up with
``IndexBusy``. Readers take no lock.

Changes are decided by content hash (file and side files). Each generation keeps a small
manifest (doc_id -> source, shown path, hash, size and time stamps, side-file warnings), so a
rerun neither reads the stored passages nor, for files whose sizes and modification times are
unchanged, the files themselves. A stamp is recorded only when the file is older than
``RACY_SECONDS``; a file changed within the file system's timestamp granularity is therefore
hashed again next time. A changed time alone never re-indexes a file: the hash decides.

Tokenizing runs on all cores; Whoosh writes in this process.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import shutil
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from whoosh.index import LockError

from indexer.discover import walk
from indexer.pipeline import (
    Failure,
    doc_id_for,
    file_hash,
    index_rows,
    iter_rows,
    load_document,
)
from indexer.readers import UnreadableFile, limits, supported
from indexer.readers.base import listen_to_pages
from indexer.sidecar import is_side_file, read_side_metadata, side_file_candidates
from kb.access import rule_files
from kb.analysis import Segmenter
from kb.dictionaries import LEXICON, Dictionaries, dictionary_names, doc_types_of
from kb.doctypes import DocTypes
from kb.engines.whoosh.schema import build_schema
from kb.filenames import readable
from kb.folding import keep_table_in
from kb.indexdir import Generation, IndexDir, sync_tree, write_atomic
from kb.integrity import create_whoosh, damaged_tables, open_whoosh, problems, write_checksums
from kb.passage_table import SegmentLines, lines_by_segment, table_path, write_table
from kb.schema import SCHEMA_VERSION

Progress = Callable[[str], None]

LOCK_TIMEOUT_ENV = "KB_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 5.0
RACY_SECONDS = 3.0  # FAT stores times in 2 s steps; network shares may lag a little more
# Crash-test hook (tests/test_crash_safety.py): with KB_DIE_AT=<stage> the process ends at
# that stage as abruptly as a kill. Stages: locked, half (half the files added), committed,
# table, written (every file of the generation written, the tree not yet flushed), synced
# (generation complete, not yet live), switched (live, old ones not removed).
PURGE_SHARE = 0.25  # deleted passages, as a share of all stored, that make an update purge
LARGE_FILE = 4 * 1024 * 1024  # bytes: a file this large is tokenized streaming, in-process
WORKER_BYTES = 400 * 1024 * 1024  # memory a tokenizing worker may take (a file up to LARGE_FILE)
# Jobs handed to the workers ahead of the writer (see _in_order): enough to keep every worker
# busy, few enough that the rows waiting to be written stay a few files' worth.
IN_FLIGHT_PER_WORKER = 3
IN_FLIGHT_BYTES = 2 * LARGE_FILE
# Postings Whoosh's writer sorts in memory before spilling a sorted run to disk, by Whoosh's
# own estimate (the Python objects take about 1.5 times that); merged again at commit.
WRITER_MB = 64
DIE_AT_ENV = "KB_DIE_AT"
INDEX_NAME = "MAIN"  # Whoosh's default index name: _MAIN_<generation>.toc, MAIN_<segment>.*
_TOC = re.compile(rf"^_{INDEX_NAME}_(\d+)\.toc$")
_SEGMENT_FILE = re.compile(rf"^({INDEX_NAME}_[0-9a-z]+)\.")


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

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.rebuilt)


@dataclass(frozen=True)
class SourceFile:
    path: Path
    shown: str


@dataclass(frozen=True)
class Entry:
    """What a generation holds of one document, as its manifest records it."""

    source: str
    shown: str
    digest: str
    stamp: tuple[int, ...] | None = None  # sizes and times when hashed; None: hash next time
    problems: tuple[str, ...] = ()  # side-file and reading warnings, told while it is unchanged

    def as_json(self) -> list:
        return [self.source, self.shown, self.digest, self.stamp, list(self.problems)]

    @classmethod
    def from_json(cls, row: list) -> Entry:
        source, shown, digest = row[:3]
        stamp = tuple(row[3]) if len(row) > 3 and row[3] else None
        problems = tuple(row[4]) if len(row) > 4 else ()
        return cls(source, shown, digest, stamp, problems)


def discover(paths: Iterable[Path]) -> tuple[list[SourceFile], list[Failure]]:
    """Files under ``paths`` (folders walked by ``indexer.discover``, hidden entries left out),
    sorted; and every path passed over, with its reason."""
    found: dict[Path, SourceFile] = {}
    failures: list[Failure] = []
    for entry in walk(paths):
        if entry.reason:
            failures.append(Failure(entry.shown, entry.reason))
        elif entry.path.is_symlink():  # a link to a file of the corpus: the file itself wins
            found.setdefault(entry.path.resolve(), SourceFile(entry.path, entry.shown))
        else:
            found[entry.path.resolve()] = SourceFile(entry.path, entry.shown)
    files = []
    for source in found.values():
        if is_side_file(source.path):
            continue
        if supported(source.path):
            files.append(source)
        else:
            failures.append(
                Failure(
                    source.shown, f"不支持的文件类型“{readable(source.path.suffix) or '无扩展名'}”"
                )
            )
    files.sort(key=lambda s: s.shown)
    return files, failures


def _checkpoint(stage: str) -> None:
    if os.environ.get(DIE_AT_ENV) == stage:
        os._exit(70)


# --- worker side --------------------------------------------------------------------------

_worker_segmenter: Segmenter | None = None
_worker_pages: Any = None  # the queue a worker tells OCR's pages to (see _in_order)


def _init_worker(dict_dir: str, cache_dir: str, pages: Any = None) -> None:
    global _worker_segmenter, _worker_pages
    _worker_pages = pages
    # Ctrl+C reaches the whole process group; the parent stops the pool, workers stay quiet.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _worker_segmenter is None:
        _worker_segmenter = Segmenter(Dictionaries.load(Path(dict_dir)), Path(cache_dir))


@dataclass(frozen=True)
class Job:
    """A file to read and tokenize. Its bytes are read where it is processed, never held
    for all files at once."""

    path: str
    shown: str
    size: int
    digest: str
    overrides: dict[str, str]


@dataclass
class Outcome:
    """A job done: the document's rows (all of them, or for a large file a generator that
    tokenizes passage by passage as they are written), or the reason it failed; warnings
    about what was read despite a problem."""

    shown: str
    doc_id: str = ""
    rows: Iterable[dict] | None = None
    reason: str = ""
    warnings: list[str] = field(default_factory=list)


def _read_document(job: Job, dictionaries: Dictionaries):
    """The document of ``job`` and the warnings about reading it, or an Outcome saying why
    it could not be read."""
    try:
        data = Path(job.path).read_bytes()
        document = load_document(
            Path(job.path), job.shown, data, job.overrides, job.digest, dictionaries.doc_types
        )
    except UnreadableFile as error:
        return None, Outcome(job.shown, reason=str(error))
    except MemoryError:
        return None, Outcome(job.shown, reason=limits.OUT_OF_MEMORY)
    except OSError as error:
        return None, Outcome(job.shown, reason=f"无法读取文件：{error.strerror or error}")
    return document, None


@contextmanager
def _pages_of(job: Job, progress: Progress | None) -> Iterator[None]:
    """The pages OCR reads of ``job`` told: to the parent's queue in a worker, to
    ``progress`` in this process."""
    queue = _worker_pages
    if queue is not None:
        listen_to_pages(lambda page, pages: queue.put((job.shown, page, pages)))
    elif progress is not None:
        listen_to_pages(lambda page, pages: progress(scan_progress(job.shown, page, pages)))
    try:
        yield
    finally:
        listen_to_pages(None)


def _process(job: Job, progress: Progress | None = None) -> Outcome:
    assert _worker_segmenter is not None
    with _pages_of(job, progress):
        document, failed = _read_document(job, _worker_segmenter.dictionaries)
    if failed is not None:
        return failed
    rows = index_rows(document, _worker_segmenter)
    return Outcome(job.shown, document.doc_id, rows, warnings=document.warnings)


def _process_here(job: Job, segmenter: Segmenter, progress: Progress | None = None) -> Outcome:
    """A large file, in this process: its rows are made one passage at a time while the
    index takes them, so its tokens are never all in memory."""
    with _pages_of(job, progress):
        document, failed = _read_document(job, segmenter.dictionaries)
    if failed is not None:
        return failed
    return Outcome(
        job.shown, document.doc_id, iter_rows(document, segmenter), warnings=document.warnings
    )


def _memory_available() -> int | None:
    """Bytes of memory free for new processes (Linux), or None where that is not known."""
    try:
        with open("/proc/meminfo", encoding="ascii") as stream:
            for line in stream:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return None


def worker_count() -> int:
    """Processes that tokenize at once: the cores, at most 8, and no more than the free
    memory holds at WORKER_BYTES each."""
    workers = min(os.cpu_count() or 1, 8)
    available = _memory_available()
    if available is not None:
        workers = min(workers, max(1, available // WORKER_BYTES))
    return workers


def scan_progress(shown: str, page: int, pages: int | None) -> str:
    """What the progress line says while OCR reads a page of ``shown``."""
    return f"正在识别 {shown}：第 {page}/{pages} 页" if pages else f"正在识别 {shown}：第 {page} 页"


def _in_order(
    pool, jobs: list[Job], workers: int, pages: Any = None, progress: Progress | None = None
) -> Iterator[Outcome]:
    """The outcomes of ``jobs`` from ``pool``, in order, with only a few jobs in flight: at
    most ``IN_FLIGHT_PER_WORKER`` per worker and ``IN_FLIGHT_BYTES`` of files (always one).
    Whoosh's writer here is slower than the workers; ``pool.imap`` would have them run
    ahead and the finished rows of half the corpus wait in this process. While waiting, the
    pages OCR reads in the workers (``pages``, a queue) are told to ``progress``: a long scan
    takes minutes."""

    def tell() -> None:
        while pages is not None and not pages.empty():
            told = pages.get()
            if progress is not None:
                progress(scan_progress(*told))

    pending: deque[tuple[AsyncResult, int]] = deque()
    in_flight = 0
    upcoming = iter(jobs)
    job = next(upcoming, None)
    while job is not None or pending:
        while job is not None and (
            not pending
            or (
                len(pending) < IN_FLIGHT_PER_WORKER * workers
                and in_flight + job.size <= IN_FLIGHT_BYTES
            )
        ):
            pending.append((pool.apply_async(_process, (job,)), job.size))
            in_flight += job.size
            job = next(upcoming, None)
        result, size = pending.popleft()
        while not result.ready():
            result.wait(0.5)
            tell()
        tell()
        outcome = result.get()
        in_flight -= size
        yield outcome


def tokenize_all(
    jobs: list[Job],
    segmenter: Segmenter,
    dict_dir: Path,
    cache_dir: Path,
    progress: Progress | None = None,
) -> Iterator[Outcome]:
    """An Outcome per job: small files on all cores (the workers load the dictionaries in
    ``dict_dir``), large ones here, streamed (see ``_process_here``); the pages of scans
    read by OCR are told to ``progress`` as they are read."""
    global _worker_segmenter
    _worker_segmenter = segmenter
    small = [job for job in jobs if job.size <= LARGE_FILE]
    large = [job for job in jobs if job.size > LARGE_FILE]
    workers = worker_count()
    if workers < 2 or len(small) < 8:
        yield from (_process(job, progress) for job in small)
    else:
        segmenter.words("预热")  # load jieba once here so forked workers inherit it
        # Forking a process that runs other threads (the web app's admin update) can deadlock
        # a child on a lock some thread held; spawn is safe there, and on Windows the only one.
        alone = (
            threading.current_thread() is threading.main_thread() and threading.active_count() == 1
        )
        method = "fork" if alone and sys.platform != "win32" else "spawn"
        context = multiprocessing.get_context(method)
        pages = context.SimpleQueue()
        with context.Pool(
            workers, initializer=_init_worker, initargs=(str(dict_dir), str(cache_dir), pages)
        ) as pool:
            yield from _in_order(pool, small, workers, pages, progress)
    for job in large:
        yield _process_here(job, segmenter, progress)


# --- the generation's files ---------------------------------------------------------------


def _toc_generation(whoosh_dir: Path) -> int:
    """The newest Whoosh generation in ``whoosh_dir`` (-1 if none), from file names alone."""
    numbers = [int(m.group(1)) for name in os.listdir(whoosh_dir) if (m := _TOC.match(name))]
    return max(numbers, default=-1)


def _copy_dictionaries(
    source: Path, generation: Generation, sync: bool = False, check: bool = True
) -> None:
    """Copy the dictionaries a generation searches with; each file is replaced in one step,
    and only when it differs, so a live generation's readers never load half a file. New
    contents are parsed first (unless the caller just did): a DictionaryError leaves the
    generation as it was."""
    changed: dict[Path, bytes] = {}
    wanted = dictionary_names(source)
    for name in wanted:
        data = (source / name).read_bytes()
        target = generation.dict_dir / name
        try:
            same = target.read_bytes() == data
        except OSError:
            same = False
        if not same:
            changed[target] = data
    dropped = [
        generation.dict_dir / name
        for name in dictionary_names(generation.dict_dir)
        if name.startswith(LEXICON + "/") and name not in wanted
    ]
    if not changed and not dropped:
        return
    if check:
        Dictionaries.load(source)
    for target, data in changed.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, data, sync=sync)
    for target in dropped:  # a lexicon file the admin removed
        target.unlink(missing_ok=True)


def _link_index(live: Generation, aside: Generation, segment_ids: set[str]) -> None:
    """Start ``aside`` from the live Whoosh index: hard links to its table of contents and the
    files of its segments (copies where the file system has no hard links). Whoosh only ever
    adds files and deletes unused ones, so the live generation stays as it was."""
    toc = f"_{INDEX_NAME}_{_toc_generation(live.whoosh_dir)}.toc"
    for entry in os.scandir(live.whoosh_dir):
        segment = _SEGMENT_FILE.match(entry.name)
        if entry.name != toc and not (segment and segment.group(1) in segment_ids):
            continue
        target = aside.whoosh_dir / entry.name
        try:
            os.link(entry.path, target)
        except OSError:
            shutil.copy2(entry.path, target)


def _manifest_from_index(generation: Generation) -> dict[str, Entry]:
    """The manifest rebuilt from the stored fields: for indexes written by an older kb."""
    ix = open_whoosh(generation.whoosh_dir, build_schema())
    with ix.searcher() as searcher:
        return {
            fields["doc_id"]: Entry(fields["source"], fields["path"], fields["content_hash"])
            for fields in searcher.all_stored_fields()
            if fields.get("ordinal") == 0
        }


def _read_manifest(generation: Generation) -> tuple[dict[str, Entry], bool]:
    """doc_id -> Entry of what the generation holds, and whether its manifest file is
    present and belongs to its Whoosh generation (if not, the stored fields are read)."""
    try:
        data = json.loads(generation.manifest_path.read_text(encoding="utf-8"))
        if data["whoosh_generation"] == _toc_generation(generation.whoosh_dir):
            return {k: Entry.from_json(v) for k, v in data["documents"].items()}, True
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return _manifest_from_index(generation), False


def _write_manifest(
    generation: Generation, whoosh_generation: int, entries: dict[str, Entry], sync: bool
) -> None:
    data = {
        "whoosh_generation": whoosh_generation,
        "documents": {doc_id: entry.as_json() for doc_id, entry in sorted(entries.items())},
    }
    # ASCII: a source path may hold lone surrogates (a name in GBK), which JSON escapes.
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    write_atomic(generation.manifest_path, text.encode("utf-8"), sync=sync)


def _ensure_table(generation: Generation) -> None:
    """Write the live generation's passage table if it is missing (an older kb crashed
    between its commit and the table, or someone deleted it)."""
    whoosh_generation = _toc_generation(generation.whoosh_dir)
    if whoosh_generation < 0 or table_path(generation.whoosh_dir, whoosh_generation).is_file():
        return
    ix = open_whoosh(generation.whoosh_dir, build_schema())
    with ix.reader() as reader:
        if reader.doc_count_all():
            write_table(generation.whoosh_dir, reader, sync=True)
    write_checksums(generation.folder, generation.whoosh_dir, generation.folder)


# --- scanning -----------------------------------------------------------------------------


def _stamp(path: Path, now_ns: int, roots: list[Path] | None = None) -> tuple[int, ...] | None:
    """Sizes and modification times of the file, its possible side files and the folder
    rule files above it (kb.access), or None when one of them changed so recently that a
    further change could keep the same time."""
    stamp: list[int] = []
    for candidate in (path, *side_file_candidates(path), *rule_files(path, roots or [])):
        try:
            stat = candidate.stat()
        except OSError:
            stamp += [-1, -1]
            continue
        if now_ns - stat.st_mtime_ns < RACY_SECONDS * 1e9:
            return None
        stamp += [stat.st_size, stat.st_mtime_ns]
    return tuple(stamp)


def _within(source: str, scopes: list[Path]) -> bool:
    path = Path(source)
    return any(path == scope or scope in path.parents for scope in scopes)


def lock_timeout_setting() -> float:
    try:
        return float(os.environ.get(LOCK_TIMEOUT_ENV, DEFAULT_LOCK_TIMEOUT))
    except ValueError:
        return DEFAULT_LOCK_TIMEOUT


def update_index(
    index_root: Path,
    paths: list[Path],
    dict_source: Path,
    rebuild: bool = False,
    progress: Progress = lambda message: None,
    lock_timeout: float | None = None,
) -> Report:
    """Make the index at ``index_root`` reflect the files under ``paths``; raises IndexBusy
    when another writer keeps the index longer than ``lock_timeout`` seconds."""
    index_dir = IndexDir(Path(index_root))
    index_dir.root.mkdir(parents=True, exist_ok=True)
    keep_table_in(index_dir.root)
    timeout = lock_timeout_setting() if lock_timeout is None else lock_timeout
    lock = FileLock(index_dir.lock_path, timeout=timeout)
    try:
        lock.acquire()
    except Timeout as error:
        raise IndexBusy(
            f"另一个索引更新正在进行……已等待 {timeout:g} 秒仍未结束，请稍后再试。"
        ) from error
    try:
        _checkpoint("locked")
        return _update(index_dir, paths, dict_source, rebuild, progress)
    finally:
        lock.release()


@dataclass
class ChangePlan:
    """What an update is to do, and the manifest it leads to."""

    full_build: bool
    previous: dict[str, Entry]  # the live generation's manifest
    entries: dict[str, Entry]  # the next manifest; documents join it as they are written
    pending: dict[str, Entry] = field(default_factory=dict)  # entries of the jobs
    jobs: list[Job] = field(default_factory=list)
    replaced: set[str] = field(default_factory=set)
    gone: list[str] = field(default_factory=list)


def _update(
    index_dir: IndexDir, paths: list[Path], dict_source: Path, rebuild: bool, progress: Progress
) -> Report:
    report = Report()
    index_digest = Dictionaries.index_digest_of(dict_source)  # parsed only when building
    current = index_dir.current()
    index_dir.remove_stale(keep=current)
    meta = current.read_meta() if current else {}
    reasons = []
    if current is None:
        reasons.append("新建索引")
    elif rebuild:
        reasons.append("按要求重建")
    elif meta.get("schema_version") != SCHEMA_VERSION:
        reasons.append("索引格式已更新")
    elif meta.get("dictionaries") != index_digest:
        reasons.append("用户词典或案例分类已修改")
    if current is not None and not reasons:
        damage = problems(current.folder, current.whoosh_dir)
        if damage:
            reasons.append(f"索引已损坏（{'；'.join(damage[:3])}），现在完整重建")
        for table in damaged_tables(current.folder, current.whoosh_dir):
            progress(f"段落表 {table.name} 已损坏，正在从索引重新生成……")
            table.unlink(missing_ok=True)  # derived data: written again below
    previous: dict[str, Entry] = {}
    manifest_ok = False
    if current is not None:
        try:
            previous, manifest_ok = _read_manifest(current)
        except Exception:  # an unreadable old index is replaced, not mended
            reasons.append("现有索引无法读取")
    full_build = bool(reasons)

    files, plan = collect_changes(paths, previous, full_build, report, doc_types_of(dict_source))

    if not full_build and not plan.jobs and not plan.gone:
        assert current is not None
        _keep_live(current, dict_source, plan.entries, previous, manifest_ok)
        return report

    dictionaries = Dictionaries.load(dict_source)  # a DictionaryError stops us here
    segment_ids: set[str] = set()
    reuse: dict[str, SegmentLines] = {}
    if full_build:
        progress(f"{reasons[0]}：{len(files)} 个文件")
    else:
        assert current is not None
        live = open_whoosh(current.whoosh_dir, build_schema())
        with live.reader() as reader:
            reuse = lines_by_segment(current.whoosh_dir, reader)
            segments = [leaf.segment() for leaf, _ in reader.leaf_readers()]
        segment_ids = {segment.segment_id() for segment in segments if segment is not None}
    generation = index_dir.new_generation()
    try:
        if current is not None and not full_build:
            _link_index(current, generation, segment_ids)
        _copy_dictionaries(dict_source, generation, check=False)
        ix = _write(generation, plan, dictionaries, index_dir, report, progress)
        if ix is None:  # every changed file failed to read: nothing to switch to
            shutil.rmtree(generation.folder, ignore_errors=True)
            assert current is not None
            _keep_live(current, dict_source, plan.entries, previous, manifest_ok)
            return report
        _checkpoint("committed")
        with ix.reader() as reader:
            write_table(generation.whoosh_dir, reader, reuse)
        _checkpoint("table")
        whoosh_generation = _toc_generation(generation.whoosh_dir)
        _write_manifest(generation, whoosh_generation, plan.entries, sync=False)
        generation.write_meta({"schema_version": SCHEMA_VERSION, "dictionaries": index_digest})
        linked_from = current.folder if current is not None and not full_build else None
        write_checksums(generation.folder, generation.whoosh_dir, linked_from)
        _checkpoint("written")
        sync_tree(generation.folder)
        _checkpoint("synced")
    except BaseException:  # never live: the half-built generation goes (or the next run's)
        shutil.rmtree(generation.folder, ignore_errors=True)
        raise
    index_dir.switch_to(generation)
    _checkpoint("switched")
    report.rebuilt = full_build
    index_dir.remove_stale(keep=generation)
    return report


def collect_changes(
    paths: list[Path],
    previous: dict[str, Entry],
    full_build: bool,
    report: Report,
    doc_types: DocTypes | None = None,
) -> tuple[list[SourceFile], ChangePlan]:
    """The files under ``paths`` and what to do with them. A full build keeps the documents
    indexed earlier from other folders, as long as their files are still there. Side files
    are checked against ``doc_types``, those of the dictionaries indexed with."""
    files, report.failed = discover(paths)
    scopes = [p.resolve() for p in paths]
    if full_build:
        known = {s.path.resolve() for s in files}
        for entry in previous.values():
            source = Path(entry.source)
            if not _within(entry.source, scopes) and source not in known and source.is_file():
                files.append(SourceFile(source, entry.shown))
    return files, _plan_changes(files, scopes, previous, full_build, report, doc_types)


def _plan_changes(
    files: list[SourceFile],
    scopes: list[Path],
    previous: dict[str, Entry],
    full_build: bool,
    report: Report,
    doc_types: DocTypes | None = None,
) -> ChangePlan:
    """Decide what to (re)index. The content hash decides; an unchanged stamp spares
    reading the file (and its side files) to compute it."""
    plan = ChangePlan(full_build, previous, {} if full_build else dict(previous))
    now_ns = time.time_ns()
    seen: set[str] = set()
    for source in files:
        doc_id = doc_id_for(source.path)
        seen.add(doc_id)
        old = None if full_build else previous.get(doc_id)
        stamp = _stamp(source.path, now_ns, scopes)  # before reading: a later write changes it
        if old is not None and stamp is not None and old.stamp == stamp:
            report.unchanged += 1
            report.warnings.extend(old.problems)
            continue
        try:
            size = source.path.stat().st_size
            if size > limits.MAX_FILE_BYTES:  # not even hashed; the old text, if any, stays
                report.failed.append(Failure(source.shown, limits.FILE_TOO_BIG))
                continue
            side = read_side_metadata(source.path, doc_types, scopes)
            digest = file_hash(source.path, side.fingerprint)
        except OSError as error:
            report.failed.append(Failure(source.shown, f"无法读取文件：{error.strerror or error}"))
            continue
        if old is not None and old.digest == digest:  # side files too: the same problems
            report.unchanged += 1
            report.warnings.extend(old.problems)
            plan.entries[doc_id] = replace(old, stamp=stamp)
            continue
        report.warnings.extend(side.problems)
        problems = tuple(side.problems)
        if old is not None:
            plan.replaced.add(doc_id)
            # Should this version fail to read, the old text stays, to be retried next time.
            plan.entries[doc_id] = Entry(old.source, old.shown, old.digest, None, old.problems)
        resolved = str(source.path.resolve())
        plan.pending[doc_id] = Entry(resolved, source.shown, digest, stamp, problems)
        plan.jobs.append(Job(str(source.path), source.shown, size, digest, side.values))
    if not full_build:
        plan.gone = [
            doc_id
            for doc_id, entry in previous.items()
            if doc_id not in seen and _within(entry.source, scopes)
        ]
    return plan


def _write(
    generation: Generation,
    plan: ChangePlan,
    dictionaries: Dictionaries,
    index_dir: IndexDir,
    report: Report,
    progress: Progress,
):
    """Delete the gone documents and add the tokenized ones in one Whoosh commit in
    ``generation``, keeping ``report`` and the next manifest in step; returns the Whoosh
    index, or None when nothing changed (every changed file failed to read)."""
    segmenter = Segmenter(dictionaries, index_dir.jieba_cache_dir)
    schema = build_schema(segmenter)
    if plan.full_build:
        ix = create_whoosh(generation.whoosh_dir, schema)
    else:
        ix = open_whoosh(generation.whoosh_dir, schema)
    try:
        writer = ix.writer(limitmb=WRITER_MB)
    except LockError as error:  # only a writer that ignores write.lock could hold it
        raise IndexBusy("另一个索引更新正在进行……请稍后再试。") from error
    jobs = plan.jobs
    with ix.reader() as reader:  # passages deleted earlier that Whoosh still keeps
        deleted, stored = reader.doc_count_all() - reader.doc_count(), reader.doc_count_all()
    try:
        for doc_id in plan.gone:
            deleted += writer.delete_by_term("doc_id", doc_id)
            report.removed.append(plan.previous[doc_id].shown)
            del plan.entries[doc_id]
        for done, outcome in enumerate(
            tokenize_all(jobs, segmenter, generation.dict_dir, index_dir.jieba_cache_dir, progress),
            1,
        ):
            if outcome.rows is None:
                report.failed.append(Failure(outcome.shown, outcome.reason))
                continue
            doc_id = outcome.doc_id
            if not plan.full_build:  # only now: a changed file that fails keeps its old text
                deleted += writer.delete_by_term("doc_id", doc_id)
            added = 0
            for row in outcome.rows:
                writer.add_document(**row)
                added += 1
            stored += added
            account(plan, report, outcome, added)
            if done % 20 == 0 or done == len(jobs):
                progress(f"已处理 {done}/{len(jobs)} 个文件")
            if done == len(jobs) // 2:
                _checkpoint("half")
        if not plan.full_build and not report.changed:
            writer.cancel()
            return None
        progress("正在写入索引……")
        # Deleted passages still take room: past a share of the index, rewrite the
        # segments holding them (statistics leave them out anyway, kb.bm25.LiveStatistics).
        purge = deleted > PURGE_SHARE * max(stored, 1)
        writer.commit(mergetype=merge_away_deletions if purge else None)
    except BaseException:
        writer.cancel()
        raise
    return ix


def account(plan: ChangePlan, report: Report, outcome: Outcome, passages: int) -> None:
    """A document written: the next manifest and ``report`` say so. Its reading warnings
    are kept with its entry, to be told again while the file is unchanged (as side-file
    problems are)."""
    doc_id = outcome.doc_id
    told = tuple(f"{outcome.shown}：{warning}" for warning in outcome.warnings)
    entry = plan.pending[doc_id]
    plan.entries[doc_id] = replace(entry, problems=entry.problems + told)
    report.warnings.extend(told)
    report.passages += passages
    (report.updated if doc_id in plan.replaced else report.added).append(outcome.shown)


def merge_away_deletions(writer, segments):
    """Whoosh merge policy: rewrite every segment holding deleted passages (and merge small
    ones, as Whoosh does), so that the index takes no more room than a fresh build's."""
    from whoosh.reading import SegmentReader
    from whoosh.writing import MERGE_SMALL

    kept = []
    for segment in segments:
        if segment.has_deletions():
            reader = SegmentReader(writer.storage, writer.schema, segment)
            writer.add_reader(reader)
            reader.close()
        else:
            kept.append(segment)
    return MERGE_SMALL(writer, kept)


def _keep_live(
    current: Generation,
    dict_source: Path,
    entries: dict[str, Entry],
    previous: dict[str, Entry],
    manifest_ok: bool,
) -> None:
    """No document changed: bring the live generation's side files up to date in place —
    query-time dictionaries, a missing passage table, the manifest's stamps."""
    _copy_dictionaries(dict_source, current, sync=True)  # synonyms/stopwords apply at once
    _ensure_table(current)
    if entries != previous or not manifest_ok:
        _write_manifest(current, _toc_generation(current.whoosh_dir), entries, sync=True)
