"""Folding speed: kb.folding.fold (one translate table built from OpenCC) against calling
OpenCC's t2s converter on the text, on ../shared/realdocs/docs.

Run:  .venv/bin/python bench/folding.py
"""

from __future__ import annotations

import time
import unicodedata

from common import REALDOCS, require_realdocs


def _cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def rate(function, text: str, rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        function(text)
        best = min(best, time.perf_counter() - start)
    return len(text.encode("utf-8")) / best / 1e6


def main() -> None:
    require_realdocs()
    import opencc

    from kb.folding import fold, fold_table

    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(REALDOCS.glob("*.txt")))
    start = time.perf_counter()
    fold_table()
    table_seconds = time.perf_counter() - start
    converter = opencc.OpenCC("t2s")
    changed = sum(a != b for a, b in zip(text, converter.convert(text), strict=False))
    print(
        f"text: {len(text):,} characters; translate table built in {table_seconds * 1000:.0f} ms\n"
    )
    print("| folding | MB/s | keeps length |")
    print("|---|---|---|")
    print(f"| kb.folding.fold (NFKC + t2s per character) | {rate(fold, text):.0f} | yes |")
    print(f"| OpenCC('t2s').convert | {rate(converter.convert, text):.0f} | no |")
    nfkc = lambda t: unicodedata.normalize("NFKC", t)  # noqa: E731
    print(f"| unicodedata NFKC on the whole text | {rate(nfkc, text):.0f} | no |")
    folded = fold(text)
    ideographs = sorted({a for a, b in zip(text, folded, strict=True) if a != b and _cjk(a)})
    others = sum(a != b and not _cjk(a) for a, b in zip(text, folded, strict=True))
    print(
        f"\nOpenCC t2s changes {changed:,} characters of this text. fold changes {others:,} "
        f"full-width or upper-case characters and these ideographs: {''.join(ideographs) or 'none'}"
    )


if __name__ == "__main__":
    main()
