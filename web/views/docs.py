"""A document to read: its outline, every passage with an anchor, the original file."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Blueprint, abort, render_template, request, send_file

from kb.contents import table_of_contents
from kb.filenames import readable
from web.paths import shown_path
from web.state import searcher, settings
from web.views.params import MAX_QUERY

blueprint = Blueprint("docs", __name__)


def _document_or_404(doc_id: str):
    if not doc_id.isalnum() or len(doc_id) > 64:
        abort(404)
    view = searcher().document(doc_id)
    if view is None:
        abort(404)
    return view


@blueprint.get("/doc/<doc_id>")
def document_page(doc_id: str):
    view = _document_or_404(doc_id)
    try:
        highlighted = int(request.args.get("p", ""))
    except ValueError:
        highlighted = -1
    outline = table_of_contents(view.passages)
    return render_template(
        "doc.html",
        doc=view,
        outline=outline,
        highlighted=highlighted,
        query=(request.args.get("q") or "")[:MAX_QUERY],
        shown_path=shown_path(view.path, settings().corpus),
        has_original=Path(view.source).is_file(),
    )


@blueprint.get("/doc/<doc_id>/original")
def original(doc_id: str):
    # The path comes from the index, never from the URL, so it cannot point elsewhere.
    view = _document_or_404(doc_id)
    source = Path(view.source)
    try:
        stream = open(source, "rb")  # noqa: SIM115 (the response closes it)
        status = os.fstat(stream.fileno())
    except OSError:
        abort(404)
    # An open file, not the path: Werkzeug derives the ETag from the path's UTF-8 bytes,
    # which a name in GBK (undecodable, held as surrogates) does not have.
    return send_file(
        stream,
        as_attachment=True,
        download_name=readable(source.name),
        last_modified=status.st_mtime,
        etag=f"{status.st_size}-{status.st_mtime_ns}",
    )
