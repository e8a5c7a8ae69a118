"""Build and query speed of kb as ratios against naive Whoosh + jieba, measured in one run.

Run:  .venv/bin/python bench/speed.py [--rounds 3]

Each phase runs in a fresh child process over ../shared/realdocs/docs, so times include
starting up and peak memory (max RSS, child processes included) belongs to that phase alone.
The naive peer is Whoosh with jieba's ChineseAnalyzer, one index document per paragraph, the
default query parser, and Whoosh's highlighter for the top 10 (what most projects do).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REALDOCS, ROOT, load_judgments, require_realdocs

try:
    import resource
except ImportError:  # Windows: no peak-memory figure
    resource = None


def _peak_rss_mb() -> float | None:
    if resource is None:
        return None
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def _queries() -> list[str]:
    return [j.query for j in load_judgments() if next(iter(j.relevant)).startswith("realdocs/")]


def child(phase: str, folder: Path, rounds: int) -> dict:
    from common import NaiveWhoosh, build_naive_whoosh

    files = sorted(REALDOCS.glob("*.txt"))
    start = time.perf_counter()
    if phase == "kb-build":
        from indexer.store import update_index
        from kb.cli import DEFAULT_DICT

        report = update_index(folder, [REALDOCS], DEFAULT_DICT)
        return {"seconds": time.perf_counter() - start, "passages": report.passages}
    if phase == "naive-build":
        ix = build_naive_whoosh(files, folder)
        with ix.searcher() as searcher:
            count = searcher.doc_count()
        return {"seconds": time.perf_counter() - start, "passages": count}

    queries = _queries()
    if phase == "kb-query":
        from kb.engines.whoosh.searcher import Searcher

        searcher = Searcher(folder)

        def run(q: str) -> int:
            return len(searcher.search(q, limit=10).hits)
    else:
        from whoosh import index

        naive = NaiveWhoosh(index.open_dir(str(folder)))

        def run(q: str) -> int:
            return len(naive.search_with_highlights(q))

    hits = {q: run(q) for q in queries}  # also warms caches and lazy loading
    per_query: dict[str, list[float]] = {q: [] for q in queries}
    for _ in range(rounds):
        for q in queries:
            t = time.perf_counter()
            run(q)
            per_query[q].append(time.perf_counter() - t)
    return {
        "ms": {q: statistics.median(times) * 1000 for q, times in per_query.items()},
        "hits": hits,
    }


def summarize(timings: dict[str, float], queries: list[str]) -> dict[str, float]:
    values = sorted(timings[q] for q in queries)
    return {
        "median": statistics.median(values),
        "mean": statistics.mean(values),
        "p90": values[min(len(values) - 1, int(len(values) * 0.9))],
    }


def run_child(phase: str, folder: Path, rounds: int) -> dict:
    output = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            phase,
            "--folder",
            str(folder),
            "--rounds",
            str(rounds),
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child")
    parser.add_argument("--folder")
    args = parser.parse_args()
    if args.child:
        result = child(args.child, Path(args.folder), args.rounds)
        result["peak_rss_mb"] = _peak_rss_mb()
        print(json.dumps(result))
        return

    require_realdocs()
    with tempfile.TemporaryDirectory() as tmp:
        kb_dir, naive_dir = Path(tmp) / "kb", Path(tmp) / "naive"
        kb_build = run_child("kb-build", kb_dir, args.rounds)
        naive_build = run_child("naive-build", naive_dir, args.rounds)
        kb_query = run_child("kb-query", kb_dir, args.rounds)
        naive_query = run_child("naive-query", naive_dir, args.rounds)

    def mb(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.0f} MB"

    print(
        f"\nrealdocs/docs: {len(list(REALDOCS.glob('*.txt')))} files; {kb_build['passages']} kb passages, {naive_build['passages']} naive paragraphs\n"
    )
    print("| measure | kb | naive Whoosh + jieba | ratio kb/naive |")
    print("|---|---|---|---|")
    print(
        f"| full build | {kb_build['seconds']:.2f} s | {naive_build['seconds']:.2f} s "
        f"| {kb_build['seconds'] / naive_build['seconds']:.2f}x |"
    )
    print(
        f"| build peak memory | {mb(kb_build['peak_rss_mb'])} | {mb(naive_build['peak_rss_mb'])} | |"
    )
    every = list(kb_query["ms"])
    full_page = [q for q in every if naive_query["hits"][q] >= 10]
    for label, subset in (
        (f"all {len(every)} realdocs queries", every),
        (f"{len(full_page)} queries where naive fills a page of 10", full_page),
    ):
        ours, theirs = summarize(kb_query["ms"], subset), summarize(naive_query["ms"], subset)
        for stat in ("median", "mean", "p90"):
            print(
                f"| query + snippets, {stat}, {label} | {ours[stat]:.1f} ms | {theirs[stat]:.1f} ms "
                f"| {ours[stat] / theirs[stat]:.2f}x |"
            )
    print(
        f"| search peak memory | {mb(kb_query['peak_rss_mb'])} | {mb(naive_query['peak_rss_mb'])} | |"
    )
    empty = sum(1 for q in every if naive_query["hits"][q] == 0)
    print(
        f"\nnaive finds nothing for {empty} of {len(every)} queries (its parser ANDs every word); kb answers all."
    )


if __name__ == "__main__":
    main()
