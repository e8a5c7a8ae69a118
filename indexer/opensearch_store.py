"""Bring an OpenSearch index up to date with a set of files, as ``indexer.store`` does for
Whoosh: the same discovery, change detection (content hashes, a manifest per file), reading
and tokenizing, so both engines hold the same passages.

Layout on the cluster, for ``--index kb``:

- ``kb`` — an alias on the passage index ``kb-<time>`` (``kb.engines.opensearch.mapping``);
- ``kb-files`` — an alias on ``kb-files-<time>``, the manifest: one entry per source file;
- ``kb-lock`` — one document while a writer runs: a second writer waits, then gives up.

A full build (the first, ``--rebuild``, a new mapping version or changed dictionaries) fills
new indexes without replicas or refreshes, then adds the replicas, waits for them, and moves
both aliases in one request; searches see the old index until that moment. An incremental
update deletes and adds passages in the live index with refreshes off and makes them visible
in one refresh at the end; the manifest is written after the passages, so an update that fails
or dies half-way shows nothing of itself and is done again, whole, by the next run (a node
restarting meanwhile would show its part: the next run still completes it).
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

from indexer.pipeline import Failure
from indexer.store import (
    ChangePlan,
    Entry,
    IndexBusy,
    Progress,
    Report,
    account,
    collect_changes,
    tokenize_all,
)
from kb.analysis import Segmenter
from kb.dictionaries import Dictionaries, dictionary_names, doc_types_of
from kb.engines.opensearch.mapping import MAPPING_VERSION, files_body, index_body, to_source
from kb.engines.opensearch.searcher import read_meta, unavailable
from kb.engines.opensearch.settings import OpenSearchSettings
from kb.folding import keep_table_in
from kb.schema import SCHEMA_VERSION

BULK_ROWS = 500
PRIMARY_WAIT = 300  # seconds a rebuild waits for its shards before it gives up
REPLICA_WAIT = 60  # seconds it waits for replicas before going live without them
STALE_LOCK_SECONDS = 6 * 3600  # a writer that died without unlocking
MERGE_WAIT = 600  # seconds a merge request may take
# Seconds an update waits for OpenSearch to let deleted passages go (see _expunge).
EXPUNGE_WAIT = float(os.environ.get("KB_OPENSEARCH_EXPUNGE_WAIT") or 60)
# Expunging merges every segment holding a deletion (Lucene's default leaves up to 10%).
EXPUNGE_ALL = {"index": {"merge": {"policy": {"expunge_deletes_allowed": 0}}}}


def dictionary_files(dict_source: Path) -> dict[str, str]:
    return {
        name: (dict_source / name).read_text(encoding="utf-8")
        for name in dictionary_names(dict_source)
    }


def update_opensearch_index(
    settings: OpenSearchSettings,
    state_dir: Path,
    paths: list[Path],
    dict_source: Path,
    rebuild: bool = False,
    progress: Progress = lambda message: None,
    lock_timeout: float = 5.0,
) -> Report:
    """Make the OpenSearch index reflect the files under ``paths``; ``state_dir`` keeps
    jieba's cache. Raises IndexBusy when another writer keeps the lock, EngineUnavailable when
    the cluster cannot be reached."""
    state_dir = Path(state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    keep_table_in(state_dir)
    client = settings.client()
    try:
        client.info()
    except Exception as error:
        raise unavailable(error, settings) from error
    try:
        held = _lock(client, settings, lock_timeout)
        try:
            return _update(client, settings, state_dir, paths, dict_source, rebuild, progress)
        finally:
            _unlock(client, settings, held)
    finally:
        client.close()


def _lock(client, settings: OpenSearchSettings, timeout: float) -> dict:
    """Take the writer's lock; returns its version, so only its holder releases it."""
    from opensearchpy.exceptions import ConflictError

    if not client.indices.exists(index=settings.lock_index):
        client.indices.create(
            index=settings.lock_index,
            body={"settings": {"index": {"number_of_shards": 1}}},
            ignore=400,  # created by another writer meanwhile
        )
    holder = {"host": socket.gethostname(), "pid": os.getpid(), "since": time.time()}
    deadline = time.monotonic() + timeout
    while True:
        try:
            made = client.create(index=settings.lock_index, id="writer", body=holder, refresh=True)
            return {"if_seq_no": made["_seq_no"], "if_primary_term": made["_primary_term"]}
        except ConflictError:
            current = client.get(index=settings.lock_index, id="writer", ignore=404)
            since = (current.get("_source") or {}).get("since", 0)
            if current.get("found") and time.time() - since > STALE_LOCK_SECONDS:
                client.delete(index=settings.lock_index, id="writer", ignore=404, refresh=True)
                continue
            if time.monotonic() >= deadline:
                raise IndexBusy(
                    f"另一个索引更新正在进行……已等待 {timeout:g} 秒仍未结束，请稍后再试。"
                ) from None
            time.sleep(0.2)


def _unlock(client, settings: OpenSearchSettings, held: dict) -> None:
    """Release our lock; one taken over as stale by another writer meanwhile is left alone."""
    client.delete(index=settings.lock_index, id="writer", ignore=[404, 409], refresh=True, **held)


def _read_manifest(client, files_index: str) -> dict[str, Entry]:
    from opensearchpy import helpers

    return {
        hit["_id"]: Entry.from_json(hit["_source"]["entry"])
        for hit in helpers.scan(client, index=files_index, query={"query": {"match_all": {}}})
    }


def _update(
    client,
    settings: OpenSearchSettings,
    state_dir: Path,
    paths: list[Path],
    dict_source: Path,
    rebuild: bool,
    progress: Progress,
) -> Report:
    report = Report()
    index_digest = Dictionaries.index_digest_of(dict_source)
    found = read_meta(client, settings)
    meta = found[1] if found else {}
    reasons = []
    if found is None:
        reasons.append("新建索引")
    elif rebuild:
        reasons.append("按要求重建")
    elif (meta.get("schema_version"), meta.get("mapping_version")) != (
        SCHEMA_VERSION,
        MAPPING_VERSION,
    ):
        reasons.append("索引格式已更新")
    elif meta.get("index_digest") != index_digest:
        reasons.append("用户词典或案例分类已修改")
    previous: dict[str, Entry] = {}
    if found is not None:
        try:
            previous = _read_manifest(client, settings.files_index)
        except Exception:  # a manifest that cannot be read is replaced by a full build
            reasons.append("现有索引清单无法读取")
    full_build = bool(reasons)

    files, plan = collect_changes(paths, previous, full_build, report, doc_types_of(dict_source))
    dictionaries = Dictionaries.load(dict_source)  # a DictionaryError stops us here
    new_meta = {
        "schema_version": SCHEMA_VERSION,
        "mapping_version": MAPPING_VERSION,
        "index_digest": index_digest,
        "dictionaries": dictionary_files(dict_source),
    }

    if not full_build and not plan.jobs and not plan.gone:
        assert found is not None
        if {k: v for k, v in meta.items() if k != "written"} != new_meta:
            # Synonyms or stopwords edited: searches use them at once.
            client.indices.put_mapping(index=found[0], body={"_meta": {"kb": _stamped(new_meta)}})
        _write_manifest(client, settings.files_index, plan.entries, previous)
        return report

    if full_build:
        progress(f"{reasons[0]}：{len(files)} 个文件")
        stamp = time.strftime("%Y%m%d%H%M%S") + f"{time.time_ns() % 1_000_000_000:09d}"
        target = f"{settings.index}-{stamp}"
        files_target = f"{settings.files_index}-{stamp}"
        body = index_body(settings.shards, 0, settings.window, {"kb": _stamped(new_meta)})
        body["settings"]["index"]["refresh_interval"] = "-1"
        client.indices.create(index=target, body=body)
        client.indices.create(index=files_target, body=files_body(settings.replicas))
    else:
        assert found is not None
        target, files_target = found[0], settings.files_index
        client.indices.put_settings(index=target, body={"index": {"refresh_interval": "-1"}})
    try:
        _write(client, target, plan, dictionaries, dict_source, state_dir, report, progress)
        if full_build:
            _write_manifest(client, files_target, plan.entries, {})
            progress("正在等待副本就绪……" if settings.replicas else "正在切换到新索引……")
            client.indices.put_settings(
                index=target,
                body={"index": {"number_of_replicas": settings.replicas, "refresh_interval": None}},
            )
            client.indices.refresh(index=f"{target},{files_target}")
            _wait_for_copies(client, settings, f"{target},{files_target}", progress)
            _switch(client, settings, target, files_target)
            report.rebuilt = True
        else:
            client.indices.put_settings(index=target, body={"index": {"refresh_interval": None}})
            client.indices.refresh(index=target)
            if plan.gone or report.updated:
                _expunge(client, target, progress)
            client.indices.put_mapping(index=target, body={"_meta": {"kb": _stamped(new_meta)}})
            _write_manifest(client, files_target, plan.entries, previous)
    except BaseException:
        if full_build:  # never live: the half-built indexes go
            client.indices.delete(index=f"{target},{files_target}", ignore=[400, 404])
        # An incremental update stays unrefreshed: searches keep seeing the index as it was
        # until the next run redoes the update (its manifest still has the old entries).
        raise
    return report


def _expunge(client, index: str, progress: Progress) -> None:
    """Merge the passages an update deleted out of the index. Lucene counts them in its
    statistics until their segments merge, so scores would drift from a fresh build's; and
    OpenSearch keeps them (soft deletes) until its retention leases move on, which it syncs
    every 30 s or so: so merge, and if some are still kept, wait and merge again, up to
    EXPUNGE_WAIT seconds. What is left then goes at the next update."""
    client.indices.put_settings(index=index, body=EXPUNGE_ALL)
    waited, pause = 0.0, 1.0
    while True:
        client.indices.flush(index=index)
        client.indices.forcemerge(
            index=index, only_expunge_deletes=True, request_timeout=MERGE_WAIT
        )
        client.indices.refresh(index=index)
        deleted = client.indices.stats(index=index, metric="docs")["_all"]["primaries"]["docs"]
        if not deleted.get("deleted") or waited >= EXPUNGE_WAIT - pause / 2:
            break
        if not waited:
            progress("正在清理已删除的段落，使检索统计与重建后一致……")
        time.sleep(pause)
        waited += pause
        pause = min(pause * 2, 10.0)
    if deleted.get("deleted"):
        progress(
            f"提示：OpenSearch 仍保留 {deleted['deleted']} 个已删除段落，检索打分与完整重建"
            "略有差异，下次更新时再清理。"
        )


def _wait_for_copies(
    client, settings: OpenSearchSettings, indexes: str, progress: Progress
) -> None:
    """Every primary shard must be active before the new index goes live; replicas are
    awaited a while, but a cluster with too few nodes for them still gets its index."""

    def health(status: str, seconds: int) -> dict:
        return client.cluster.health(
            index=indexes,
            wait_for_status=status,
            params={"timeout": f"{seconds}s"},  # `timeout=` would be the HTTP timeout
            request_timeout=seconds + 10,
            ignore=[408],  # timed out: the body still tells the state
        )

    state = health("yellow", PRIMARY_WAIT)
    if state["status"] not in ("yellow", "green"):
        raise RuntimeError(
            f"新索引的分片在 {PRIMARY_WAIT} 秒内没有就绪（集群状态 {state['status']}）"
        )
    if not settings.replicas:
        return
    enough = state["number_of_data_nodes"] > settings.replicas  # copies never share a node
    if not enough or health("green", REPLICA_WAIT)["status"] != "green":
        progress(
            f"提示：副本尚未全部就绪（集群有 {state['number_of_data_nodes']} 个数据节点，"
            f"每个分片要放 {settings.replicas + 1} 份）。检索不受影响，节点足够时集群会自动补齐。"
        )


def _stamped(meta: dict) -> dict:
    """``meta`` with the time of this write: searchers keep term statistics until it changes."""
    return {**meta, "written": time.time_ns()}


def _write(
    client,
    index: str,
    plan: ChangePlan,
    dictionaries: Dictionaries,
    dict_source: Path,
    state_dir: Path,
    report: Report,
    progress: Progress,
) -> None:
    """Delete the gone and replaced documents, add the tokenized ones; ``report`` and the next
    manifest (``plan.entries``) follow what was written."""
    from opensearchpy import helpers

    segmenter = Segmenter(dictionaries, state_dir)
    gone = list(plan.gone)
    for doc_id in gone:
        report.removed.append(plan.previous[doc_id].shown)
        del plan.entries[doc_id]
    if gone:
        _delete_documents(client, index, gone)

    def actions():
        jobs = plan.jobs
        told = tokenize_all(jobs, segmenter, dict_source, state_dir, progress)
        for done, outcome in enumerate(told, 1):
            if outcome.rows is None:
                report.failed.append(Failure(outcome.shown, outcome.reason))
                continue
            doc_id = outcome.doc_id
            if doc_id in plan.replaced:  # only now: a changed file that fails keeps its text
                _delete_documents(client, index, [doc_id])
            added = 0
            for row in outcome.rows:
                yield {"_index": index, "_id": row["passage_id"], "_source": to_source(row)}
                added += 1
            account(plan, report, outcome, added)
            if done % 20 == 0 or done == len(jobs):
                progress(f"已处理 {done}/{len(jobs)} 个文件")

    for ok, item in helpers.streaming_bulk(
        client, actions(), chunk_size=BULK_ROWS, raise_on_error=False, max_retries=3
    ):
        if not ok:
            raise RuntimeError(f"OpenSearch 拒绝写入：{item}")


def _delete_documents(client, index: str, doc_ids: list[str]) -> None:
    client.delete_by_query(
        index=index,
        body={"query": {"terms": {"doc_id": doc_ids}}},
        conflicts="proceed",
        refresh=False,
        slices="auto",
    )


def _write_manifest(
    client, files_index: str, entries: dict[str, Entry], previous: dict[str, Entry]
) -> None:
    from opensearchpy import helpers

    actions = [
        {"_index": files_index, "_id": doc_id, "_source": {**_entry_source(entry)}}
        for doc_id, entry in entries.items()
        if previous.get(doc_id) != entry
    ]
    actions += [
        {"_op_type": "delete", "_index": files_index, "_id": doc_id}
        for doc_id in previous
        if doc_id not in entries
    ]
    if actions:
        _, errors = helpers.bulk(
            client, actions, chunk_size=BULK_ROWS, refresh=True, raise_on_error=False
        )
        # A delete of an entry already gone is fine; anything else means a wrong manifest.
        failed = [e for e in errors if (e.get("delete") or {}).get("status") != 404]
        if failed:
            raise RuntimeError(f"OpenSearch 拒绝写入文件清单：{failed[:3]}")


def _entry_source(entry: Entry) -> dict:
    return {"source": entry.source, "digest": entry.digest, "entry": entry.as_json()}


def _switch(client, settings: OpenSearchSettings, target: str, files_target: str) -> None:
    """Point both aliases at the new indexes in one request, then drop the old ones."""
    old: list[str] = []
    for alias in (settings.index, settings.files_index):
        if client.indices.exists_alias(name=alias):
            old += list(client.indices.get_alias(name=alias))
        elif client.indices.exists(index=alias):  # a plain index in the alias's place
            raise RuntimeError(f"OpenSearch 上已有名为 {alias} 的普通索引，请改用别的 --os-index")
    actions = [{"remove": {"index": name, "alias": "*"}} for name in old]
    actions += [
        {"add": {"index": target, "alias": settings.index}},
        {"add": {"index": files_target, "alias": settings.files_index}},
    ]
    client.indices.update_aliases(body={"actions": actions})
    if old:
        client.indices.delete(index=",".join(old), ignore=[404])
