"""One entry point for bringing an index up to date, whichever engine holds it."""

from __future__ import annotations

import errno
from pathlib import Path

from indexer import store
from indexer.store import Progress, Report, lock_timeout_setting
from kb.backend import Backend
from kb.filenames import readable


class IndexWriteFailed(RuntimeError):
    """The index could not be written (a full disk, no permission); the message is for the
    user. The live index is untouched: a generation goes live only once fully written."""


def write_failure(error: OSError) -> str:
    """What to tell the user when writing the index failed with ``error``."""
    where = f"（{readable(error.filename)}）" if error.filename else ""
    kept = "原来的索引未受影响，仍可检索。"
    if error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return f"磁盘空间不足，索引没有更新{where}。{kept}请腾出磁盘空间后重新更新索引。"
    if error.errno in (errno.EACCES, errno.EPERM):
        return f"没有写入权限，索引没有更新{where}。{kept}请检查索引目录的权限。"
    if error.errno == errno.EROFS:
        return f"索引目录所在的磁盘是只读的，索引没有更新{where}。{kept}"
    reason = error.strerror or str(error)
    return f"写入索引时出错：{reason}{where}，索引没有更新。{kept}"


def update(
    backend: Backend,
    paths: list[Path],
    dict_source: Path,
    rebuild: bool = False,
    progress: Progress = lambda message: None,
    lock_timeout: float | None = None,
) -> Report:
    """Raises IndexBusy, DictionaryError, IndexWriteFailed, and with OpenSearch
    EngineUnavailable. (A file that cannot be read is reported, not raised.)"""
    try:
        return _update(backend, paths, dict_source, rebuild, progress, lock_timeout)
    except OSError as error:
        raise IndexWriteFailed(write_failure(error)) from error


def _update(
    backend: Backend,
    paths: list[Path],
    dict_source: Path,
    rebuild: bool,
    progress: Progress,
    lock_timeout: float | None,
) -> Report:
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
