"""The JSON API: the same answers as the pages and as `kb search --json`, except that paths
are shown relative to the served corpus folder (web.paths), never as the server has them."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, abort, current_app, jsonify, request

from web.openapi import openapi_document
from web.paths import public_paths
from web.state import searcher
from web.views.cases import case_query
from web.views.params import parse_search_params

blueprint = Blueprint("api", __name__, url_prefix="/api")


@blueprint.get("/search")
def api_search():
    params = parse_search_params(request, current_app.config["PAGE_SIZE"])
    result = searcher().search(
        params.q,
        limit=params.per_page,
        offset=params.offset,
        sort=params.sort,
        filters=params.filters,
    )
    return jsonify(public_paths(result.as_dict()))


@blueprint.get("/docs/<doc_id>")
def api_document(doc_id: str):
    view = searcher().document(doc_id) if doc_id.isalnum() and len(doc_id) <= 64 else None
    if view is None:
        abort(404)
    shown = asdict(view)
    del shown["source"]  # a server path is nobody's business
    return jsonify(public_paths(shown))


@blueprint.get("/cases")
def api_cases():
    wanted = case_query(request.args)
    params = parse_search_params(request, current_app.config["PAGE_SIZE"])
    found = searcher().cases(**wanted, limit=params.per_page, offset=params.offset)
    return jsonify(public_paths({"total": found.total, "notes": found.notes, **found.as_dict()}))


@blueprint.get("/openapi.json")
def api_openapi():
    # Where the API answers as the client reached it (through a proxy: its scheme, host, prefix).
    return jsonify({**openapi_document(), "servers": [{"url": request.url_root.rstrip("/")}]})
