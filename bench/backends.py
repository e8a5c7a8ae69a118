"""Parity of kb's two search backends, embedded Whoosh and OpenSearch, over the same documents.

Run:  .venv/bin/python bench/backends.py [--rounds 3] [--verbose]
      (or KB_OPENSEARCH_URL=http://host:port .venv/bin/python bench/backends.py to use a running
      cluster; otherwise the script starts its own node "bench" on 127.0.0.1:9230/9330 with
      tools/opensearch/server.py and stops it, data wiped, at the end)

Both indexes are built in this run from corpus/docs and ../shared/realdocs/docs, what
bench/quality.py indexes. OpenSearch gets 2 shards and no replicas, in a fresh index named
after the time; every index of that name is deleted at the end. Reported, always OpenSearch
against Whoosh measured in the same run: full build time (each build in a fresh process,
timed around the build call, so neither profits from the other's imports or jieba cache); quality on the judged queries
(bench/quality.py's ``evaluate``, PASS when |ΔMRR@10| <= 0.02); agreement of the first page
of hits (path, ordinal); query latency (a warm-up pass, then ``--rounds`` rounds, median per
query); and incremental updates of one small file of our own, in a third folder, added,
changed, left unchanged and removed. OpenSearch runs on the same 2-core machine and is
reached over HTTP on loopback.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import (
    CORPUS_DOCS,
    REALDOCS,
    ROOT,
    document_files,
    load_judgments,
    require_realdocs,
    timed,
)
from quality import evaluate
from speed import summarize

NODE = "bench"
HTTP_PORT, TRANSPORT_PORT = 9230, 9330
SHARDS, REPLICAS = 2, 0
MRR_TOLERANCE = 0.02
SERVER_SCRIPT = ROOT / "tools" / "opensearch" / "server.py"

# A small document of our own (not taken from anywhere) for the incremental updates, and the
# sentence appended to it; NEW_PHRASE must be findable after the change and gone after removal.
EXTRA_NAME = "bench_extra_notice.txt"
EXTRA_TEXT = (
    "关于青石湾社区读书角开放时间调整的说明\n\n"
    "为方便居民借阅，青石湾社区读书角自下月起每周二至周日上午九时开放，周一闭馆整理书架。\n\n"
    "借阅图书请携带居民卡，每人每次不超过三册，借期二十一天，可续借一次。\n\n"
    "读书角欢迎居民捐赠适合少年儿童阅读的图书，捐赠前请与社区服务站联系。\n"
)
APPENDED = "\n读书角新增盲文读物专架，视障居民可预约志愿者陪同阅读。\n"
NEW_PHRASE = "盲文读物专架"


def load_server():
    """tools/ is not a package: load server.py by path (as tests/opensearch_support.py does)."""
    name = "kb_opensearch_server"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, SERVER_SCRIPT)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def drop_indexes(settings) -> list[str]:
    """Delete, by their concrete names, the indexes this run made: ``<name>-<stamp>``,
    ``<name>-files-<stamp>`` and ``<name>-lock`` (indexer/opensearch_store.py's layout)."""
    client = settings.client()
    try:
        found = client.indices.get(index=f"{settings.index}-*", ignore=[404])
        pattern = re.compile(rf"^{re.escape(settings.index)}-(files-)?\d+$")
        ours = [name for name in found if pattern.match(name) or name == settings.lock_index]
        if ours:
            client.indices.delete(index=",".join(ours), ignore=[404])
        return ours
    finally:
        client.close()


def build_child(engine: str, folder: Path, url: str, index: str) -> None:
    """One full build, in a fresh process so neither engine profits from the other's imports,
    jieba loading or caches; prints seconds and passages as JSON."""
    from indexer.store import update_index
    from indexer.update import update
    from kb.backend import Backend
    from kb.cli import DEFAULT_DICT
    from kb.engines.opensearch.settings import OpenSearchSettings

    folders = [CORPUS_DOCS, REALDOCS]
    if engine == "whoosh":
        report, seconds = timed(update_index, folder, folders, DEFAULT_DICT)
    else:
        settings = OpenSearchSettings(url=url, index=index, shards=SHARDS, replicas=REPLICAS)
        report, seconds = timed(update, Backend(folder, settings), folders, DEFAULT_DICT)
    print(json.dumps({"seconds": seconds, "passages": report.passages}))


def run_build(engine: str, folder: Path, url: str = "", index: str = "") -> dict:
    command = [sys.executable, __file__, "--child", engine, "--folder", str(folder)]
    command += ["--url", url, "--index", index]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"the {engine} build failed ({done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def ratio(ours: float, base: float) -> str:
    return f"{ours / base:.2f}x" if base else "n/a"


def page(searcher, query: str) -> tuple[list[tuple[str, int]], int]:
    """The first page (limit 10, default per_doc) as (path, ordinal), and the total."""
    result = searcher.search(query)
    return [(hit.path, hit.ordinal) for hit in result.hits], result.total


def overlap(a: list, b: list) -> float:
    """Shared hits over the longer page; two empty pages agree fully."""
    longest = max(len(a), len(b))
    return len(set(a) & set(b)) / longest if longest else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds of all queries")
    parser.add_argument(
        "--verbose", action="store_true", help="list the queries whose pages differ"
    )
    parser.add_argument("--child", choices=["whoosh", "opensearch"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--index", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        build_child(args.child, Path(args.folder), args.url, args.index)
        return
    require_realdocs()

    from indexer.store import update_index
    from indexer.update import update
    from kb.backend import Backend
    from kb.cli import DEFAULT_DICT
    from kb.engines.opensearch.settings import URL_ENV, OpenSearchSettings
    from kb.engines.whoosh.searcher import Searcher

    judged = load_judgments()
    queries = [item.query for item in judged]
    files = document_files(CORPUS_DOCS) + document_files(REALDOCS)
    folders = [CORPUS_DOCS, REALDOCS]

    external = os.environ.get(URL_ENV, "").strip()
    server = None if external else load_server()
    started_node = False
    settings = None
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        try:
            # Whoosh first, before any node starts, so its build has the machine to itself.
            whoosh_dir = tmp_path / "whoosh"
            whoosh_report = run_build("whoosh", whoosh_dir)

            if external:
                url = external
                where = f"the cluster at {url}"
            else:
                if not server.is_installed():
                    sys.exit(
                        "OpenSearch is not installed: python3 tools/opensearch/server.py install"
                    )
                server.stop_node(NODE)  # left over from an interrupted run
                url = server.start_node(
                    NODE,
                    http_port=HTTP_PORT,
                    transport_port=TRANSPORT_PORT,
                    cluster="kb-bench",
                    wipe=True,
                    timeout=180,
                )
                started_node = True
                time.sleep(5)  # let the fresh JVM settle before timing against it
                where = f"a single node started for this run at {url} (heap 512 MB)"
            name = "bench-backends-" + time.strftime("%Y%m%d%H%M%S")
            settings = OpenSearchSettings(url=url, index=name, shards=SHARDS, replicas=REPLICAS)
            backend = Backend(tmp_path / "os-state", settings)
            os_report = run_build("opensearch", backend.index, url, name)

            whoosh = Searcher(whoosh_dir)
            opensearch = backend.open_searcher()
            searchers = {"Whoosh": whoosh, "OpenSearch": opensearch}
            whoosh_build, os_build = whoosh_report["seconds"], os_report["seconds"]
            counts = {label: s.counts() for label, s in searchers.items()}

            # --- builds
            print(f"\n{len(files)} documents (corpus/docs + realdocs/docs), {len(judged)} judged")
            print(f"queries; OpenSearch: {where}, {SHARDS} shards, {REPLICAS} replicas.\n")
            print("| full build | Whoosh | OpenSearch | ratio OpenSearch/Whoosh |")
            print("|---|---|---|---|")
            print(
                f"| time | {whoosh_build:.2f} s | {os_build:.2f} s "
                f"| **{ratio(os_build, whoosh_build)}** |"
            )
            whoosh_passages, os_passages = whoosh_report["passages"], os_report["passages"]
            whoosh_rate, os_rate = whoosh_passages / whoosh_build, os_passages / os_build
            print(f"| passages written | {whoosh_passages:,} | {os_passages:,} | |")
            print(
                f"| passages / second | {whoosh_rate:,.0f} | {os_rate:,.0f} "
                f"| {ratio(os_rate, whoosh_rate)} |"
            )
            print(
                f"| documents, passages in the live index | {counts['Whoosh'][0]:,}, "
                f"{counts['Whoosh'][1]:,} | {counts['OpenSearch'][0]:,}, "
                f"{counts['OpenSearch'][1]:,} | |"
            )

            # --- quality
            results = {
                label: evaluate(
                    label,
                    lambda q, s=s: [(h.path, h.text) for h in s.search(q, limit=50).hits],
                    judged,
                    set(),
                )
                for label, s in searchers.items()
            }
            print("\n| metric | Whoosh | OpenSearch | Δ OpenSearch − Whoosh |")
            print("|---|---|---|---|")
            for metric in results["Whoosh"]:
                w, o = results["Whoosh"][metric], results["OpenSearch"][metric]
                print(f"| {metric} | {w:.3f} | {o:.3f} | {o - w:+.3f} |")
            delta = results["OpenSearch"]["MRR@10"] - results["Whoosh"]["MRR@10"]
            verdict = "PASS" if abs(delta) <= MRR_TOLERANCE else "FAIL"
            print(f"\n{verdict}: |ΔMRR@10| = {abs(delta):.3f} (tolerance {MRR_TOLERANCE}).")

            # --- cold: fresh searchers, so OpenSearch asks for every term statistic once
            cold_searchers = {"Whoosh": Searcher(whoosh_dir), "OpenSearch": backend.open_searcher()}
            cold: dict[str, dict[str, float]] = {label: {} for label in cold_searchers}
            for label, s in cold_searchers.items():
                for q in queries:
                    start = time.perf_counter()
                    s.search(q)
                    cold[label][q] = time.perf_counter() - start
                s.close()
            cold_stats = {label: summarize(times, queries) for label, times in cold.items()}

            # --- agreement (this pass also warms both engines up for the latency rounds)
            pages = {label: {q: page(s, q) for q in queries} for label, s in searchers.items()}
            overlaps, same_top, same_page, same_total, differing = [], 0, 0, 0, []
            for q in queries:
                (a, total_a), (b, total_b) = pages["Whoosh"][q], pages["OpenSearch"][q]
                overlaps.append(overlap(a, b))
                same_top += a[:1] == b[:1]
                same_page += a == b
                same_total += total_a == total_b
                if a != b:
                    differing.append((q, a, b, total_a, total_b))
            n = len(queries)
            print(f"\n| agreement on the first page, {n} judged queries | value |")
            print("|---|---|")
            print(f"| mean overlap@10 of (path, ordinal) | {statistics.mean(overlaps):.3f} |")
            print(f"| same first hit | {same_top}/{n} ({same_top / n:.1%}) |")
            print(f"| same page, same order | {same_page}/{n} ({same_page / n:.1%}) |")
            print(f"| same total | {same_total}/{n} ({same_total / n:.1%}) |")
            if args.verbose:
                for q, a, b, total_a, total_b in differing:
                    print(f"  {q!r}: overlap {overlap(a, b):.2f}, totals {total_a}/{total_b}")
                    print(f"    Whoosh     {[(Path(p).name, o) for p, o in a[:3]]}")
                    print(f"    OpenSearch {[(Path(p).name, o) for p, o in b[:3]]}")

            # --- latency: rounds interleave the engines so drift hits both alike
            per_query: dict[str, dict[str, list[float]]] = {
                label: {q: [] for q in queries} for label in searchers
            }
            for _ in range(args.rounds):
                for label, s in searchers.items():
                    for q in queries:
                        start = time.perf_counter()
                        s.search(q)
                        per_query[label][q].append(time.perf_counter() - start)
            stats = {
                label: summarize({q: statistics.median(t) for q, t in times.items()}, queries)
                for label, times in per_query.items()
            }
            print(
                f"\n| query (limit 10, snippets), {n} judged queries, median of {args.rounds} "
                "rounds | Whoosh | OpenSearch | ratio OpenSearch/Whoosh |"
            )
            print("|---|---|---|---|")
            for stat in ("median", "p90", "mean"):
                w, o = stats["Whoosh"][stat], stats["OpenSearch"][stat]
                print(f"| {stat} per query | {ms(w)} | {ms(o)} | **{ratio(o, w)}** |")
            for stat in ("median", "p90", "mean"):
                w, o = cold_stats["Whoosh"][stat], cold_stats["OpenSearch"][stat]
                print(
                    f"| {stat}, first pass on a fresh searcher (term statistics not yet cached) "
                    f"| {ms(w)} | {ms(o)} | **{ratio(o, w)}** |"
                )

            # --- incremental updates of one small file in a third folder
            extra_dir = tmp_path / "extra"
            extra_dir.mkdir()
            extra = extra_dir / EXTRA_NAME
            all_folders = [*folders, extra_dir]
            runs: dict[str, Callable[[], object]] = {
                "Whoosh": lambda: update_index(whoosh_dir, all_folders, DEFAULT_DICT),
                "OpenSearch": lambda: update(backend, all_folders, DEFAULT_DICT),
            }
            steps = [
                ("one file added", lambda: extra.write_text(EXTRA_TEXT, encoding="utf-8"), "added"),
                (
                    "one file changed (a sentence appended)",
                    lambda: extra.write_text(EXTRA_TEXT + APPENDED, encoding="utf-8"),
                    "updated",
                ),
                ("nothing changed", lambda: None, None),
                ("one file removed", lambda: extra.unlink(), "removed"),
            ]
            rows, problems = [], []
            for label, change, expected in steps:
                change()
                seconds = {}
                for engine, run in runs.items():
                    report, seconds[engine] = timed(run)
                    changed = {
                        key: len(getattr(report, key)) for key in ("added", "updated", "removed")
                    }
                    want = {key: int(key == expected) for key in changed}
                    if changed != want or report.failed:
                        problems.append(f"{engine}, {label}: {changed}, failed {report.failed}")
                rows.append((label, seconds))
                if expected in ("updated", "removed"):
                    for engine, s in searchers.items():
                        found = any(
                            Path(h.path).name == EXTRA_NAME for h in s.search(NEW_PHRASE).hits
                        )
                        if found != (expected == "updated"):
                            problems.append(
                                f"{engine}, after '{label}': {NEW_PHRASE} "
                                f"{'not found' if expected == 'updated' else 'still found'}"
                            )
            print(
                f"\n| incremental update, {len(files)} files + 1 of ours in a third folder "
                "| Whoosh | OpenSearch | ratio OpenSearch/Whoosh |"
            )
            print("|---|---|---|---|")
            for label, seconds in rows:
                w, o = seconds["Whoosh"], seconds["OpenSearch"]
                print(f"| {label} | {w:.2f} s | {o:.2f} s | {ratio(o, w)} |")
            if problems:
                print("\nProblems:")
                for problem in problems:
                    print(f"- {problem}")
            else:
                print(
                    f"\nEach update reported exactly the expected change on both engines; "
                    f"{NEW_PHRASE} was found after the change and gone after the removal on both."
                )
            for s in searchers.values():
                s.close()
        finally:
            if settings is not None:
                try:
                    dropped = drop_indexes(settings)
                    print(f"\n(deleted the indexes {', '.join(dropped) or 'none'})")
                except Exception as error:  # report, then still stop the node
                    print(f"\n(could not delete {settings.index}-*: {error!r})")
            if started_node:
                server.stop_node(NODE, wipe=True)


if __name__ == "__main__":
    main()
