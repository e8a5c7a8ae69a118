"""kb's search on an OpenSearch cluster: the ``kb.search.SearchCore`` over an OpenSearch view.

Searches go to an alias (``settings.index``); a rebuild fills a new concrete index and moves
the alias in one step, so a query always sees one complete index. The dictionaries travel in
the index's ``_meta`` (``kb.engines.opensearch.mapping``): this server writes them to its state folder
and segments queries with them, and loads them again when the alias moves or they change.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kb.analysis import Segmenter
from kb.dictionaries import Dictionaries, dictionary_path
from kb.engines.opensearch.dsl import search_query, to_dsl
from kb.engines.opensearch.mapping import CANDIDATE_FIELDS, LIST_FIELDS
from kb.engines.opensearch.settings import OpenSearchSettings
from kb.facets import facets_of
from kb.folding import fold, keep_table_in
from kb.indexdir import IndexMissing, write_atomic
from kb.passage_table import context_of
from kb.plan import Contains, Node
from kb.search import RERANK_DEPTH, TIME_BUDGET, TIMEOUT_NOTE, SearchCore
from kb.view import CONTAINS, EngineUnavailable, IndexView

RECHECK_SECONDS = 2.0  # how stale the alias and dictionaries a query sees may be


def unavailable(error: Exception, settings: OpenSearchSettings) -> EngineUnavailable:
    """The user's message for a failed request: unreachable, or what the cluster said."""
    from opensearchpy.exceptions import ConnectionError as OSConnectionError
    from opensearchpy.exceptions import TransportError

    if isinstance(error, TransportError) and not isinstance(error, OSConnectionError):
        return EngineUnavailable(
            f"检索服务器 OpenSearch（{settings.url}）返回错误 {error.status_code}："
            f"{error.error}。请联系管理员查看服务器日志。"
        )
    return EngineUnavailable(
        f"无法连接检索服务器 OpenSearch（{settings.url}）：{type(error).__name__}。"
        "请检查服务器是否在运行、地址是否正确。"
    )


def read_meta(client, settings: OpenSearchSettings) -> tuple[str, dict] | None:
    """(concrete index, kb's _meta) behind the alias, or None when there is no index yet."""
    from opensearchpy.exceptions import NotFoundError

    try:
        found = client.indices.get_mapping(index=settings.index)
    except NotFoundError:
        return None
    if len(found) != 1:
        raise EngineUnavailable(f"别名 {settings.index} 指向多个索引：{', '.join(found)}")
    name, body = next(iter(found.items()))
    return name, (body.get("mappings", {}).get("_meta") or {}).get("kb", {})


@dataclass
class _Loaded:
    """What one version of the index is searched with. ``stats`` caches term statistics
    (doc counts, document frequencies, keyword values) until the index is written again."""

    index: str
    digest: str
    segmenter: Segmenter
    written: int = 0
    stats: dict = field(default_factory=dict)
    checked: float = field(default_factory=time.monotonic)


class OpenSearchSearcher(SearchCore):
    """Answers queries from the cluster; safe to share across threads (the client is)."""

    def __init__(self, settings: OpenSearchSettings, state_dir: Path) -> None:
        self.settings = settings
        self.state_dir = Path(state_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        keep_table_in(self.state_dir)
        self.client = settings.client()
        self._lock = threading.Lock()
        self._loaded: _Loaded | None = None
        self._current()  # fail now, with a clear message, when there is nothing to search

    @property
    def segmenter(self) -> Segmenter:
        return self._current().segmenter

    def _current(self) -> _Loaded:
        with self._lock:
            loaded = self._loaded
            if loaded is not None and time.monotonic() - loaded.checked < RECHECK_SECONDS:
                return loaded
            try:
                found = read_meta(self.client, self.settings)
            except EngineUnavailable:
                raise
            except Exception as error:
                if loaded is not None:
                    return loaded  # keep answering; the query itself will say what is wrong
                raise unavailable(error, self.settings) from error
            if found is None:
                message = (
                    f"OpenSearch（{self.settings.url}）上没有索引 {self.settings.index}。"
                    "请先运行：kb index --backend opensearch --url 地址 文档文件夹"
                )
                # Gone while we were serving it: an outage for the pages, not a missing setup.
                raise IndexMissing(message) if loaded is None else EngineUnavailable(message)
            name, meta = found
            files = meta.get("dictionaries") or {}
            digest = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:16]
            if loaded is None or loaded.index != name or loaded.digest != digest:
                folder = self.state_dir / f"dict-{digest}"
                for file_name, text in files.items():
                    target = dictionary_path(folder, file_name)
                    if target is not None and not target.exists():
                        target.parent.mkdir(parents=True, exist_ok=True)
                        write_atomic(target, text.encode("utf-8"))
                segmenter = Segmenter(Dictionaries.load(folder), self.state_dir)
                loaded = _Loaded(name, digest, segmenter, meta.get("written", 0))
            elif loaded.written != meta.get("written", 0):
                loaded = _Loaded(name, digest, loaded.segmenter, meta.get("written", 0))
            else:
                loaded.checked = time.monotonic()
            self._loaded = loaded
            return loaded

    @contextmanager
    def _view(self) -> Iterator[IndexView]:
        loaded = self._current()
        try:
            yield _OpenSearchView(self.client, self.settings, loaded)
        except EngineUnavailable:
            raise
        except Exception as error:
            from opensearchpy.exceptions import TransportError

            if isinstance(error, TransportError):  # connection errors included
                raise unavailable(error, self.settings) from error
            raise

    def counts(self, visible: Node | None = None) -> tuple[int, int]:
        """(documents, passages), of those ``visible`` matches when given; documents are
        counted exactly up to 40,000, nearly so above."""
        self._current()
        docs = {"cardinality": {"field": "doc_id", "precision_threshold": 40_000}}
        body: dict = {"size": 0, "aggs": {"docs": docs}}
        if visible is not None:
            body["query"] = {"bool": {"filter": [to_dsl(visible)]}}
        try:
            found = self.client.search(index=self.settings.index, body=body, track_total_hits=True)
        except Exception as error:
            raise unavailable(error, self.settings) from error
        return found["aggregations"]["docs"]["value"], found["hits"]["total"]["value"]

    def close(self) -> None:
        self.client.close()


class _Candidates:
    """The columns of one query's candidates (kb.view.Columns); keys are their positions."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.doc_ids: list[str] = []
        self.furniture: list[bool] = []
        self.fingerprints: list[str] = []
        self.doc_types: list[str] = []
        self.dates: list[str] = []
        self.issuers: list[str] = []
        self.case_ids: list[str] = []
        self.facets: list[str] = []
        self.contexts: list[str] = []
        self.texts: list[str] = []

    def add(self, passage_id: str, source: dict) -> None:
        self.ids.append(passage_id)
        self.doc_ids.append(source.get("doc_id", ""))
        self.furniture.append(bool(source.get("heading") or source.get("meta")))
        self.fingerprints.append(source.get("fingerprint", ""))
        self.doc_types.append(source.get("doc_type", ""))
        self.dates.append(source.get("date", ""))
        self.issuers.append(source.get("issuer", ""))
        self.case_ids.append(source.get("case_id", ""))
        self.facets.append(facets_of(source))
        self.contexts.append("")  # read for the candidates re-ranked only
        self.texts.append("")


class _OpenSearchView:
    """One query's view of the cluster (see kb.view.IndexView). Statistics are asked once per
    query and term; BM25 statistics are the whole index's (dfs_query_then_fetch), as Whoosh's."""

    def __init__(self, client, settings: OpenSearchSettings, loaded: _Loaded) -> None:
        self.client = client
        self.settings = settings
        # The alias, not the index behind it: a rebuild deletes the old index right after
        # moving the alias, and a query must not fail in the seconds before we notice.
        self.index = settings.index
        self.segmenter = loaded.segmenter
        self.table = _Candidates()
        self._stats = loaded.stats  # shared by the queries of one version of the index
        self._sources: dict[str, dict] = {}

    def doc_count(self) -> int:
        if "count" not in self._stats:
            self._stats["count"] = self.client.count(index=self.index)["count"]
        return self._stats["count"]

    def prefetch(self, pairs: list[tuple[str, str]]) -> None:
        """Ask for the document frequencies of many (field, term) pairs in one request."""
        wanted = list(dict.fromkeys(p for p in pairs if p not in self._stats))
        if not wanted:
            return
        body: list[dict] = []
        for field_name, term in wanted:
            body.append({"index": self.index})
            if field_name == CONTAINS:
                query = to_dsl(Contains(term))
            else:
                query = {"term": {field_name: term}}
            body.append({"size": 0, "track_total_hits": True, "query": query})
        found = self.client.msearch(body=body)
        for pair, response in zip(wanted, found["responses"], strict=True):
            if "error" in response:
                raise RuntimeError(f"OpenSearch msearch: {response['error']}")
            self._stats[pair] = response["hits"]["total"]["value"]

    def doc_frequency(self, field: str, term: str) -> int:
        key = (field, term)
        if key not in self._stats:
            self.prefetch([key])
        return self._stats[key]

    def lexicon(self, field: str) -> list[str]:
        key = ("lexicon", field)
        if key not in self._stats:
            body = {"size": 0, "aggs": {"values": {"terms": {"field": field, "size": 10_000}}}}
            found = self.client.search(index=self.index, body=body)
            buckets = found["aggregations"]["values"]["buckets"]
            self._stats[key] = sorted(b["key"] for b in buckets)
        return self._stats[key]

    def run(
        self, query: Node, filter: Node | None, mask: Node | None, by_date: bool
    ) -> tuple[list[tuple[float, int]], str]:
        # Ties in the order Whoosh breaks them after a build: by file, then by passage.
        order: list[str | dict[str, str]] = (
            [{"date": "desc"}, {"ordinal": "asc"}, {"path": "asc"}]
            if by_date
            else ["_score", {"path": "asc"}, {"ordinal": "asc"}]
        )
        body = {
            "query": search_query(query, filter, mask),
            "size": self.settings.window,
            # Columns from doc values: the fetch phase then reads no stored _source, which for
            # thousands of candidates is most of the time.
            "_source": False,
            "stored_fields": "_none_",
            "docvalue_fields": ["passage_id", *CANDIDATE_FIELDS],
            "track_total_hits": True,
            "timeout": f"{TIME_BUDGET:g}s",
            "sort": order,
            "track_scores": True,
        }
        found = self.client.search(index=self.index, body=body, search_type="dfs_query_then_fetch")
        table = self.table = _Candidates()
        top: list[tuple[float, int]] = []
        for key, hit in enumerate(found["hits"]["hits"]):
            columns = {
                name: values if name in LIST_FIELDS else values[0]
                for name, values in hit.get("fields", {}).items()
                if values
            }
            table.add(columns["passage_id"], columns)
            # Sorted by date, Whoosh gives no scores: neither do we.
            top.append((0.0 if by_date else float(hit.get("_score") or 0.0), key))
        if not by_date and top:
            self._read_texts([key for _, key in top[:RERANK_DEPTH]])
        if found.get("timed_out"):
            return top, TIMEOUT_NOTE
        if found["hits"]["total"]["value"] > len(top):
            return top, (
                f"符合条件的段落太多，只对相关度最高的 {len(top)} 个做了排序和统计；"
                "请换用更具体的检索词或加上筛选条件。"
            )
        return top, ""

    def _read_texts(self, keys: list[int]) -> None:
        """Texts and headings of the candidates to re-rank; their whole sources are kept, as
        the page shown is nearly always among them."""
        table = self.table
        sources = self._fetch([table.ids[k] for k in keys])
        for key in keys:
            source = sources.get(table.ids[key]) or {}
            table.texts[key] = fold(source.get("text", ""))
            table.contexts[key] = context_of(source)

    def _fetch(self, ids: list[str]) -> dict[str, dict]:
        missing = [i for i in dict.fromkeys(ids) if i not in self._sources]
        if missing:
            found = self.client.mget(index=self.index, body={"ids": missing})
            for doc in found["docs"]:
                self._sources[doc["_id"]] = doc["_source"] if doc.get("found") else {}
        return {i: self._sources[i] for i in ids}

    def stored(self, keys: list[int]) -> dict[int, dict]:
        sources = self._fetch([self.table.ids[k] for k in keys])
        return {key: sources[self.table.ids[key]] for key in keys}

    def documents(self, field: str, value: str, filter: Node | None = None) -> list[dict]:
        query: dict = {"term": {field: value}}
        if filter is not None:
            query = {"bool": {"must": [query], "filter": [to_dsl(filter)]}}
        body = {
            "query": query,
            "size": self.settings.window,
            "sort": [{"ordinal": "asc"}],
        }
        found = self.client.search(index=self.index, body=body)
        return [hit["_source"] for hit in found["hits"]["hits"]]
