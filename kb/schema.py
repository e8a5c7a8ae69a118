"""The version of kb's index layout: bumped when what is stored for a passage, or the way
text becomes tokens, changes, so that every engine's index is rebuilt (indexer.store,
indexer.opensearch_store). Whoosh's schema itself is ``kb.engines.whoosh.schema``."""

from __future__ import annotations

# Bump when the schema or the way text becomes tokens changes.
SCHEMA_VERSION = 11  # 11: year and ordinal indexed as one term each (shift_step=0)
