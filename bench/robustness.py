"""What a hostile or careless corpus costs ``kb index``: peak memory, time, and every reason.

Run:  .venv/bin/python bench/robustness.py [--sample-only] [--keep DIR]

Builds, in a temporary folder, our sample documents plus the files an attacker or a careless
admin leaves behind (issue 12): a 50 MB text, a 6 MB one-line Markdown file, .docx zip bombs
(1.1 MB inflating to 1.1 GB, honest and lying headers), an XML entity bomb, a 12 MB web page,
a page of 300,000 tags, a PDF of 2,500 pages, a 250 MB sparse file, UTF-8 cut mid-character,
an empty file, a GBK-named file, links out of the corpus, broken and looping links, a pipe, an
unreadable folder and a 1,400-level tree. Then one real ``kb index`` process (``python -m
kb.cli index``) indexes it, and the memory of it and its workers together is sampled every
20 ms: their proportional set sizes summed (Linux /proc/<pid>/smaps_rollup; pages the forked
workers share are counted once); elsewhere the largest single process, from getrusage.

Prints peak memory against the target (600 MB) and against the same run over the sample
documents alone (the baseline, measured in the same run), the time of each, and every file
the summary reports as failed or read with a warning, with its reason. Then the cost of
reading index segments without mmap (kb.integrity.open_whoosh): the same queries on the
same index, opened both ways, as a ratio.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
import zlib
from pathlib import Path

from common import CORPUS_DOCS, REALDOCS, ROOT, load_judgments, run_sampled

sys.path.insert(0, str(ROOT / "tests"))
from hostile_files import billion_laughs_docx, bomb_docx, pages_pdf  # noqa: E402

MB = 1024 * 1024
TARGET_BYTES = 600 * MB


def _paragraphs() -> list[str]:
    """Our own sample sentences, to fill the large text files with."""
    found = []
    for path in sorted(CORPUS_DOCS.rglob("*.txt")) + sorted(CORPUS_DOCS.rglob("*.md")):
        for line in path.read_bytes().decode("utf-8", errors="ignore").splitlines():
            if len(line.strip()) > 20:
                found.append(line.strip())
    return found


def big_text(size: int, paragraphs: list[str], separator: str = "\n\n") -> bytes:
    """About ``size`` bytes of numbered paragraphs (numbers make the words vary a little)."""
    parts: list[bytes] = []
    total = 0
    number = 0
    while total < size:
        paragraph = paragraphs[number % len(paragraphs)]
        chunk = f"{paragraph}（第{number}段）{separator}".encode()
        parts.append(chunk)
        total += len(chunk)
        number += 1
    return b"".join(parts)


def build_hostile(root: Path, outside: Path) -> list[str]:
    """The hostile files under ``root`` (plus a target outside it); what each one is."""
    paragraphs = _paragraphs()
    made = []

    def put(name: str, data: bytes, what: str) -> None:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        made.append(f"{name}: {what}")

    put("hostile/big.txt", big_text(50 * MB, paragraphs), "50 MB text")
    put("hostile/oneline.md", big_text(6 * MB, paragraphs, separator=""), "6 MB in one line")
    put("hostile/bomb.docx", bomb_docx(1100), "1.1 GB of spaces, honest headers")
    lying = bomb_docx(1100, size=2048, crc=zlib.crc32(b" " * 2048))
    put("hostile/bomb-lying.docx", lying, "1.1 GB of spaces, headers say 2 KB")
    put("hostile/entities.docx", billion_laughs_docx(), "XML entity bomb")
    put("hostile/huge.html", b"<p>" + big_text(12 * MB, paragraphs, "</p><p>") + b"</p>", "12 MB")
    put("hostile/tags.html", b"<div>" + b"<b>x</b>" * 300_000 + b"</div>", "300,000 tags")
    put("hostile/pages.pdf", pages_pdf(2500), "2,500 pages")
    put("hostile/empty.txt", b"", "empty")
    cut = "通知\n\n各单位要认真落实。".encode() + "要".encode()[:2]
    put("hostile/cut.txt", cut, "UTF-8 cut mid-character")
    put("hostile/garbage.pdf", os.urandom(64 * 1024), "random bytes named .pdf")
    gbk_name = os.path.join(os.fsencode(root / "hostile"), b"\xb2\xe2\xca\xd4.txt")
    with open(gbk_name, "wb") as stream:
        stream.write("测试\n\n这是一个文件名为 GBK 编码的文件。\n".encode())
    made.append("hostile/<GBK 测试>.txt: a name in GBK")
    sparse = root / "hostile" / "sparse.txt"
    with open(sparse, "wb") as stream:
        stream.truncate(250 * MB)
    made.append("hostile/sparse.txt: 250 MB (sparse)")
    outside.mkdir(parents=True, exist_ok=True)
    (outside / "secret.txt").write_text("服务器上的文件\n\n不应被索引。\n", encoding="utf-8")
    links = root / "hostile" / "links"
    links.mkdir()
    for name, target in (
        ("out.txt", outside / "secret.txt"),
        ("broken.txt", outside / "missing.txt"),
        ("loop.txt", links / "loop.txt"),
        ("folder", outside),
    ):
        try:
            (links / name).symlink_to(target)
            made.append(f"hostile/links/{name}: link to {target}")
        except OSError as error:  # Windows without the right to make links
            made.append(f"hostile/links/{name}: not made ({error})")
    if hasattr(os, "mkfifo"):
        os.mkfifo(root / "hostile" / "pipe.txt")
        made.append("hostile/pipe.txt: a named pipe")
    closed = root / "hostile" / "closed"
    closed.mkdir()
    (closed / "inside.txt").write_text("看不到\n", encoding="utf-8")
    closed.chmod(0)
    made.append("hostile/closed: a folder nobody may read")
    deep = root / "hostile" / "deep"
    current = os.fsencode(deep)
    os.makedirs(current)
    for _ in range(1400):  # one step at a time: the whole path passes PATH_MAX
        os.mkdir(os.path.join(current, b"d"))
        current = os.path.join(current, b"d")
    made.append("hostile/deep: 1,400 nested folders")
    return made


def _remove_deep(deep: Path, spare: Path) -> None:
    """Remove a tree too deep for shutil.rmtree (it recurses): lift the subtree one level
    at a time and drop the emptied folder."""
    current = deep
    names = (spare / "a", spare / "b")
    step = 0
    while (current / "d").is_dir():
        lifted = names[step % 2]
        os.rename(current / "d", lifted)
        os.rmdir(current)
        current, step = lifted, step + 1
    shutil.rmtree(current, ignore_errors=True)


def run_index(docs: Path, index: Path) -> tuple[float, int, int, str]:
    """Seconds, peak memory (process and workers together, their proportional set sizes
    summed, see ``common.tree_memory``), the peak resident size of the largest single
    process, and the output of one ``kb index``."""
    command = [sys.executable, "-m", "kb.cli", "index", str(docs), "--index", str(index)]
    run = run_sampled(command, interval=0.02)
    if run.returncode != 0:
        sys.exit(f"kb index failed ({run.returncode}):\n{run.output}")
    return run.seconds, run.peak.proportional, run.peak.largest, run.output


def mmap_cost(index: Path, rounds: int) -> tuple[float, float]:
    """Median seconds a judged query takes with index segments read through mmap (Whoosh's
    default) and without (kb.integrity.open_whoosh), on the same index in the same run."""
    from whoosh import index as whoosh_index

    import kb.engines.whoosh.searcher as engine

    queries = [judged.query for judged in load_judgments()]
    without_mmap = engine.open_whoosh
    with_mmap = lambda folder, schema: whoosh_index.open_dir(str(folder), schema=schema)  # noqa: E731
    medians = {}
    for _ in range(rounds):  # alternating, so that neither gets a warmer machine
        for label, opener in (("mmap", with_mmap), ("plain", without_mmap)):
            engine.open_whoosh = opener
            searcher = engine.Searcher(index)
            for query in queries[:20]:
                searcher.search(query)  # warm: jieba, caches
            times = []
            for query in queries:
                start = time.perf_counter()
                searcher.search(query)
                times.append(time.perf_counter() - start)
            searcher.close()
            medians.setdefault(label, []).append(statistics.median(times))
    engine.open_whoosh = without_mmap
    return statistics.median(medians["mmap"]), statistics.median(medians["plain"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sample-only", action="store_true", help="leave out ../shared/realdocs (else added)"
    )
    parser.add_argument("--keep", type=Path, help="build here and keep it (default: temporary)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="kb-robust-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        plain, hostile = work / "plain", work / "hostile-corpus"
        shutil.copytree(CORPUS_DOCS, plain / "corpus")
        if not args.sample_only and REALDOCS.is_dir():
            shutil.copytree(REALDOCS, plain / "realdocs")
        shutil.copytree(plain, hostile)
        made = build_hostile(hostile, work / "outside")
        base_seconds, base_peak, base_largest, _ = run_index(plain, work / "index-plain")
        seconds, peak, largest, output = run_index(hostile, work / "index-hostile")
        print("hostile files:")
        for line in made:
            print(f"  {line}")
        print("\n                                    time    memory  (largest process, RSS)")
        for label, took, memory, single in (
            ("sample documents only", base_seconds, base_peak, base_largest),
            ("with the hostile files", seconds, peak, largest),
        ):
            print(
                f"kb index, {label:<24}{took:6.1f} s  {memory / MB:5.0f} MB  ({single / MB:.0f} MB)"
            )
        print(
            f"peak memory: {peak / base_peak:.2f}x the baseline; "
            f"{peak / TARGET_BYTES:.2f}x the target of {TARGET_BYTES // MB} MB "
            f"({'met' if peak <= TARGET_BYTES else 'NOT met'})"
        )
        print("\nsummary of the hostile run:")
        for line in output.splitlines():
            if re.match(r"\s*(失败|提示)：", line) or not line.startswith(" "):
                print(f"  {line.strip().replace(str(hostile) + os.sep, '')}")
        with_map, without = mmap_cost(work / "index-hostile", rounds=3)
        print(
            f"\nsegments read without mmap: median query {without * 1000:.1f} ms against "
            f"{with_map * 1000:.1f} ms with mmap ({without / with_map:.2f}x)"
        )
    finally:
        closed = work / "hostile-corpus" / "hostile" / "closed"
        if closed.exists():
            closed.chmod(0o755)
        deep = work / "hostile-corpus" / "hostile" / "deep"
        if deep.exists():
            _remove_deep(deep, work)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
