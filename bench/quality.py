"""Search quality on the judged queries: kb against naive Whoosh + jieba and bm25s + jieba.

Run:  .venv/bin/python bench/quality.py [--verbose]

All three systems index the same files (corpus/docs and ../shared/realdocs/docs) in this run.
Metrics are per document: a system's ranked passages are reduced to the order in which their
documents first appear. MRR@10 and Success@k count any judged document (grade 1 or 2) as
relevant; nDCG@10 uses the grades (gain 2^g - 1).
"""

from __future__ import annotations

import argparse
import math
import statistics
import tempfile
from collections import defaultdict
from pathlib import Path

from common import (
    CORPUS_DOCS,
    REALDOCS,
    Judged,
    NaiveBM25,
    NaiveWhoosh,
    build_naive_whoosh,
    document_files,
    key_for,
    load_judgments,
    require_realdocs,
    unique_in_order,
)


def metrics(ranked: list[str], relevant: dict[str, int]) -> dict[str, float]:
    rr = 0.0
    for rank, key in enumerate(ranked[:10], 1):
        if key in relevant:
            rr = 1.0 / rank
            break
    dcg = sum(
        (2 ** relevant.get(key, 0) - 1) / math.log2(rank + 1)
        for rank, key in enumerate(ranked[:10], 1)
    )
    ideal = sorted(relevant.values(), reverse=True)[:10]
    idcg = sum((2**g - 1) / math.log2(rank + 1) for rank, g in enumerate(ideal, 1))
    return {
        "MRR@10": rr,
        "Success@1": float(bool(ranked[:1]) and ranked[0] in relevant),
        "Success@5": float(any(k in relevant for k in ranked[:5])),
        "nDCG@10": dcg / idcg if idcg else 0.0,
    }


def evaluate(name: str, rank, judged: list[Judged], verbose: bool) -> dict[str, float]:
    totals: dict[str, list[float]] = defaultdict(list)
    by_kind: dict[str, list[float]] = defaultdict(list)
    for item in judged:
        # Each query was judged within one collection; the other one's documents are skipped.
        collection = next(iter(item.relevant)).split("/")[0]
        keys = [key_for(p) for p in rank(item.query)]
        ranked = unique_in_order([k for k in keys if k.startswith(collection + "/")])
        scores = metrics(ranked, item.relevant)
        for metric, value in scores.items():
            totals[metric].append(value)
        by_kind[item.kind].append(scores["MRR@10"])
        if verbose and scores["MRR@10"] < 1.0:
            print(f"  [{name}] RR={scores['MRR@10']:.2f} {item.query!r}: top {ranked[:3]}")
    summary = {metric: statistics.mean(values) for metric, values in totals.items()}
    summary.update({f"MRR[{k}]": statistics.mean(v) for k, v in sorted(by_kind.items())})
    return summary


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--verbose", action="store_true", help="list queries kb does not answer first"
    )
    parser.add_argument("--kb-only", action="store_true", help="skip the naive peers")
    parser.add_argument("--index", help="reuse (or keep) the kb index in this folder")
    args = parser.parse_args()
    require_realdocs()
    files = document_files(CORPUS_DOCS) + document_files(REALDOCS)
    judged = load_judgments()

    from indexer.store import update_index
    from kb.cli import DEFAULT_DICT
    from kb.search import Searcher

    with tempfile.TemporaryDirectory() as tmp:
        kb_index = Path(args.index or Path(tmp) / "kb")
        update_index(kb_index, [CORPUS_DOCS, REALDOCS], DEFAULT_DICT)
        kb = Searcher(kb_index)
        systems = {"kb": lambda q: [h.path for h in kb.search(q, limit=50).hits]}
        if not args.kb_only:
            naive = NaiveWhoosh(build_naive_whoosh(files, Path(tmp) / "naive"))
            bm25 = NaiveBM25(files)
            systems["whoosh+ChineseAnalyzer"] = naive.ranked_paths
            systems["bm25s+jieba"] = bm25.ranked_paths
        results = {
            name: evaluate(name, rank, judged, args.verbose and name == "kb")
            for name, rank in systems.items()
        }

    metric_names = list(next(iter(results.values())).keys())
    print(f"\n{len(judged)} judged queries, {len(files)} documents\n")
    print("| metric | " + " | ".join(results) + " |")
    print("|---|" + "---|" * len(results))
    for metric in metric_names:
        print(f"| {metric} | " + " | ".join(f"{r[metric]:.3f}" for r in results.values()) + " |")


if __name__ == "__main__":
    main()
