"""The self-examination workbench in a real browser against a live `kb serve`: pick
requirements, write a 对照检查 draft, export it, save and reopen it; build a 案例教材 and export
it. Screenshots go to test-artifacts/ (not committed)."""

from __future__ import annotations

import test_browser as shared
from docx import Document as WordDocument
from playwright.sync_api import expect

# The live server, browser and page fixtures of test_browser.py (same checks: no script errors,
# no CSP violations, no outside requests).
server, browser, page = shared.server, shared.browser, shared.page
pytestmark, shot = shared.pytestmark, shared.shot


def download(page, button, path) -> list[str]:
    with page.expect_download() as info:
        button.click()
    info.value.save_as(path)
    return [p.text for p in WordDocument(str(path)).paragraphs]


def test_requirements_to_draft_export_save_and_reopen(page, server, tmp_path):
    page.goto(server + "/requirements")
    page.locator("#q").fill("会议")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-requirement]")
    items = page.locator("[data-requirement]")
    assert "会议" in items.first.inner_text()
    clauses = [items.nth(i).locator(".clause").inner_text() for i in range(2)]
    items.nth(0).locator("[data-req-add]").click()
    items.nth(1).locator("[data-req-add]").click()
    assert items.nth(0).locator("[data-req-add]").inner_text() == "已加入对照检查"
    shot(page, "wb-1-requirements")

    page.goto(server + "/draft")
    drafts = page.locator(".draft-item")
    assert drafts.count() == 2
    first = drafts.nth(0)
    # A locator wait, not wait_for_function: the page's CSP forbids the eval that needs.
    expect(page.locator('.draft-item .cite-line a[href^="/doc/"]')).to_have_count(2)
    assert first.locator(".clause").inner_text().strip() == clauses[0].strip()
    first.locator("[data-case-id]").first.wait_for()
    case_summary = first.locator(".suggested [data-field=summary]").first.inner_text()
    first.locator("[data-case-id]").first.check()
    first.locator("[data-input=gap]").fill("会前准备不够充分，有的会议可开可不开")
    first.locator("[data-input=example]").fill("一季度开会12次\n三次超时")
    first.locator("[data-input=measure]").fill("严格控制会议数量")
    drafts.nth(1).locator("[data-input=topic]").select_option("其他")
    page.locator("[data-draft-word=unit]").fill("某局机关党委")
    page.locator("[data-draft-cause]").first.fill("理论学习浮于表面")
    page.locator("[data-draft-word=direction]").fill("以整改实效取信于民")
    shot(page, "wb-2-draft")

    path = tmp_path / "d.docx"
    text = download(page, page.locator("button", has_text="导出 Word").first, path)
    sections = [
        text.index(s)
        for s in (
            "一、查摆出的突出问题",
            "二、问题产生的原因剖析",
            "三、整改措施和努力方向",
            "四、典型案例警示",
        )
    ]
    assert sections == sorted(sections)
    assert (
        text[1] == "某局机关党委"
        and WordDocument(str(path)).core_properties.author == "某局机关党委"
    )
    assert "1.会前准备不够充分，有的会议可开可不开" in text
    assert "（1）一季度开会12次" in text and "（2）三次超时" in text
    assert any(t.endswith("）其他方面") for t in text)  # the second, put there by hand
    assert "1.________" in text  # the second was left empty
    assert text[sections[1] + 2] == "理论学习浮于表面"
    assert "以整改实效取信于民" in text[sections[2] :]
    assert any(case_summary in line for line in text[sections[3] :])
    assert sum(1 for line in text if line.startswith("——《")) >= 3

    # Save under a name, clear, reload, reopen: the words come back.
    page.locator("[data-saved-name]").fill("2025年度组织生活会")
    page.locator("[data-saved-save]").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("[data-draft-clear]").click()
    assert page.locator(".draft-item").count() == 0
    page.reload()
    row = page.locator("[data-saved-list] li", has_text="2025年度组织生活会")
    assert row.count() == 1
    row.locator("[data-saved-open]").click()
    assert page.locator(".draft-item").count() == 2
    gap = page.locator(".draft-item").nth(0).locator("[data-input=gap]")
    assert gap.input_value() == "会前准备不够充分，有的会议可开可不开"
    topic = page.locator(".draft-item").nth(1).locator("[data-input=topic]")
    assert topic.input_value() == "其他"
    assert page.locator("[data-draft-word=unit]").input_value() == "某局机关党委"
    assert page.locator("[data-draft-cause]").first.input_value() == "理论学习浮于表面"
    page.locator(".draft-item").nth(0).locator("[data-case-id]").first.wait_for()
    assert page.locator(".draft-item").nth(0).locator("[data-case-id]").first.is_checked()
    shot(page, "wb-3-draft-reopened")


def test_case_pack(page, server, tmp_path):
    page.goto(server + "/casepack")
    page.locator(".facets a").first.click()
    page.wait_for_selector("[data-pack-add]")
    cards = page.locator(".case-card")
    count = min(cards.count(), 2)
    summaries = [cards.nth(i).locator("h3").inner_text() for i in range(count)]
    for i in range(count):
        cards.nth(i).locator("[data-pack-add]").click()
    assert page.locator(".pack-items li").count() == count
    if count == 2:
        page.locator(".pack-items li").nth(1).locator("[data-move='-1']").click()
        summaries.reverse()
    page.locator("[data-pack-input=unit]").fill("某局机关党委")
    page.locator("[data-pack-input=date]").fill("2025年6月")
    page.locator("[data-pack-input=questions]").check()
    shot(page, "wb-4-casepack")
    text = download(
        page, page.locator("[data-pack-form] button", has_text="导出 Word"), tmp_path / "p.docx"
    )
    lines = [t for t in text if t]
    assert lines[:3] == ["典型案例警示教育材料", "某局机关党委", "2025年6月"]
    assert f"案例一\u3000{summaries[0]}" in lines  # the pack's own numbering (web/exports)
    assert lines.count("【讨论题】") == count
