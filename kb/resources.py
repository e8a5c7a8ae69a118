"""Where kb's own data lives: the default dictionaries and the sample documents.

The one place that knows the layout of an installation; every other module asks here
instead of computing paths from its own ``__file__``. Both layouts are found through
``importlib.resources``:

- installed (a wheel): the data is package data in ``kb/_corpus/`` (``setup.py`` copies the
  checkout's ``corpus/dict`` and ``corpus/docs`` there when the wheel is built);
- a checkout (``python3 dev.py``, an editable install): ``corpus/`` beside the packages, where
  admins and newcomers read and edit it.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

PACKAGED_DATA = "_corpus"  # the folder inside the kb package a wheel carries (setup.py)


def _package_folder() -> Path:
    folder = files("kb")
    if not isinstance(folder, Path):  # a zip import: dictionaries must be real files
        raise RuntimeError("kb must be installed as files (pip install), not imported from a zip")
    return folder


PACKAGE = _package_folder()
_PACKAGED = PACKAGE / PACKAGED_DATA
# The checkout kb runs from, or None when kb is installed from a wheel.
CHECKOUT: Path | None = (
    None
    if _PACKAGED.is_dir() or not (PACKAGE.parent / "pyproject.toml").is_file()
    else PACKAGE.parent
)
# Where kb's code lives (the checkout, or site-packages): no instance folder belongs there.
CODE_HOME = CHECKOUT or PACKAGE.parent
DATA = _PACKAGED if CHECKOUT is None else CHECKOUT / "corpus"
DEFAULT_DICT = DATA / "dict"  # dictionaries and rules an admin extends
DEFAULT_DOCS = DATA / "docs"  # the sample documents


def in_source_tree() -> bool:
    """Whether kb runs from a checkout of its sources (not an installed package)."""
    return CHECKOUT is not None
