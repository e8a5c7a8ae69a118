"""Shared pieces of the benchmarks: corpora, judged queries, and the naive peers."""

from __future__ import annotations

import json
import sys
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
