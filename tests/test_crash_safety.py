"""An update or rebuild killed at any moment loses nothing, and the next `kb index` mends all.

Real `kb index` processes run over a copy of corpus/docs plus generated files (a build takes a
few seconds) and are ended abruptly: at chosen stages through the KB_DIE_AT hook of
indexer.store (os._exit, as abrupt as a kill), and, on POSIX, by SIGKILL after delays spread
over the run. Afterwards a Searcher answers a fixed set of queries exactly as before the run
(or, if the new generation was already live, exactly as the uninterrupted run would), and a
plain `kb index` completes, leaving one generation and no temporary files.

Each death at a stage is checked to have happened there: by the hook's exit status and by
what the run left on disk, down to which files it had flushed (the child records every
os.fsync by file identity): killed between writing the new generation and flushing it
("written"), none of its Whoosh files or its manifest has reached the disk yet; killed just
after ("synced"), all of them have, and CURRENT still names the old generation. A SIGKILL at
a random moment is located the same way, and a generation that went live must have been
flushed whole before.

A clean build is the reference for content: the index ends up holding exactly its passages
and fields. Answers are compared as exact JSON with the same run uninterrupted: after an
incremental update they differ a little from a clean build's (Whoosh counts deleted passages
in its term statistics until their segment is merged, which moves scores, and with them which
very common words the planner leaves out), a property of updating, not of interruptions.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from indexer.store import DIE_AT_ENV
from kb.cli import DEFAULT_DOCS
from kb.engines.whoosh.schema import build_schema
from kb.engines.whoosh.searcher import Searcher
from kb.indexdir import IndexDir

QUERIES = [
    "为基层减负",
    "公车私用 处理",
    '"严禁"',
    "type:通报",
    "违规吃喝 处分",
    "作风建设 year:2024",
    "主题教育 -会议",
]
BASE_GENERATION = "gen-1"


FSYNC_LOG_ENV = "KB_TEST_FSYNC_LOG"
# `kb index` that appends the identity (device, inode) of each file or folder it has flushed
# with os.fsync to the file named by FSYNC_LOG_ENV, if set: a rename keeps the identity, so
# a file flushed under a temporary name counts for the name it is then given.
KB_INDEX = f"""
import os, sys
if os.environ.get({FSYNC_LOG_ENV!r}):
    log = open(os.environ[{FSYNC_LOG_ENV!r}], "a", encoding="ascii")
    real_fsync = os.fsync

    def fsync(fd):
        real_fsync(fd)
        stat = os.fstat(fd)
        log.write(f"{{stat.st_dev}} {{stat.st_ino}}\\n")
        log.flush()

    os.fsync = fsync
from kb.cli import main
sys.exit(main(["index", *sys.argv[1:]]))
"""


def kb_index_command(index: Path, docs: Path, *extra: str) -> list[str]:
    return [sys.executable, "-c", KB_INDEX, str(docs), "--index", str(index), *extra]


def run_kb(index: Path, docs: Path, *extra: str, env: dict | None = None):
    return subprocess.run(
        kb_index_command(index, docs, *extra),
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def start_kb(index: Path, docs: Path, *extra: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        kb_index_command(index, docs, *extra),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )


def identity(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_dev, stat.st_ino


def flushed(log: Path) -> set[tuple[int, int]]:
    """The identities a run recorded as flushed."""
    if not log.exists():
        return set()
    return {tuple(map(int, line.split())) for line in log.read_text().splitlines() if line}


def toc_number(whoosh_dir: Path) -> int | None:
    """The generation number of a Whoosh folder's table of contents (None: none yet)."""
    numbers = [
        int(m.group(1))
        for p in whoosh_dir.glob("_MAIN_*.toc")
        if (m := re.fullmatch(r"_MAIN_(\d+)\.toc", p.name))
    ]
    return max(numbers, default=None)


def landed(index: Path, log: Path, mode: str) -> str:
    """Where an interrupted run stopped, read from what it left: before its new generation
    ("not begun"), while adding ("adding"), after Whoosh's commit ("committed"), after the
    passage table ("table"), with every file written but not all flushed ("written"), all
    flushed but not live ("synced"), or live ("switched")."""
    live = IndexDir(index).require_current().folder
    if live.name != BASE_GENERATION:
        return "switched"
    aside = [p for p in index.glob("gen-*") if p.name != BASE_GENERATION]
    if not aside:
        return "not begun"
    (folder,) = aside
    whoosh = folder / "whoosh"
    number = toc_number(whoosh) if whoosh.is_dir() else None
    # Before Whoosh's commit: a new empty index (rebuild), or the live one's linked (update).
    if number is None or number == (0 if mode == "rebuild" else toc_number(live / "whoosh")):
        return "adding"
    if not (whoosh / f"passages-{number}.txt").exists():
        return "committed"
    if not (folder / "manifest.json").exists():
        return "table"
    done = flushed(log)
    files = [p for p in folder.rglob("*") if p.is_file()]
    if all(identity(p) in done for p in files):
        return "synced"
    return "written"


def answers(index: Path, searcher: Searcher | None = None) -> str:
    """The JSON `kb search --json` would print for each query, as one string."""
    own = searcher is None
    searcher = searcher or Searcher(index)
    try:
        found = [searcher.search(query, limit=20).as_dict() for query in QUERIES]
    finally:
        if own:
            searcher.close()
    return json.dumps(found, ensure_ascii=False, indent=0)


def contents(index: Path) -> list[str]:
    """Every stored passage with all its fields, sorted: what the index holds."""
    live = IndexDir(index).require_current()
    ix = whoosh_index.open_dir(str(live.whoosh_dir), schema=build_schema())
    with ix.reader() as reader:
        return sorted(
            json.dumps(f, ensure_ascii=False, sort_keys=True) for f in reader.all_stored_fields()
        )


def assert_tidy(index: Path) -> None:
    """One generation, the one CURRENT names, and nothing an interrupted run left behind."""
    live = IndexDir(index).require_current()
    kept_tables = {p.name for p in index.glob("fold-*.json")}  # kb.folding's kept table
    assert {p.name for p in index.iterdir()} - kept_tables <= {
        "CURRENT",
        "write.lock",
        "jieba.cache",
        live.folder.name,
    }
    assert {p.name for p in live.folder.iterdir()} - {"checksums.json"} == {
        "whoosh",
        "dict",
        "meta.json",
        "manifest.json",
    }
    names = {p.name for p in live.whoosh_dir.iterdir()}
    tocs = [n for n in names if n.endswith(".toc")]
    assert len(tocs) == 1, names
    generation = re.fullmatch(r"_MAIN_(\d+)\.toc", tocs[0]).group(1)
    assert f"passages-{generation}.txt" in names
    for name in names - {tocs[0], f"passages-{generation}.txt", "MAIN_WRITELOCK"}:
        assert re.fullmatch(r"MAIN_[0-9a-z]+\.seg", name), name
    for path in index.rglob("*"):
        assert "tmp" not in path.name.lower(), path


@dataclass
class World:
    docs: Path
    base: Path  # index of the files before the change
    before: str
    after: dict[str, str] = field(default_factory=dict)  # by mode: uninterrupted result
    seconds: dict[str, float] = field(default_factory=dict)
    clean_contents: list[str] = field(default_factory=list)

    def copy_base(self, target: Path) -> Path:
        shutil.copytree(self.base, target)
        return target


MODES = {"rebuild": ("--rebuild",), "update": ()}


def _generate(docs: Path) -> None:
    """corpus/docs plus files recombined from its paragraphs, enough for a build of seconds."""
    shutil.copytree(DEFAULT_DOCS, docs)
    paragraphs = [
        line.strip()
        for path in sorted(DEFAULT_DOCS.glob("*.txt"))
        for line in path.read_text(encoding="utf-8", errors="ignore").splitlines()
        if len(line.strip()) > 20
    ]
    rng = random.Random(7)
    extra = docs / "extra"
    extra.mkdir()
    for number in range(28):
        body = "\n\n".join(rng.sample(paragraphs, 35))
        text = f"关于第{number + 1}批作风建设材料的通知\n\n{body}\n"
        (extra / f"extra_{number:03d}.txt").write_text(text, encoding="utf-8")


def _change(docs: Path) -> None:
    """Edit some files, add some, delete some (a .docx among them)."""
    extra = docs / "extra"
    for number in range(0, 28, 4):
        path = extra / f"extra_{number:03d}.txt"
        path.write_text(
            path.read_text(encoding="utf-8") + "\n补充：严禁以会议落实会议，为基层减负。\n",
            encoding="utf-8",
        )
    for number in range(4):
        text = (
            f"新增材料{number + 1}\n\n严禁公车私用，违者严肃处理。第{number + 1}条主题教育要求。\n"
        )
        (docs / f"new_{number}.txt").write_text(text, encoding="utf-8")
    for name in (
        "extra/extra_003.txt",
        "extra/extra_017.txt",
        "plan_2024_dangji_xuexi_jiaoyu.docx",
    ):
        (docs / name).unlink()


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    root = tmp_path_factory.mktemp("crash")
    docs = root / "docs"
    _generate(docs)
    base = root / "base"
    assert run_kb(base, docs).returncode == 0
    assert IndexDir(base).require_current().folder.name == BASE_GENERATION
    world = World(docs, base, answers(base))
    _change(docs)
    for mode, extra in MODES.items():
        reference = world.copy_base(root / f"reference-{mode}")
        start = time.perf_counter()
        result = run_kb(reference, docs, *extra)
        world.seconds[mode] = time.perf_counter() - start
        assert result.returncode == 0, result.stderr
        world.after[mode] = answers(reference)
    world.clean_contents = contents(root / "reference-rebuild")
    assert world.after["update"] != world.before
    return world


def check_interrupted(world: World, index: Path, mode: str, opened: Searcher) -> bool:
    """Searches answer as before the run, or as after it if it went live; True if it did."""
    live = IndexDir(index).require_current()
    switched = live.folder.name != BASE_GENERATION
    expected = world.after[mode] if switched else world.before
    assert answers(index) == expected  # a searcher opened now
    assert answers(index, opened) == expected  # one that was open during the run
    return switched


def finish(world: World, index: Path, switched: bool, mode: str) -> None:
    """A plain `kb index` completes; searches answer as after an uninterrupted run, the index
    holds what a clean build holds, and nothing is left over."""
    result = run_kb(index, world.docs)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert answers(index) == (world.after[mode] if switched else world.after["update"])
    assert contents(index) == world.clean_contents
    assert_tidy(index)


STAGES = [
    ("rebuild", "half"),
    ("rebuild", "committed"),
    ("rebuild", "written"),
    ("rebuild", "synced"),
    ("rebuild", "switched"),
    ("update", "half"),
    ("update", "committed"),
    ("update", "written"),
    ("update", "synced"),
    ("update", "switched"),
]
# What `landed` reads from the files a death at each stage leaves.
LANDS_AT = {
    "half": "adding",
    "committed": "committed",
    "written": "written",
    "synced": "synced",
    "switched": "switched",
}


@pytest.mark.parametrize(("mode", "stage"), STAGES)
def test_dying_at_a_stage_loses_nothing(world, tmp_path, mode, stage):
    index = world.copy_base(tmp_path / "index")
    opened = Searcher(index)
    log = tmp_path / "fsync.log"
    result = run_kb(
        index, world.docs, *MODES[mode], env={DIE_AT_ENV: stage, FSYNC_LOG_ENV: str(log)}
    )
    assert result.returncode == 70, result.stderr  # the hook's exit status: it did die there
    assert landed(index, log, mode) == LANDS_AT[stage]  # and the files say where
    if stage == "written":  # nothing of the new index on disk for sure: only meta.json
        aside = index / "gen-2"
        unflushed = [p for p in aside.rglob("*") if p.is_file() and identity(p) not in flushed(log)]
        assert {p.name for p in unflushed} >= {
            "manifest.json",
            f"passages-{toc_number(aside / 'whoosh')}.txt",
        }
        assert {p.suffix for p in unflushed} >= {".seg", ".toc"}
    switched = check_interrupted(world, index, mode, opened)
    assert switched == (stage == "switched")
    opened.close()
    finish(world, index, switched, mode)


DELAYS = [("rebuild", f) for f in (0.2, 0.55, 0.9)] + [("update", f) for f in (0.35, 0.75)]


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL exists on POSIX only; see the stage tests")
@pytest.mark.parametrize(("mode", "fraction"), DELAYS)
def test_sigkill_at_any_moment_loses_nothing(world, tmp_path, mode, fraction, request):
    index = world.copy_base(tmp_path / "index")
    opened = Searcher(index)
    log = tmp_path / "fsync.log"
    process = start_kb(index, world.docs, *MODES[mode], env={FSYNC_LOG_ENV: str(log)})
    time.sleep(world.seconds[mode] * fraction)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=60)
    where = landed(index, log, mode)
    request.node.user_properties.append(("landed", where))  # in a (legacy) JUnit report
    switched = check_interrupted(world, index, mode, opened)
    assert switched == (where == "switched")
    if switched:  # it went live: every file of it had been flushed before
        live = IndexDir(index).require_current().folder
        done = flushed(log)
        assert [p for p in live.rglob("*") if p.is_file() and identity(p) not in done] == []
    opened.close()
    finish(world, index, switched, mode)


def test_a_missing_passage_table_is_written_even_when_no_file_changed(world, tmp_path):
    index = world.copy_base(tmp_path / "index")
    assert run_kb(index, world.docs).returncode == 0
    live = IndexDir(index).require_current()
    (table,) = live.whoosh_dir.glob("passages-*.txt")
    expected = answers(index)
    table.unlink()
    live.manifest_path.unlink()  # and the manifest: read back from the stored fields
    result = run_kb(index, world.docs)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("新增 0，更新 0，删除 0")
    assert table.is_file()
    assert live.manifest_path.is_file()
    assert answers(index) == expected
    assert_tidy(index)
