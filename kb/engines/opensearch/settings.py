"""Where the cluster is and how the index is laid out there; read from options or environment."""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass

URL_ENV = "KB_OPENSEARCH_URL"
INDEX_ENV = "KB_OPENSEARCH_INDEX"
SHARDS_ENV = "KB_OPENSEARCH_SHARDS"
REPLICAS_ENV = "KB_OPENSEARCH_REPLICAS"
CA_ENV = "KB_OPENSEARCH_CA"  # a CA bundle for clusters whose certificates a private CA signed
DEFAULT_INDEX = "kb"
# Candidates one query may collect (OpenSearch's max_result_window); a query matching more
# is ranked over the best this many by BM25, and the answer says so.
DEFAULT_WINDOW = 10_000


CLIENT_MISSING = (
    "没有安装 OpenSearch 客户端（opensearch-py），无法使用 OpenSearch 后端："
    '请运行 pip install "kb[opensearch]"（离线安装包：install.sh --with opensearch）。'
)


class SettingsError(ValueError):
    """A setting the user gave cannot be used; the message says which and why."""


@dataclass(frozen=True)
class OpenSearchSettings:
    url: str
    index: str = DEFAULT_INDEX  # the alias searches use; concrete indexes are named after it
    shards: int = 1
    replicas: int = 1
    window: int = DEFAULT_WINDOW
    timeout: float = 30.0  # seconds per request
    ca_certs: str = ""

    def __post_init__(self) -> None:
        for host in self.hosts:
            if not host.startswith(("http://", "https://")):
                raise SettingsError(f"OpenSearch 地址应以 http:// 或 https:// 开头：{host}")
        name = self.index
        if not name or name != name.lower() or any(c in name for c in ' "*\\<|,>/?#:'):
            raise SettingsError(f"OpenSearch 索引名只能用小写字母、数字和 - _ . ：{name}")
        if not 1 <= self.shards <= 1024:
            raise SettingsError(f"分片数应在 1 到 1024 之间：{self.shards}")
        if not 0 <= self.replicas <= 16:
            raise SettingsError(f"副本数应在 0 到 16 之间：{self.replicas}")

    @property
    def hosts(self) -> list[str]:
        """Several nodes may be given, separated by commas; requests go to any that answers."""
        return [u.strip().rstrip("/") for u in self.url.split(",") if u.strip()]

    @property
    def files_index(self) -> str:
        """The alias of the manifest index (one entry per source file)."""
        return f"{self.index}-files"

    @property
    def lock_index(self) -> str:
        return f"{self.index}-lock"

    @classmethod
    def from_env(
        cls,
        url: str | None = None,
        index: str | None = None,
        shards: int | None = None,
        replicas: int | None = None,
    ) -> OpenSearchSettings:
        """Options first, then $KB_OPENSEARCH_URL, _INDEX, _SHARDS, _REPLICAS (and _CA)."""
        if importlib.util.find_spec("opensearchpy") is None:  # an optional part of kb
            raise SettingsError(CLIENT_MISSING)
        url = url or os.environ.get(URL_ENV, "")
        if not url:
            raise SettingsError(f"请用 --url 或环境变量 {URL_ENV} 给出 OpenSearch 地址")
        try:
            return cls(
                url=url,
                index=index or os.environ.get(INDEX_ENV) or DEFAULT_INDEX,
                shards=shards if shards is not None else int(os.environ.get(SHARDS_ENV) or 1),
                replicas=(
                    replicas if replicas is not None else int(os.environ.get(REPLICAS_ENV) or 1)
                ),
                ca_certs=os.environ.get(CA_ENV, ""),
            )
        except ValueError as error:
            if isinstance(error, SettingsError):
                raise
            raise SettingsError(f"分片数和副本数应为整数：{error}") from error

    def client(self):
        """An opensearch-py client; retries on another node when one does not answer."""
        from opensearchpy import OpenSearch

        tls = {"ca_certs": self.ca_certs} if self.ca_certs else {}
        return OpenSearch(
            hosts=self.hosts,
            **tls,
            timeout=self.timeout,
            max_retries=2,
            retry_on_timeout=True,
            http_compress=False,
        )
