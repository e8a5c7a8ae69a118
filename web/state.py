"""What the views need from the running app, looked up at request time.

``web.app.create_app`` puts the searcher and the settings into ``app.extensions``; views and
helpers ask here (``searcher()``, ``settings()``), never ``web.app`` nor ``app.config`` for
kb's folders, so imports run one way: ``web.app`` -> ``web.views.*`` -> ``web.state``. This
module imports nothing of ``web``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:
    from kb.search import SearchCore
    from kb.settings import Settings

SEARCHER = "kb.searcher"  # key in app.extensions: the SearchCore every request shares
SETTINGS = "kb.settings"  # key in app.extensions: the app's kb.settings.Settings


def searcher() -> SearchCore:
    """The searcher of the app handling the current request."""
    return current_app.extensions[SEARCHER]


def settings() -> Settings:
    """The settings of the app handling the current request (index, corpus, dictionaries,
    instance)."""
    return current_app.extensions[SETTINGS]
