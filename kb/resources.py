"""Where kb's own data lives: the default dictionaries and the sample documents.

The one place that knows the layout of an installation; every other module asks here
instead of computing paths from its own ``__file__``.
"""

from __future__ import annotations

from pathlib import Path

SOURCE_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DICT = SOURCE_ROOT / "corpus" / "dict"  # dictionaries and rules an admin extends
DEFAULT_DOCS = SOURCE_ROOT / "corpus" / "docs"  # the sample documents


def in_source_tree() -> bool:
    """Whether kb runs from a checkout of its sources (not an installed package)."""
    return (SOURCE_ROOT / "pyproject.toml").is_file()
