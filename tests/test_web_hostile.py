"""No 500 anywhere (issue 12): every route of the app, found in ``app.url_map``, is sent hostile
values as an anonymous visitor and as a logged-in admin, with and without a valid CSRF token:
control characters, lone surrogates (percent-encoded invalid UTF-8 and JSON escapes), huge,
negative and non-finite numbers, JSON nested thousands deep, bodies over the configured limit,
wrong content types, very long query strings, path segments with ../ and NUL.

Requests are handed to the app as a WSGI server hands them over (the path already unquoted into
latin-1 bytes, the query string raw), so what reaches Flask is what a real socket would bring.
Each answer must be a success, a redirect or a 4xx whose body says what went wrong in Chinese
(a JSON error under /api/), never a 5xx."""

from __future__ import annotations

import io
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from shutil import copyfile
from urllib.parse import quote, unquote_to_bytes

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder

from indexer.store import update_index
from kb.cli import DEFAULT_DICT, DEFAULT_DOCS
from web import create_app
from web.auth import set_password

PASSWORD = "敌意测试管理密码2025"
MAX_BODY = 256 * 1024  # the test apps' MAX_CONTENT_LENGTH: "huge" is anything above it
FILES = (
    "case_2025_weigui_chihe_tongbao.txt",
    "speech_2024_minzhu_shenghuohui.txt",
    "notice_2025_minzhu_shenghuohui.txt",
)
CJK = re.compile(r"[\u4e00-\u9fff]")
ARGUMENT = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")

# Every query parameter any view reads, and every form field any view reads.
PARAMS = [
    "q",
    "type",
    "year",
    "issuer",
    "sort",
    "page",
    "per_page",
    "p",
    "problem",
    "sanction",
    "level",
    "topic",
    "doc",
    "limit",
    "offset",
    "next",
]
FIELDS = [
    "items",
    "pack",
    "draft",
    "title",
    "unit",
    "date",
    "questions",
    "note",
    "password",
    "path",
    "next",
]

# Values for query parameters and form fields, as text (quoted when sent).
TEXTS = [
    "\x00",
    "a\x01b\x1f\x7f",
    "\ufffe\uffff",
    "\u202e\u200b",
    "𠀀😀",
    "-1",
    "-99999999999999999999999",
    "0",
    "9" * 30,
    "9" * 5000,
    "1e400",
    "NaN",
    "Infinity",
    "-Infinity",
    "<script>alert(1)</script>",
    "../../../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "' OR 1=1 --",
    '"""',
    "%s%n{0}{{7*7}}",
    "长" * 5000,
    "",
    " ",
    "type:通报 year:9999-0000 issuer:",
    "year:0-99999999999999 type:",
    "-* OR AND NOT ( ) ~ ^ :",
    "https://example.invalid/",
    "//evil.invalid",
]
# Already percent-encoded: invalid UTF-8 (a lone surrogate, overlong forms, cut sequences) and
# broken escapes, which only a raw query string can carry.
RAW_TEXTS = ["%ED%A0%80", "%ED%BF%BF", "%FF%FE", "%C0%AF", "%E4%B8", "%00%01", "%", "%zz", "%%%"]

# Values for the JSON fields (items, pack, draft), as sent.
JSONS = [
    "[" * 5000 + "]" * 5000,
    '{"a":' * 5000 + "1" + "}" * 5000,
    '[{"x":' * 2000 + "[]" + "}]" * 2000,
    "[NaN]",
    "[Infinity, -Infinity]",
    '[{"kind": "passage", "doc_id": "abc", "ordinal": Infinity}]',
    '[{"kind": "passage", "doc_id": "abc", "ordinal": 1e400}]',
    "[" + "9" * 5000 + "]",
    '["\\ud800", "\\udfff", {"id": "\\ud83d"}]',
    '[{"note": "\\u0000\\u0001\\ufffe", "doc_id": "\\u0000"}]',
    '[{"id": "\\u0000-r1", "gap": "\\ud800", "cases": ["\\ud800"]}]',
    "null",
    "true",
    "1",
    '"text"',
    "{}",
    "[[]]",
    "[null]",
    "[{}]",
    '[{"cases": {}}]',
    '[{"kind": "case", "case_id": {"$ne": 1}, "doc_id": ["a"]}]',
    "[" + ",".join(["{}"] * 20000) + "]",
    "not json",
    "\x00",
    "",
]

SEGMENTS = [
    "..%2F..%2Fetc%2Fpasswd",
    "..",
    "%2e%2e%2f%2e%2e%2fpyproject.toml",
    "..%5C..%5Cpyproject.toml",
    "a%00b",
    "%00",
    "%01%1F%7F",
    "%ED%A0%80",
    "%FF%FE",
    "%C0%AF",
    "x" * 3000,
    "-1",
    "9" * 5000,
    "NaN",
    "Infinity",
    "%E4%B8%AD%E6%96%87",
    "%3Cb%3E",
    "abc-p-1",
    "abc-p9999999",
    "abc-r99999999999999999999",
    "%EF%BC%91",  # a full-width digit
]
STATIC_SEGMENTS = [
    "../../pyproject.toml",
    "..%2F..%2Fpyproject.toml",
    "kb.css%00.js",
    "%2Fetc%2Fpasswd",
    "/etc/passwd",
    "C:%5Cwindows%5Cwin.ini",
]

CONTENT_TYPES = [
    ("application/json", b'{"items": [' * 3000 + b"]}" * 3000),
    ("application/json", b"\xff\xfe not json"),
    ("text/plain", "收集夹".encode() * 100),
    ("multipart/form-data", b"--x\r\n\r\n"),  # no boundary
    ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data\r\n\r\n\xff\r\n"),
    ("multipart/form-data; boundary=x", b"--x\r\n" * 5000),
    ("application/x-www-form-urlencoded", b"items=%ED%A0%80&title=%FF&pack=%C0%AF&draft=%"),
    ("application/x-www-form-urlencoded", b"=" * 5000 + b"&" * 5000),
    ("application/x-www-form-urlencoded; charset=utf-16", "items=[]".encode("utf-16")),
    ("application/xml", b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]><x>&a;</x>"),
    ("", b"\x00" * 1000),
]


@dataclass
class Answer:
    method: str
    path: str
    query: str
    status: int
    body: bytes
    sent: bytes = b""

    def where(self) -> str:
        query = f"?{self.query[:60]}" if self.query else ""
        sent = f" with {self.sent[:100]!r}" if self.sent else ""
        return f"{self.method} {self.path[:80]}{query}{sent} -> {self.status}"


@dataclass
class Visitor:
    name: str
    client: object
    token: str = ""


@dataclass
class Site:
    root: Path
    corpus: Path
    index: Path
    instance: Path
    doc_id: str
    requirement_id: str
    case_id: str

    def app(self):
        return create_app(
            {
                "INDEX": str(self.index),
                "CORPUS": str(self.corpus),
                "DICT": str(DEFAULT_DICT),
                "INSTANCE": str(self.instance),
                "MAX_CONTENT_LENGTH": MAX_BODY,
            }
        )


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Site:
    root = tmp_path_factory.mktemp("hostile-site")
    corpus = root / "corpus"
    corpus.mkdir()
    for name in FILES:
        copyfile(DEFAULT_DOCS / name, corpus / name)
    update_index(root / "index", [corpus], DEFAULT_DICT)
    instance = root / "instance"
    set_password(instance, PASSWORD)
    probe = Site(root, corpus, root / "index", instance, "", "", "").app().test_client()
    case = probe.get("/api/cases").get_json()["cases"][0]
    requirement = probe.get("/api/requirements?limit=1").get_json()["items"][0]
    return Site(
        root, corpus, root / "index", instance, case["doc_id"], requirement["id"], case["id"]
    )


def token_of(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture(scope="module")
def anonymous(site) -> Visitor:
    client = site.app().test_client()
    return Visitor("anonymous", client, token_of(client, "/basket"))


@pytest.fixture(scope="module")
def admin(site) -> Visitor:
    app = site.app()
    client = app.test_client()
    answer = client.post(
        "/admin/login", data={"csrf_token": token_of(client, "/admin/login"), "password": PASSWORD}
    )
    assert answer.status_code == 303
    visitor = Visitor("admin", client, token_of(client, "/admin/upload"))
    yield visitor
    # An update the walk started must end before the site's folders go away.
    deadline = time.time() + 120
    while app.extensions["kb.admin_job"].snapshot()["state"] == "running":
        assert time.time() < deadline, "the index update started by the walk did not finish"
        time.sleep(0.2)


def send(
    visitor: Visitor,
    method: str,
    path: str,
    query: str = "",
    body: bytes = b"",
    content_type: str | None = None,
    headers: dict | None = None,
) -> Answer:
    """One request as a WSGI server hands it over: ``path`` percent-decoded to bytes and given
    as latin-1 (PEP 3333), ``query`` raw."""
    builder = EnvironBuilder(
        method=method, path="/", data=body, content_type=content_type, headers=headers
    )
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    environ["PATH_INFO"] = unquote_to_bytes(path).decode("latin-1")
    environ["QUERY_STRING"] = query
    app_iter, status, _ = visitor.client.run_wsgi_app(environ, buffered=True)
    return Answer(method, path, query, int(status.split()[0]), b"".join(app_iter), body)


def problems(answer: Answer) -> list[str]:
    """What is wrong with an answer: a 5xx, or a 4xx without a Chinese message."""
    if answer.status >= 500:
        return [answer.where()]
    if answer.status < 400 or answer.method == "HEAD":
        return []
    text = answer.body.decode("utf-8", "replace")
    if unquote_to_bytes(answer.path).startswith(b"/api/"):
        try:
            message = json.loads(text)["error"]["message"]
        except (ValueError, KeyError, TypeError):
            return [f"{answer.where()}: not a JSON error: {text[:200]!r}"]
        return [] if CJK.search(message) else [f"{answer.where()}: {message!r}"]
    return [] if CJK.search(text) else [f"{answer.where()}: no Chinese message: {text[:200]!r}"]


# --- building the requests ------------------------------------------------------------------


def query_for(value: str, raw: bool = False) -> str:
    """Every known parameter set to ``value`` (already encoded when ``raw``); a long value goes
    to a few of them only, so the query string stays the size a server would take."""
    encoded = value if raw else quote(value, safe="")
    names = PARAMS if len(encoded) < 500 else ("q", "type", "page", "p", "doc", "topic")
    return "&".join(f"{name}={encoded}" for name in names)


def queries() -> list[str]:
    found = [query_for(value) for value in TEXTS]
    found += [query_for(value, raw=True) for value in RAW_TEXTS]
    found += [
        "q=" + "%E9%95%BF" * 12000,  # about 100 KB of query string
        "&".join(f"type=x{n}&year={n}&topic=t{n}" for n in range(3000)),
        "page=1&page=2&page=-3&per_page=100&per_page=0",
        "q=%EF%BC%82%EF%BC%82&q=",
        "",
    ]
    return found


def url_for_rule(rule, segment: str, site: Site) -> str:
    """The rule's URL with each argument set to ``segment`` (``{doc_id}`` etc. to real ones)."""
    real = {"{doc}": site.doc_id, "{requirement}": site.requirement_id, "{case}": site.case_id}
    value = real.get(segment, segment)
    return ARGUMENT.sub(lambda _: value, rule.rule)


def segments_for(rule) -> list[str]:
    if not rule.arguments:
        return [""]
    if rule.endpoint == "static":
        return [*STATIC_SEGMENTS, *SEGMENTS[:8], "kb.css"]
    return [*SEGMENTS, "{doc}", "{requirement}", "{case}", "{doc}-p0", "{doc}-p99999"]


def form_bodies(site: Site, token: str | None) -> list[tuple[str | None, bytes]]:
    """(content type, body) pairs for a POST: every field hostile at once, with the token."""

    def encoded(fields: dict[str, str]) -> bytes:
        if token is not None:
            fields = {"csrf_token": token, **fields}
        return "&".join(f"{k}={quote(v, safe='')}" for k, v in fields.items()).encode("ascii")

    form = "application/x-www-form-urlencoded"
    bodies: list[tuple[str | None, bytes]] = []
    for value in TEXTS:
        bodies.append((form, encoded(dict.fromkeys(FIELDS, value))))
    for value in JSONS:
        fields = dict.fromkeys(FIELDS, value)
        fields["title"] = "题\x01"
        bodies.append((form, encoded(fields)))
    for value in RAW_TEXTS:
        prefix = f"csrf_token={quote(token)}&" if token is not None else ""
        bodies.append((form, (prefix + "&".join(f"{k}={value}" for k in FIELDS)).encode()))
    # Long but legal: the most a page may send, and one more.
    passage = {"kind": "passage", "doc_id": site.doc_id, "ordinal": 0, "note": "备注"}
    for items in ([passage] * 300, [passage] * 301, [{"id": site.requirement_id}] * 101):
        bodies.append((form, encoded({"items": json.dumps(items), "draft": json.dumps(items)})))
    bodies.append((form, encoded({"pack": json.dumps([site.case_id] * 200)})))
    bodies.append((form, encoded({"items": "x" * (MAX_BODY + 1)})))  # over the limit
    for content_type, body in CONTENT_TYPES:
        bodies.append((content_type or None, body))
    # Files, for the upload form: odd names and contents.
    boundary = "hostileboundary"
    parts = []
    for name, data in (
        ("../../逃逸.txt", "关于测试的通知\n正文。\n".encode()),
        ("\x00.txt", b"\xff\xfe\x00"),
        ("%ED%A0%80.pdf", b"%PDF-1.4 broken"),
        ("a" * 1000 + ".docx", b"PK\x03\x04 not a zip"),
        ("con.txt", b""),
    ):
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    if token is not None:
        parts.insert(
            0,
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f"{token}\r\n".encode(),
        )
    multipart = b"".join(parts) + f"--{boundary}--\r\n".encode()
    bodies.append((f"multipart/form-data; boundary={boundary}", multipart))
    return bodies


# They end the admin's session: walked last, in this order.
LAST = ("admin.login", "accounts.logout", "admin.logout")


def walk(visitor: Visitor, site: Site, app_rules, light: bool = False) -> dict[str, list[str]]:
    """Every rule, every method it allows (and one it does not), hostile values everywhere.
    ``light``: fewer values on the public pages (the admin's second pass over them).
    Returns the problems found, by "METHOD rule"."""
    found: dict[str, list[str]] = {}
    every_query = queries()
    walked: set[str] = set()  # endpoints walked fully: a second rule for one gets a sample
    rules = sorted(app_rules, key=lambda r: LAST.index(r.endpoint) + 1 if r.endpoint in LAST else 0)
    for rule in rules:
        if rule.endpoint == LAST[0] and visitor.name == "admin":
            # Everything before was walked as the admin: the session outlived it.
            assert visitor.client.get("/admin/upload").status_code == 200
        public = not rule.rule.startswith("/admin")
        sample = (light and public) or rule.endpoint in walked
        walked.add(rule.endpoint)
        for method in sorted(rule.methods - {"OPTIONS"}, key=lambda m: m == "POST"):
            key = f"{method} {rule.rule}"
            issues = found.setdefault(key, [])
            for number, segment in enumerate(segments_for(rule)):
                path = url_for_rule(rule, segment, site)
                if method in ("GET", "HEAD"):
                    chosen = every_query
                    if rule.arguments:  # one query per segment, turning through them
                        chosen = [every_query[number % len(every_query)]]
                    if sample:
                        chosen = chosen[::9]
                    if method == "HEAD":
                        chosen = chosen[:1]
                    for query in chosen:
                        issues += problems(send(visitor, method, path, query))
                elif segment == segments_for(rule)[0]:
                    for with_token in (True, False):
                        bodies = form_bodies(site, visitor.token if with_token else None)
                        if sample:
                            bodies = bodies[::7]
                        for content_type, body in bodies:
                            headers = {"X-CSRFToken": visitor.token} if with_token else None
                            answer = send(
                                visitor,
                                method,
                                path,
                                query_for("\x00"),
                                body,
                                content_type,
                                headers,
                            )
                            issues += problems(answer)
            # A method the rule does not allow must say so in Chinese too.
            wrong = "POST" if "POST" not in rule.methods else "PUT"
            issues += problems(send(visitor, wrong, url_for_rule(rule, "x", site)))
    return {k: v for k, v in found.items() if v}


def _report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{key}: {len(v)} bad answers, e.g. {v[0]}" for key, v in found.items())


@pytest.fixture(scope="module")
def rules(site):
    app = site.app()
    listed = list(app.url_map.iter_rules())
    # The walk covers what the app serves; make sure that is everything we know of.
    endpoints = {rule.endpoint for rule in listed}
    assert {"search.search_page", "basket.export_docx", "casepack.export_docx"} <= endpoints
    assert {"draft.export_docx", "api.api_search", "admin.upload", "static"} <= endpoints
    assert "draft.export_xlsx" in endpoints
    assert endpoints == set(app.view_functions)
    return listed


def test_every_route_answers_an_anonymous_visitor_without_a_500(site, anonymous, rules):
    found = walk(anonymous, site, rules)
    assert not found, _report(found)


def test_every_route_answers_a_logged_in_admin_without_a_500(site, admin, rules):
    found = walk(admin, site, rules, light=True)
    assert not found, _report(found)


# --- structured JSON with hostile leaves, drawn by hypothesis -------------------------------

KEYS = ["kind", "doc_id", "ordinal", "case_id", "note", "id", "gap", "example", "measure"]
KEYS += ["owner", "deadline", "cases", "title"]
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(st.characters(codec=None, exclude_categories=()), max_size=12),
    st.sampled_from(["passage", "case", "-1", "0", "abc-p0", "abc-r1"]),
)
json_values = st.recursive(
    leaves,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=3), inner, max_size=6)
    ),
    max_leaves=25,
)
# Lists of the objects the pages send, their values hostile but finite: these get past the
# parsing and test the resolving and writing (a Word file, a page) with odd values.
finite_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(st.characters(codec=None, exclude_categories=()), max_size=40),
    st.sampled_from(["passage", "case", "0", "-1", "1e400"]),
)
page_items = st.lists(
    st.dictionaries(
        st.sampled_from(KEYS),
        finite_leaves | st.lists(finite_leaves | st.sampled_from(["c1"]), max_size=3),
        max_size=8,
    ),
    max_size=8,
)
POSTED = ["/basket/export.docx", "/basket/print", "/draft/export.docx", "/draft/print"]
POSTED += ["/casepack/export.docx", "/casepack/print", "/draft/export.xlsx"]


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    url=st.sampled_from(POSTED),
    value=page_items
    | st.lists(st.text(max_size=20), max_size=5)
    | st.lists(json_values)
    | json_values,
    real=st.booleans(),
)
def test_posted_json_with_hostile_leaves_never_fails(site, anonymous, url, value, real):
    if real and isinstance(value, list):  # mix in items the index knows
        value = [*value, {"kind": "passage", "doc_id": site.doc_id, "ordinal": 0}]
        value += [{"id": site.requirement_id, "cases": [site.case_id]}, site.case_id]
    text = json.dumps(value)  # lone surrogates become \\ud800 escapes, NaN stays NaN
    field = {"basket": "items", "draft": "draft", "casepack": "pack"}[url.split("/")[1]]
    body = f"csrf_token={quote(anonymous.token)}&{field}={quote(text, safe='')}".encode()
    answer = send(anonymous, "POST", url, "", body, "application/x-www-form-urlencoded")
    event(f"answered {answer.status}")
    assert not problems(answer), problems(answer)
    if answer.status == 200 and url.endswith(".docx"):
        from docx import Document

        Document(io.BytesIO(answer.body))  # a real Word file, readable again
    if answer.status == 200 and url.endswith(".xlsx"):
        from openpyxl import load_workbook

        load_workbook(io.BytesIO(answer.body))  # a real workbook, readable again


def test_huge_bodies_get_413_in_chinese(site, anonymous):
    body = b"items=" + b"x" * (MAX_BODY + 10)
    for url in ("/basket/export.docx", "/draft/print", "/admin/upload", "/admin/login"):
        answer = send(anonymous, "POST", url, "", body, "application/x-www-form-urlencoded")
        assert answer.status == 413, answer.where()
        assert not problems(answer), problems(answer)
