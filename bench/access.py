"""Search speed with permissions (kb.access) as a ratio against the same search without, in
one run.

Run:  .venv/bin/python bench/access.py [--rounds 5]

Two indexes of ../shared/realdocs/docs (copied to a temporary folder): one as it is (every
document 公开: no filter is added, today's speed), one with half the documents restricted by
side files (every second file alternately 内部 and 限定 to a department). The judged realdocs
queries run on both, alternating query by query, as a reader of that department (the filter
compiled into every query), as an anonymous visitor and as the admin (no filter). The figure
is the median over queries of each query's median time, as a ratio against the unrestricted
index searched by the same kind of viewer's code path without a filter.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from common import REALDOCS, load_judgments, require_realdocs

from indexer.store import update_index
from kb.access import ANONYMOUS, READER, SYSTEM_ADMIN, Viewer
from kb.cli import DEFAULT_DICT
from kb.engines.whoosh.searcher import Searcher

READER_OF = Viewer("张三", "办公室", READER)


def _restrict_half(folder: Path) -> int:
    """Side files making every second document 内部 or 限定 (to 纪检组 and 办公室 in turn)."""
    restricted = 0
    for number, path in enumerate(sorted(folder.glob("*.txt"))):
        if number % 2:
            continue
        level = {"visibility": "内部"}
        if number % 4 == 0:
            department = "纪检组" if number % 8 == 0 else "办公室"
            level = {"visibility": "限定", "departments": [department]}
        side = path.with_name(path.name + ".json")
        side.write_text(json.dumps(level, ensure_ascii=False), encoding="utf-8")
        restricted += 1
    return restricted


def _timed(searcher, query: str) -> float:
    start = time.perf_counter()
    searcher.search(query, limit=10, facets=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    require_realdocs()
    queries = [j.query for j in load_judgments() if next(iter(j.relevant)).startswith("realdocs/")]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        plain, half = root / "plain", root / "half"
        shutil.copytree(REALDOCS, plain)
        shutil.copytree(REALDOCS, half)
        restricted = _restrict_half(half)
        update_index(root / "plain-index", [plain], DEFAULT_DICT)
        update_index(root / "half-index", [half], DEFAULT_DICT)
        open_plain, open_half = Searcher(root / "plain-index"), Searcher(root / "half-index")
        runs = {
            "unrestricted index, reader": open_plain.for_viewer(READER_OF),
            "half restricted, reader": open_half.for_viewer(READER_OF),
            "half restricted, anonymous": open_half.for_viewer(ANONYMOUS),
            "half restricted, admin": open_half.for_viewer(SYSTEM_ADMIN),
        }
        times: dict[str, dict[str, list[float]]] = {name: {q: [] for q in queries} for name in runs}
        totals = {name: sum(s.search(q).total for q in queries) for name, s in runs.items()}
        for _ in range(args.rounds):
            for query in queries:
                for name, searcher in runs.items():
                    times[name][query].append(_timed(searcher, query))
        documents = {name: s.counts()[0] for name, s in runs.items()}
    medians = {
        name: statistics.median(statistics.median(t) for t in per_query.values())
        for name, per_query in times.items()
    }
    base = medians["unrestricted index, reader"]
    print(
        f"{len(queries)} judged realdocs queries x {args.rounds} rounds; "
        f"{restricted} of 170 documents restricted in the second index"
    )
    print(f"{'':28} {'median ms':>10} {'ratio':>7} {'documents':>10} {'hits (sum)':>11}")
    for name, value in medians.items():
        print(
            f"{name:28} {value * 1000:10.1f} {value / base:7.3f} "
            f"{documents[name]:10d} {totals[name]:11d}"
        )


if __name__ == "__main__":
    main()
