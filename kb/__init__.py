"""kb: search over Chinese policy and meeting documents, passage by passage.

The names below are loaded on first use (PEP 562), so that importing a light module such
as ``kb.model`` or ``kb.numbering`` does not load Whoosh and jieba."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kb.engines.whoosh.searcher import Searcher
    from kb.results import (
        CaseList,
        CaseRecord,
        DocumentView,
        Hit,
        RequirementRecord,
        SearchResult,
    )

__all__ = [
    "CaseList",
    "CaseRecord",
    "DocumentView",
    "Hit",
    "RequirementRecord",
    "SearchResult",
    "Searcher",
]
__version__ = "0.1.0"

_HOMES = {
    "CaseList": "kb.results",
    "CaseRecord": "kb.results",
    "DocumentView": "kb.results",
    "Hit": "kb.results",
    "RequirementRecord": "kb.results",
    "SearchResult": "kb.results",
    "Searcher": "kb.engines.whoosh.searcher",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'kb' has no attribute {name!r}")
