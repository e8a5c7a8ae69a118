"""Document paths as the web shows them: relative to the corpus folder the app serves
(``kb.settings.Settings.corpus``), or only the file name for a document that lies elsewhere, so no
page or API answer tells a visitor how the server's disks are laid out.

The index keeps the path given at index time (absolute when an admin indexed /data/...), and
the command line prints it as it is; only the web answers go through ``shown_path``."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import PurePosixPath, PureWindowsPath

from flask import has_app_context

from kb.filenames import readable
from web.state import settings


@lru_cache(maxsize=16)
def _folders(corpus: str) -> tuple[str, ...]:
    """The corpus folder as written and with its links resolved (either may be in the index)."""
    written = os.path.abspath(corpus)
    resolved = os.path.realpath(corpus)
    return (written,) if resolved == written else (written, resolved)


def _inside(path: str, folder: str) -> str | None:
    try:
        relative = os.path.relpath(path, folder)
    except ValueError:  # another drive (Windows)
        return None
    if relative == os.curdir or relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return None
    if os.path.isabs(relative):
        return None
    return relative.replace(os.sep, "/")


def _candidates(path: str):
    """The file as written (from the working folder when relative), then with links resolved
    (only looked up when the first did not match)."""
    absolute = os.path.abspath(path)
    yield absolute
    resolved = os.path.realpath(absolute)
    if resolved != absolute:
        yield resolved


def shown_path(path: str, corpus: str | os.PathLike | None) -> str:
    """``path`` relative to ``corpus`` when the file lies inside it, else its name alone.
    A relative ``path`` is taken from the server's working folder, as ``kb index`` took it."""
    if not path:
        return ""
    if corpus:
        folders = _folders(os.fspath(corpus))
        for candidate in _candidates(path):
            for folder in folders:
                inside = _inside(candidate, folder)
                if inside is not None:
                    return readable(inside)
    return readable((PureWindowsPath if "\\" in path else PurePosixPath)(path).name)


def public_paths(value: object, corpus: str | os.PathLike | None = None) -> object:
    """A copy of an answer (dicts and lists) with every ``path`` shown by ``shown_path``:
    hits, their ``also_in`` copies, cases, requirements, documents. ``corpus`` defaults to the
    app's documents folder (``Settings.corpus``)."""
    if corpus is None and has_app_context():
        corpus = settings().corpus
    return _public(value, corpus)


def _public(value: object, corpus) -> object:
    if isinstance(value, dict):
        return {
            key: shown_path(item, corpus)
            if key == "path" and isinstance(item, str)
            else _public(item, corpus)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_public(item, corpus) for item in value]
    return value
