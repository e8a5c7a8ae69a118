"""The admin area (/admin) through Flask's test client, against a real temporary index and
corpus folder: password, login, rate limit, CSRF, uploads checked by content, index updates,
removal, and the routes that must never leave the corpus."""

from __future__ import annotations

import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from html import unescape as html_unescape
from pathlib import Path

import pytest
from docx import Document as WordDocument

from indexer.store import update_index
from kb.backend import Backend
from kb.cli import DEFAULT_DICT
from kb.indexdir import IndexDir
from kb.live_dictionaries import dictionaries_for_updates
from kb.settings import Settings, instance_folder
from web import create_app
from web.auth import PASSWORD_FILE, check_password, set_password
from web.state import SETTINGS
from web.uploads import (
    DEFAULT_STEM,
    check_content,
    entry_key,
    find_entry,
    readable,
    safe_filename,
    save_new,
    scan_corpus,
    size_text,
    sniff,
)

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "青岚区管理密码2025"


# --- real files ----------------------------------------------------------------------------


def docx_bytes(title: str, body: str) -> bytes:
    document = WordDocument()
    document.add_heading(title, level=1)
    document.add_paragraph(body)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_bytes(title: str, body: str) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.setFont("STSong-Light", 18)
    page.drawString(72, 760, title)
    page.setFont("STSong-Light", 12)
    page.drawString(72, 720, body)
    page.save()
    return out.getvalue()


def exe_bytes() -> bytes:
    header = bytearray(512)
    header[:2] = b"MZ"
    header[0x3C] = 0x80
    header[0x80:0x84] = b"PE\x00\x00"
    return bytes(header) + b"This program cannot be run in DOS mode." * 20


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return out.getvalue()


TXT = "关于加强机关食堂管理的通知\n各单位要严格执行机关食堂管理制度，杜绝浪费。\n"
DOCX = docx_bytes("关于柑橘产业发展的意见", "要落实柑橘冷链物流补贴，支持果农建设冷库。")
PDF = pdf_bytes("山地自行车赛事安保工作方案", "做好山地自行车赛事安保和交通疏导工作。")
GBK = "关于古树名木保护的通知\n全面开展古树名木挂牌保护工作。\n".encode("gbk")


# --- uploads.py: pure functions ------------------------------------------------------------


def test_sniff_tells_kinds_apart_by_content():
    assert sniff(PDF) == "pdf"
    assert sniff(DOCX) == "docx"
    assert sniff(zip_bytes()) == "zip"
    assert sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)) == "ole"
    assert sniff(exe_bytes()) == "exe"
    assert sniff(GBK) == "text"
    assert sniff(TXT.encode("utf-8")) == "text"
    assert sniff("<!DOCTYPE html><html><body><p>通知</p></body></html>".encode()) == "html"
    assert sniff(b"   \n") == "empty"
    assert sniff(random.Random(7).randbytes(4000)) == "unknown"
    assert sniff("MZ公司关于年度工作的报告".encode()) == "text"  # ASCII magic needs NULs


def test_check_content_refuses_mismatches_with_a_reason():
    assert check_content("a.pdf", PDF) is None
    assert check_content("a.docx", DOCX) is None
    assert check_content("a.txt", GBK) is None
    assert check_content("a.txt", b"<html><body>x</body></html>") is None  # HTML is text
    assert "可执行程序" in check_content("a.pdf", exe_bytes())
    assert "ZIP" in check_content("a.pdf", zip_bytes())
    assert "Word" in check_content("a.pdf", DOCX)
    assert "PDF" in check_content("a.docx", PDF)
    assert "不是有效的PDF" in check_content("a.pdf", random.Random(1).randbytes(3000))
    assert "编码" in check_content("a.txt", random.Random(2).randbytes(3000))
    assert "不支持的文件类型" in check_content("a.exe", exe_bytes())
    assert "不支持的文件类型" in check_content("noext", TXT.encode())
    assert check_content("a.txt", b"") == "文件为空"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../evil.txt", "evil.txt"),
        ("..\\..\\Windows\\evil.txt", "evil.txt"),
        ("/etc/passwd", "passwd"),
        ("C:\\Users\\a\\关于印发《方案》的通知.docx", "关于印发《方案》的通知.docx"),
        ("CON.txt", "CON_.txt"),
        ("con.tar.txt", "con.tar_.txt"),
        ("LPT1.pdf", "LPT1_.pdf"),
        ("COM1", "COM1_"),
        (".hidden.txt", "hidden.txt"),
        ("...", DEFAULT_STEM),
        ("a<b>c:d|e?f*.txt", "a_b_c_d_e_f_.txt"),
        ("通知\x00\x1f\u202egpj.txt", "通知gpj.txt"),
        ("报告 .  ", "报告"),
        ("名单.PDF", "名单.pdf"),
        ("", DEFAULT_STEM),
    ],
)
def test_safe_filename(given, expected):
    assert safe_filename(given) == expected


def test_safe_filename_keeps_long_chinese_names_short_enough():
    name = safe_filename("长" * 400 + ".docx")
    assert name.endswith(".docx") and len(name.encode("utf-8")) < 255


def test_find_entry_only_knows_listed_entries(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "sub" / "a.txt").write_text("x", encoding="utf-8")
    (corpus / "sub" / "a.txt.json").write_text("{}", encoding="utf-8")  # a side file
    (corpus / ".hidden.txt").write_text("x", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    entries = scan_corpus(corpus).entries
    assert [(e.shown, e.kind, e.indexable) for e in entries] == [("sub/a.txt", "file", True)]
    assert find_entry(corpus, entry_key("sub/a.txt")).path == corpus / "sub" / "a.txt"
    for bad in (
        "../secret.txt",
        "sub/../../secret.txt",
        str(tmp_path / "secret.txt"),
        "sub",
        "sub/a.txt.json",
        ".hidden.txt",
        "",
    ):
        assert find_entry(corpus, entry_key(bad)) is None, bad
        assert find_entry(corpus, bad) is None, bad
    assert find_entry(corpus, "sub/a.txt") is None  # a path is not a key


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_pipes_and_link_loops_are_listed_and_moved_without_being_opened(tmp_path):
    from web.uploads import move_out

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    os.mkfifo(corpus / "管道.txt")  # opening it for reading would block forever
    (corpus / "环1.txt").symlink_to(corpus / "环2.txt")
    (corpus / "环2.txt").symlink_to(corpus / "环1.txt")
    entries = {e.shown: e for e in scan_corpus(corpus).entries}
    assert entries["管道.txt"].kind == "other" and not entries["管道.txt"].indexable
    assert "不会编入索引" in entries["管道.txt"].notes[0]
    assert entries["环1.txt"].kind == "link" and "链接成环" in entries["环1.txt"].notes[0]
    for name in ("管道.txt", "环1.txt"):
        move_out(entries[name].path, tmp_path / "removed" / name)
        assert not os.path.lexists(corpus / name)
        assert os.path.lexists(tmp_path / "removed" / name)


@pytest.mark.skipif(os.name != "posix", reason="names are bytes only on POSIX")
def test_readable_names():
    assert readable("会议纪要.txt") == "会议纪要.txt"
    assert readable(os.fsdecode(b"docs/\xb2\xe2\xca\xd4.txt")) == "docs/测试.txt"
    assert readable(os.fsdecode("纪要/".encode() + b"\xb2\xe2.txt")) == "纪要/测.txt"
    assert readable(os.fsdecode(b"\xff\xfe.txt")) == "\\xff\\xfe.txt"
    assert readable("\ud800") == "\\ud800"  # a surrogate no file name made
    assert readable(os.fsdecode(b"\xff")).encode("utf-8")


def test_size_text():
    assert [size_text(n) for n in (900, 4096, 5000, 50 * 1024 * 1024)] == [
        "900 字节",
        "4 KB",
        "4.9 KB",
        "50 MB",
    ]


def test_save_new_never_overwrites(tmp_path):
    first = save_new(tmp_path, "通知.txt", b"one")
    second = save_new(tmp_path, "通知.txt", b"two")
    assert first.name == "通知.txt" and second.name == "通知（2）.txt"
    assert first.read_bytes() == b"one" and second.read_bytes() == b"two"


# --- a real site ---------------------------------------------------------------------------


@dataclass
class Site:
    root: Path
    corpus: Path
    index: Path
    instance: Path

    def app(self, **extra):
        settings = {
            "INDEX": str(self.index),
            "CORPUS": str(self.corpus),
            "DICT": str(DEFAULT_DICT),
            "INSTANCE": str(self.instance),
        }
        return create_app({**settings, **extra})


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Site:
    root = tmp_path_factory.mktemp("admin-site")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "食堂管理通知.txt").write_text(TXT, encoding="utf-8")
    (corpus / "会议纪要.txt").write_text(
        "区政府常务会议纪要\n会议研究了背街小巷路灯改造事项。\n", encoding="utf-8"
    )
    update_index(root / "index", [corpus], DEFAULT_DICT)
    instance = root / "instance"
    set_password(instance, PASSWORD)
    return Site(root, corpus, root / "index", instance)


def csrf(client, url: str = "/admin/login") -> str:
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client, password: str = PASSWORD):
    return client.post("/admin/login", data={"csrf_token": csrf(client), "password": password})


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def wait_for_update(client, timeout: float = 120) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        state = client.get("/admin/progress").get_json()
        if state["state"] != "running":
            return state
        time.sleep(0.2)
    raise AssertionError("the index update did not finish in time")


def found(client, phrase: str) -> set[str]:
    """Names of the files with a passage containing ``phrase``."""
    hits = client.get("/api/search", query_string={"q": f'"{phrase}"'}).get_json()["hits"]
    return {Path(hit["path"]).name for hit in hits}


def upload(client, files: list[tuple[bytes, str]]):
    return client.post(
        "/admin/upload",
        data={
            "csrf_token": csrf(client, "/admin/upload"),
            "files": [(io.BytesIO(data), name) for data, name in files],
        },
        content_type="multipart/form-data",
    )


# --- password and login ----------------------------------------------------------------------


def test_without_a_password_admin_explains_and_allows_nothing(site, tmp_path):
    app = site.app(INSTANCE=str(tmp_path / "fresh-instance"))
    client = app.test_client()
    before = snapshot(site.corpus)
    for url in ("/admin/", "/admin/login", "/admin/upload", "/admin/files", "/admin/progress"):
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 403, url
        assert "尚未设置管理密码" in html and "kb admin set-password" in html
    token = csrf(client, "/basket")
    assert (
        client.post("/admin/login", data={"csrf_token": token, "password": "x"}).status_code == 403
    )
    response = client.post(
        "/admin/upload",
        data={"csrf_token": token, "files": [(io.BytesIO(TXT.encode()), "new.txt")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    assert client.post("/admin/update", data={"csrf_token": token}).status_code == 403
    assert snapshot(site.corpus) == before


def test_login_wrong_then_right_and_session_cookie_flags(site):
    client = site.app().test_client()
    assert client.get("/admin/").headers["Location"].startswith("/admin/login")
    wrong = login(client, "not the password")
    assert wrong.status_code == 401 and "密码不正确" in wrong.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302
    right = login(client)
    assert right.status_code == 303 and right.headers["Location"] == "/admin/"
    cookie = next(c for c in right.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    page = client.get("/admin/")
    assert page.status_code == 200 and "已索引文件" in page.get_data(as_text=True)
    # Logging out needs the token too, and ends the session.
    client.post("/admin/logout", data={"csrf_token": csrf(client, "/admin/")})
    assert client.get("/admin/").status_code == 302

    secure = site.app(SESSION_COOKIE_SECURE=True).test_client()
    cookie = next(c for c in login(secure).headers.getlist("Set-Cookie") if "session=" in c)
    assert "Secure" in cookie


def test_login_is_rate_limited_after_five_failures(site):
    client = site.app().test_client()
    codes = [login(client, f"wrong-{n}").status_code for n in range(5)]
    assert codes == [401] * 5
    blocked = login(client)  # even the right password waits now
    assert blocked.status_code == 429
    assert "尝试次数太多" in blocked.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_a_new_password_signs_out_open_sessions(site, tmp_path):
    instance = tmp_path / "instance"
    set_password(instance, PASSWORD)
    client = site.app(INSTANCE=str(instance)).test_client()
    login(client)
    assert client.get("/admin/").status_code == 200
    set_password(instance, "another password 2025")
    assert client.get("/admin/").status_code == 302


# --- CSRF and anonymous requests ---------------------------------------------------------------


def test_posts_without_or_with_a_forged_token_get_400_and_change_nothing(site):
    client = site.app().test_client()
    login(client)
    before = snapshot(site.corpus)
    for token in (None, "forged", csrf(site.app().test_client())):  # another session's token
        extra = {} if token is None else {"csrf_token": token}
        response = client.post(
            "/admin/upload",
            data={**extra, "files": [(io.BytesIO(TXT.encode() + b"new"), "csrf.txt")]},
            content_type="multipart/form-data",
        )
        assert response.status_code == 400, token
        assert "刷新页面" in response.get_data(as_text=True)
        assert (
            client.post("/admin/remove", data={"path": "会议纪要.txt", **extra}).status_code == 400
        )
        assert client.post("/admin/update", data=extra).status_code == 400
    assert client.get("/admin/progress").get_json()["state"] == "idle"
    assert snapshot(site.corpus) == before
    # The public 收集夹 export is protected the same way.
    assert client.post("/basket/export.docx", data={"items": "[]"}).status_code == 400


def test_anonymous_posts_are_refused_and_change_nothing(site):
    client = site.app().test_client()
    token = csrf(client)  # a valid token of an anonymous session
    before = snapshot(site.corpus)
    response = client.post(
        "/admin/upload",
        data={"csrf_token": token, "files": [(io.BytesIO(TXT.encode() + b"x"), "anon.txt")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 401 and "请先登录" in response.get_data(as_text=True)
    assert (
        client.post("/admin/remove", data={"csrf_token": token, "path": "会议纪要.txt"}).status_code
        == 401
    )
    assert client.post("/admin/update", data={"csrf_token": token}).status_code == 401
    for url in ("/admin/", "/admin/files", "/admin/report", "/admin/progress", "/admin/upload"):
        assert client.get(url).status_code == 302, url
    assert snapshot(site.corpus) == before


# --- uploads, updates, removal -----------------------------------------------------------------


def test_upload_update_search_and_remove(site):
    app = site.app()
    client = app.test_client()
    login(client)
    outside = {p.name for p in site.root.parent.iterdir()}
    response = upload(
        client,
        [
            (DOCX, "柑橘产业意见.docx"),
            (PDF, "赛事安保方案.pdf"),
            (GBK, "古树名木保护通知.txt"),
            ("关于路灯维护的通知\n做好背街小巷路灯维护工作。\n".encode(), "../../evil.txt"),
            ("关于设备名称的说明\n设备命名规则说明。\n".encode(), "CON.txt"),
            (exe_bytes(), "setup.pdf"),
            (zip_bytes(), "archive.pdf"),
            (random.Random(3).randbytes(5000), "noise.pdf"),
            (DOCX, "柑橘副本.docx"),  # the same content twice in one upload
            (TXT.encode("utf-8"), "食堂通知副本.txt"),  # already in the corpus
        ],
    )
    assert response.status_code == 200
    results = dict(
        re.findall(
            r"<td>([^<]+)</td>\s*<td data-upload-result>\s*(.*?)\s*</td>",
            response.get_data(as_text=True),
            re.S,
        )
    )
    assert "已保存为" in results["柑橘产业意见.docx"]
    assert "已保存为" in results["赛事安保方案.pdf"]
    assert "已保存为" in results["古树名木保护通知.txt"]
    assert "可执行程序" in results["setup.pdf"]
    assert "ZIP" in results["archive.pdf"]
    assert "不是有效的PDF" in results["noise.pdf"]
    assert (
        "内容相同" in results["柑橘副本.docx"] and "柑橘产业意见.docx" in results["柑橘副本.docx"]
    )
    assert (
        "内容相同" in results["食堂通知副本.txt"]
        and "食堂管理通知.txt" in results["食堂通知副本.txt"]
    )
    names = set(snapshot(site.corpus))
    assert {"柑橘产业意见.docx", "赛事安保方案.pdf", "古树名木保护通知.txt"} <= names
    assert {"evil.txt", "CON_.txt"} <= names
    assert not names & {
        "setup.pdf",
        "archive.pdf",
        "noise.pdf",
        "柑橘副本.docx",
        "食堂通知副本.txt",
    }
    assert {p.name for p in site.root.parent.iterdir()} == outside  # nothing landed outside
    assert not (site.root / "evil.txt").exists()

    # The same name with new content is kept beside the old file, never over it.
    again = upload(client, [("关于路灯维护的补充通知\n路灯维护补充说明。\n".encode(), "evil.txt")])
    assert "evil（2）.txt" in again.get_data(as_text=True)
    assert (site.corpus / "evil.txt").read_text(encoding="utf-8").startswith("关于路灯维护的通知")

    # A file the readers cannot read shows up in the report with its reason.
    (site.corpus / "损坏的文件.pdf").write_bytes(b"%PDF-1.4\n% not really a pdf\n")

    started = client.post("/admin/update", data={"csrf_token": csrf(client, "/admin/")})
    assert started.status_code == 303
    state = wait_for_update(client)
    assert state["state"] == "done", state
    assert any("更新完成" in line for line in state["lines"])
    assert any("损坏的文件.pdf" in line for line in state["lines"])

    assert found(client, "柑橘冷链物流补贴") == {"柑橘产业意见.docx"}
    assert found(client, "山地自行车赛事安保") == {"赛事安保方案.pdf"}
    assert found(client, "古树名木挂牌保护") == {"古树名木保护通知.txt"}
    assert found(client, "背街小巷路灯维护") == {"evil.txt"}

    report = json.loads((site.instance / "last-report.json").read_text(encoding="utf-8"))
    assert any(f["path"].endswith("损坏的文件.pdf") and f["reason"] for f in report["failed"])
    page = client.get("/admin/report").get_data(as_text=True)
    assert "损坏的文件.pdf" in page and "读取失败的文件" in page
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert "有 1 个文件没能读取" in dashboard

    # Remove: the file moves to instance/removed and leaves the search.
    rows = listed(client)
    assert {"柑橘产业意见.docx", "赛事安保方案.pdf", "损坏的文件.pdf"} <= set(rows)
    removed = client.post(
        "/admin/remove",
        data={"csrf_token": csrf(client, "/admin/files"), "key": rows["柑橘产业意见.docx"]},
    )
    assert removed.status_code == 303
    assert not (site.corpus / "柑橘产业意见.docx").exists()
    assert list((site.instance / "removed").rglob("柑橘产业意见.docx"))
    assert wait_for_update(client)["state"] == "done"
    assert found(client, "柑橘冷链物流补贴") == set()
    assert found(client, "山地自行车赛事安保") == {"赛事安保方案.pdf"}


# --- routes that must not leave the corpus ------------------------------------------------------

TRAVERSALS = [
    "../secret.txt",
    "..%2fsecret.txt",
    "%2e%2e/secret.txt",
    "%2e%2e%2fsecret.txt",
    "..\\secret.txt",
    "..%5csecret.txt",
    "/etc/passwd",
    "C:\\Windows\\win.ini",
    "sub/../../secret.txt",
]


def test_admin_remove_refuses_anything_but_a_listed_key(site):
    secret = site.root / "secret.txt"
    secret.write_text("secret", encoding="utf-8")
    client = site.app().test_client()
    login(client)
    before = snapshot(site.corpus)
    token = csrf(client, "/admin/files")
    names = [*TRAVERSALS, str(secret), "", "不存在.txt", ".hidden.txt"]
    for bad in [*names, *(entry_key(name) for name in names), "!!!", "x" * 7000]:
        for field in ("key", "path"):
            response = client.post("/admin/remove", data={"csrf_token": token, field: bad})
            assert response.status_code == 404, bad
            assert "没有找到" in response.get_data(as_text=True)
    assert secret.read_text(encoding="utf-8") == "secret"
    assert snapshot(site.corpus) == before
    assert client.get("/admin/progress").get_json()["state"] == "idle"


def test_document_routes_cannot_escape_the_corpus(site):
    client = site.app().test_client()
    hits = client.get("/api/search", query_string={"q": '"背街小巷路灯改造"'}).get_json()["hits"]
    doc_id = hits[0]["doc_id"]
    assert client.get(f"/doc/{doc_id}/original").status_code == 200  # the real one works
    for bad in [*TRAVERSALS, "..", "%2e%2e", "etc/passwd", doc_id + "/..%2f..%2f"]:
        for url in (f"/doc/{bad}", f"/doc/{bad}/original", f"/api/docs/{bad}"):
            response = client.get(url)
            assert response.status_code in (404, 405), url
            body = response.get_data(as_text=True)
            assert "secret" not in body and "root:" not in body and "Traceback" not in body
            if url.startswith("/api/"):
                assert response.get_json()["error"]["code"] == 404
            else:
                assert "没有找到" in body


# --- kb admin set-password -----------------------------------------------------------------------


def run_kb(*args: str, stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kb.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=60,
    )


def test_set_password_from_stdin(tmp_path):
    done = run_kb("admin", "set-password", "--index", str(tmp_path / "index"), stdin=PASSWORD)
    assert done.returncode == 0, done.stderr
    instance = tmp_path / "instance"  # beside the index folder
    stored = (instance / PASSWORD_FILE).read_text(encoding="utf-8")
    assert stored.startswith("scrypt:") and PASSWORD not in stored
    assert check_password(instance, PASSWORD) and not check_password(instance, "wrong")
    if os.name == "posix":
        assert (instance / PASSWORD_FILE).stat().st_mode & 0o777 == 0o600
        assert instance.stat().st_mode & 0o777 == 0o700

    short = run_kb("admin", "set-password", "--instance", str(tmp_path / "other"), stdin="abc\n")
    assert short.returncode == 2 and "至少" in short.stderr
    assert not (tmp_path / "other" / PASSWORD_FILE).exists()

    inside = run_kb("admin", "set-password", "--instance", str(ROOT / "web"), stdin=PASSWORD)
    assert inside.returncode == 2 and "项目代码目录" in inside.stderr
    assert not (ROOT / "web" / PASSWORD_FILE).exists()


def test_instance_folder_default_and_secret_key_outside_the_repo(site):
    assert instance_folder(None, site.index) == site.root / "instance"
    app = site.app()
    assert app.config["SECRET_KEY"] == (site.instance / "secret-key").read_text().strip()
    assert site.app().config["SECRET_KEY"] == app.config["SECRET_KEY"]  # kept across starts


def test_errors_are_friendly_logged_and_never_a_traceback(site, monkeypatch, caplog):
    import web.views.admin as admin_views

    def broken(instance):
        raise RuntimeError("disk on fire")

    client = site.app().test_client()
    login(client)
    monkeypatch.setattr(admin_views, "load_report", broken)
    with caplog.at_level("ERROR", logger="kb.web"):
        response = client.get("/admin/report")
    body = response.get_data(as_text=True)
    assert response.status_code == 500 and "已记录在日志中" in body
    assert "Traceback" not in body and "disk on fire" not in body
    assert any("disk on fire" in (r.exc_text or "") for r in caplog.records)
    # The JSON API answers errors in JSON, also for a POST it does not take.
    refused = client.post("/api/search", data={"q": "四风"})
    assert refused.status_code == 405 and refused.get_json()["error"]["code"] == 405


def test_one_update_at_a_time_and_a_request_meanwhile_runs_once_more(tmp_path, monkeypatch):
    import threading

    import indexer.store
    import indexer.update
    from web.views.admin import IndexJob

    release = threading.Event()
    calls: list[int] = []

    def slow_update(index, paths, dict_source, progress, **options):
        calls.append(1)
        progress(f"第 {len(calls)} 次")
        release.wait(10)
        return indexer.store.Report()

    monkeypatch.setattr(indexer.store, "update_index", slow_update)
    (tmp_path / "corpus").mkdir()
    job = IndexJob(
        Settings(
            Backend(tmp_path / "index"),
            corpus=tmp_path / "corpus",
            dictionaries=DEFAULT_DICT,
            instance=tmp_path / "instance",
        ),
        run=indexer.update.update,  # in this process, where the slow update is patched in
    )
    assert job.start("一") == "started"
    assert job.start("二") == "queued"
    assert job.start("三") == "queued"  # still one more run, not two
    assert job.snapshot()["state"] == "running"
    release.set()
    deadline = time.time() + 10
    while job.snapshot()["state"] == "running" and time.time() < deadline:
        time.sleep(0.02)
    assert job.snapshot()["state"] == "done"
    assert len(calls) == 2
    assert (tmp_path / "instance" / "last-report.json").is_file()


# --- issue 12: sessions end for every copy of the cookie ----------------------------------------


def copied(client, app) -> object:
    """A second browser holding a copy of ``client``'s session cookie."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def test_a_cookie_copied_before_logout_no_longer_works(site):
    app = site.app()
    client = app.test_client()
    assert login(client).status_code == 303
    thief = copied(client, app)
    assert thief.get("/admin/files").status_code == 200  # the copy works while logged in
    client.post("/admin/logout", data={"csrf_token": csrf(client, "/admin/")})
    assert thief.get("/admin/files").status_code == 302
    token = csrf(thief, "/basket")
    assert thief.post("/admin/update", data={"csrf_token": token}).status_code == 401
    # A fresh login works, and so does a second browser logged in afterwards.
    assert login(client).status_code == 303
    assert client.get("/admin/files").status_code == 200


def test_an_anonymous_logout_does_not_sign_the_admin_out(site):
    app = site.app()
    admin = app.test_client()
    login(admin)
    stranger = app.test_client()
    stranger.post("/admin/logout", data={"csrf_token": csrf(stranger, "/basket")})
    assert admin.get("/admin/files").status_code == 200


def test_kb_admin_set_password_revokes_copied_cookies(site, tmp_path):
    instance = tmp_path / "instance"
    set_password(instance, PASSWORD)
    app = site.app(INSTANCE=str(instance))
    client = app.test_client()
    login(client)
    thief = copied(client, app)
    assert thief.get("/admin/files").status_code == 200
    done = run_kb("admin", "set-password", "--instance", str(instance), stdin=PASSWORD)
    assert done.returncode == 0, done.stderr
    assert thief.get("/admin/files").status_code == 302  # even the same password again
    assert client.get("/admin/files").status_code == 302
    assert login(client).status_code == 303
    assert client.get("/admin/files").status_code == 200


# --- issue 12: the login limiter ------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr("web.auth.LoginThrottle.clock", staticmethod(fake), raising=False)
    return fake


def counting_checks(monkeypatch) -> list[str]:
    import web.auth

    checked: list[str] = []
    real = web.auth.check_password

    def counted(instance, password):
        checked.append(password)
        time.sleep(0.05)  # a real scrypt check takes this long: room for a race
        return real(instance, password)

    monkeypatch.setattr(web.auth, "check_password", counted)
    return checked


def test_sixty_concurrent_wrong_passwords_get_exactly_five_checks(site, monkeypatch):
    import threading

    app = site.app()
    checked = counting_checks(monkeypatch)
    clients = [app.test_client() for _ in range(60)]
    tokens = [csrf(c) for c in clients]
    barrier = threading.Barrier(len(clients))
    codes: list[int] = []

    def attempt(client, token, n):
        barrier.wait()
        response = client.post("/admin/login", data={"csrf_token": token, "password": f"wrong-{n}"})
        codes.append(response.status_code)

    threads = [
        threading.Thread(target=attempt, args=(c, t, n))
        for n, (c, t) in enumerate(zip(clients, tokens, strict=True))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(checked) == 5
    assert sorted(codes) == [401] * 5 + [429] * 55
    assert login(app.test_client()).status_code == 429  # the right one waits too


def test_after_the_lockout_window_a_correct_password_works_and_delays_grow(site, clock):
    client = site.app().test_client()
    assert [login(client, f"wrong-{n}").status_code for n in range(5)] == [401] * 5
    blocked = login(client)
    assert blocked.status_code == 429
    assert "尝试次数太多" in blocked.get_data(as_text=True)
    assert int(blocked.headers["Retry-After"]) == 60
    clock.now += 61
    assert login(client, "wrong-again").status_code == 401  # one try after the wait...
    assert login(client).status_code == 429  # ...then a longer wait: 2 minutes
    clock.now += 61
    assert login(client).status_code == 429
    clock.now += 60
    assert login(client).status_code == 303
    assert client.get("/admin/files").status_code == 200


def test_others_at_the_same_address_cannot_lock_out_a_known_browser(site, clock):
    app = site.app()
    admin = app.test_client()
    assert login(admin).status_code == 303  # this browser is now known
    admin.post("/admin/logout", data={"csrf_token": csrf(admin, "/admin/")})
    attacker = app.test_client()  # same address (127.0.0.1), no device cookie
    codes = [login(attacker, f"guess-{n}").status_code for n in range(30)]
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
    assert login(attacker).status_code == 429
    assert login(admin).status_code == 303
    # A known browser is limited too, on its own.
    admin.post("/admin/logout", data={"csrf_token": csrf(admin, "/admin/")})
    assert [login(admin, f"typo-{n}").status_code for n in range(6)] == [401] * 5 + [429]


def test_guesses_from_many_addresses_slow_down_unknown_browsers_only(site, clock):
    from web.auth import ACCOUNT_FREE_FAILURES

    app = site.app()
    admin = app.test_client()
    login(admin)
    admin.post("/admin/logout", data={"csrf_token": csrf(admin, "/admin/")})
    codes = []
    for n in range(ACCOUNT_FREE_FAILURES + 5):
        guesser = app.test_client()
        guesser.environ_base["REMOTE_ADDR"] = f"10.0.{n // 200}.{n % 200 + 1}"
        codes.append(login(guesser, f"guess-{n}").status_code)
    assert codes == [401] * ACCOUNT_FREE_FAILURES + [429] * 5
    fresh = app.test_client()
    fresh.environ_base["REMOTE_ADDR"] = "192.168.7.7"
    assert login(fresh).status_code == 429
    assert login(admin).status_code == 303


# --- issue 12: upload limits name the limit that was hit -----------------------------------------


def test_a_thousand_small_files_are_refused_for_their_number_not_their_size(site):
    from web.uploads import MAX_FILES

    client = site.app().test_client()
    login(client)
    before = snapshot(site.corpus)
    files = [(f"第{n}号通知\n".encode() * 5, f"通知{n}.txt") for n in range(1000)]
    response = upload(client, files)
    body = response.get_data(as_text=True)
    assert response.status_code == 413
    assert f"一次最多上传 {MAX_FILES} 个文件" in body
    assert "MB" not in body
    assert snapshot(site.corpus) == before


def test_too_many_bytes_say_how_many(site):
    client = site.app(MAX_CONTENT_LENGTH=4096).test_client()
    login(client)
    before = snapshot(site.corpus)
    response = upload(client, [(b"x" * 10_000, "big.txt")])
    body = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "一次最多 4 KB" in body and "个文件" not in body
    assert snapshot(site.corpus) == before


def test_one_file_too_big_is_refused_alone(site):
    client = site.app(UPLOAD_MAX_FILE_BYTES=5000).test_client()
    login(client)
    small = "关于开展植树活动的通知\n各单位组织植树。\n".encode()
    response = upload(client, [(small, "植树通知.txt"), (b"a" * 6000, "big.txt")])
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    results = dict(
        re.findall(r"<td>([^<]+)</td>\s*<td data-upload-result>\s*(.*?)\s*</td>", body, re.S)
    )
    assert "已保存为" in results["植树通知.txt"]
    assert "单个文件最大 4.9 KB" in results["big.txt"]
    assert not (site.corpus / "big.txt").exists()
    (site.corpus / "植树通知.txt").unlink()


# --- issue 12: every file in the folder can be seen and removed ----------------------------------


@pytest.fixture
def small_site(tmp_path) -> Site:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "会议纪要.txt").write_text("区政府常务会议纪要\n研究路灯改造。\n", encoding="utf-8")
    update_index(tmp_path / "index", [corpus], DEFAULT_DICT)
    set_password(tmp_path / "instance", PASSWORD)
    return Site(tmp_path, corpus, tmp_path / "index", tmp_path / "instance")


def listed(client) -> dict[str, str]:
    """Shown name -> removal key of each row on /admin/files."""
    page = client.get("/admin/files")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    rows = re.findall(r'<span data-file-name>(.*?)</span>.*?name="key" value="([^"]+)"', html, re.S)
    return {html_unescape(name): key for name, key in rows}


def raw_name_allowed(folder: Path) -> bool:
    try:
        (Path(os.fsdecode(bytes(folder) + b"/\xff.probe"))).write_bytes(b"")
    except (OSError, UnicodeError, TypeError):
        return False
    Path(os.fsdecode(bytes(folder) + b"/\xff.probe")).unlink()
    return True


@pytest.mark.skipif(os.name != "posix", reason="names are bytes only on POSIX")
def test_gbk_and_undecodable_names_are_listed_readably_and_removable(small_site):
    corpus = bytes(small_site.corpus)
    if not raw_name_allowed(small_site.corpus):
        pytest.skip("this file system refuses names that are not UTF-8")
    gbk = Path(os.fsdecode(corpus + b"/\xb2\xe2\xca\xd4.txt"))
    gbk.write_text("标题\n\n正文。\n", encoding="utf-8")
    junk = Path(os.fsdecode(corpus + b"/\xff\xfe\xb2.txt"))
    junk.write_text("另一份\n\n正文。\n", encoding="utf-8")
    client = small_site.app().test_client()
    login(client)
    rows = listed(client)
    assert set(rows) == {"会议纪要.txt", "测试.txt", "\\xff\\xfe\\xb2.txt"}
    page = client.get("/admin/files").get_data(as_text=True)
    assert "不是 UTF-8" in page
    for name, path in (("测试.txt", gbk), ("\\xff\\xfe\\xb2.txt", junk)):
        removed = client.post(
            "/admin/remove", data={"csrf_token": csrf(client, "/admin/files"), "key": rows[name]}
        )
        assert removed.status_code == 303, name
        assert not path.exists()
        wait_for_update(client)
        moved = list((small_site.instance / "removed").rglob(path.name))
        assert moved and moved[0].read_text(encoding="utf-8").endswith("正文。\n")
    # Whatever the update made of these names, every admin page still renders.
    for url in ("/admin/", "/admin/files", "/admin/report", "/admin/progress"):
        assert client.get(url).status_code == 200, url
    assert set(listed(client)) == {"会议纪要.txt"}


def symlinks_allowed(folder: Path) -> bool:
    try:
        (folder / ".probe-link").symlink_to(folder)
    except (OSError, NotImplementedError):
        return False  # Windows without developer mode
    (folder / ".probe-link").unlink()
    return True


def test_symlinks_are_listed_and_removing_one_never_touches_its_target(small_site):
    if not symlinks_allowed(small_site.corpus):
        pytest.skip("no symlinks for this user")
    outside = small_site.root / "outside"
    outside.mkdir()
    target = outside / "hostname.txt"
    target.write_text("server-name\n", encoding="utf-8")
    corpus = small_site.corpus
    (corpus / "主机名.txt").symlink_to(target)
    (corpus / "断开的链接.txt").symlink_to(outside / "missing.txt")
    (corpus / "文件夹链接").symlink_to(outside, target_is_directory=True)
    client = small_site.app().test_client()
    login(client)
    rows = listed(client)
    assert {"主机名.txt", "断开的链接.txt", "文件夹链接"} <= set(rows)
    page = client.get("/admin/files").get_data(as_text=True)
    assert "符号链接" in page and "文档文件夹以外" in page
    for name in ("主机名.txt", "断开的链接.txt", "文件夹链接"):
        removed = client.post(
            "/admin/remove", data={"csrf_token": csrf(client, "/admin/files"), "key": rows[name]}
        )
        assert removed.status_code == 303, name
        assert not os.path.lexists(corpus / name)
        moved = [  # rglob would skip a dangling link
            Path(folder, name)
            for folder, dirs, files in os.walk(small_site.instance / "removed")
            if name in files or name in dirs
        ]
        assert moved and moved[0].is_symlink(), name
        wait_for_update(client)
    assert target.read_text(encoding="utf-8") == "server-name\n"  # the target stays
    assert sorted(p.name for p in outside.iterdir()) == ["hostname.txt"]


def test_admin_pages_survive_a_very_deep_folder_tree(small_site):
    deep = small_site.corpus
    try:
        for _ in range(1400):  # one level at a time: Path.mkdir(parents=True) recurses
            deep = deep / "a"
            deep.mkdir()
    except OSError:
        remove_deep_tree(small_site.corpus / "a")
        pytest.skip("the file system refuses paths this long")
    try:
        (deep / "深处的通知.txt").write_text("深处\n\n正文。\n", encoding="utf-8")
        client = small_site.app().test_client()
        login(client)
        assert client.get("/admin/").status_code == 200
        assert any(name.endswith("/a/深处的通知.txt") for name in listed(client))
    finally:
        remove_deep_tree(small_site.corpus / "a")  # pytest's own clean-up recurses


def remove_deep_tree(top: Path) -> None:
    """Remove a folder tree of any depth without recursion."""
    folders = [top]
    stack = [top]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(Path(entry.path))
                    stack.append(Path(entry.path))
                else:
                    os.unlink(entry.path)
    for folder in reversed(folders):
        os.rmdir(folder)


# --- kb serve keeps the dictionaries an index was built with -----------------------------------


def custom_dictionaries(folder: Path) -> Path:
    """corpus/dict plus one word and one query expansion of our own."""
    shutil.copytree(DEFAULT_DICT, folder)
    with open(folder / "userdict.txt", "a", encoding="utf-8") as stream:
        stream.write("\n柑橘冷链物流补贴\n蜜桔运输券\n")
    with open(folder / "synonyms.txt", "a", encoding="utf-8") as stream:
        stream.write("\n蜜桔运输券 => 柑橘冷链物流补贴\n")
    return folder


def test_kb_serve_updates_an_index_with_the_dictionaries_it_was_built_with(tmp_path, capsys):
    """`kb index --dict X`, then `kb serve` without --dict: the admin's 更新索引 keeps X (it
    used to rebuild the index with corpus/dict, silently dropping X's words)."""
    from kb import cli

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "柑橘意见.txt").write_text(
        "关于柑橘产业发展的意见\n要落实柑橘冷链物流补贴，支持果农建设冷库。\n", encoding="utf-8"
    )
    dicts = custom_dictionaries(tmp_path / "mydict")
    index = tmp_path / "index"
    assert cli.main(["index", str(corpus), "--index", str(index), "--dict", str(dicts)]) == 0
    instance = tmp_path / "instance"
    set_password(instance, PASSWORD)

    arguments = ["serve", "--index", str(index), "--corpus", str(corpus)]
    app = cli.serve_app(cli.parse_args([*arguments, "--instance", str(instance)]))
    assert "索引所用的词典与" in capsys.readouterr().err  # said once, at start
    client = app.test_client()
    assert found(client, "柑橘冷链物流补贴") == {"柑橘意见.txt"}
    hits = client.get("/api/search", query_string={"q": "蜜桔运输券"}).get_json()["hits"]
    assert [Path(hit["path"]).name for hit in hits] == ["柑橘意见.txt"]  # X's expansion

    (corpus / "冷库通知.txt").write_text(
        "关于冷库建设的通知\n做好冷库建设验收工作。\n", encoding="utf-8"
    )
    login(client)
    started = client.post("/admin/update", data={"csrf_token": csrf(client, "/admin/")})
    assert started.status_code == 303
    state = wait_for_update(client)
    assert state["state"] == "done", state
    assert not any("词典" in line for line in state["lines"]), state["lines"]  # no rebuild

    assert found(client, "冷库建设验收") == {"冷库通知.txt"}
    hits = client.get("/api/search", query_string={"q": "蜜桔运输券"}).get_json()["hits"]
    assert [Path(hit["path"]).name for hit in hits] == ["柑橘意见.txt"]  # X still in effect
    live = IndexDir(index).require_current().dict_dir
    assert "蜜桔运输券" in (live / "userdict.txt").read_text(encoding="utf-8")

    # --dict names the folder outright.
    other = tmp_path / "other"
    app = cli.serve_app(
        cli.parse_args([*arguments, "--instance", str(instance), "--dict", str(other)])
    )
    assert app == 2 and "词典目录不存在" in capsys.readouterr().err
    app = cli.serve_app(
        cli.parse_args([*arguments, "--instance", str(instance), "--dict", str(dicts)])
    )
    assert app.extensions[SETTINGS].dictionaries == dicts


def test_an_index_built_with_the_project_dictionaries_updates_from_them(site, tmp_path):
    choice = dictionaries_for_updates(Backend(site.index), tmp_path)
    assert choice.folder == DEFAULT_DICT and not choice.note  # corpus/dict edits still apply
    assert not (tmp_path / "index-dict").exists()


# --- the set-password command the pages name, and its checks (issue 16 item 7) ---------------


def named_command(html: str) -> list[str]:
    import shlex

    shown = re.search(r"<(?:pre|code)[^>]*data-set-password>([^<]+)<", html).group(1)
    return shlex.split(html_unescape(shown))


@pytest.mark.skipif(os.name == "nt", reason="the command is run with POSIX quoting here")
def test_admin_pages_name_a_set_password_command_that_works_off_path(site, tmp_path):
    """A dev.py user has no kb on PATH: the setup page's command must run as it stands, from
    any folder, and set the password of this server's instance folder."""
    instance = tmp_path / "fresh-instance"
    client = site.app(INSTANCE=str(instance)).test_client()
    html = client.get("/admin/login").get_data(as_text=True)
    command = named_command(html)
    assert command[-3:] == ["set-password", "--instance", str(instance.resolve())]
    elsewhere = tmp_path / "somewhere-else"
    elsewhere.mkdir()
    # The venv's scripts off PATH; kb imported from this checkout, as its install does.
    env = {**os.environ, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    env.pop("KB_INDEX", None)
    if not command[0].startswith("/"):
        pytest.skip("kb is on PATH here, so the page names plain kb")
    done = subprocess.run(
        command, input=PASSWORD + "\n", capture_output=True, text=True, encoding="utf-8",
        cwd=elsewhere, env=env, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert check_password(instance, PASSWORD)
    assert login(client).status_code == 303  # the page's server takes the new password
    client.post("/admin/logout", data={"csrf_token": csrf(client, "/admin/")})
    again = named_command(client.get("/admin/login").get_data(as_text=True))
    assert again == command  # the login page names the same command for a forgotten password


def test_the_command_is_plain_kb_only_where_that_kb_is_this_one(monkeypatch, tmp_path):
    from kb import invocation

    beside = Path(sys.executable).with_name("kb")
    other = tmp_path / "kb"
    other.write_text("#!/bin/sh\n")
    monkeypatch.setattr(invocation.shutil, "which", lambda name: str(other))
    assert invocation.kb_command("admin", "set-password").startswith(sys.executable)
    monkeypatch.setattr(invocation.shutil, "which", lambda name: None)
    assert invocation.kb_command("x").split()[-3:] == ["-m", "kb", "x"]
    if beside.exists():
        monkeypatch.setattr(invocation.shutil, "which", lambda name: str(beside))
        assert invocation.kb_command("admin", "set-password") == "kb admin set-password"
    spaced = invocation.set_password_command(tmp_path / "实例 文件夹")
    assert spaced.endswith("'" + str((tmp_path / "实例 文件夹").resolve()) + "'")


def typed_set_password(monkeypatch, capsys, instance: Path, entries: list[str]):
    """``kb admin set-password`` at a terminal with ``entries`` typed: (status, prompts, err)."""
    import getpass

    from kb import cli

    prompts: list[str] = []
    typed = iter(entries)

    def ask(prompt: str = "") -> str:
        prompts.append(prompt)
        return next(typed)

    monkeypatch.setattr(getpass, "getpass", ask)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    status = cli.main(["admin", "set-password", "--instance", str(instance)])
    return status, prompts, capsys.readouterr().err


def test_set_password_checks_the_first_entry_before_asking_again(monkeypatch, capsys, tmp_path):
    instance = tmp_path / "instance"
    status, prompts, err = typed_set_password(
        monkeypatch, capsys, instance, ["abc", " " * 9, PASSWORD, PASSWORD]
    )
    assert status == 0 and check_password(instance, PASSWORD)
    assert prompts == ["新的管理密码：", "新的管理密码：", "新的管理密码：", "再输入一次："]
    assert "密码至少要 8 个字符，这次只有 3 个。" in err and "密码不能全是空格。" in err


def test_set_password_gives_up_after_three_refused_entries(monkeypatch, capsys, tmp_path):
    instance = tmp_path / "instance"
    status, prompts, err = typed_set_password(
        monkeypatch, capsys, instance, ["short", "tab\there-long", " padded-password "]
    )
    assert status == 2 and prompts == ["新的管理密码："] * 3
    assert "控制字符" in err and "开头或结尾有空格" in err and "没有保存" in err
    assert not (instance / PASSWORD_FILE).exists()


def test_set_password_from_a_pipe_follows_the_same_rules(tmp_path):
    for bad, says in (("x" * 1025, "最多 1024"), (" " * 10, "全是空格"), ("abc", "至少要 8")):
        done = run_kb("admin", "set-password", "--instance", str(tmp_path / "i"), stdin=bad + "\n")
        assert done.returncode == 2 and says in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "i" / PASSWORD_FILE).exists()


# --- the file list: title, 文种, 成文日期 and each file's state (issue 16 item 7) -------------


def file_rows(html: str) -> dict[str, dict[str, str]]:
    """File name -> the row's cells (title, type, date, state) as text."""

    def cell(row: str, name: str) -> list[str]:
        found = re.search(rf"<td data-{name}[^>]*>(.*?)</td>", row, re.S)[1]
        return html_unescape(re.sub(r"<[^>]+>", " ", found)).split()

    rows = {}
    for row in re.findall(r"<tr data-file.*?</tr>", html, re.S):
        name = html_unescape(re.search(r"<span data-file-name>([^<]*)<", row)[1])
        rows[name] = {
            "state": re.search(r'data-state="(\w+)"', row)[1],
            "title": " ".join(cell(row, "doc-title")),
            "type": " ".join(cell(row, "doc-type")),
            "date": " ".join(cell(row, "doc-date")),
            "said": " ".join(cell(row, "file-state")),
        }
    return rows


def test_file_list_shows_title_type_date_and_state(tmp_path):
    from web.views.admin import save_report

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "shitang.txt").write_text(
        "关于加强机关食堂管理的通知\n\n青岚委办发〔2024〕9号\n\n各单位要严格执行机关食堂管理制度。\n\n"
        "中共青岚区委办公室\n2024年3月5日\n",
        encoding="utf-8",
    )
    (corpus / "broken.docx").write_bytes(b"PK\x03\x04 not really a Word file")
    report = update_index(tmp_path / "index", [corpus], DEFAULT_DICT)
    assert [Path(f.path).name for f in report.failed] == ["broken.docx"]
    instance = tmp_path / "instance"
    set_password(instance, PASSWORD)
    save_report(instance, report, time.time())
    (corpus / "xinwenjian.txt").write_text("新到的通知\n\n请按时报送。\n", encoding="utf-8")
    (corpus / "readme.xyz").write_text("不是文档", encoding="utf-8")
    app = create_app(
        {"INDEX": str(tmp_path / "index"), "CORPUS": str(corpus), "DICT": str(DEFAULT_DICT),
         "INSTANCE": str(instance)}
    )  # fmt: skip
    client = app.test_client()
    login(client)
    html = client.get("/admin/files").get_data(as_text=True)
    rows = file_rows(html)
    assert rows["shitang.txt"] == {
        "state": "indexed",
        "title": "关于加强机关食堂管理的通知",
        "type": "通知",
        "date": "2024-03-05",
        "said": "已索引",
    }
    assert rows["xinwenjian.txt"]["state"] == "pending"
    assert rows["xinwenjian.txt"]["said"].startswith("尚未索引")
    assert rows["xinwenjian.txt"]["title"] == "—"
    assert rows["broken.docx"]["state"] == "failed"
    assert rows["broken.docx"]["said"].startswith("索引失败")
    assert report.failed[0].reason in rows["broken.docx"]["said"]
    assert rows["readme.xyz"]["state"] == "skipped"
    assert "已索引 1 个" in html and "尚未索引 1 个" in html and "索引失败 1 个" in html


def test_file_list_without_a_readable_index_still_lists_files(site, tmp_path, monkeypatch):
    from kb.search import SearchCore

    def unreadable(self):
        raise OSError("the index went away")

    client = site.app(INSTANCE=str(tmp_path / "instance")).test_client()
    set_password(tmp_path / "instance", PASSWORD)
    login(client)
    monkeypatch.setattr(SearchCore, "catalog", unreadable)
    response = client.get("/admin/files")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert {row["state"] for row in file_rows(html).values()} == {"pending"}
    assert "读不出索引中的文件信息" in html
