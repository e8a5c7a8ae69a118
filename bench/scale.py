"""What building the index costs as the corpus grows: kb against naive Whoosh + jieba (issue 14).

Run:  .venv/bin/python bench/scale.py [--multiples 1 10 40] [--repeat 1] [--seed 14] [--keep DIR]
                                      [--compare CHECKOUT] [--no-naive] [--no-queries]
                                      [--query-repeat 5]

Makes synthetic corpora 1x, 10x, 40x ... the size of ../shared/realdocs/docs (1x = 170 files,
1.4 M characters) in a temporary folder (or ``--keep DIR``, where a corpus already made with
the same seed is reused). Output file i takes the line skeleton of a real document: its
numbered headings, dates and very short lines stay as they are, every other line is rewritten
with as many sentences, each made of as many clauses as the real one, drawn at random from all
of realdocs; a title already used gains the file's number. No made sentence repeats an earlier
one, so no passage kb cuts from them does: kb's repost detection (kb.duplicates, a fingerprint
of the folded passage without numbering and punctuation) finds next to nothing to collapse,
as in a real archive of distinct documents. Deterministic for a seed.

Then, for each corpus, in the same run (``--repeat`` times, medians shown): one real
``kb index`` process into a new index folder (``python -m kb.cli index``: start-up, jieba's
dictionary cache, the workers, as a user feels it), and a naive build of the same files in
another process — Whoosh with jieba's ChineseAnalyzer, one index document per paragraph
(bench/common.py ``build_naive_whoosh``); with ``--compare CHECKOUT`` also ``kb index`` with
the code of another checkout, for a before/after in one run (``git archive <commit> | tar -x
-C /tmp/before``). The memory of each process and its children is
sampled every 0.2 s from /proc: resident sizes summed over the process tree (pages the
forked workers share counted in each, the stricter figure), and proportional set sizes
summed (shared pages counted once). Prints time, peak memory, index size and the ratios
kb / naive, and how many of kb's passages share a duplicate fingerprint with another
document's (should be about none).

Then, unless ``--no-queries``, over the index of kb's first build of each corpus (kept until
these are done): a child process opens ``Searcher`` and runs a fixed list of queries grouped
by kind (plain words, colloquial, abbreviation, quoted phrase, 发文字号, filters), each once to
warm up and ``--query-repeat`` times timed, so the latency by kind shows what grows with the
corpus (p50 / p90 over all timed runs of a kind); and two ``kb index`` updates of that index,
as a user keeping it current feels them: a rerun with nothing changed, and one with a
paragraph appended to one file (put back afterwards, bytes and times, so a corpus kept with
``--keep`` stays as made), each also as a share of the full build.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from common import REALDOCS, ROOT, require_realdocs, run_sampled

from kb.duplicates import fingerprint
from kb.numbering import LEADING_NUMBER

REAL_FILES = 170  # files in realdocs: 1x
_SENTENCE = re.compile(r"[^。！？；]+[。！？；]?")
_CLAUSE = re.compile(r"[^，,、：:。！？；]+[，,、：:。！？；]?")
_DATE = re.compile(r"\d{4}\s*年|[〇零一二三四五六七八九十]{4}年")
SHORT = 12  # characters: a shorter line is kept as it is (a heading, a signature)
LONG = 24  # a numbered heading or date line this long is rewritten (kb.duplicates.MIN_CHARS)
MB = 1024 * 1024

# Queries a user of a policy archive types, by kind, in words that realdocs (and so every
# corpus resliced from its clauses) holds; what a kind costs depends on the corpus size
# differently (expansions, substring scans, filters), hence the grouping. Few files of the
# corpora keep a date (most dated lines are rewritten), so the year filters are the years
# they do keep.
QUERIES: dict[str, list[str]] = {
    "words": ["违规吃喝 公款", "形式主义 基层减负", "作风建设 典型问题", "公务接待 宴请 标准"],
    "colloquial": ["领导接受老板请吃饭", "干部上班时间打牌喝酒怎么处理", "检查考核太多填表报材料"],
    "abbreviation": ["四风", "八项规定", "文山会海"],
    "quoted": ['"八项规定精神"', '"层层加码"', "“一刀切”", '"礼金"'],
    # One kept as it is in the corpora (a short line survives reslicing), one in other
    # brackets, one that no file carries.
    "doc_no": ["国办发〔2019〕2号", "国发[2019]4号", "中办发〔2019〕16号"],
    "filtered": [
        "作风建设 type:通报",
        "基层减负 year:2019",
        "形式主义 type:意见 year:2018-2020",
        "type:通报 year:2018-2021",  # filters alone: a file listing by date
    ],
}
# The paragraph appended to one file to time a one-file update.
ADDED_PARAGRAPH = (
    "各级党组织要把整治形式主义、为基层减负作为作风建设的重要任务，"
    "坚决纠治层层加码、文山会海等突出问题，推动中央八项规定精神落地生根。"
)


@dataclass
class Source:
    title: str
    lines: list[str]


def _sources() -> list[Source]:
    sources = []
    for path in sorted(REALDOCS.glob("*.txt")):
        title, _, body = path.read_text(encoding="utf-8").partition("\n")
        sources.append(Source(title.strip(), [line for line in body.split("\n") if line.strip()]))
    return sources


class _Splicer:
    """Sentences made of clauses drawn at random from all of realdocs, each sentence (and so
    each passage kb cuts from them) unlike any made before."""

    def __init__(self, sources: list[Source], rng: random.Random) -> None:
        self.clauses = [
            clause
            for source in sources
            for line in source.lines
            if len(line.strip()) >= SHORT
            for clause in _CLAUSE.findall(line.strip())
            if len(clause) > 1
        ]
        self.rng = rng
        self.seen: set[str] = set()

    def sentence(self, like: str) -> str:
        """A sentence of as many clauses as ``like``, ending as it does."""
        count = max(1, len(_CLAUSE.findall(like)))
        end = like[-1] if like[-1] in "。！？；" else ""
        while True:  # drawn again in the rare case it repeats an earlier sentence
            made = "".join(self.rng.choice(self.clauses) for _ in range(count))
            made = made.rstrip("，,、：:。！？；") + end
            key = fingerprint(made)
            if not key or key not in self.seen:
                self.seen.add(key)
                return made
            count += 1

    def line(self, like: str) -> str:
        return "".join(self.sentence(s) for s in _SENTENCE.findall(like) if s.strip()) or like


def _made_line(line: str, splicer: _Splicer) -> str:
    """``line`` as it is when it cannot be taken for a repost (very short, or a short heading
    or date line), else rewritten after its number, if any."""
    if len(line) < SHORT:
        return line
    number = LEADING_NUMBER.match(line)
    if len(line) < LONG and (number or _DATE.search(line)):
        return line
    prefix = number.group(0) if number else ""
    return prefix + splicer.line(line[len(prefix) :])


def generate(folder: Path, multiple: float, seed: int) -> tuple[int, int]:
    """Write the corpus of ``multiple`` x realdocs into ``folder``; (files, characters)."""
    sources = _sources()
    rng = random.Random(seed)
    splicer = _Splicer(sources, rng)
    order = list(range(len(sources)))
    titles: set[str] = set()
    files = round(REAL_FILES * multiple)
    characters = 0
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(files):
        if number % len(sources) == 0:
            rng.shuffle(order)
        source = sources[order[number % len(sources)]]
        title = source.title
        if title in titles:  # a later copy, or a title realdocs holds twice
            title = f"{title}（之{number + 1}）"
        titles.add(title)
        lines = [title, ""]
        for line in source.lines:
            line = line.strip()
            lines.append(_made_line(line, splicer))
        text = "\n".join(lines) + "\n"
        characters += len(text)
        (folder / f"s{number:06d}.txt").write_text(text, encoding="utf-8")
    return files, characters


def corpus(work: Path, multiple: float, seed: int) -> tuple[Path, int, int]:
    """The corpus folder for ``multiple``, made unless ``work`` keeps one of the same seed."""
    folder = work / f"corpus-{multiple:g}x-seed{seed}"
    stamp = folder / ".made.json"
    if stamp.is_file():
        made = json.loads(stamp.read_text(encoding="utf-8"))
        return folder / "docs", made["files"], made["characters"]
    shutil.rmtree(folder, ignore_errors=True)
    files, characters = generate(folder / "docs", multiple, seed)
    stamp.write_text(json.dumps({"files": files, "characters": characters}), encoding="utf-8")
    return folder / "docs", files, characters


def _size(folder: Path) -> int:
    return sum(entry.stat().st_size for entry in folder.rglob("*") if entry.is_file())


def _repeated_fingerprints(index: Path) -> tuple[int, int]:
    """(passages whose fingerprint another document's passage shares, passages) in the
    passage table of the live generation of ``index``."""
    tables = sorted(index.rglob("passages-*.txt"), key=lambda p: p.stat().st_mtime)
    if not tables:
        return 0, 0
    owners: dict[str, set[str]] = {}
    count = 0
    with open(tables[-1], encoding="utf-8") as stream:
        for line in stream:
            columns = line.rstrip("\n").split("\x1f")
            count += 1
            if columns[2]:
                owners.setdefault(columns[2], set()).add(columns[0])
    return sum(1 for docs in owners.values() if len(docs) > 1), count


@dataclass
class Build:
    seconds: float
    resident: int
    proportional: int
    index_bytes: int


def kb_build(docs: Path, index: Path, root: Path = ROOT) -> tuple[Build, str]:
    """One ``kb index`` process, with the code of the checkout ``root``."""
    env = dict(os.environ, PYTHONPATH=str(root))
    command = [sys.executable, "-m", "kb.cli", "index", str(docs), "--index", str(index)]
    run = run_sampled(command, env=env, cwd=root)
    if run.returncode != 0:
        sys.exit(f"kb index failed ({run.returncode}):\n{run.output}\n{run.errors[-3000:]}")
    build = Build(run.seconds, run.peak.resident, run.peak.proportional, _size(index))
    return build, run.output


def naive_build(docs: Path, index: Path) -> tuple[Build, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [sys.executable, str(Path(__file__)), "--naive-child", str(docs), str(index)]
    run = run_sampled(command, env=env)
    if run.returncode != 0:
        sys.exit(f"naive build failed ({run.returncode}):\n{run.errors[-3000:]}")
    return Build(run.seconds, run.peak.resident, run.peak.proportional, _size(index)), ""


def _naive_child(docs: Path, index: Path) -> None:
    from common import build_naive_whoosh

    build_naive_whoosh(sorted(docs.glob("*.txt")), index)


@dataclass
class Latency:
    """Milliseconds of the timed runs of one kind of query, and what the warm-up run found."""

    kind: str
    times: list[float]
    found: list[tuple[str, int, str]]  # (query, total, error) per query

    def percentile(self, tenth: int) -> float:
        """The ``tenth``-th decile (5: the median), interpolated between the runs."""
        if len(self.times) < 2:
            return self.times[0]
        return statistics.quantiles(self.times, n=10, method="inclusive")[tenth - 1]


@dataclass
class Serving:
    """Opening a searcher over a built index, its queries, and updating the index."""

    open_seconds: float
    grams_seconds: float  # until the character pairs are indexed (kb.grams), after opening
    first_query_ms: float  # the very first query (a warm-up): what a fresh server pays once
    searcher_resident: int  # peak RSS of the query process
    latencies: list[Latency]
    unchanged_seconds: float
    one_file_seconds: float


def _query_child(index: Path, repeat: int) -> None:
    """Open kb's searcher over ``index`` and time ``QUERIES``; JSON on standard output. In a
    process of its own, so its memory and timings are the searcher's alone."""
    from kb.engines.whoosh.searcher import GRAMS_FROM, Searcher

    start = time.perf_counter()
    searcher = Searcher(index)
    opened = time.perf_counter() - start
    # A large index's character pairs are indexed in a thread (kb.grams); until then quoted
    # phrases are scanned. Timed once they are there, as a server answers most of its life.
    _, table = searcher._current_searcher()
    while table.grams is None and len(table.text) >= GRAMS_FROM:
        time.sleep(0.05)
    grams = time.perf_counter() - start - opened
    first = None
    rows = []
    for kind, queries in QUERIES.items():
        for query in queries:
            start = time.perf_counter()
            result = searcher.search(query)  # warm-up, and what the query finds
            if first is None:
                first = (time.perf_counter() - start) * 1000
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                searcher.search(query)
                times.append((time.perf_counter() - start) * 1000)
            row = {"kind": kind, "query": query, "total": result.total, "error": result.error}
            rows.append(row | {"ms": times})
    searcher.close()
    measured = {"open": opened, "grams": grams, "first_ms": first, "queries": rows}
    print(json.dumps(measured, ensure_ascii=False))


def _kb_update(docs: Path, index: Path) -> tuple[float, str]:
    """Seconds of one ``kb index`` process updating ``index``, and its summary line."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "kb.cli", "index", str(docs), "--index", str(index)]
    run = run_sampled(command, env=env)
    if run.returncode != 0:
        sys.exit(f"kb index (update) failed ({run.returncode}):\n{run.errors[-3000:]}")
    return run.seconds, (run.output.splitlines() or [""])[0]


def serving(docs: Path, index: Path, repeat: int) -> Serving:
    """Query latency by kind over ``index``, then the cost of an unchanged rerun and of a
    one-file update; the corpus is left as it was made."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [sys.executable, str(Path(__file__)), "--query-child", str(index), str(repeat)]
    run = run_sampled(command, env=env)
    if run.returncode != 0:
        sys.exit(f"queries failed ({run.returncode}):\n{run.errors[-3000:]}")
    measured = json.loads(run.output.strip().splitlines()[-1])
    latencies: dict[str, Latency] = {}
    for row in measured["queries"]:
        latency = latencies.setdefault(row["kind"], Latency(row["kind"], [], []))
        latency.times.extend(row["ms"])
        latency.found.append((row["query"], row["total"], row["error"]))

    unchanged, summary = _kb_update(docs, index)
    if not summary.startswith("新增 0，更新 0，删除 0，"):
        print(f"  unexpected summary of an unchanged rerun: {summary}", flush=True)
    # The middle file, not the first or last: nothing special about its place in the index.
    files = sorted(docs.glob("*.txt"))
    changed = files[len(files) // 2]
    original = changed.read_bytes()
    times = changed.stat()
    try:
        text = original.decode("utf-8").rstrip("\n") + "\n" + ADDED_PARAGRAPH + "\n"
        changed.write_text(text, encoding="utf-8")
        one_file, summary = _kb_update(docs, index)
        if "更新 1，" not in summary:
            print(f"  unexpected summary of a one-file update: {summary}", flush=True)
    finally:
        changed.write_bytes(original)
        os.utime(changed, ns=(times.st_atime_ns, times.st_mtime_ns))
    return Serving(
        measured["open"],
        measured["grams"],
        measured["first_ms"],
        run.peak.resident,
        list(latencies.values()),
        unchanged,
        one_file,
    )


def _median(builds: list[Build]) -> Build:
    return Build(
        statistics.median(b.seconds for b in builds),
        int(statistics.median(b.resident for b in builds)),
        int(statistics.median(b.proportional for b in builds)),
        int(statistics.median(b.index_bytes for b in builds)),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--multiples", type=float, nargs="+", default=[1, 10])
    parser.add_argument("--repeat", type=int, default=1, help="builds of each kind per corpus")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--keep", type=Path, help="make (or reuse) the corpora here and keep them")
    parser.add_argument("--no-naive", action="store_true", help="kb alone, no baseline")
    parser.add_argument(
        "--compare",
        type=Path,
        help="also build with the kb of another checkout (e.g. `git archive` of a commit)",
    )
    parser.add_argument(
        "--no-queries",
        action="store_true",
        help="builds only: no query latency, no update timings",
    )
    parser.add_argument("--query-repeat", type=int, default=5, help="timed runs of each query")
    parser.add_argument("--naive-child", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--query-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.naive_child:
        _naive_child(*args.naive_child)
        return
    if args.query_child:
        _query_child(Path(args.query_child[0]), int(args.query_child[1]))
        return
    require_realdocs()
    systems: list[tuple[str, Callable[[Path, Path], tuple[Build, str]]]] = [("kb", kb_build)]
    if args.compare:
        systems.append((f"kb@{args.compare.name}", partial(kb_build, root=args.compare.resolve())))
    if not args.no_naive:
        systems.append(("naive", naive_build))
    work = args.keep or Path(tempfile.mkdtemp(prefix="kb-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    table: list[tuple[float, int, dict[str, Build]]] = []
    served: list[tuple[float, Serving, float]] = []  # corpus, figures, kb's build seconds
    try:
        for multiple in args.multiples:
            docs, files, characters = corpus(work, multiple, args.seed)
            print(f"{multiple:g}x: {files} files, {characters / 1e6:.1f} M characters", flush=True)
            runs: dict[str, list[Build]] = {label: [] for label, _ in systems}
            for round_number in range(args.repeat):
                for number, (label, build_with) in enumerate(systems):
                    index = work / f"index-{multiple:g}x-{number}"
                    shutil.rmtree(index, ignore_errors=True)
                    build, output = build_with(docs, index)
                    runs[label].append(build)
                    note = ""
                    if label != "naive":
                        summary = [line for line in output.splitlines() if line.startswith("新增")]
                        repeated, passages = _repeated_fingerprints(index)
                        note = (
                            f"  {passages} passages, {repeated} with a fingerprint another "
                            f"document shares; {summary[0] if summary else ''}"
                        )
                    print(
                        f"  {label:<12}{build.seconds:7.1f} s  {build.resident / MB:6.0f} MB RSS  "
                        f"{build.proportional / MB:6.0f} MB PSS{note}",
                        flush=True,
                    )
                    if label == "kb" and round_number == 0 and not args.no_queries:
                        figures = serving(docs, index, args.query_repeat)
                        served.append((multiple, figures, build.seconds))
                        _print_serving(figures, build.seconds)
                    shutil.rmtree(index, ignore_errors=True)
            table.append((multiple, characters, {k: _median(v) for k, v in runs.items()}))
        _print_table(table)
        if served:
            _print_serving_tables(served)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def _print_table(table: list[tuple[float, int, dict[str, Build]]]) -> None:
    print(
        "\n| corpus | build | time | peak RSS (PSS), process tree | index "
        "| time / naive | RSS / naive |"
    )
    print("|---|---|---|---|---|---|---|")
    for multiple, characters, builds in table:
        naive = builds.get("naive")
        for label, build in builds.items():
            ratios = (
                f"{build.seconds / naive.seconds:.2f} | {build.resident / naive.resident:.2f}"
                if naive is not None
                else " | "
            )
            print(
                f"| {multiple:g}x ({characters / 1e6:.1f} M chars) | {label} "
                f"| {build.seconds:,.1f} s | {build.resident / MB:,.0f} MB "
                f"({build.proportional / MB:,.0f}) | {build.index_bytes / MB:,.0f} MB | {ratios} |"
            )


def _print_serving(figures: Serving, build_seconds: float) -> None:
    """The figures of one corpus as they come, with what each query found."""
    print(
        f"    searcher: opened in {figures.open_seconds:.2f} s, character pairs indexed "
        f"{figures.grams_seconds:.1f} s later, first query "
        f"{figures.first_query_ms:,.0f} ms, peak {figures.searcher_resident / MB:,.0f} MB RSS",
        flush=True,
    )
    for latency in figures.latencies:
        found = ", ".join(
            f"{query} {total}" + (f" ERROR {error}" if error else "")
            for query, total, error in latency.found
        )
        print(
            f"    {latency.kind:<13}p50 {latency.percentile(5):7.1f} ms  "
            f"p90 {latency.percentile(9):7.1f} ms  (results: {found})",
            flush=True,
        )
    print(
        f"    update: one file {figures.one_file_seconds:.2f} s "
        f"({figures.one_file_seconds / build_seconds:.1%} of the build), "
        f"nothing changed {figures.unchanged_seconds:.2f} s "
        f"({figures.unchanged_seconds / build_seconds:.1%})",
        flush=True,
    )


def _print_serving_tables(served: list[tuple[float, Serving, float]]) -> None:
    print("\n| corpus | query kind | queries | p50 | p90 |")
    print("|---|---|---|---|---|")
    for multiple, figures, _ in served:
        for latency in figures.latencies:
            print(
                f"| {multiple:g}x | {latency.kind} | {len(latency.found)} "
                f"| {latency.percentile(5):,.1f} ms | {latency.percentile(9):,.1f} ms |"
            )
    print(
        "\n| corpus | searcher: open, pairs indexed, first query, peak RSS | update one file "
        "| of the build "
        "| nothing changed | of the build |"
    )
    print("|---|---|---|---|---|---|")
    for multiple, figures, build_seconds in served:
        print(
            f"| {multiple:g}x | {figures.open_seconds:.2f} s, +{figures.grams_seconds:.1f} s, "
            f"{figures.first_query_ms:,.0f} ms, "
            f"{figures.searcher_resident / MB:,.0f} MB "
            f"| {figures.one_file_seconds:.2f} s | {figures.one_file_seconds / build_seconds:.1%} "
            f"| {figures.unchanged_seconds:.2f} s "
            f"| {figures.unchanged_seconds / build_seconds:.1%} |"
        )


if __name__ == "__main__":
    main()
