"""The self-examination workbench through Flask's test client: 要求清单 and its API, the
对照检查 export (quotes re-read from the index), the 案例教材 export, and bad input."""

from __future__ import annotations

import io
import json
import re

import pytest
from docx import Document as WordDocument
from docx.oxml.ns import qn

SECTIONS = ("一、查摆出的突出问题", "二、问题产生的原因剖析", "三、整改措施和努力方向")
CASES_SECTION = "四、典型案例警示"


def token(client, page: str = "/draft") -> str:
    html = client.get(page).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def api(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_json()


def paragraphs(data: bytes) -> list[str]:
    return [p.text for p in WordDocument(io.BytesIO(data)).paragraphs]


def two_requirements(client) -> list[dict]:
    """Two requirements from different documents when the corpus has them, with cases."""
    items = api(client, "/api/requirements?limit=200")["items"]
    chosen = [items[0]]
    chosen += [i for i in items if i["doc_id"] != items[0]["doc_id"]][:1] or items[1:2]
    return chosen


def test_pages_render_with_nav_links(client):
    for url in ("/requirements", "/draft", "/casepack", "/requirements?q=会议&page=abc"):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        for name in ("要求清单", "对照检查", "案例教材"):
            assert name in html
        assert 'src="/static/workbench.js"' in html
        assert "<script>" not in html  # the CSP forbids inline scripts
    html = client.get("/requirements").get_data(as_text=True)
    assert "加入对照检查" in html and "主题" in html and "文件" in html
    assert re.search(r'href="/doc/\w+\?p=\d+#p-\d+"', html)


def test_api_requirements_filters(client):
    everything = api(client, "/api/requirements?limit=5")
    assert everything["total"] > 5 and len(everything["items"]) == 5
    first = everything["items"][0]
    for key in ("id", "doc_id", "text", "full_text", "kind", "topics", "citation", "link"):
        assert key in first
    assert first["link"] == f"/doc/{first['doc_id']}?p={first['passage']}#p-{first['passage']}"
    topic = everything["facets"]["topic"][0]
    by_topic = api(client, f"/api/requirements?topic={topic['name']}&limit=200")
    assert by_topic["total"] == topic["count"]
    assert all(topic["name"] in item["topics"] for item in by_topic["items"])
    doc = everything["facets"]["doc"][0]
    by_doc = api(client, f"/api/requirements?doc={doc['doc_id']}&limit=200")
    assert by_doc["total"] == doc["count"]
    assert {item["doc_id"] for item in by_doc["items"]} == {doc["doc_id"]}
    searched = api(client, "/api/requirements?q=会议&limit=200")
    assert 0 < searched["total"] <= everything["total"]
    page_two = api(client, "/api/requirements?limit=2&offset=2")["items"]
    assert [i["id"] for i in page_two] == [
        i["id"] for i in api(client, "/api/requirements?limit=4")["items"][2:]
    ]


def test_requirement_cases_api(client):
    item = api(client, "/api/requirements?limit=1")["items"][0]
    found = api(client, f"/api/requirements/{item['id']}/cases")
    assert found["requirement"]["id"] == item["id"]
    scores = [case["score"] for case in found["cases"]]
    assert scores == sorted(scores, reverse=True)
    assert client.get("/api/requirements/nope-r1/cases").status_code == 404
    assert client.get("/api/requirements/<b>/cases").status_code == 404


def test_draft_export_quotes_the_index_verbatim(client):
    chosen = two_requirements(client)
    cases = api(client, f"/api/requirements/{chosen[0]['id']}/cases")["cases"]
    case_ids = [case["id"] for case in cases[:1]]
    draft = [
        {
            "id": chosen[0]["id"],
            "gap": "理论学习不够系统",
            "cases": case_ids,
            "measure": "制定学习计划",
            "owner": "张三",
            "deadline": "2025年12月底",
        },
        {"id": chosen[1]["id"]},
    ]
    response = client.post(
        "/draft/export.docx",
        data={"draft": json.dumps(draft), "title": "", "csrf_token": token(client)},
    )
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    text = paragraphs(response.data)
    assert text[0] == "对照检查材料"
    positions = [text.index(name) for name in SECTIONS]
    assert positions == sorted(positions)
    part_one = text[positions[0] + 1 : positions[1]]

    # Each requirement: its problem heading, the clause quoted from the document, its citation.
    for item in chosen:
        first = next(line.strip() for line in item["full_text"].split("\n") if line.strip())
        start = part_one.index("对照要求：" + first)
        cite = next(i for i in range(start, len(part_one)) if part_one[i].startswith("——"))
        quoted = [part_one[start].removeprefix("对照要求：")] + part_one[start + 1 : cite]
        passages = api(client, f"/api/docs/{item['doc_id']}")["passages"]
        source = "\n".join(p["text"] for p in passages[item["passage"] :])
        assert all(line in source for line in quoted)
        assert quoted[0] in passages[item["passage"]]["text"]
        assert part_one[cite] == "——" + item["citation"]
        assert "《" in part_one[cite] and "》" in part_one[cite]
        assert part_one[cite + 1].startswith("具体表现：")
    assert "1.理论学习不够系统" in part_one
    assert "1.________" in part_one or "2.________" in part_one
    assert "具体表现：________" in part_one

    part_four = text[text.index(CASES_SECTION) + 1 :] if cases else []
    if cases:
        assert any(cases[0]["summary"] in line for line in part_four)
        assert any(line.startswith("——《" + cases[0]["title"]) for line in part_four)
    else:
        assert CASES_SECTION not in text

    table = WordDocument(io.BytesIO(response.data)).tables[0]
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["序号", "问题", "措施", "责任人", "完成时限", "销号情况"]
    assert len(rows) == 1 + len(draft)
    assert rows[1] == ["1", "理论学习不够系统", "制定学习计划", "张三", "2025年12月底", ""]
    assert rows[2][:2] == ["2", chosen[1]["full_text"]] and rows[2][2:] == ["", "", "", ""]
    # Sized for their content, not shared equally: 序号 narrow, the problem and measure wide.
    widths = [column.width for column in table.columns]
    assert widths[0] < widths[3] <= widths[4] < widths[1] == widths[2]
    assert all(cell.width == widths[1] for cell in table.columns[1].cells)


def test_draft_accepts_basket_passages_and_prints(client):
    doc = api(client, "/api/requirements?limit=1")["items"][0]
    passage = api(client, f"/api/docs/{doc['doc_id']}")["passages"][doc["passage"]]
    item_id = f"{doc['doc_id']}-p{doc['passage']}"
    found = api(client, f"/api/requirements/{item_id}/cases")
    assert found["requirement"]["text"] == passage["text"]
    draft = [{"id": item_id, "example": "2024年某次会议"}]
    response = client.post(
        "/draft/print",
        data={"draft": json.dumps(draft), "title": "我的材料", "csrf_token": token(client)},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "我的材料" in html and "具体表现：2024年某次会议" in html and "销号情况" in html
    assert "<h4>1.________</h4>" in html  # numbered as the Word draft numbers it
    assert "<h2>一、查摆出的突出问题</h2>" in html and "四、典型案例警示" not in html


def test_draft_bad_input_is_400_or_skipped_never_500(client):
    csrf = token(client)
    for bad in (
        "{not json",
        '{"id": 1}',
        "[1, 2]",
        '[{"id": "x", "cases": "c1"}]',
        "[" + "{}," * 200 + "{}]",
    ):
        response = client.post("/draft/export.docx", data={"draft": bad, "csrf_token": csrf})
        assert response.status_code == 400, bad
    draft = [{"id": "nothere-r9"}, {"id": "../../etc"}, {"id": None, "gap": ["x"]}]
    response = client.post(
        "/draft/export.docx", data={"draft": json.dumps(draft), "csrf_token": csrf}
    )
    assert response.status_code == 200
    assert "另有 3 条要求已不在索引中，未导出。" in paragraphs(response.data)
    assert (
        client.post("/draft/export.docx", data={"draft": "[]"}).status_code == 400
    )  # no CSRF token


def pack_cases(client) -> list[dict]:
    return api(client, "/api/cases?per_page=3")["cases"]


def test_case_pack_export(client):
    cases = pack_cases(client)
    ids = [case["id"] for case in cases]
    form = {
        "pack": json.dumps(ids),
        "unit": "某局机关党委",
        "date": "2025年6月",
        "csrf_token": token(client, "/casepack"),
    }
    response = client.post("/casepack/export.docx", data=form)
    assert response.status_code == 200
    document = WordDocument(io.BytesIO(response.data))
    text = [p.text for p in document.paragraphs]
    assert [t for t in text if t][:3] == ["典型案例警示教育材料", "某局机关党委", "2025年6月"]
    # The cover is a section of its own, without a page number; the body counts from 1.
    cover, body = document.sections
    assert not cover.footer.paragraphs[0].text and not cover.even_page_footer.paragraphs[0].text
    assert body.footer.paragraphs[0].text == "— 1 —"
    assert body._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) == "1"
    # The 目录 after the cover ends with the one page break; then the cases.
    breaks = document.element.body.xpath('.//w:br[@w:type="page"]')
    assert len(breaks) == 1
    headings = [
        f"案例{'一二三'[number]}\u3000{case['summary']}" for number, case in enumerate(cases)
    ]
    assert text[text.index("目　录") + 2 : text.index("目　录") + 2 + len(cases)] == headings
    for number, case in enumerate(cases):
        assert text.count(headings[number]) == 2  # in the 目录 and as the case's heading
        if case["sanctions"]:
            assert "、".join(case["sanctions"]) in text
        title = api(client, f"/api/docs/{case['doc_id']}")["title"]
        assert any(line.startswith(f"《{title}》") for line in text)
    assert text.count("【处理结果】") == len(cases) and text.count("【出处】") == len(cases)
    assert "【讨论题】" not in text

    form["questions"] = "1"
    form["title"] = "警示教育读本"
    text = paragraphs(client.post("/casepack/export.docx", data=form).data)
    assert text[[t for t in text].index("警示教育读本")] == "警示教育读本"
    assert text.count("【讨论题】") == len(cases)
    assert sum(1 for t in text if re.match(r"^[123]\. _{10,}$", t)) == 3 * len(cases)

    html = client.post("/casepack/print", data=form).get_data(as_text=True)
    assert "警示教育读本" in html and "讨论题" in html and cases[0]["summary"] in html
    assert f"<h2>案例一\u3000{cases[0]['summary']}</h2>" in html  # as the Word pack numbers it


def test_case_pack_bad_input(client):
    csrf = token(client, "/casepack")
    for bad in ("nope", '{"a": 1}', "[1]", json.dumps(["x"] * 201)):
        response = client.post("/casepack/export.docx", data={"pack": bad, "csrf_token": csrf})
        assert response.status_code == 400, bad
    response = client.post(
        "/casepack/export.docx", data={"pack": json.dumps(["missing-c1"]), "csrf_token": csrf}
    )
    assert response.status_code == 200
    assert "另有 1 个案例已不在索引中，未导出。" in paragraphs(response.data)


def test_casepack_page_filters_like_the_case_library(client):
    html = client.get("/casepack").get_data(as_text=True)
    problem = re.search(r'href="/casepack\?problem=([^"&]+)"', html).group(1)
    filtered = client.get(f"/casepack?problem={problem}").get_data(as_text=True)
    assert 'class="active"' in filtered
    assert filtered.count("data-pack-add") <= html.count("data-pack-add")


# --- issue 12: long packs, odd characters and hostile JSON never make a 500 -----------------


def test_case_pack_numbers_beyond_one_hundred(client):
    case = pack_cases(client)[0]
    form = {"pack": json.dumps([case["id"]] * 111), "csrf_token": token(client, "/casepack")}
    response = client.post("/casepack/export.docx", data=form)
    assert response.status_code == 200
    lines = [t for t in paragraphs(response.data) if t.endswith(f"\u3000{case['summary']}")]
    contents, headings = lines[:111], lines[111:]
    assert contents == headings and len(headings) == 111  # the 目录 lists every case
    assert headings[9].startswith("案例十\u3000") and headings[10].startswith("案例十一\u3000")
    assert headings[99].startswith("案例一百\u3000") and headings[109].startswith("案例一百一十")
    assert headings[110].startswith("案例一百一十一\u3000")


def test_draft_numbers_up_to_one_hundred(client):
    item = api(client, "/api/requirements?limit=1")["items"][0]
    draft = json.dumps([{"id": item["id"], "gap": f"问题{n}。"} for n in range(1, 101)])
    response = client.post("/draft/export.docx", data={"draft": draft, "csrf_token": token(client)})
    assert response.status_code == 200
    numbered = [t for t in paragraphs(response.data) if re.match(r"^\d+\.问题", t)]
    assert numbered[0] == "1.问题1。" and numbered[10] == "11.问题11。"
    assert numbered[99] == "100.问题100。" and len(numbered) == 100


def test_draft_and_pack_clean_control_characters_and_surrogates(client):
    item = api(client, "/api/requirements?limit=1")["items"][0]
    case = pack_cases(client)[0]
    raw = (
        f'[{{"id": "{item["id"]}", "gap": "差\\u0001距\\ud800", "owner": "张\\u0000三",'
        f' "cases": ["{case["id"]}", "\\udfff"]}}]'
    )
    form = {"draft": raw, "title": "材\x01料", "csrf_token": token(client)}
    response = client.post("/draft/export.docx", data=form)
    assert response.status_code == 200
    text = paragraphs(response.data)
    assert text[0] == "材料" and "1.差距\ufffd" in text
    assert "另有 1 个案例已不在索引中，未导出。" in text[1]
    rows = [
        [c.text for c in row.cells]
        for row in WordDocument(io.BytesIO(response.data)).tables[0].rows
    ]
    assert rows[1][3] == "张三"
    page = client.post("/draft/print", data=form).get_data(as_text=True)
    assert "1.差距\ufffd" in page

    pack = json.dumps([case["id"], "\ud800"])  # json.dumps writes the surrogate as \ud800
    form = {
        "pack": pack,
        "unit": "某\x00局",
        "date": "\x0b2025年",
        "csrf_token": token(client, "/casepack"),
    }
    response = client.post("/casepack/export.docx", data=form)
    assert response.status_code == 200
    text = [t for t in paragraphs(response.data) if t]
    assert text[:4] == [
        "典型案例警示教育材料",
        "某局",
        "2025年",
        "另有 1 个案例已不在索引中，未导出。",
    ]


@pytest.mark.parametrize(
    ("url", "field", "page", "what"),
    [
        ("/draft/export.docx", "draft", "/draft", "对照检查"),
        ("/draft/print", "draft", "/draft", "对照检查"),
        ("/casepack/export.docx", "pack", "/casepack", "案例教材"),
        ("/casepack/print", "pack", "/casepack", "案例教材"),
    ],
)
@pytest.mark.parametrize(
    "bad",
    [
        "[" * 5000 + "]" * 5000,
        '[{"id": ' * 2000 + "1" + "}]" * 2000,
        '[{"id": NaN}]',
        '["x", Infinity]',
        "[" + "7" * 5000 + "]",
        "[[[[[[[[[[[[]]]]]]]]]]]]",
        "\x00\x01",
    ],
)
def test_hostile_json_is_refused_with_a_message(client, url, field, page, what, bad):
    response = client.post(url, data={field: bad, "csrf_token": token(client, page)})
    assert response.status_code == 400, (url, bad[:30])
    html = response.get_data(as_text=True)
    assert what in html and "刷新页面" in html


def test_draft_wrong_types_inside_items_are_skipped_or_refused(client):
    item = api(client, "/api/requirements?limit=1")["items"][0]
    csrf = token(client)
    draft = [
        {"id": item["id"], "gap": {"x": 1}, "example": [1], "measure": None, "owner": 1e300},
        {"id": ["list"]},
        {"id": 12, "cases": [None, 5, {"a": 1}, []]},
    ]
    response = client.post(
        "/draft/export.docx", data={"draft": json.dumps(draft), "csrf_token": csrf}
    )
    assert response.status_code == 200
    text = paragraphs(response.data)
    assert "另有 2 条要求已不在索引中，未导出。" in text[1]
    assert "1.________" in text


def test_draft_items_resolve_in_kb_for_requirements_and_passages(searcher):
    from kb.workbench import cases_for_item, draft_item, requirements

    clause = requirements(searcher, limit=1).items[0]
    assert draft_item(searcher, clause.id) == clause
    view = searcher.document(clause.doc_id)
    ordinal = clause.passage
    kept = draft_item(searcher, f"{clause.doc_id}-p{ordinal}")
    assert kept.kind == "段落" and kept.text == view.passages[ordinal]["text"]
    assert set(kept.as_dict()) == set(clause.as_dict())  # one shape for both kinds
    # The passage states that requirement, so it is offered the requirement's cases.
    assert cases_for_item(searcher, kept) == cases_for_item(searcher, clause)
    for bad in ("", "x", f"{clause.doc_id}-p999999", "nosuch-r1", "a b-r1", "<b>-p1"):
        assert draft_item(searcher, bad) is None, bad


@pytest.mark.parametrize(
    ("page", "url", "field", "said"),
    [
        ("/basket", "/basket/export.docx", "items", "收集夹是空的"),
        ("/basket", "/basket/print", "items", "收集夹是空的"),
        ("/draft", "/draft/export.docx", "draft", "对照检查中还没有"),
        ("/draft", "/draft/print", "draft", "对照检查中还没有"),
        ("/casepack", "/casepack/export.docx", "pack", "案例教材中还没有案例"),
        ("/casepack", "/casepack/print", "pack", "案例教材中还没有案例"),
    ],
)
def test_nothing_to_export_is_said_not_exported(client, page, url, field, said):
    """An empty 收集夹, draft or case pack gives a message, never an empty Word file."""
    response = client.post(url, data={field: "[]", "csrf_token": token(client, page)})
    assert response.status_code == 400 and said in response.get_data(as_text=True)
    assert not response.headers.get("Content-Disposition")
