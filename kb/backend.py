"""Which engine holds the index: embedded Whoosh (the default) or an OpenSearch cluster.

One ``Backend`` value travels from the command line (or the environment) to everything that
reads or writes the index, so the web app, ``kb search`` and ``kb index`` agree on it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kb.engines.opensearch.settings import OpenSearchSettings, SettingsError
from kb.search import SearchCore

BACKEND_ENV = "KB_BACKEND"
BACKENDS = ("whoosh", "opensearch")


@dataclass(frozen=True)
class Backend:
    """``index`` is the Whoosh index folder; with OpenSearch it keeps this machine's state
    (jieba's cache, the dictionaries read from the cluster, the admin instance folder)."""

    index: Path
    opensearch: OpenSearchSettings | None = None

    @property
    def name(self) -> str:
        return "opensearch" if self.opensearch else "whoosh"

    @classmethod
    def choose(
        cls,
        index: Path,
        name: str | None = None,
        url: str | None = None,
        os_index: str | None = None,
        shards: int | None = None,
        replicas: int | None = None,
    ) -> Backend:
        """From options, then $KB_BACKEND (and $KB_OPENSEARCH_*); raises SettingsError."""
        name = (name or os.environ.get(BACKEND_ENV) or "whoosh").strip().lower()
        if name not in BACKENDS:
            raise SettingsError(f"未知的检索后端：{name}（可选：{'、'.join(BACKENDS)}）")
        if name == "whoosh":
            return cls(Path(index))
        settings = OpenSearchSettings.from_env(url, os_index, shards, replicas)
        return cls(Path(index), settings)

    def describe(self) -> str:
        if self.opensearch:
            return f"OpenSearch {self.opensearch.url} 索引 {self.opensearch.index}"
        return f"索引目录 {self.index}"

    def has_index(self) -> bool:
        if self.opensearch is None:
            from kb.indexdir import IndexDir

            return IndexDir(self.index).current() is not None
        from kb.engines.opensearch.searcher import read_meta, unavailable

        client = self.opensearch.client()
        try:
            return read_meta(client, self.opensearch) is not None
        except Exception as error:
            raise unavailable(error, self.opensearch) from error
        finally:
            client.close()

    def open_searcher(self) -> SearchCore:
        """Raises IndexMissing (nothing indexed yet) or EngineUnavailable."""
        if self.opensearch is None:
            from kb.engines.whoosh.searcher import Searcher

            return Searcher(self.index)
        from kb.engines.opensearch.searcher import OpenSearchSearcher

        return OpenSearchSearcher(self.opensearch, self.index / "opensearch")
