"""Cost of keeping an index current, as ratios against a full build, measured in one run.

Run:  .venv/bin/python bench/incremental.py [--rounds 3]

Works on a copy of ../shared/realdocs/docs in a temporary folder. Every phase is one real
``kb index`` process (``python -m kb.cli index``), timed from outside, so start-up, imports and
loading jieba count as a user would feel them:

  first build     a new index folder (jieba's dictionary cache is made here)
  full rebuild    ``kb index --rebuild`` over the same files: the reference
  unchanged       a rerun with no file changed
  one changed     one file edited
  one added       one new file
  one deleted     one file removed

Each phase runs ``--rounds`` times (median shown); each run's summary line is checked.
Targets: one changed file <= 10 % of the full rebuild, an unchanged rerun <= 5 %.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REALDOCS, ROOT, require_realdocs

TARGETS = {"unchanged": 0.05, "one changed": 0.10}


def kb_index(docs: Path, index: Path, *extra: str) -> tuple[float, str]:
    """Seconds one ``kb index`` process took, and its summary line."""
    command = [sys.executable, "-m", "kb.cli", "index", str(docs), "--index", str(index), *extra]
    start = time.perf_counter()
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, encoding="utf-8", check=False
    )
    seconds = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"kb index failed ({done.returncode}):\n{done.stderr}")
    return seconds, done.stdout.splitlines()[0]


def expect(summary: str, **counts: int) -> None:
    labels = {"added": "新增", "updated": "更新", "removed": "删除"}
    for key, value in counts.items():
        if f"{labels[key]} {value}，" not in summary:
            sys.exit(f"unexpected summary for {key}={value}: {summary}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    require_realdocs()

    with tempfile.TemporaryDirectory(prefix="kb-incremental-") as tmp:
        docs = Path(tmp) / "docs"
        index = Path(tmp) / "index"
        shutil.copytree(REALDOCS, docs)
        files = sorted(p for p in docs.iterdir() if p.suffix == ".txt")
        times: dict[str, list[float]] = {}

        def run(phase: str, *extra: str, **counts: int) -> None:
            seconds, summary = kb_index(docs, index, *extra)
            expect(summary, **counts)
            times.setdefault(phase, []).append(seconds)

        run("first build", added=len(files))
        for _ in range(args.rounds):
            run("full rebuild", "--rebuild", added=len(files))
        for _ in range(args.rounds):
            run("unchanged", added=0, updated=0, removed=0)
        for number in range(args.rounds):
            target = files[number * 7 % len(files)]
            with open(target, "a", encoding="utf-8") as stream:
                stream.write(f"\n\n第{number + 1}次补充：各地要持续为基层减负，确保落实到位。\n")
            run("one changed", added=0, updated=1, removed=0)
        added = []
        for number in range(args.rounds):
            source = files[number * 11 % len(files)]
            copy = docs / f"added_{number}_{source.name}"
            text = source.read_text(encoding="utf-8")
            copy.write_text(f"补充材料之{number + 1}\n\n{text}", encoding="utf-8")
            added.append(copy)
            run("one added", added=1, updated=0, removed=0)
        for copy in added:
            copy.unlink()
            run("one deleted", added=0, updated=0, removed=1)

    reference = statistics.median(times["full rebuild"])
    print(f"kb index on {len(files)} files of {REALDOCS}, {os.cpu_count()} CPUs, ", end="")
    print(f"median of {args.rounds} runs, each a fresh process")
    if hasattr(os, "getloadavg"):  # other work on the machine skews the ratios
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print()
    print(f"{'phase':<14}{'seconds':>9}{'ratio':>9}  target")
    for phase, values in times.items():
        seconds = statistics.median(values)
        ratio = seconds / reference
        target = TARGETS.get(phase)
        verdict = f"<= {target:.0%} {'ok' if ratio <= target else 'MISSED'}" if target else ""
        print(f"{phase:<14}{seconds:>9.2f}{ratio:>8.1%}  {verdict}")


if __name__ == "__main__":
    main()
