"""Serving the app with waitress (not Flask's development server): an access log, a rotating
log file in the instance folder, and what a reverse proxy in front of kb needs (a URL prefix,
werkzeug's ProxyFix for the X-Forwarded-* headers of a given number of proxies)."""

from __future__ import annotations

import logging
import logging.handlers
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from kb.settings import DEFAULT_THREADS, Server

log = logging.getLogger("kb.access")

THREADS = DEFAULT_THREADS
LOG_FILE = "kb.log"
LOG_BYTES = 5 * 1024 * 1024  # one log file; LOG_BACKUPS older ones are kept beside it
LOG_BACKUPS = 5
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class AccessLog:
    """WSGI middleware: one log line per request — method, path, status, milliseconds."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        status_holder: list[str] = []

        def recording_start_response(status: str, headers, exc_info=None):
            status_holder.append(status)
            return start_response(status, headers, exc_info)

        try:
            return self.app(environ, recording_start_response)
        finally:
            path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
            if environ.get("QUERY_STRING"):
                path += "?" + environ["QUERY_STRING"]
            log.info(
                "%s %s %s %.0fms",
                environ.get("REQUEST_METHOD", "-"),
                path,
                (status_holder[0].split(" ", 1)[0] if status_holder else "-"),
                (time.perf_counter() - started) * 1000,
            )


class Prefixed:
    """WSGI middleware: the app answers under ``prefix`` (``/kb``), as a reverse proxy that
    passes the path on unchanged publishes it; Flask then writes every link with the prefix.
    The bare root redirects there; any other path outside it is not kb's (404)."""

    def __init__(self, app: Callable, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == self.prefix or path.startswith(self.prefix + "/"):
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + self.prefix
            environ["PATH_INFO"] = path[len(self.prefix) :]
            return self.app(environ, start_response)
        root = environ.get("SCRIPT_NAME", "") + self.prefix + "/"
        if path in ("", "/"):
            start_response("302 Found", [("Location", root), ("Content-Length", "0")])
            return [b""]
        body = f"kb 的网页在 {root} 之下。".encode()
        headers = [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
        ]
        start_response("404 Not Found", headers)
        return [body]


def wsgi(app, server: Server) -> Callable:
    """The WSGI application waitress runs: the Flask ``app`` under ``server.prefix``, behind
    ProxyFix when ``server.proxies`` proxies set X-Forwarded-For/Proto/Host/Prefix (trusted
    only then: without a proxy anybody could set them), with one access-log line a request."""
    handler: Callable = app.wsgi_app
    if server.prefix:
        handler = Prefixed(handler, server.prefix)
    if server.proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = server.proxies
        handler = ProxyFix(handler, x_for=n, x_proto=n, x_host=n, x_port=n, x_prefix=n)
    return AccessLog(handler)


def log_to_file(folder: Path) -> logging.Handler:
    """Everything kb logs (requests, errors with their tracebacks) also goes to
    ``folder/kb.log``, rotated at LOG_BYTES with LOG_BACKUPS old files kept."""
    folder.mkdir(parents=True, exist_ok=True)
    target = str(folder / LOG_FILE)
    root = logging.getLogger()
    for existing in root.handlers:
        if getattr(existing, "baseFilename", None) == target:
            return existing
    handler = logging.handlers.RotatingFileHandler(
        target, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    return handler


def serve(app, server: Server, log_folder: Path | None = None) -> None:
    """Serve ``app`` until stopped; logs to the console and, given ``log_folder``, a file."""
    from waitress import serve as waitress_serve  # type: ignore[import-untyped]

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if log_folder is not None:
        log_to_file(log_folder)
    waitress_serve(
        wsgi(app, server), host=server.host, port=server.port, threads=server.threads, ident="kb"
    )
