"""The application factory: one Searcher shared by the pages and the JSON API.

Runs offline: every asset is served from web/static, pages make no request elsewhere, and the
Content-Security-Policy says so to the browser.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, jsonify, render_template, request
from flask.json.provider import DefaultJSONProvider
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from kb.dates import written_years
from kb.integrity import IndexDamaged
from kb.numbering import case_heading, numbered
from kb.search import SearchCore
from kb.settings import Settings
from kb.view import EngineUnavailable
from web.state import SEARCHER, SETTINGS  # views ask web.state: web.app -> web.views one-way

log = logging.getLogger("kb.web")

# The keys of a settings mapping that belong to kb (kb.settings.Settings), not to Flask.
_KB_KEYS = frozenset({"INDEX", "BACKEND", "CORPUS", "DICT", "INSTANCE", "SEARCHER"})


class _PrefixedSession(SecureCookieSessionInterface):
    """The session cookie belongs to kb's path: under a reverse proxy's prefix (``/kb``) it is
    not sent to, or overwritten by, other applications on the same host; reached over HTTPS
    (directly, or through a proxy kb trusts) it is never sent over plain HTTP."""

    def get_cookie_path(self, app: Flask) -> str:
        return app.config["SESSION_COOKIE_PATH"] or (request.script_root + "/")

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


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


def create_app(
    settings: Settings | Mapping[str, Any],
    *,
    searcher: SearchCore | None = None,
    config: Mapping[str, Any] | None = None,
) -> Flask:
    """Build the app over ``settings`` (a ``kb.settings.Settings``; see there) and ``searcher``
    (one already opened on its backend; default: opened here). ``config`` is Flask's own:
    ``PAGE_SIZE`` (10), ``UPLOAD_MAX_FILES``, ``SESSION_COOKIE_SECURE`` when served over HTTPS…

    A mapping instead of ``Settings`` (tests, scripts) holds both: ``INDEX`` or ``BACKEND``,
    ``CORPUS``, ``DICT``, ``INSTANCE`` and ``SEARCHER`` for kb, the rest for Flask."""
    flask_config = dict(config or {})
    if not isinstance(settings, Settings):
        given = dict(settings)
        searcher = searcher or given.pop("SEARCHER", None)
        flask_config.update({k: v for k, v in given.items() if k not in _KB_KEYS})
        settings = Settings.from_mapping(given)
    elif settings.instance is None:
        settings = settings.with_instance()
    app = Flask(__name__)
    app.session_interface = _PrefixedSession()
    app.config.update(
        PAGE_SIZE=10,
        JSON_AS_ASCII=False,
        MAX_CONTENT_LENGTH=50 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=False,
        WTF_CSRF_TIME_LIMIT=12 * 3600,  # a 收集夹 page may stay open for a working day
    )
    app.config.update(flask_config)
    assert isinstance(app.json, DefaultJSONProvider)
    # Print pages number headings as the Word exports do (一、 （一）), from the one owner.
    app.jinja_env.globals["numbered"] = numbered
    app.jinja_env.globals["case_heading"] = case_heading
    app.jinja_env.filters["written_years"] = written_years
    app.json.ensure_ascii = False
    app.extensions[SETTINGS] = settings
    app.extensions[SEARCHER] = searcher or settings.backend.open_searcher()

    from web.auth import ensure_private_folder, secret_key

    instance = ensure_private_folder(settings.instance_dir)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(instance)
    CSRFProtect(app)  # every POST of every page needs the token

    from web import accounts as account_store
    from web import audit
    from web.state import viewer
    from web.views import (
        accounts,
        admin,
        api,
        basket,
        casepack,
        cases,
        doc_meta,
        docs,
        draft,
        requirements,
        search,
    )

    for module in (
        accounts,
        search,
        docs,
        cases,
        basket,
        api,
        admin,
        doc_meta,
        requirements,
        draft,
        casepack,
    ):
        app.register_blueprint(module.blueprint)
    admin.init_app(app)
    account_store.init_app(app)  # who makes each request (kb.access), anonymous search
    audit.init_app(app)  # 留痕
    app.jinja_env.globals["current_viewer"] = viewer

    @app.get("/print-fonts.css", endpoint="print_fonts")
    def print_fonts():
        """The 公文 fonts of the print pages, from the module the Word exports read."""
        from web.exports.fonts import stylesheet

        response = app.response_class(stylesheet(), mimetype="text/css")
        response.cache_control.max_age = 3600
        return response

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
