"""The version of kb's index layout: bumped when what is stored for a passage, or the way
text becomes tokens, changes, so that every engine's index is rebuilt (indexer.store,
indexer.opensearch_store). Whoosh's schema itself is ``kb.engines.whoosh.schema``."""

from __future__ import annotations

# Bump when the schema or the way text becomes tokens changes.
# 10: 六.其他事宜 is a level-one heading (kb.numbering)
# 11: year and ordinal indexed as one term each (shift_step=0); passages carry ``ocr`` (the
#     document was read by OCR) and the first one ``notes`` (how the file was read), so a
#     document's page can say so
# 12: requirement clauses: headings of sub-items, purpose/definition/closing articles and list
#     lead-ins are no longer stored as clauses; 禁止 false friends (kb.requirements, issue 16)
# 13: passages carry ``access``, who may see them (kb.access)
SCHEMA_VERSION = 13
