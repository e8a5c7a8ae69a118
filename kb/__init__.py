"""kb: search over Chinese policy and meeting documents, passage by passage."""

from kb.search import Hit, Searcher, SearchResult

__all__ = ["Hit", "SearchResult", "Searcher"]
__version__ = "0.1.0"
