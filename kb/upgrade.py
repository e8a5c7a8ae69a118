"""Whether the live index was written by an older kb, whose format is behind this one's.

An update rebuilds such an index by itself (``indexer.store``: 索引格式已更新); this module
lets ``kb serve`` and ``kb search`` notice it beforehand, so the server can keep answering
from the old generation while it rebuilds, and ``kb search`` can say how to upgrade.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kb.schema import SCHEMA_VERSION

if TYPE_CHECKING:
    from kb.backend import Backend

UPGRADE_NOTICE = (
    "系统已升级，正在按新版本的格式重建索引；完成前的检索结果来自旧索引，可能不够完整。"
)


def format_behind(backend: Backend) -> str | None:
    """Why the live index needs rebuilding for this kb (in Chinese), or None when it does
    not (or there is no index yet). Raises EngineUnavailable for an unreachable cluster."""
    if backend.opensearch is None:
        from kb.indexdir import IndexDir

        current = IndexDir(backend.index).current()
        if current is None:
            return None
        found = current.read_meta().get("schema_version")
        return _said(found, SCHEMA_VERSION)
    from kb.engines.opensearch.mapping import MAPPING_VERSION
    from kb.engines.opensearch.searcher import read_meta, unavailable

    client = backend.opensearch.client()
    try:
        meta = read_meta(client, backend.opensearch)
    except Exception as error:
        raise unavailable(error, backend.opensearch) from error
    finally:
        client.close()
    if meta is None:
        return None
    stored = meta[1]
    return _said(
        (stored.get("schema_version"), stored.get("mapping_version")),
        (SCHEMA_VERSION, MAPPING_VERSION),
    )


def _said(found: object, wanted: object) -> str | None:
    if found == wanted:
        return None
    shown = _version(found)
    return f"索引由较早版本的 kb 建立（索引格式 {shown}，本版本为 {_version(wanted)}）"


def _version(value: object) -> str:
    if isinstance(value, tuple):
        return "/".join(_version(part) for part in value)
    return "未知" if value is None else str(value)
