"""The application factory: one Searcher shared by the pages and the JSON API.

Runs offline: every asset is served from web/static, pages make no request elsewhere, and the
Content-Security-Policy says so to the browser.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, jsonify, render_template, request
from flask.json.provider import DefaultJSONProvider
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from kb.backend import Backend
from kb.integrity import IndexDamaged
from kb.numbering import numbered
from kb.view import EngineUnavailable
from web.state import SEARCHER  # views ask web.state too: web.app -> web.views is one-way

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
    """Build the app. Settings: ``INDEX`` (index folder, required), ``PAGE_SIZE`` (10);
    ``BACKEND`` (a kb.backend.Backend; default Whoosh in ``INDEX``) and ``SEARCHER`` (one
    already opened on it);
    for the admin area ``CORPUS`` (the documents folder uploads go to), ``DICT`` (dictionary
    folder for updates) and ``INSTANCE`` (password, secret key, reports; default
    ``<INDEX>/../instance``); ``SESSION_COOKIE_SECURE`` when served over HTTPS."""
    app = Flask(__name__)
    app.config.update(
        PAGE_SIZE=10,
        JSON_AS_ASCII=False,
        MAX_CONTENT_LENGTH=50 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=False,
        WTF_CSRF_TIME_LIMIT=12 * 3600,  # a 收集夹 page may stay open for a working day
    )
    app.config.update(settings or {})
    assert isinstance(app.json, DefaultJSONProvider)
    # Print pages number headings as the Word exports do (一、 （一）), from the one owner.
    app.jinja_env.globals["numbered"] = numbered
    app.json.ensure_ascii = False
    backend = app.config.get("BACKEND") or Backend(Path(app.config["INDEX"]))
    app.config["BACKEND"] = backend
    app.extensions[SEARCHER] = app.config.pop("SEARCHER", None) or backend.open_searcher()

    from web.auth import ensure_private_folder, instance_folder, secret_key

    instance = instance_folder(app.config.get("INSTANCE"), app.config["INDEX"])
    app.config["INSTANCE"] = str(ensure_private_folder(instance))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(instance)
    CSRFProtect(app)  # every POST of every page needs the token

    from web.views import admin, api, basket, casepack, cases, docs, draft, requirements, search

    for module in (search, docs, cases, basket, api, admin, requirements, draft, casepack):
        app.register_blueprint(module.blueprint)
    admin.init_app(app)

    @app.after_request
    def secure(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        log.log(
            logging.INFO if code == 404 else logging.WARNING,
            "%s %s: %s %s",
            request.method,
            request.path,
            code,
            error.description,
        )
        if isinstance(error, CSRFError):
            return _error_response(code, CSRF_MESSAGE)
        message = _MESSAGES.get(code, error.name)
        if code == 413 and app.config.get("MAX_CONTENT_LENGTH"):
            message += f"一次最多 {app.config['MAX_CONTENT_LENGTH'] // (1024 * 1024)} MB。"
        return _error_response(code, message)

    @app.errorhandler(IndexDamaged)
    def index_damaged(error: IndexDamaged):
        log.error("damaged index on %s %s: %s", request.method, request.path, error)
        return _error_response(503, str(error))

    @app.errorhandler(EngineUnavailable)
    def engine_unavailable(error: EngineUnavailable):
        log.error("search engine unavailable on %s %s: %s", request.method, request.path, error)
        return _error_response(503, str(error))

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _error_response(500, _MESSAGES[500])

    return app


_MESSAGES = {
    400: "请求有误，请检查后重试。",
    401: "请先登录文件管理。",
    403: "没有权限进行这项操作。",
    404: "没有找到这个页面或文件。",
    405: "不支持这种请求方式。",
    413: "提交的内容太大。",
    429: "尝试次数太多，请等一分钟后再试。",
    500: "服务器出了点问题，已记录在日志中，请稍后再试。",
}


CSRF_MESSAGE = "页面已过期或缺少安全校验，请刷新页面后重试。"


def _error_response(code: int, message: str):
    if request.path.startswith("/api/"):
        return jsonify({"error": {"code": code, "message": message}}), code
    return render_template("error.html", code=code, message=message), code
