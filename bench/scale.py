"""What building the index costs as the corpus grows: kb against naive Whoosh + jieba (issue 14).

Run:  .venv/bin/python bench/scale.py [--multiples 1 10 40] [--repeat 1] [--seed 14] [--keep DIR]
                                      [--compare CHECKOUT] [--no-naive]

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
    parser.add_argument("--naive-child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.naive_child:
        _naive_child(*args.naive_child)
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
    try:
        for multiple in args.multiples:
            docs, files, characters = corpus(work, multiple, args.seed)
            print(f"{multiple:g}x: {files} files, {characters / 1e6:.1f} M characters", flush=True)
            runs: dict[str, list[Build]] = {label: [] for label, _ in systems}
            for _ in range(args.repeat):
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
                    shutil.rmtree(index, ignore_errors=True)
            table.append((multiple, characters, {k: _median(v) for k, v in runs.items()}))
        _print_table(table)
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


if __name__ == "__main__":
    main()
