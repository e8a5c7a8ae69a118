"""Near-duplicate passages: the same notice or case reposted by another unit.

Reposts copy the text but change what surrounds it: a study-instruction preamble, the
numbering (1. becomes 一、), punctuation, spacing, traditional characters. So a passage's
fingerprint is taken over its folded text with numbering, punctuation and spaces removed;
equal fingerprints mean the same passage. Short passages (headings, 一是… fragments) are
too generic to call duplicates and get none.
"""

from __future__ import annotations

import hashlib
import re

from kb.folding import fold
from kb.numbering import LEADING_NUMBER

MIN_CHARS = 24
_NOT_WORD = re.compile(r"[\W_]+")


def _core(text: str) -> str:
    return _NOT_WORD.sub("", LEADING_NUMBER.sub("", fold(text).strip()))


def _key(core: str) -> str:
    return hashlib.sha1(core.encode("utf-8")).hexdigest()[:16]


def fingerprint(text: str) -> str:
    """A short key equal for reposted copies of a passage, or "" for short passages."""
    core = _core(text)
    if len(core) < MIN_CHARS:
        return ""
    return _key(core)


def clause_fingerprint(clause: str, passage: str) -> str:
    """A key equal for copies of a requirement clause: its own fingerprint; a clause too short
    for one (a run-in heading such as 严格控制发文数量。) is the same only where the passage it
    stands in is the same too. "" when neither is long enough to tell."""
    own = fingerprint(clause)
    if own:
        return own
    around = fingerprint(passage)
    return _key(around + _core(clause)) if around else ""
