"""kb: search over Chinese policy and meeting documents, passage by passage."""

from kb.results import CaseList, DocumentView, Hit, SearchResult
from kb.search import Searcher

__all__ = ["CaseList", "DocumentView", "Hit", "SearchResult", "Searcher"]
__version__ = "0.1.0"
