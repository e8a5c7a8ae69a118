"""One entry point for bringing an index up to date, whichever engine holds it."""

from __future__ import annotations

from pathlib import Path

from indexer import store
from indexer.store import Progress, Report, lock_timeout_setting
from kb.backend import Backend


def update(
    backend: Backend,
    paths: list[Path],
    dict_source: Path,
    rebuild: bool = False,
    progress: Progress = lambda message: None,
    lock_timeout: float | None = None,
) -> Report:
    """Raises IndexBusy, DictionaryError, and with OpenSearch EngineUnavailable."""
    if backend.opensearch is None:
        return store.update_index(
            backend.index,
            paths,
            dict_source,
            rebuild=rebuild,
            progress=progress,
            lock_timeout=lock_timeout,
        )
    from indexer.opensearch_store import update_opensearch_index

    return update_opensearch_index(
        backend.opensearch,
        backend.index / "opensearch",
        paths,
        dict_source,
        rebuild,
        progress,
        lock_timeout_setting() if lock_timeout is None else lock_timeout,
    )
