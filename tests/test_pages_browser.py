"""The search page and the case library on a phone (390 x 844) in a real browser (Debian's
chromium driven by Playwright, as tests/test_browser.py): the filters come above the results,
folded, and the 收藏 buttons keep their shape (issue 16 item 7). Screenshots go to
test-artifacts/."""

from __future__ import annotations

import pytest
from conftest import prerequisite
from test_browser import ARGS, CHROMIUM, CHROMIUM_MISSING, shot, start_kb_serve

pytestmark = prerequisite(CHROMIUM is not None, CHROMIUM_MISSING)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}


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


def open_page(browser, server, viewport: dict):
    context = browser.new_context(viewport=viewport, is_mobile=viewport is PHONE)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: None if r.url.startswith(server) else problems.append(r.url))
    return context, page, problems


def box(page, selector: str) -> dict:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is not shown"
    return found


@pytest.mark.parametrize(("path", "name"), [("/search?q=整改", "search"), ("/cases", "cases")])
def test_on_a_phone_filters_come_first_and_buttons_keep_their_shape(browser, server, path, name):
    context, page, problems = open_page(browser, server, PHONE)
    try:
        page.goto(server + path)
        page.wait_for_selector("[data-hit]")
        shot(page, f"phone-{name}")
        filters = box(page, ".facets")
        assert filters["y"] < PHONE["height"], f"the filters start {filters['y']:.0f}px down"
        first_hit = box(page, "[data-hit]")
        assert first_hit["y"] < PHONE["height"], "the first result is on the first screen too"
        for button in page.locator("[data-hit] [data-collect]").all()[:5]:
            shape = button.bounding_box()
            assert shape["height"] < 48 and shape["width"] > shape["height"], shape
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        # Folded on a phone: a tap opens the filters, and a filter value can be chosen.
        facet = page.locator(".facets li a").first
        assert not facet.is_visible()
        page.locator(".facets summary").click()
        assert facet.is_visible()
        shot(page, f"phone-{name}-filters")
        facet.click()
        page.wait_for_selector("[data-hit]")
        assert "=" in page.url.split("?", 1)[1]
    finally:
        context.close()
    assert not problems, problems


def test_on_a_desktop_the_filters_stay_open_beside_the_results(browser, server):
    context, page, problems = open_page(browser, server, DESKTOP)
    try:
        page.goto(server + "/search?q=整改")
        page.wait_for_selector("[data-hit]")
        assert page.locator(".facets li a").first.is_visible()
        assert not page.locator(".facets summary").is_visible()
        filters, results = box(page, ".facets"), box(page, ".results")
        assert filters["x"] + filters["width"] <= results["x"]  # side by side
        shape = box(page, "[data-hit] [data-collect]")
        assert shape["height"] < 48 and shape["width"] > shape["height"]
    finally:
        context.close()
    assert not problems, problems


def test_on_a_phone_a_document_keeps_its_collect_buttons_small(browser, server):
    """On the document page a 收藏 pinned both at the top and the bottom of its passage grew
    into a column as tall as the passage."""
    context, page, problems = open_page(browser, server, PHONE)
    try:
        page.goto(server + "/search?q=整改")
        page.wait_for_selector("[data-hit]")
        page.goto(page.locator("[data-open]").first.get_attribute("href").join([server, ""]))
        page.wait_for_selector(".passage [data-collect]")
        shot(page, "phone-document")
        buttons = page.locator(".passage [data-collect]").all()
        assert len(buttons) > 3
        for button in buttons:
            shape = button.bounding_box()
            assert shape["height"] < 48 and shape["width"] > shape["height"], shape
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()
    assert not problems, problems
