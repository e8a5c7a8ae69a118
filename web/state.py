"""What the views need from the running app, looked up at request time.

``web.app.create_app`` puts the searcher and the settings into ``app.extensions``; views and
helpers ask here (``searcher()``, ``settings()``), never ``web.app`` nor ``app.config`` for
kb's folders, so imports run one way: ``web.app`` -> ``web.views.*`` -> ``web.state``. This
module imports nothing of ``web``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app, g

from kb.access import ANONYMOUS, Viewer

if TYPE_CHECKING:
    from kb.search import SearchCore
    from kb.settings import Settings

SEARCHER = "kb.searcher"  # key in app.extensions: the SearchCore every request shares
SETTINGS = "kb.settings"  # key in app.extensions: the app's kb.settings.Settings
VIEWER = "kb.viewer"  # key in app.extensions: who makes the current request (web.accounts)


def viewer() -> Viewer:
    """Who makes the current request (kb.access), worked out once per request by the
    function ``web.accounts`` registers; anonymous when there is none."""
    if "kb_viewer" not in g:
        find = current_app.extensions.get(VIEWER)
        g.kb_viewer = find() if find is not None else ANONYMOUS
    return g.kb_viewer


def engine() -> SearchCore:
    """The searcher every request shares, unrestricted: for the index's state only (counts,
    damage), never for what a user reads."""
    return current_app.extensions[SEARCHER]


def searcher() -> SearchCore:
    """The searcher of the app handling the current request, as the current viewer sees the
    index: every search, case list, document page and export a view makes through it shows
    only what the viewer may see (``kb.access``, enforced in the engine's query)."""
    return engine().for_viewer(viewer())


def settings() -> Settings:
    """The settings of the app handling the current request (index, corpus, dictionaries,
    instance)."""
    return current_app.extensions[SETTINGS]
