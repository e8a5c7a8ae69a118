"""Typical cases in the index: `kb cases`, filters, reposts listed once, the web library."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from docx import Document as WordDocument

CASE_KEYS = {
    "id", "doc_id", "path", "title", "doc_no", "date", "summary", "person", "position", "unit", "level",
    "problems", "sanctions", "years", "text", "also_in",
}  # fmt: skip


def test_every_notice_yields_the_cases_it_states(searcher):
    per_file = Counter(Path(c.path).name for c in searcher.cases(limit=10_000).cases)
    assert per_file["case_2024_jingshi_jiaoyu_anli_huibian.txt"] == 8
    assert per_file["case_2024_shiqi_zuofeng_wenti_tongbao.html"] == 10
    assert per_file["case_2023_xingshi_zhuyi_tongbao.txt"] == 4
    assert per_file["case_2025_weigui_chihe_tongbao.txt"] == 6


def test_a_reposted_notice_lists_its_cases_once(searcher):
    cases = searcher.cases("罗建平").cases
    assert len(cases) == 1
    (case,) = cases
    assert case.person == "罗建平"
    assert [Path(o["path"]).name for o in case.also_in] == [
        "notice_2024_jiaoyuju_xuexi_tongbao_gbk.txt"
    ]


def test_filters_by_problem_sanction_level_and_year(searcher):
    drinking = searcher.cases(problems=["违规吃喝"]).cases
    assert drinking and all("违规吃喝" in c.problems for c in drinking)
    both = searcher.cases(problems=["违规吃喝"], sanctions=["党内警告"]).cases
    assert both and all("党内警告" in c.sanctions for c in both) and len(both) < len(drinking)
    parent = searcher.cases(problems=["形式主义官僚主义"]).cases
    assert parent and all(any(p.startswith("形式主义官僚主义") for p in c.problems) for c in parent)
    county = searcher.cases(levels=["县处级"]).cases
    assert county and {c.level for c in county} == {"县处级"}
    in_2023 = searcher.cases(years=[2023]).cases
    assert in_2023 and all(2023 in c.years for c in in_2023)


def test_case_filters_in_the_query_language(searcher):
    hits = searcher.search("宴请 problem:违规吃喝", limit=20).hits
    assert hits and all(h.case_id for h in hits)


def test_kb_cases_json(corpus_index):
    out = subprocess.run(
        [sys.executable, "-m", "kb.cli", "cases", "--index", str(corpus_index), "--json",
         "--problem", "违规出入私人会所"],
        capture_output=True, text=True, encoding="utf-8", check=True,
    ).stdout  # fmt: skip
    cases = json.loads(out)["cases"]
    assert cases and all(set(c) == CASE_KEYS for c in cases)
    assert all("违规出入私人会所" in c["problems"] for c in cases)
    assert all(isinstance(y, int) for c in cases for y in c["years"])


def test_case_library_page_and_api(client):
    html = client.get("/cases?problem=违规吃喝").get_data(as_text=True)
    assert "问题类别" in html and "处理处分" in html and "干部层级" in html
    assert 'class="active"' in html and "case-card" in html
    data = client.get("/api/cases?problem=违规吃喝&per_page=3").get_json()
    assert data["total"] >= 3 and len(data["cases"]) == 3
    assert all("违规吃喝" in c["problems"] for c in data["cases"])


def test_a_case_in_the_basket_exports_with_its_citation(client, searcher):
    case = searcher.cases("郭建华").cases[0]
    items = [{"kind": "case", "doc_id": case.doc_id, "case_id": case.id, "note": ""}]
    page = client.get("/basket").get_data(as_text=True)  # every POST carries a CSRF token
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/basket/export.docx", data={"items": json.dumps(items), "csrf_token": token}
    )
    paragraphs = [p.text for p in WordDocument(io.BytesIO(response.data)).paragraphs]
    assert f"一、{case.summary}" in paragraphs
    assert any(p.startswith(f"——《{case.title}》") for p in paragraphs)


def test_case_cards_write_their_years_as_spans(client):
    """A case's years on its card as kb.dates writes them (2013—2024, not twelve years)."""
    from kb.dates import written_years

    cases = client.get("/api/cases?per_page=100").get_json()["cases"]
    pages = range(1, len(cases) // 10 + 2)  # enough pages for every card, whatever a page holds
    html = "".join(client.get(f"/cases?page={n}").get_data(as_text=True) for n in pages)
    dated = [case for case in cases if case["years"]]
    assert dated
    for case in dated:
        assert f"发生于 {written_years(case['years'])} 年" in html, case["years"]
