"""Serving the app with waitress (not Flask's development server), with an access log."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

log = logging.getLogger("kb.access")

THREADS = 8


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
            path = environ.get("PATH_INFO", "")
            if environ.get("QUERY_STRING"):
                path += "?" + environ["QUERY_STRING"]
            log.info(
                "%s %s %s %.0fms",
                environ.get("REQUEST_METHOD", "-"),
                path,
                (status_holder[0].split(" ", 1)[0] if status_holder else "-"),
                (time.perf_counter() - started) * 1000,
            )


def serve(app, host: str, port: int, threads: int = THREADS) -> None:
    from waitress import serve as waitress_serve  # type: ignore[import-untyped]

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    waitress_serve(AccessLog(app.wsgi_app), host=host, port=port, threads=threads, ident="kb")
