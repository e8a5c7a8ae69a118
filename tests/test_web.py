"""The web app through Flask's test client: pages, API, exports, headers, errors."""

from __future__ import annotations

import io
import json
import re

import pytest
from docx import Document as WordDocument

from web import create_app


@pytest.fixture(scope="module")
def client(corpus_index):
    app = create_app({"INDEX": str(corpus_index)})
    return app.test_client()


def basket_token(client) -> str:
    """The CSRF token the 收集夹 page puts in its export form (every POST needs one)."""
    html = client.get("/basket").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def first_hit_link(html: str) -> str:
    return re.search(r'href="(/doc/\w+\?[^"#]*)#p-(\d+)"', html).group(1)


def test_search_page_shows_passages_with_marks_context_and_facets(client):
    html = client.get("/search?q=领导接受老板请吃饭").get_data(as_text=True)
    assert "共 <strong>" in html
    assert "<mark>" in html and "私营企业主" in html
    assert "文种" in html and "年份" in html and "发文机关" in html
    assert "data-collect" in html


def test_every_page_sends_security_headers(client):
    for url in ("/", "/search?q=四风", "/basket", "/api/search?q=四风", "/nope"):
        headers = client.get(url).headers
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"


def test_user_strings_are_escaped(client):
    html = client.get("/search?q=<script>alert(1)</script>").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_pages_load_nothing_from_elsewhere(client):
    for url in ("/", "/search?q=四风", "/basket"):
        html = client.get(url).get_data(as_text=True)
        assert not re.search(r'(src|href)="(https?:)?//', html), url


def test_filters_sort_and_paging(client):
    html = client.get("/search?q=整改&type=通报").get_data(as_text=True)
    types = re.findall(r'<p class="meta"><span>([^<]+)</span>', html)
    assert types and set(types) == {"通报"}
    html = client.get("/search?q=整改&sort=date&page=2").get_data(as_text=True)
    assert 'aria-current="page">2<' in html
    assert client.get("/search?q=整改&page=abc").status_code == 200


def test_no_results_offers_suggestions(client):
    html = client.get('/search?q="四不两值"').get_data(as_text=True)
    assert "没有找到匹配的段落" in html and "可以试试" in html and "四不两直" in html


def test_document_page_has_outline_anchors_and_the_hit_highlighted(client):
    html = client.get("/search?q=%22错题本%22").get_data(as_text=True)
    link = first_hit_link(html)
    page = client.get(link).get_data(as_text=True)
    ordinal = re.search(r"p=(\d+)", link).group(1)
    assert f'id="p-{ordinal}"' in page
    assert "hit-target" in page
    assert "提纲" in page and 'href="#p-' in page
    assert "下载原文件" in page


def test_original_file_download(client):
    html = client.get("/search?q=%22错题本%22").get_data(as_text=True)
    doc_id = re.search(r"/doc/(\w+)\?", html).group(1)
    response = client.get(f"/doc/{doc_id}/original")
    assert response.status_code == 200
    assert "错题本" in response.get_data().decode("utf-8")
    assert client.get("/doc/../../etc/passwd/original").status_code == 404
    assert client.get("/doc/nonexistent/original").status_code == 404


def test_api_search_has_the_cli_shape(client, searcher):
    data = client.get("/api/search?q=四风&per_page=5").get_json()
    assert set(data) == {"query", "total", "hits", "notes"}
    assert data == searcher.search("四风", limit=5).as_dict()


def test_api_document_and_json_errors(client):
    hit = client.get("/api/search?q=错题本").get_json()["hits"][0]
    document = client.get(f"/api/docs/{hit['doc_id']}").get_json()
    assert document["title"] == hit["title"] and "source" not in document
    assert any(p["text"] == hit["text"] for p in document["passages"])
    error = client.get("/api/docs/nothing")
    assert error.status_code == 404 and error.get_json()["error"]["message"]


def test_openapi_document_describes_the_endpoints(client):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/search", "/api/docs/{doc_id}"} <= set(spec["paths"])


def test_openapi_search_schema_matches_real_answers(client):
    spec = client.get("/api/openapi.json").get_json()
    schema = spec["paths"]["/api/search"]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ]
    answer = client.get("/api/search?q=领导接受老板请吃饭").get_json()
    assert set(schema["required"]) <= set(answer) <= set(schema["properties"])
    hit_schema = schema["properties"]["hits"]["items"]
    hit = answer["hits"][0]
    assert set(hit_schema["required"]) <= set(hit) <= set(hit_schema["properties"])
    matched = hit_schema["properties"]["matched"]
    assert set(matched["required"]) <= set(hit["matched"]) <= set(matched["properties"])


def _two_items(client):
    hits = client.get("/api/search?q=错题本&per_page=2").get_json()["hits"]
    items = []
    for hit in hits[:2]:
        document = client.get(f"/api/docs/{hit['doc_id']}").get_json()
        ordinal = next(p["ordinal"] for p in document["passages"] if p["text"] == hit["text"])
        items.append(
            {"kind": "passage", "doc_id": hit["doc_id"], "ordinal": ordinal, "note": "要对照"}
        )
    return hits, items


def test_export_docx_quotes_the_index_and_cites_each_excerpt(client):
    hits, items = _two_items(client)
    items.append({"kind": "passage", "doc_id": "gone", "ordinal": 0})
    response = client.post(
        "/basket/export.docx",
        data={"items": json.dumps(items), "title": "学习摘编", "csrf_token": basket_token(client)},
    )
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    word = WordDocument(io.BytesIO(response.data))
    paragraphs = [p.text for p in word.paragraphs]
    assert paragraphs[0] == "学习摘编"
    assert "已不在索引中" in paragraphs[1]
    assert hits[0]["text"] in paragraphs
    citations = [p for p in paragraphs if p.startswith("——《")]
    assert len(citations) == len(hits[:2])
    assert f"《{hits[0]['title']}》" in citations[0]
    assert "（备注：要对照）" in paragraphs
    title_run = word.paragraphs[0].runs[0]
    assert title_run.font.size.pt == 22


def test_print_page_and_bad_export_requests(client):
    _, items = _two_items(client)
    token = basket_token(client)
    html = client.post(
        "/basket/print", data={"items": json.dumps(items), "csrf_token": token}
    ).get_data(as_text=True)
    assert "检索摘编" in html and "——《" in html
    for bad in ("not json", '{"a": 1}'):
        response = client.post("/basket/export.docx", data={"items": bad, "csrf_token": token})
        assert response.status_code == 400
        assert "请求有误" in response.get_data(as_text=True)  # the export's refusal, not CSRF's
    without_token = client.post("/basket/export.docx", data={"items": json.dumps(items)})
    assert without_token.status_code == 400 and "刷新页面" in without_token.get_data(as_text=True)


def test_errors_are_friendly_pages(client):
    response = client.get("/doc/does-not-exist")
    assert response.status_code == 404
    assert "没有找到" in response.get_data(as_text=True)
