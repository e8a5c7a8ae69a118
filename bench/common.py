"""Shared pieces of the benchmarks: corpora, judged queries, and the naive peers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CORPUS_DOCS = ROOT / "corpus" / "docs"
REALDOCS = ROOT.parent / "shared" / "realdocs" / "docs"
JUDGMENTS = ROOT / "bench" / "judgments"


def require_realdocs() -> None:
    if not REALDOCS.is_dir():
        sys.exit(f"skipped: {REALDOCS} is absent (it sits beside the checkout in CI)")


@dataclass
class Judged:
    query: str
    kind: str
    relevant: dict[str, int]  # key "corpus/<file>" or "realdocs/<file>" -> grade 1 or 2
    # "tune": judgments we tuned kb against; "test": written before anyone looked at kb's
    # answers (bench/judgments/test_*.jsonl), never tuned against.
    split: str = "tune"
    # The lines (1-based, in the file as stored) of the paragraphs that answer, per document.
    answer_lines: dict[str, list[int]] | None = None


def load_judgments() -> list[Judged]:
    judged = []
    for path in sorted(JUDGMENTS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                judged.append(
                    Judged(
                        row["query"],
                        row["kind"],
                        row["relevant"],
                        row.get("split", "tune"),
                        row.get("answer_lines"),
                    )
                )
    return judged


def file_for(key: str) -> Path:
    """The document file a judgments key names."""
    collection, _, name = key.partition("/")
    return (REALDOCS if collection == "realdocs" else CORPUS_DOCS) / name


def key_for(path: str | Path) -> str:
    """The judgments' key of a document file."""
    path = Path(path)
    collection = "realdocs" if path.parent.resolve() == REALDOCS.resolve() else "corpus"
    return f"{collection}/{path.name}"


def paragraphs(path: Path) -> Iterator[str]:
    """The file's paragraphs as kb's readers extract them, so every system gets the same text
    from .docx, .pdf, .html and GBK files."""
    from indexer.readers import UnreadableFile, read_file

    try:
        blocks = read_file(path, path.read_bytes()).blocks
    except UnreadableFile:
        return
    for block in blocks:
        if block.text.strip():
            yield block.text.strip()


def document_files(folder: Path) -> list[Path]:
    """Every document kb would index in ``folder``."""
    from indexer.store import discover

    files, _ = discover([folder])
    return [source.path for source in files]


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    value = function(*args, **kwargs)
    return value, time.perf_counter() - start


@dataclass
class Memory:
    """Memory of a process tree at one moment (bytes): proportional set sizes summed (pages
    forked workers share counted once between them), resident sizes summed (shared pages
    counted in every process) and the largest resident size of any one process."""

    proportional: int = 0
    resident: int = 0
    largest: int = 0

    def peak(self, other: Memory) -> Memory:
        return Memory(
            max(self.proportional, other.proportional),
            max(self.resident, other.resident),
            max(self.largest, other.largest),
        )


def _memory_of(pid: int) -> tuple[int, int]:
    """Proportional set size and resident size of ``pid`` in bytes (Linux)."""
    found = {"Pss:": 0, "Rss:": 0}
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as stream:
            for line in stream:
                key = line.split(maxsplit=1)[0]
                if key in found:
                    found[key] = int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return found["Pss:"], found["Rss:"]


def tree_memory(pid: int) -> Memory:
    """Memory of ``pid`` and its descendants, read from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stream:
                fields = stream.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    memory, todo = Memory(), [pid]
    while todo:
        current = todo.pop()
        proportional, resident = _memory_of(current)
        memory.proportional += proportional
        memory.resident += resident
        memory.largest = max(memory.largest, resident)
        todo.extend(children.get(current, []))
    return memory


@dataclass
class SampledRun:
    seconds: float
    peak: Memory
    returncode: int
    output: str  # standard output
    errors: str  # standard error (kb's progress messages)


def run_sampled(
    command: list[str], interval: float = 0.2, env: dict | None = None, cwd: Path = ROOT
) -> SampledRun:
    """Run ``command`` (in ``cwd``, the project's folder by default), sampling the memory of it and its
    children every ``interval`` seconds; elsewhere than Linux the peak is the largest single
    process's, from getrusage."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    output: list[str] = []
    errors: list[str] = []
    readers = [
        threading.Thread(target=lambda: output.append(process.stdout.read())),  # type: ignore[union-attr]
        threading.Thread(target=lambda: errors.append(process.stderr.read())),  # type: ignore[union-attr]
    ]
    for reader in readers:
        reader.start()
    peak = Memory()
    on_linux = Path("/proc/self/smaps_rollup").exists()
    while process.poll() is None:
        if on_linux:
            peak = peak.peak(tree_memory(process.pid))
        time.sleep(interval)
    for reader in readers:
        reader.join()
    seconds = time.perf_counter() - start
    if not on_linux:
        import resource

        largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        peak = Memory(largest, largest, largest)
    return SampledRun(seconds, peak, process.returncode, "".join(output), "".join(errors))


def build_naive_whoosh(files: list[Path], folder: Path):
    """Whoosh + jieba's ChineseAnalyzer, one index document per paragraph, as people do."""
    from jieba.analyse import ChineseAnalyzer
    from whoosh import fields, index

    schema = fields.Schema(
        path=fields.ID(stored=True),
        content=fields.TEXT(stored=True, analyzer=ChineseAnalyzer()),
    )
    folder.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(folder), schema)
    writer = ix.writer()
    for path in files:
        for paragraph in paragraphs(path):
            writer.add_document(path=str(path), content=paragraph)
    writer.commit()
    return ix


class NaiveWhoosh:
    def __init__(self, ix) -> None:
        from whoosh.qparser import QueryParser

        self.searcher = ix.searcher()
        self.parser = QueryParser("content", ix.schema)

    def ranked_paths(self, query: str, limit: int = 100) -> list[str]:
        return [path for path, _ in self.ranked(query, limit)]

    def ranked(self, query: str, limit: int = 100) -> list[tuple[str, str]]:
        """(path, paragraph) of the best paragraphs, best first."""
        results = self.searcher.search(self.parser.parse(query), limit=limit)
        return [(hit["path"], hit["content"]) for hit in results]

    def search_with_highlights(self, query: str) -> list[str]:
        results = self.searcher.search(self.parser.parse(query), limit=10)
        return [hit.highlights("content") for hit in results]


class NaiveBM25:
    """bm25s over jieba-segmented paragraphs."""

    def __init__(self, files: list[Path]) -> None:
        import bm25s
        import jieba

        self.jieba = jieba
        self.paths: list[str] = []
        self.texts: list[str] = []
        corpus_tokens: list[list[str]] = []
        for path in files:
            for paragraph in paragraphs(path):
                self.paths.append(str(path))
                self.texts.append(paragraph)
                corpus_tokens.append([w for w in jieba.lcut(paragraph) if w.strip()])
        self.retriever = bm25s.BM25()
        self.retriever.index(corpus_tokens, show_progress=False)

    def ranked_paths(self, query: str, limit: int = 100) -> list[str]:
        return [path for path, _ in self.ranked(query, limit)]

    def ranked(self, query: str, limit: int = 100) -> list[tuple[str, str]]:
        """(path, paragraph) of the best paragraphs, best first."""
        tokens = [w for w in self.jieba.lcut(query) if w.strip()]
        if not tokens:
            return []
        limit = min(limit, len(self.paths))
        docs, scores = self.retriever.retrieve([tokens], k=limit, show_progress=False)
        return [
            (self.paths[i], self.texts[i]) for i, s in zip(docs[0], scores[0], strict=True) if s > 0
        ]


def unique_in_order(items: list[str], limit: int = 10) -> list[str]:
    seen: list[str] = []
    for item in items:
        if item not in seen:
            seen.append(item)
            if len(seen) == limit:
                break
    return seen
