"""Character folding applied to indexed text and to queries alike.

Folding is *length-preserving*: every character maps to exactly one character. That keeps
offsets in folded text valid in the original, so we segment and match on folded text but
always store and show the original.

Two foldings are combined into one ``str.translate`` table:

* NFKC compatibility folding per character (full-width digits, letters and punctuation,
  ideographic space, compatibility ideographs) plus ASCII lower-casing;
* traditional -> simplified per character, from OpenCC's ``t2s`` table. A character is only
  mapped when it is not itself a simplified character (its ``s2t`` form differs from it),
  so ordinary simplified text is never altered (OpenCC maps e.g. 坏 -> 坯 otherwise).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import unicodedata
from importlib.metadata import version
from pathlib import Path

# Ranges holding every character OpenCC converts (CJK unified ideographs, extension A,
# compatibility ideographs). Characters outside the BMP are left as they are.
_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))


def _nfkc_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x80, 0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        folded = unicodedata.normalize("NFKC", char)
        if len(folded) == 1 and folded != char:
            table[code] = folded.lower() if folded.isascii() else folded
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = chr(code).lower()
    return table


def _t2s_table() -> dict[int, str]:
    import opencc

    chars = [chr(c) for lo, hi in _CJK_RANGES for c in range(lo, hi + 1)]
    joined = "\n".join(chars)
    simplified = opencc.OpenCC("t2s").convert(joined).split("\n")
    traditional = opencc.OpenCC("s2t").convert(joined).split("\n")
    table: dict[int, str] = {}
    for char, simp, trad in zip(chars, simplified, traditional, strict=True):
        is_simplified_char = trad != char
        if len(simp) == 1 and simp != char and not is_simplified_char:
            table[ord(char)] = simp
    return table


TABLE_VERSION = 1  # bump when the rules above change
_cache_dir: Path | None = None


def keep_table_in(folder: Path) -> None:
    """Keep the built table as a file in ``folder`` (the index folder, beside jieba's cache):
    loading it takes a few milliseconds, building it ~0.1 s, which is a tenth of a one-file
    index update. Call before the first ``fold``."""
    global _cache_dir
    _cache_dir = folder
    for stale in folder.glob("fold-*.tmp"):  # left by a process killed while writing
        with contextlib.suppress(OSError):
            stale.unlink()


def _build_table() -> dict[int, str]:
    table = _nfkc_table()
    for code, simp in _t2s_table().items():
        # A compatibility ideograph first folds by NFKC, then by t2s.
        table[code] = simp
    for code, target in list(table.items()):
        if len(target) == 1 and ord(target) in table and table[ord(target)] != target:
            table[code] = table[ord(target)]
    return table


@functools.cache
def fold_table() -> dict[int, str]:
    """The combined translate table; built once per process, or read from the kept file
    (named after the Python, Unicode and OpenCC versions it was built with)."""
    if _cache_dir is None:
        return _build_table()
    stamp = f"{unicodedata.unidata_version}-{version('opencc')}-{TABLE_VERSION}"
    path = _cache_dir / f"fold-{stamp}.json"
    try:
        return {int(code): char for code, char in json.loads(path.read_text("utf-8")).items()}
    except (OSError, ValueError):
        pass
    table = _build_table()
    with contextlib.suppress(OSError):
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    return table


def fold(text: str) -> str:
    """Fold ``text`` for matching; ``len(fold(t)) == len(t)`` always holds."""
    return text.translate(fold_table())


_WHITESPACE = re.compile(r"\s+")


def normalize_space(text: str) -> str:
    """Passage text as stored: runs of whitespace collapsed to one space, ends stripped.

    Quoted search compares against this form, so the query goes through it too.
    """
    return _WHITESPACE.sub(" ", text).strip()
