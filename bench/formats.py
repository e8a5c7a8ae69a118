"""Every reader on the real native files of ../shared/realdocs/raw: seconds per file and, where
the same document also exists as clean text, how much of that text the reader gets right.

Accuracy is the share of the reference's characters found, in order, in what the reader gives
(difflib's matching blocks over both texts with white space dropped and NFKC applied): a PDF and
a page image of the same 通知 against its text version, a .wps against its own antiword reading.
Seconds are the median of ``--repeat`` reads of the file's bytes (``read_file``, in this
process; OCR's engine loaded beforehand), so a converter's start (antiword, LibreOffice) counts.

Run:  .venv/bin/python bench/formats.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import difflib
import statistics
import sys
import time
import unicodedata
from pathlib import Path

from common import REALDOCS

from indexer.readers import UnreadableFile, read_file
from kb.structure import read_outline

RAW = REALDOCS.parent / "raw"
# file -> the clean text of the same document (the part of it the file holds: a page image is
# the first page only, so only the reader's own text is compared, not the reference's rest).
TWINS = {
    "govdoc_cn_397.pdf": ("govdoc_cn_397_crlf.txt", "whole"),
    "img_govdoc_cn_397_page1.png": ("govdoc_cn_397_crlf.txt", "part"),
}


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _text(path: Path) -> str:
    return "".join(block.text for block in read_file(path, path.read_bytes()).blocks)


def accuracy(read: str, reference: str, part: bool) -> float:
    """Share of the reference (or, for ``part``, of what was read) matched in order."""
    a, b = _norm(read), _norm(reference)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return matched / max(len(a) if part else len(b), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not (RAW / "SOURCES.tsv").is_file():
        sys.exit(f"skipped: {RAW} is absent (it sits beside the checkout in CI)")
    from indexer.readers import ocr

    ocr._load_engine()  # once, as a worker does on its first scan
    print("| file | format | size | seconds | passages | characters | accuracy |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for path in sorted(RAW.iterdir()):
        if path.name == "SOURCES.tsv":
            continue
        data = path.read_bytes()
        times = []
        try:
            for _ in range(args.repeat):
                start = time.perf_counter()
                extracted = read_file(path, data)
                times.append(time.perf_counter() - start)
        except UnreadableFile as error:
            print(f"| {path.name} | {path.suffix} | {len(data) / 1024:,.0f} KB | | | | {error} |")
            continue
        outline = read_outline(extracted, path.stem)
        chars = sum(len(block.text) for block in extracted.blocks)
        shown = ""
        if path.name in TWINS:
            twin, how = TWINS[path.name]
            score = accuracy(_text(path), _text(RAW / twin), how == "part")
            shown = f"{score:.1%} of {'its own text' if how == 'part' else twin}"
        print(
            f"| {path.name} | {path.suffix} | {len(data) / 1024:,.0f} KB "
            f"| {statistics.median(times):.3f} | {len(outline.passages)} | {chars:,} | {shown} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
