"""What the views need from the running app, looked up at request time.

``web.app.create_app`` puts the searcher into ``app.extensions``; views and helpers ask here
(``searcher()``), never ``web.app``, so imports run one way: ``web.app`` -> ``web.views.*``
-> ``web.state``. This module imports nothing of ``web``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:
    from kb.search import SearchCore

SEARCHER = "kb.searcher"  # key in app.extensions: the SearchCore every request shares


def searcher() -> SearchCore:
    """The searcher of the app handling the current request."""
    return current_app.extensions[SEARCHER]
