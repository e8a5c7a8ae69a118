"""File names as a user can read them, whatever bytes the file system holds.

On Linux a name is bytes; a folder unpacked from a Windows zip often holds names in GBK, which
Python turns into strings with lone surrogates (``os.fsdecode``). Such a string opens the file
but cannot be printed, stored as UTF-8 or sent to a browser. Everything kb shows or stores as
text uses ``readable``; only opening the file uses the raw name.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path, PurePath


def _part(raw: bytes) -> str:
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "backslashreplace")


def readable(path: str | os.PathLike[str]) -> str:
    """``path`` with each component decoded as UTF-8, else GB18030, else its undecodable bytes
    written as ``\\xNN``: never a lone surrogate, whatever string it is given."""
    text = os.fspath(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    if os.name == "nt":  # Windows names are UTF-16: only lone surrogates can be wrong
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    try:
        raw = os.fsencode(text)
    except UnicodeError:  # surrogates that never came from a file name
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    separator = os.fsencode(os.sep)
    return os.sep.join(_part(part) for part in raw.split(separator))


def identity(path: str | os.PathLike[str]) -> bytes:
    """The name's bytes as the file system holds them, for stable ids of any name."""
    return os.fsencode(os.fspath(path))


def doc_id_for(path: Path) -> str:
    """A document's id: stable per file location, so a changed file replaces its old
    passages. The name's bytes are hashed, so a name in any encoding has an id (and UTF-8
    names keep theirs). Here, not in the indexer, so the admin's pages can name a file's
    document too."""
    return hashlib.sha1(identity(path.resolve())).hexdigest()[:12]


def readable_name(path: str | os.PathLike[str]) -> str:
    """The last component of ``path``, readable."""
    return readable(PurePath(os.fspath(path)).name)
