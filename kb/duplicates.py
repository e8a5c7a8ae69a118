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


def fingerprint(text: str) -> str:
    """A short key equal for reposted copies of a passage, or "" for short passages."""
    core = _NOT_WORD.sub("", LEADING_NUMBER.sub("", fold(text).strip()))
    if len(core) < MIN_CHARS:
        return ""
    return hashlib.sha1(core.encode("utf-8")).hexdigest()[:16]
