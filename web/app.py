"""The application factory: one Searcher shared by the pages and the JSON API.

Runs offline: every asset is served from web/static, pages make no request elsewhere, and the
Content-Security-Policy says so to the browser.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from kb.search import Searcher

log = logging.getLogger("kb.web")

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def create_app(settings: dict | None = None) -> Flask:
    """Build the app. Settings: ``INDEX`` (index folder, required), ``PAGE_SIZE`` (10)."""
    app = Flask(__name__)
    app.config.update(PAGE_SIZE=10, JSON_AS_ASCII=False)
    app.config.update(settings or {})
    app.json.ensure_ascii = False
    app.extensions["kb.searcher"] = Searcher(Path(app.config["INDEX"]))

    from web.views import api, basket, cases, docs, search

    for module in (search, docs, cases, basket, api):
        app.register_blueprint(module.blueprint)

    @app.after_request
    def secure(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return _error_response(error.code or 500, _MESSAGES.get(error.code or 500, error.name))

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _error_response(500, _MESSAGES[500])

    return app


_MESSAGES = {
    400: "请求有误，请检查后重试。",
    404: "没有找到这个页面或文件。",
    405: "不支持这种请求方式。",
    413: "提交的内容太大。",
    500: "服务器出了点问题，已记录在日志中，请稍后再试。",
}


def _error_response(code: int, message: str):
    if request.path.startswith("/api/"):
        return jsonify({"error": {"code": code, "message": message}}), code
    return render_template("error.html", code=code, message=message), code


def searcher() -> Searcher:
    from flask import current_app

    return current_app.extensions["kb.searcher"]
