"""The OpenSearch engine: kb's search on an OpenSearch (or Elasticsearch-compatible) cluster.

Analysis stays kb's: passages arrive already folded and cut by jieba (``kb.analysis``), so the
cluster needs no Chinese plugin. See ``kb.engines.opensearch.mapping`` for the fields.
"""
