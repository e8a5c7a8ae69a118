"""kb serve as a service (issue 17, item 4): behind a reverse proxy every link it writes
carries the proxy's scheme, host and path prefix (werkzeug's ProxyFix, trusted only when
asked), it can answer under a prefix itself, and it logs requests and errors to a rotating
file in the instance folder."""

from __future__ import annotations

import io
import logging
import logging.handlers
import re
import shlex
import urllib.parse
from pathlib import Path

import pytest
from werkzeug.test import Client

from kb import cli
from kb.resources import CHECKOUT
from kb.search import RestrictedSearch
from kb.settings import Server
from web import create_app
from web.auth import set_password
from web.serve import LOG_BACKUPS, LOG_BYTES, LOG_FILE, log_to_file, wsgi
from web.state import SEARCHER

PROXY = {
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "kb.example.gov.cn",
    "X-Forwarded-Prefix": "/kb",
    "X-Forwarded-For": "10.1.2.3",
}
QUERY = "/?q=" + urllib.parse.quote("违规吃喝")


@pytest.fixture
def app(corpus_index, tmp_path):
    instance = tmp_path / "instance"
    set_password(instance, "很长很长的管理密码")
    return create_app({"INDEX": str(corpus_index), "INSTANCE": str(instance)})


def _text(response) -> str:
    return response.get_data(as_text=True)


def _links(page: str) -> list[str]:
    return re.findall(r'(?:href|src|action|formaction)="([^"#]*)', page)


def test_behind_a_proxy_every_link_carries_its_scheme_host_and_prefix(app):
    client = Client(wsgi(app, Server(proxies=1)))
    page = _text(client.get(QUERY, headers=PROXY))
    assert 'href="/kb/static/kb.css"' in page
    local = [link for link in _links(page) if link.startswith("/")]
    assert local and all(link.startswith("/kb/") for link in local), local
    assert any(link.startswith("/kb/doc/") for link in local)

    api = client.get("/api/openapi.json", headers=PROXY).get_json()
    assert api["servers"] == [{"url": "https://kb.example.gov.cn/kb"}]
    listed = client.get("/api/requirements?limit=3", headers=PROXY).get_json()
    assert listed["items"] and all(i["link"].startswith("/kb/doc/") for i in listed["items"])
    draft = _text(client.get("/draft", headers=PROXY))
    assert 'data-requirements-api="/kb/api/requirements"' in draft

    # The admin area's login redirect (the login itself: below, as a browser sees the paths).
    login = client.get("/admin/", headers=PROXY)
    assert login.status_code == 302
    assert login.headers["Location"].startswith("/kb/admin/login?next=")


def test_without_proxy_fix_forwarded_headers_are_not_believed(app):
    client = Client(wsgi(app, Server()))
    page = _text(client.get(QUERY, headers=PROXY))
    assert 'href="/static/kb.css"' in page and "/kb/" not in page
    cookies = client.get("/admin/login", headers=PROXY).headers.getlist("Set-Cookie")
    assert cookies and not any("Secure" in c for c in cookies)  # plain HTTP as far as kb knows
    api = client.get("/api/openapi.json", headers=PROXY).get_json()
    assert api["servers"] == [{"url": "http://localhost"}]


def test_kb_answers_under_its_own_prefix(app):
    client = Client(wsgi(app, Server(prefix="/kb")))
    page = client.get("/kb" + QUERY)
    assert page.status_code == 200 and 'href="/kb/static/kb.css"' in _text(page)
    assert client.get("/kb/static/kb.css").status_code == 200
    root = client.get("/")
    assert root.status_code == 302 and root.headers["Location"] == "/kb/"
    outside = client.get("/other")
    assert outside.status_code == 404 and "kb 的网页在 /kb/ 之下" in _text(outside)
    # With a proxy in front that passes the path unchanged: its scheme and host, kb's prefix.
    behind = Client(wsgi(app, Server(prefix="/kb", proxies=1)))
    headers = {k: v for k, v in PROXY.items() if k != "X-Forwarded-Prefix"}
    api = behind.get("/kb/api/openapi.json", headers=headers).get_json()
    assert api["servers"] == [{"url": "https://kb.example.gov.cn/kb"}]

    # Logging in: redirects and cookies stay under /kb, so other sites on the host never
    # receive or overwrite kb's session; the session then holds.
    login = behind.get("/kb/admin/", headers=headers)
    assert login.status_code == 302
    assert login.headers["Location"].startswith("/kb/admin/login?next=")
    form = _text(behind.get("/kb/admin/login?next=/admin/", headers=headers))
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None
    answer = behind.post(
        "/kb/admin/login",
        data={"csrf_token": token.group(1), "password": "很长很长的管理密码", "next": "/admin/"},
        headers={**headers, "Referer": "https://kb.example.gov.cn/kb/admin/login"},
    )
    assert answer.status_code == 303 and answer.headers["Location"] == "/kb/admin/"
    cookies = answer.headers.getlist("Set-Cookie")
    assert any(c.startswith("kb_admin_device=") and "Path=/kb/admin" in c for c in cookies)
    assert any(c.startswith("session=") and "Path=/kb/;" in c for c in cookies), cookies
    assert all("; Secure" in c for c in cookies)  # the proxy said https
    assert behind.get("/kb/admin/", headers=headers).status_code == 200


def test_requests_and_errors_go_to_the_rotating_log_in_the_instance_folder(
    app, tmp_path, monkeypatch
):
    folder = tmp_path / "instance" / "logs"
    handler = log_to_file(folder)
    try:
        assert log_to_file(folder) is handler  # one handler however often kb serve starts
        assert isinstance(handler, logging.handlers.RotatingFileHandler)
        assert (handler.maxBytes, handler.backupCount) == (LOG_BYTES, LOG_BACKUPS)
        searcher = app.extensions[SEARCHER]

        def broken(*_args):
            raise RuntimeError("磁盘读取失败")

        # The page reads through the searcher as the request's viewer sees the index (an
        # anonymous visitor's RestrictedSearch, kb.access), or the engine's own for the admin.
        monkeypatch.setattr(searcher, "document", broken)
        monkeypatch.setattr(RestrictedSearch, "document", broken)
        client = Client(wsgi(app, Server(prefix="/kb")))
        assert client.get("/kb" + QUERY).status_code == 200
        failed = client.get("/kb/doc/abc123")
        assert failed.status_code == 500 and "服务器出了点问题" in _text(failed)
        handler.flush()
        log = (folder / LOG_FILE).read_text(encoding="utf-8")
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    assert re.search(r"INFO kb\.access GET /kb/\?q=%E8%BF%9D\S* 200 \d+ms", log)
    assert "ERROR kb.web unhandled error on GET /doc/abc123" in log
    assert "Traceback" in log and "RuntimeError: 磁盘读取失败" in log
    assert re.search(r"kb\.access GET /kb/doc/abc123 500", log)


def test_the_systemd_unit_starts_kb_serve_on_its_instance_folder(tmp_path, monkeypatch):
    assert CHECKOUT is not None
    unit = (CHECKOUT / "deploy" / "kb.service").read_text(encoding="utf-8")
    lines = dict(line.split("=", 1) for line in unit.splitlines() if "=" in line and line[0] != "#")
    variable, folder = lines["Environment"].split("=", 1)
    assert variable == "KB_INSTANCE" and Path(folder).is_absolute()
    program, *arguments = shlex.split(lines["ExecStart"])
    assert Path(program).name == "kb"
    assert arguments == ["serve", "--instance", "${KB_INSTANCE}"]
    assert lines["Restart"] == "on-failure" and lines["WantedBy"] == "multi-user.target"

    # The command it runs, on an instance folder made by kb init, is what kb serve reads.
    site = tmp_path / "site"
    monkeypatch.setattr("sys.stdin", io.StringIO())
    assert cli.main(["init", str(site), "--no-password"]) == 0
    started = cli.parse_args([a.replace("${KB_INSTANCE}", str(site)) for a in arguments])
    assert started.settings.instance == site and started.settings.index == site.resolve() / "index"
    assert started.server == Server()
