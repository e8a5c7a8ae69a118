"""Which dictionaries a running server updates its index with, when ``kb serve`` is not told.

Every index carries a copy of the dictionaries it was built with (a Whoosh generation's
``dict/`` folder, an OpenSearch index's ``_meta``). An update with other dictionaries than
those rebuilds the index with them, so ``kb serve`` without ``--dict`` must not simply take the
project's ``corpus/dict``: an index built with ``kb index --dict X`` would be rebuilt with the
wrong ones by the admin's 更新索引.

The rule (``dictionaries_for_updates``): when the live index's dictionaries are the same as
``corpus/dict``, updates read ``corpus/dict`` (so an admin's later edits there apply, as
always); when they differ, updates keep the index's own dictionaries, from a copy taken at
start. Only ``--dict`` or ``kb index`` changes an index's dictionaries.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from kb.backend import Backend
from kb.dictionaries import dictionary_names, dictionary_path
from kb.resources import DEFAULT_DICT

SNAPSHOT = "index-dict"  # the copy's folder name in the instance folder


@dataclass(frozen=True)
class Choice:
    folder: Path  # what updates read
    note: str = ""  # for the person starting the server, when it is not corpus/dict


def folder_files(folder: Path) -> dict[str, str]:
    """The dictionary files under ``folder``, by relative name, as text."""
    return {name: (folder / name).read_text(encoding="utf-8") for name in dictionary_names(folder)}


def live_dictionary_files(backend: Backend) -> dict[str, str] | None:
    """The dictionaries the live index was built with (None: no index, or none recorded)."""
    if backend.opensearch is None:
        from kb.indexdir import IndexDir

        current = IndexDir(backend.index).current()
        if current is None or not current.dict_dir.is_dir():
            return None
        return folder_files(current.dict_dir) or None
    from kb.engines.opensearch.searcher import read_meta, unavailable

    settings = backend.opensearch
    client = settings.client()
    try:
        found = read_meta(client, settings)
    except Exception as error:
        raise unavailable(error, settings) from error
    finally:
        client.close()
    if found is None:
        return None
    files = found[1].get("dictionaries") or {}
    return {name: text for name, text in files.items() if dictionary_path(Path(), name)} or None


def dictionaries_for_updates(backend: Backend, instance: Path) -> Choice:
    """The dictionary folder for updates of ``backend``'s index when none was given (see the
    module's rule); a copy of the index's own goes to ``<instance>/index-dict``. Raises
    EngineUnavailable when an OpenSearch cluster cannot be asked."""
    try:
        live = live_dictionary_files(backend)
    except (OSError, UnicodeDecodeError):
        live = None  # an unreadable copy: the index is rebuilt from corpus/dict, as before
    if live is None or live == folder_files(DEFAULT_DICT):
        return Choice(DEFAULT_DICT)
    snapshot = instance / SNAPSHOT
    shutil.rmtree(snapshot, ignore_errors=True)
    for name, text in live.items():
        target = snapshot / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    note = (
        f"索引所用的词典与 {DEFAULT_DICT} 不同（建索引时用了 --dict，或之后改过这个目录），"
        f"网页上的“更新索引”沿用索引自己的词典（副本在 {snapshot}）。"
        "要改用某个词典目录，请用 kb serve --dict 目录 启动，或用 kb index --dict 目录 更新。"
    )
    return Choice(snapshot, note)
