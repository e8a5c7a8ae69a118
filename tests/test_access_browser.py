"""Who may see what, in a real browser (chromium via Playwright) against a live `kb serve`:
the admin creates accounts and makes a document 限定 on its 修改信息 form; a reader of
another department then finds no trace of it (no hit, no count, its page 404), a reader of
the department named reads it. Screenshots go to test-artifacts/ (not committed)."""

from __future__ import annotations

import re

import pytest
import test_browser as shared
from test_admin_browser import PASSWORD, _set_password

from kb.access import RULE_FILE
from kb.filenames import doc_id_for

CHROMIUM, ARGS, shot = shared.CHROMIUM, shared.ARGS, shared.shot
READER_PASSWORD = "读者密码2025abc"

pytestmark = shared.pytestmark  # skips without chromium, fails under CI=true

PUBLIC_TEXT = "关于加强机关食堂管理的通知\n\n各单位要严格执行机关食堂管理制度，杜绝浪费。\n"
FEEDBACK_TEXT = "关于巡察反馈食堂问题整改的通知\n\n巡察反馈指出机关食堂账目不清，请限期整改。\n"
RULED_TEXT = "关于食堂专项审计的报告\n\n审计发现机关食堂采购未按规定招标。\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("access-served")
    corpus = root / "corpus"
    (corpus / "审计").mkdir(parents=True)
    (corpus / "食堂管理通知.txt").write_text(PUBLIC_TEXT, encoding="utf-8")
    (corpus / "巡察反馈.txt").write_text(FEEDBACK_TEXT, encoding="utf-8")
    (corpus / "审计" / "审计报告.txt").write_text(RULED_TEXT, encoding="utf-8")
    (corpus / "审计" / RULE_FILE).write_text('visibility = "内部"\n', encoding="utf-8")
    log = (root / "serve.log").open("w")
    folders = ["--index", str(root / "index"), "--instance", str(root / "instance")]
    process, base = shared.start_kb_serve([*folders, "--corpus", str(corpus)], log)
    site = {"base": base, "root": root, "corpus": corpus, "folders": folders}
    _set_password(site)
    yield site
    process.terminate()
    process.wait(timeout=20)
    log.close()


@pytest.fixture
def browser(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        problems: list[str] = []

        def context():
            made = launched.new_context(viewport={"width": 1366, "height": 768})
            page = made.new_page()
            expected = ("status of 401", "status of 404", "status of 422")
            page.on(
                "console",
                lambda m: (
                    problems.append(m.text)
                    if m.type == "error" and not any(e in m.text for e in expected)
                    else None
                ),
            )
            page.on(
                "request",
                lambda r: None if r.url.startswith(site["base"]) else problems.append(r.url),
            )
            return page

        yield context
        launched.close()
    assert not problems, problems  # no script errors, no CSP violations, no outside requests


def _results(page, base: str, query: str) -> str:
    page.goto(f"{base}/search?q={query}")
    page.wait_for_selector("main")
    return page.inner_text("main")


def _log_in(page, base: str, name: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", READER_PASSWORD)
    page.click("main button:has-text('登录')")
    page.wait_for_url(re.compile(r".*/search$|.*/$"))


def test_admin_restricts_a_document_and_readers_see_only_their_share(browser, site):
    base = site["base"]
    feedback_id = doc_id_for(site["corpus"] / "巡察反馈.txt")

    # Anonymous: the 内部 audit report is nowhere; the feedback is still 公开.
    anonymous = browser()
    text = _results(anonymous, base, "食堂")
    assert "食堂专项审计" not in text and "巡察反馈食堂问题" in text

    # The admin creates two readers and makes the feedback 限定 to 纪检组.
    admin = browser()
    admin.goto(base + "/admin/login")
    admin.fill("input[type=password]", PASSWORD)
    admin.click("main button:has-text('登录')")
    admin.wait_for_selector("[data-progress]")
    admin.click("nav.admin-nav a:has-text('账户')")
    for name, department in (("王五", "办公室"), ("李四", "纪检组")):
        admin.fill("input[name=name]", name)
        admin.fill("input[name=department]", department)
        admin.fill("form.admin-form input[name=password]", READER_PASSWORD)
        admin.click("button:has-text('新建')")
        admin.wait_for_selector(f"text=已新建账户“{name}”")
    shot(admin, "access-1-accounts")
    admin.click("nav.admin-nav a:has-text('文件列表')")
    admin.click("tr:has-text('巡察反馈.txt') a:has-text('修改信息')")
    admin.select_option("select[name=visibility]", "限定")
    admin.fill("input[name=departments]", "纪检组")
    shot(admin, "access-2-visibility")
    admin.click("button:has-text('保存并更新索引')")
    admin.wait_for_selector("[data-progress][data-state=done]", timeout=90_000)

    # A reader of 办公室: sees the 内部 report, and nothing of the 限定 feedback.
    office = browser()
    _log_in(office, base, "王五")
    text = _results(office, base, "食堂")
    assert "王五（办公室）" in text or "王五" in office.inner_text("header")
    assert "食堂专项审计" in text and "巡察反馈" not in text
    shown = _results(office, base, "巡察反馈")
    assert "巡察反馈食堂问题" not in shown and "账目不清" not in shown
    response = office.goto(f"{base}/doc/{feedback_id}")
    assert response is not None and response.status == 404
    shot(office, "access-3-office-reader")

    # A reader of 纪检组 reads it; anonymous visitors no longer find it.
    jijian = browser()
    _log_in(jijian, base, "李四")
    assert "巡察反馈食堂问题" in _results(jijian, base, "巡察反馈")
    response = jijian.goto(f"{base}/doc/{feedback_id}")
    assert response is not None and response.status == 200
    assert "账目不清" in jijian.inner_text("main")
    assert "巡察反馈" not in _results(anonymous, base, "食堂")

    # The admin's 留痕 page shows who read it.
    admin.click("nav.admin-nav a:has-text('留痕')")
    log = admin.inner_text("main")
    assert "李四" in log and feedback_id in log and "查看文件" in log
    shot(admin, "access-4-audit")
