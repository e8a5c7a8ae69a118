"""Search quality on the judged queries: kb against naive Whoosh + jieba and bm25s + jieba.

Run:  .venv/bin/python bench/quality.py [--verbose] [--kb-only] [--index DIR]

All three systems index the same files (corpus/docs and ../shared/realdocs/docs) in this run.
The judgments come in two splits, reported apart:

* tune — the queries kb was tuned against (bench/judgments/*.jsonl but test*);
* dev — bench/judgments/test_realdocs.jsonl: written from held-out documents before anyone
  looked at kb's answers, measured three times, then looked at query by query to learn why
  unseen questions failed (so no longer a test); ``--verbose-dev`` lists its misses;
* test — bench/judgments/test2_realdocs.jsonl, written later the same way from the same held-out
  documents, never looked at: read its figures, not its queries (``--verbose`` never lists it).

Document metrics: a system's ranked passages are reduced to the order in which their documents
first appear; MRR@10 and Success@k count any judged document (grade 1 or 2) as relevant,
nDCG@10 uses the grades (gain 2^g - 1). Passage metric P-MRR@10: the rank, among the first ten
passages, of the first one that is (part of) a paragraph the judge marked as the answer.
"""

from __future__ import annotations

import argparse
import json
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
    file_for,
    key_for,
    load_judgments,
    require_realdocs,
    unique_in_order,
)

from kb.folding import fold, normalize_space

SPLITS = ("tune", "dev", "test")


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


def _answers(item: Judged) -> dict[str, list[str]]:
    """The folded answering paragraphs of a judged query, per document key."""
    found: dict[str, list[str]] = {}
    for key, numbers in (item.answer_lines or {}).items():
        path = file_for(key)
        if path.suffix not in (".txt", ".md") or not path.is_file():
            continue
        lines = path.read_text(encoding="utf-8-sig", errors="replace").splitlines()
        texts = [fold(normalize_space(lines[n - 1])) for n in numbers if 0 < n <= len(lines)]
        found[key] = [t for t in texts if t]
    return found


def passage_rr(passages: list[tuple[str, str]], answers: dict[str, list[str]]) -> float:
    for rank, (key, text) in enumerate(passages[:10], 1):
        folded = fold(normalize_space(text))
        if folded and any(folded in a or a in folded for a in answers.get(key, [])):
            return 1.0 / rank
    return 0.0


def evaluate(
    name: str, rank, judged: list[Judged], verbose: set[str], per_query: dict | None = None
) -> dict[str, float]:
    totals: dict[str, list[float]] = defaultdict(list)
    by_kind: dict[str, list[float]] = defaultdict(list)
    for item in judged:
        # Each query was judged within one collection; the other one's documents are skipped.
        collection = next(iter(item.relevant)).split("/")[0]
        passages = [
            (key, text)
            for key, text in ((key_for(p), t) for p, t in rank(item.query))
            if key.startswith(collection + "/")
        ]
        ranked = unique_in_order([key for key, _ in passages])
        scores = metrics(ranked, item.relevant)
        for metric, value in scores.items():
            totals[metric].append(value)
        answers = _answers(item)
        if answers:
            totals["P-MRR@10"].append(passage_rr(passages, answers))
        by_kind[item.kind].append(scores["MRR@10"])
        if per_query is not None and item.split == "tune":
            per_query[item.query] = scores["MRR@10"]
        if item.split in verbose and scores["MRR@10"] < 1.0:
            print(f"  [{name}] RR={scores['MRR@10']:.2f} {item.query!r}: top {ranked[:3]}")
    summary = {metric: statistics.mean(values) for metric, values in totals.items()}
    summary.update({f"MRR[{k}]": statistics.mean(v) for k, v in sorted(by_kind.items())})
    return summary


def report(split: str, judged: list[Judged], results: dict[str, dict[str, float]]) -> None:
    metric_names = list(dict.fromkeys(m for r in results.values() for m in r))
    kinds = ", ".join(
        f"{kind} {sum(j.kind == kind for j in judged)}" for kind in sorted({j.kind for j in judged})
    )
    print(f"\n{split} split: {len(judged)} judged queries ({kinds})\n")
    print("| metric | " + " | ".join(results) + " |")
    print("|---|" + "---|" * len(results))
    for metric in metric_names:
        cells = [f"{r[metric]:.3f}" if metric in r else "—" for r in results.values()]
        print(f"| {metric} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--verbose", action="store_true", help="list the tune queries kb does not answer first"
    )
    parser.add_argument(
        "--verbose-dev", action="store_true", help="list the dev queries kb misses as well"
    )
    parser.add_argument("--kb-only", action="store_true", help="skip the naive peers")
    parser.add_argument("--index", help="reuse (or keep) the kb index in this folder")
    parser.add_argument("--split", choices=SPLITS, help="only this split")
    parser.add_argument("--dump", help="write kb's reciprocal rank per tune query (JSON) here")
    args = parser.parse_args()
    require_realdocs()
    files = document_files(CORPUS_DOCS) + document_files(REALDOCS)
    judged = [j for j in load_judgments() if args.split in (None, j.split)]

    from indexer.store import update_index
    from kb.cli import DEFAULT_DICT
    from kb.engines.whoosh.searcher import Searcher

    with tempfile.TemporaryDirectory() as tmp:
        kb_index = Path(args.index or Path(tmp) / "kb")
        update_index(kb_index, [CORPUS_DOCS, REALDOCS], DEFAULT_DICT)
        kb = Searcher(kb_index)
        systems = {"kb": lambda q: [(h.path, h.text) for h in kb.search(q, limit=50).hits]}
        if not args.kb_only:
            naive = NaiveWhoosh(build_naive_whoosh(files, Path(tmp) / "naive"))
            bm25 = NaiveBM25(files)
            systems["whoosh+ChineseAnalyzer"] = naive.ranked
            systems["bm25s+jieba"] = bm25.ranked
        print(f"{len(files)} documents")
        shown = {"tune"} if args.verbose else set()
        shown |= {"dev"} if args.verbose_dev else set()
        for split in SPLITS:
            chosen = [j for j in judged if j.split == split]
            if chosen:
                per_query: dict[str, float] = {}
                results = {
                    name: evaluate(name, rank, chosen, shown, per_query)
                    if name == "kb"
                    else evaluate(name, rank, chosen, set())
                    for name, rank in systems.items()
                }
                if args.dump and per_query:
                    Path(args.dump).write_text(json.dumps(per_query, ensure_ascii=False))
                report(split, chosen, results)


if __name__ == "__main__":
    main()
