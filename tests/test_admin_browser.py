"""The admin area in a real browser (Debian's chromium via Playwright) against a live
`kb serve` with its own index, instance and corpus folders: set the password with
`kb admin set-password`, log in, upload, update the index while the page follows the
progress, find the new document. Screenshots go to test-artifacts/ (not committed)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import test_browser as shared

CHROMIUM, ARGS, shot = shared.CHROMIUM, shared.ARGS, shared.shot
PASSWORD = "青岚区管理密码2025"
KB = Path(sys.executable).with_name("kb.exe" if os.name == "nt" else "kb")

pytestmark = shared.pytestmark  # skips without chromium, fails under CI=true


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """`kb serve` with a small corpus of its own; no admin password yet."""
    root = tmp_path_factory.mktemp("admin-served")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "食堂管理通知.txt").write_text(
        "关于加强机关食堂管理的通知\n各单位要严格执行机关食堂管理制度，杜绝浪费。\n",
        encoding="utf-8",
    )
    (corpus / "损坏的文件.pdf").write_bytes(b"%PDF-1.4\n% truncated\n")
    log = (root / "serve.log").open("w")
    folders = ["--index", str(root / "index"), "--instance", str(root / "instance")]
    process, base = shared.start_kb_serve([*folders, "--corpus", str(corpus)], log)
    yield {"base": base, "root": root, "corpus": corpus, "folders": folders}
    process.terminate()
    process.wait(timeout=20)
    log.close()


@pytest.fixture
def page(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        page = context.new_page()
        problems: list[str] = []

        def console(message) -> None:
            # The page for "no password yet" (403), a wrong password (401) and a metadata form
            # with a bad value (422) are deliberate refusals; chromium logs any 4xx page load
            # as an error.
            expected = ("status of 401", "status of 403", "status of 422")
            if message.type == "error" and not any(e in message.text for e in expected):
                problems.append(message.text)

        page.on("console", console)
        page.on(
            "request", lambda r: None if r.url.startswith(site["base"]) else problems.append(r.url)
        )
        yield page
        context.close()
        browser.close()
    assert not problems, problems  # no script errors, no CSP violations, no outside requests


def test_set_password_log_in_upload_update_and_find(page, site, tmp_path):
    base = site["base"]

    # No password yet: the admin page says how to set one.
    page.goto(base + "/admin/")
    assert "kb admin set-password" in page.inner_text("main")
    shot(page, "admin-1-no-password")

    _set_password(site)

    # Log in (a wrong password first).
    page.goto(base + "/admin/")
    page.wait_for_selector("input[type=password]")
    page.fill("input[type=password]", "不是这个密码")
    page.click("button:has-text('登录')")
    assert "密码不正确" in page.inner_text("main")
    shot(page, "admin-2-wrong-password")
    page.fill("input[type=password]", PASSWORD)
    page.click("button:has-text('登录')")
    page.wait_for_selector("[data-progress]")
    assert "已索引文件" in page.inner_text("main")
    shot(page, "admin-3-dashboard")

    # Upload a GBK text and a file that only pretends to be a PDF.
    gbk = tmp_path / "古树名木保护通知.txt"
    gbk.write_bytes("关于古树名木保护的通知\n全面开展古树名木挂牌保护工作。\n".encode("gbk"))
    fake = tmp_path / "年度报告.pdf"
    fake.write_bytes(b"MZ" + bytes(300) + b"not a pdf at all")
    page.click("nav.admin-nav a:has-text('上传文件')")
    page.set_input_files("input[type=file]", [str(gbk), str(fake)])
    page.click("form.admin-form button[type=submit]")
    page.wait_for_selector("[data-upload-result]")
    results = page.inner_text("table")
    assert "已保存为 古树名木保护通知.txt" in results
    assert "可执行程序" in results
    assert (site["corpus"] / "古树名木保护通知.txt").is_file()
    assert not (site["corpus"] / "年度报告.pdf").exists()
    shot(page, "admin-4-uploaded")

    # Update the index; the dashboard follows the progress until it is done.
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if "/admin/progress" in r.url else None)
    page.click("button:has-text('现在更新索引')")
    page.wait_for_selector("[data-progress][data-state=done]", timeout=90_000)
    assert polls  # the page asked /admin/progress (admin.js, no inline script)
    lines = page.inner_text("[data-progress-lines]")
    assert "开始更新索引" in lines and "更新完成" in lines and "新增：古树名木保护通知.txt" in lines
    assert not page.locator("[data-update-button]").is_disabled()
    shot(page, "admin-5-updated")

    # The new document is found by the public search.
    page.goto(base + '/search?q="古树名木挂牌保护"')
    page.wait_for_selector("[data-hit]")
    assert "古树名木" in page.locator("[data-hit]").first.inner_text()
    shot(page, "admin-6-found")

    # Files list and report pages render; logging out ends the session.
    page.goto(base + "/admin/files")
    assert "古树名木保护通知.txt" in page.inner_text("table")
    shot(page, "admin-7-files")
    page.click("nav.admin-nav a:has-text('索引报告')")
    failures = page.inner_text("main")
    assert "读取失败的文件（1）" in failures and "损坏的文件.pdf" in failures
    shot(page, "admin-8-report")

    # Too many files are refused before anything is sent, naming that limit.
    many = tmp_path / "many"
    many.mkdir()
    for n in range(501):
        (many / f"通知{n}.txt").write_text(f"第{n}号通知\n", encoding="utf-8")
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.click("nav.admin-nav a:has-text('上传文件')")
    page.set_input_files("input[type=file]", sorted(str(p) for p in many.iterdir()))
    problem = page.locator("[data-upload-problem]")
    problem.wait_for()
    assert "一次最多上传 500 个文件，这次选了 501 个" in problem.inner_text()
    page.click("form.admin-form button[type=submit]")
    page.wait_for_timeout(300)
    assert not posts and "这次选了 501 个" in problem.inner_text()
    shot(page, "admin-9-too-many-files")

    # What nobody uploaded is listed too: a GBK name, a link out of the folder; removing
    # the link moves the link and leaves its target alone.
    corpus, outside = site["corpus"], tmp_path / "hostname.txt"
    outside.write_text("server-name\n", encoding="utf-8")
    names = ["损坏的文件.pdf"]
    if os.name == "posix":
        with contextlib.suppress(OSError):
            Path(os.fsdecode(bytes(corpus) + b"/\xb2\xe2\xca\xd4.txt")).write_bytes(b"x\n")
            names.append("测试.txt")
    with contextlib.suppress(OSError, NotImplementedError):
        (corpus / "主机名.txt").symlink_to(outside)
        names.append("主机名.txt")
    page.goto(base + "/admin/files")
    table = page.inner_text("table")
    assert all(name in table for name in names), table
    shot(page, "admin-10-files-gbk-and-link")
    if "主机名.txt" in names:
        assert "符号链接" in table and "文档文件夹以外" in table
        page.once("dialog", lambda dialog: dialog.accept())
        row = page.locator("tr", has=page.locator("[data-file-name]", has_text="主机名.txt"))
        row.locator("button:has-text('移出')").click()
        page.wait_for_selector("[data-progress]")
        assert not os.path.lexists(corpus / "主机名.txt")
        assert outside.read_text(encoding="utf-8") == "server-name\n"
        page.wait_for_selector("[data-progress]:not([data-state=running])", timeout=90_000)

    # Logging out ends the session, and every copy of its cookie.
    cookies = page.context.cookies()
    page.click("button:has-text('退出')")
    page.wait_for_selector("input[type=password]")
    page.goto(base + "/admin/files")
    assert page.url.startswith(base + "/admin/login")
    copy = page.context.browser.new_context()
    copy.add_cookies(cookies)
    stolen = copy.new_page()
    stolen.goto(base + "/admin/files")
    assert stolen.url.startswith(base + "/admin/login")
    copy.close()


def _set_password(site) -> None:
    """The admin password set as an admin would, with ``kb admin set-password``."""
    done = subprocess.run(
        [str(KB), "admin", "set-password", "--instance", site["folders"][3]],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def test_admin_corrects_a_title_and_the_update_shows_it(page, site):
    """修改信息 from the files list: a bad date is refused with the form kept, the fixed form
    saved with 保存并更新索引, and the document is then found and shown under its new title."""
    base, title = site["base"], "区机关食堂管理办法实施通知"
    _set_password(site)
    page.goto(base + "/admin/login")
    page.fill("input[type=password]", PASSWORD)
    page.click("button:has-text('登录')")
    page.wait_for_selector("[data-progress]")

    page.goto(base + "/admin/files")
    row = page.locator("tr", has=page.locator("[data-file-name]", has_text="食堂管理通知.txt"))
    row.locator("[data-edit-meta]").click()
    page.wait_for_selector("[data-meta-field=title]")
    assert page.input_value("[data-meta-field=title]") == "关于加强机关食堂管理的通知"
    page.fill("[data-meta-field=title]", title)
    page.fill("[data-meta-field=date]", "2024年13月1日")
    page.click("button:has-text('保存并更新索引')")
    errors = page.locator("[data-meta-errors]")
    errors.wait_for()
    assert "日期“2024年13月1日”无法识别" in errors.inner_text()
    assert page.input_value("[data-meta-field=title]") == title  # what was typed is kept
    assert not (site["corpus"] / "食堂管理通知.txt.json").exists()
    shot(page, "admin-11-meta-refused")

    page.fill("[data-meta-field=date]", "2024年3月1日")
    page.click("button:has-text('保存并更新索引')")
    page.wait_for_selector("[data-progress][data-state=done]", timeout=90_000)
    assert "更新：食堂管理通知.txt" in page.inner_text("[data-progress-lines]")

    page.goto(base + '/search?q="机关食堂管理制度"')
    page.wait_for_selector("[data-hit]")
    hit = page.locator("[data-hit]").first
    assert title in hit.inner_text() and "2024-03-01" in hit.inner_text()
    hit.locator("[data-open]").click()
    page.wait_for_selector("h1#p-0")
    assert page.inner_text("h1#p-0") == title
    shot(page, "admin-12-meta-applied")
