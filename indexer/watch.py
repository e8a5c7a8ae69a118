"""Keep an index current while files appear, change or go: the loop behind ``kb watch``.

Polling, not change notifications: a snapshot of (size, mtime_ns) per file, taken with
``os.scandir``, works alike on Windows, Linux and network shares, where notifications are
missing or unreliable. An update runs once the files differ from what the last update saw
and have not changed for one whole interval, so a large copy still in progress is indexed
once, after it ends. The update is ``update_index``: content hashes decide what changed, so
a touched but unchanged file costs nothing. The dictionary folder is watched as well, so
edited synonyms or a new user dictionary apply without a restart.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from indexer.discover import MISSING, walk
from indexer.store import IndexBusy, Report, update_index
from indexer.update import IndexWriteFailed, write_failure
from kb.access import rule_files
from kb.dictionaries import DictionaryError
from kb.view import EngineUnavailable

Snapshot = dict[str, tuple[int, int]]  # file path -> (size, mtime_ns)
Say = Callable[[str], None]


def snapshot(paths: Iterable[Path], skip: Path | None = None) -> Snapshot:
    """Size and modification time of every file under ``paths``, walked as indexing walks
    them (``indexer.discover``), without the folder ``skip`` (the index itself, lest each
    update trigger the next). Paths passed over count by their reason, so a link or pipe
    appearing or going also starts an update that reports it. The folder rule files of who
    may see what (``kb.access``; hidden, so the walk leaves them out) count too."""
    paths = list(paths)
    found: Snapshot = {}
    folders: set[Path] = set()
    for entry in walk(paths, skip=skip):
        if entry.stat is not None:
            found[str(entry.path)] = (entry.stat.st_size, entry.stat.st_mtime_ns)
            if entry.path.parent not in folders:
                folders.add(entry.path.parent)
                for rule in rule_files(entry.path, paths):
                    with contextlib.suppress(OSError):
                        info = rule.stat()
                        found[str(rule)] = (info.st_size, info.st_mtime_ns)
        elif entry.reason != MISSING:
            found[str(entry.path)] = (-1, hash(entry.reason))
    return found


def should_update(indexed: Snapshot | None, previous: Snapshot | None, current: Snapshot) -> bool:
    """Update now? Only when the files differ from what the last update saw (``indexed``,
    None before the first) and are the same as one interval ago (``previous``): files still
    being written or copied differ between polls, and wait."""
    return current == previous and current != indexed


def _names(label: str, items: list[str], shown: int = 3) -> str:
    names = "、".join(Path(item).name for item in items[:shown])
    more = f" 等 {len(items)} 个" if len(items) > shown else ""
    return f"{label}：{names}{more}" if items else ""


def describe(report: Report) -> str:
    """One line about one update, for the console."""
    line = (
        f"新增 {len(report.added)}，更新 {len(report.updated)}，删除 {len(report.removed)}，"
        f"未变 {report.unchanged}，失败 {len(report.failed)}"
        + ("（已重建索引）" if report.rebuilt else "")
    )
    details = [
        _names("新增", report.added),
        _names("更新", report.updated),
        _names("删除", report.removed),
        _names("失败", [failure.path for failure in report.failed]),
    ]
    details = [detail for detail in details if detail]
    return line + ("（" + "；".join(details) + "）" if details else "")


def watch(
    index_root: Path,
    paths: list[Path],
    dict_source: Path,
    interval: float,
    say: Say,
    stop: threading.Event | None = None,
    update: Callable[..., Report] = update_index,
) -> None:
    """Poll every ``interval`` seconds and update the index when ``should_update`` says so,
    until ``stop`` is set (or Ctrl+C: KeyboardInterrupt reaches the caller; an update it
    interrupts leaves the index as it was, see ``indexer.store``)."""
    # time.sleep, unlike Event.wait, lets Ctrl+C through at once on Windows too.
    pause = stop.wait if stop is not None else time.sleep
    stop = stop or threading.Event()
    indexed: Snapshot | None = None
    previous: Snapshot | None = None
    while not stop.is_set():
        current = snapshot([*paths, dict_source], skip=index_root)
        if should_update(indexed, previous, current):
            clock = time.strftime("%H:%M:%S")
            try:
                report = update(index_root, paths, dict_source)
            except IndexBusy:
                say(f"{clock} 另一个索引更新正在进行……稍后自动重试。")  # next poll
            except EngineUnavailable as error:
                say(f"{clock} {error}稍后自动重试。")  # next poll
            except DictionaryError as error:
                say(f"{clock} 词典有误：{error}；改好后自动重试。")
                indexed = current
            except (IndexWriteFailed, OSError) as error:
                told = write_failure(error) if isinstance(error, OSError) else str(error)
                say(f"{clock} {told}文件再有变化时重试。")
                indexed = current
            else:
                say(f"{clock} {describe(report)}")
                indexed = current
        previous = current
        pause(interval)
