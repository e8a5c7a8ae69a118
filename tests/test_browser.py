"""The web UI in a real browser (Debian's chromium driven by Playwright) against a live
`kb serve`. Screenshots of each page go to test-artifacts/ (not committed)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import prerequisite
from docx import Document as WordDocument

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = (
    os.environ.get("KB_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

CHROMIUM_MISSING = "chromium is not installed (python3 dev.py test installs it on Debian)"
# Skips without chromium, fails under CI=true (conftest.prerequisite).
pytestmark = prerequisite(CHROMIUM is not None, CHROMIUM_MISSING)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_kb_serve(arguments: list[str], log) -> tuple[subprocess.Popen, str]:
    """`kb serve` on a free 127.0.0.1 port with ``arguments``; returns once it answers."""
    port = free_port()
    script = Path(sys.executable).with_name("kb.exe" if os.name == "nt" else "kb")
    process = subprocess.Popen(
        [str(script), "serve", *arguments, "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            urllib.request.urlopen(base + "/", timeout=2)
            return process, base
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("kb serve exited") from None
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError("kb serve did not answer in time")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`kb serve` on a fresh index folder: it builds the sample corpus index on first start."""
    index = tmp_path_factory.mktemp("served") / "index"
    log = (tmp_path_factory.mktemp("log") / "serve.log").open("w")
    process, base = start_kb_serve(["--index", str(index)], log)
    yield base
    process.terminate()
    process.wait(timeout=20)
    log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: None if r.url.startswith(server) else problems.append(r.url))
    page.problems = problems
    yield page
    context.close()
    assert not problems, problems  # no script errors, no CSP violations, no outside requests


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_search_filter_open_collect_and_export(page, server, tmp_path):
    # An empty 收集夹 offers nothing to export (its form is hidden, whatever CSS says).
    page.goto(server + "/basket")
    page.wait_for_selector("[data-basket-empty]")
    assert page.locator("[data-basket-empty]").is_visible()
    assert not page.locator("[data-basket-form]").is_visible()
    page.goto(server + "/")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("/")  # back to the search box from anywhere
    page.keyboard.type("领导接受老板请吃饭")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-hit]")
    shot(page, "1-search")
    first = page.locator("[data-hit]").first
    assert "私营企业主" in first.inner_text()

    # Filter by type with the facet, then collect two passages.
    page.locator(".facets a", has_text="通报").first.click()
    page.wait_for_selector("[data-hit]")
    metas = page.locator("[data-hit] .meta").all_inner_texts()
    assert metas and all(m.startswith("通报") for m in metas)
    shot(page, "2-filtered")
    buttons = page.locator("[data-hit] [data-collect]")
    buttons.nth(0).click()
    buttons.nth(1).click()
    assert page.locator("[data-basket-count]").inner_text() == "2"
    collected = [page.locator("[data-hit] .snippet").nth(i).inner_text() for i in range(2)]

    # Open the first hit: the document page shows the passage, highlighted.
    page.locator("[data-hit] h3 a").first.click()
    page.wait_for_selector(".hit-target")
    target = page.locator(".hit-target")
    assert target.is_visible()
    card = page.inner_text("aside")
    assert "文件信息" in card and "发文字号" in card
    shot(page, "3-document")

    # The basket survives a reload; notes and order are kept; export opens in Word.
    page.goto(server + "/basket")
    page.reload()
    items = page.locator(".basket-item")
    assert items.count() == 2
    items.nth(1).locator("[data-move='-1']").click()
    page.locator(".basket-item").nth(0).locator("[data-note]").fill("对照检查时引用")
    shot(page, "4-basket")
    with page.expect_download() as download_info:
        page.locator("button", has_text="导出 Word").click()
    path = tmp_path / "export.docx"
    download_info.value.save_as(path)
    paragraphs = [p.text for p in WordDocument(str(path)).paragraphs]
    citations = [p for p in paragraphs if p.startswith("——《")]
    assert len(citations) == 2
    assert all("（" in c and "）" in c for c in citations)  # 发文字号 and date in brackets
    assert "（备注：对照检查时引用）" in paragraphs
    body = "\n".join(paragraphs)
    for snippet in collected:
        assert snippet.strip("…")[:15] in body


def test_keyboard_alone(page, server):
    page.goto(server + "/search?q=四风")
    page.locator("#q").focus()
    page.keyboard.press("ArrowDown")
    focused = page.evaluate("document.activeElement.hasAttribute('data-hit')")
    assert focused
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url("**/doc/**")
    assert page.locator(".hit-target").count() == 1


def test_phone_width_and_no_results(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(server + '/search?q="四不两值"')
    assert "没有找到匹配的段落" in page.inner_text("main")
    assert page.locator(".empty a").count() >= 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing overflows sideways
    shot(page, "5-phone-no-results")
    page.goto(server + "/search?q=四风")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "6-phone-results")
    context.close()
