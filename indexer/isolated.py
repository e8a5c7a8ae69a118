"""An index update run in a process of its own, for the long-lived server.

``kb serve`` builds the index on first start and the admin's 更新索引 brings it up to date while
the server answers searches. Run inside the server, the update's working set (the writer's
buffers, the tokenized documents, the passage table being written) would stay in the
server's resident memory long after the update ends — CPython rarely gives freed memory back
to the system — and its Python work would hold the interpreter lock the searches need. In a
child process the memory goes back to the system when the child ends, and the searches run
on undisturbed. The child is started with ``spawn`` (the same on Linux and Windows, and no
copy of the server's threads or open searchers), says its progress lines through a pipe, and
hands back the report, or the error the caller would have had from ``update``.
"""

from __future__ import annotations

import logging
import multiprocessing
import pickle
from multiprocessing.connection import Connection
from pathlib import Path

from indexer.store import Progress, Report
from indexer.update import update
from kb.backend import Backend

log = logging.getLogger("kb.indexer")


class UpdateProcessFailed(RuntimeError):
    """The update's process ended without a report (killed, or out of memory); the message is
    for the user."""


def update_in_child(
    backend: Backend,
    paths: list[Path],
    dict_source: Path,
    rebuild: bool = False,
    progress: Progress = lambda message: None,
) -> Report:
    """``indexer.update.update`` in a child process: the same report, the same progress lines
    (in order, as they are said), the same exceptions (IndexBusy, DictionaryError,
    IndexWriteFailed, EngineUnavailable), and UpdateProcessFailed when the child dies."""
    context = multiprocessing.get_context("spawn")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(
        target=_run,
        args=(sending, backend, list(paths), dict_source, rebuild),
        name="kb-index-update",
    )
    child.start()
    sending.close()  # the child holds the only writing end: its exit ends the reading
    outcome: tuple[str, object] | None = None
    try:
        while True:
            try:
                kind, value = receiving.recv()
            except EOFError:
                break
            if kind == "progress":
                progress(str(value))
            else:
                outcome = (kind, value)
    finally:
        receiving.close()
        child.join()
    if outcome is None:
        raise UpdateProcessFailed(
            f"更新索引的进程意外退出（退出码 {child.exitcode}），索引没有更新，原来的索引仍可检索。"
            "可能是内存不足或进程被结束，请查看日志后重试。"
        )
    kind, value = outcome
    if kind == "error":
        assert isinstance(value, BaseException)
        raise value
    assert isinstance(value, Report)
    return value


def _run(
    sending: Connection, backend: Backend, paths: list[Path], dict_source: Path, rebuild: bool
) -> None:
    try:
        report = update(
            backend,
            paths,
            dict_source,
            rebuild=rebuild,
            progress=lambda message: sending.send(("progress", message)),
        )
        sending.send(("done", report))
    except BaseException as error:  # every failure goes back to the caller, as update raises it
        sending.send(("error", _transportable(error)))
    finally:
        sending.close()


def _transportable(error: BaseException) -> BaseException:
    """``error`` if it survives pickling, else a RuntimeError with its text (logged here)."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        log.exception("index update failed")
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error
