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
    assert set(data) == {"query", "total", "documents", "hits", "notes"}
    expected = searcher.search("四风", limit=5).as_dict()
    for hit in expected["hits"]:  # this app serves no corpus folder: names only
        hit["path"] = hit["path"].rsplit("/", 1)[-1]
        for other in hit["also_in"]:
            other["path"] = other["path"].rsplit("/", 1)[-1]
    assert data == expected


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


def test_openapi_document_schema_matches_a_real_document(served):
    _, client = served
    spec = client.get("/api/openapi.json").get_json()
    get = spec["paths"]["/api/docs/{doc_id}"]["get"]
    schema = get["responses"]["200"]["content"]["application/json"]["schema"]
    hit = client.get("/api/search?q=违规吃喝").get_json()["hits"][0]
    document = client.get(f"/api/docs/{hit['doc_id']}").get_json()
    assert set(schema["required"]) <= set(document) <= set(schema["properties"])
    assert "相对于" in schema["properties"]["path"]["description"]


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
    # Numbered as the Word export numbers them (kb.numbering), not 1. 2.
    headings = re.findall(r"<h2>(.*?)</h2>", html)
    assert [h[:2] for h in headings] == ["一、", "二、"], headings
    for bad in ("not json", '{"a": 1}'):
        response = client.post("/basket/export.docx", data={"items": bad, "csrf_token": token})
        assert response.status_code == 400
        assert "收集夹的数据无法识别" in response.get_data(as_text=True)  # not CSRF's refusal
    without_token = client.post("/basket/export.docx", data={"items": json.dumps(items)})
    assert without_token.status_code == 400 and "刷新页面" in without_token.get_data(as_text=True)


def test_errors_are_friendly_pages(client):
    response = client.get("/doc/does-not-exist")
    assert response.status_code == 404
    assert "没有找到" in response.get_data(as_text=True)


# --- issue 12: exports that must not fail, paths that must not leak ---------------------------


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (1, "一"),
        (9, "九"),
        (10, "十"),
        (11, "十一"),
        (20, "二十"),
        (99, "九十九"),
        (100, "一百"),
        (101, "一百零一"),
        (110, "一百一十"),
        (119, "一百一十九"),
        (999, "九百九十九"),
        (1000, "一千"),
    ],
)
def test_heading_numbers_are_written_as_chinese_numerals(number, expected):
    from web.exports.numerals import chinese_numeral

    assert chinese_numeral(number) == expected


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "3"])
def test_heading_numbers_refuse_what_is_not_a_count(bad):
    from web.exports.numerals import chinese_numeral

    with pytest.raises(ValueError):
        chinese_numeral(bad)


def test_text_for_word_and_pages_drops_what_xml_cannot_hold():
    from web.text import clean_text

    assert clean_text("甲\x00乙\x01丙\x0b丁\x1f\ufffe\uffff戊") == "甲乙丙丁戊"
    assert clean_text("行一\n行二\t缩进\r") == "行一\n行二\t缩进\r"  # XML keeps these
    assert clean_text("半个\ud800字符\udfff") == "半个\ufffd字符\ufffd"
    assert clean_text("𠀀 emoji 😀 ok") == "𠀀 emoji 😀 ok"  # astral characters are fine


def _export(client, url: str, **form) -> tuple[int, list[str], str]:
    response = client.post(url, data={"csrf_token": basket_token(client), **form})
    body = response.get_data(as_text=True) if response.status_code != 200 else ""
    lines = [p.text for p in WordDocument(io.BytesIO(response.data)).paragraphs] if not body else []
    return response.status_code, lines, body


def test_basket_export_numbers_beyond_one_hundred(client):
    _, items = _two_items(client)
    status, lines, _ = _export(client, "/basket/export.docx", items=json.dumps(items[:1] * 120))
    assert status == 200
    numbers = [line.split("、", 1)[0] for line in lines if "、" in line[:6]]
    assert numbers[9:12] == ["十", "十一", "十二"]
    assert numbers[99:101] == ["一百", "一百零一"]
    assert numbers[109] == "一百一十" and numbers[-1] == "一百二十"


def test_basket_export_cleans_control_characters_and_surrogates(client):
    _, items = _two_items(client)
    doc_id, ordinal = items[0]["doc_id"], items[0]["ordinal"]
    # A lone surrogate can only arrive as a JSON escape: write the field by hand.
    raw = (
        f'[{{"kind": "passage", "doc_id": "{doc_id}", "ordinal": {ordinal}, '
        '"note": "要\\u0001对\\u0000照\\ufffe\\ud800学习"}]'
    )
    status, lines, _ = _export(client, "/basket/export.docx", items=raw, title="摘\x01编\x00")
    assert status == 200
    assert lines[0] == "摘编"
    assert "（备注：要对照\ufffd学习）" in lines
    page = client.post(
        "/basket/print", data={"items": raw, "csrf_token": basket_token(client)}
    ).get_data(as_text=True)
    assert "（备注：要对照\ufffd学习）" in page


@pytest.mark.parametrize(
    "ordinal", ["-1", "1e308", "true", "null", '"abc"', '"-1"', "[]", "{}", "2.5"]
)
def test_basket_export_odd_ordinals_are_missing_not_errors(client, ordinal):
    _, items = _two_items(client)
    raw = f'[{{"kind": "passage", "doc_id": "{items[0]["doc_id"]}", "ordinal": {ordinal}}}]'
    status, lines, _ = _export(client, "/basket/export.docx", items=raw)
    assert status == 200
    assert "已不在索引中" in lines[1] and not any(line.startswith("——《") for line in lines)


@pytest.mark.parametrize(
    "items",
    [
        "[NaN]",
        '[{"kind": "passage", "doc_id": "x", "ordinal": Infinity}]',
        '[{"ordinal": -Infinity}]',
        '[{"kind": "passage", "doc_id": "x", "ordinal": 1e400}]',
        '[{"ordinal": -1e400}]',
        "[" * 5000 + "]" * 5000,
        '[{"a": ' * 3000 + "1" + "}]" * 3000,
        "[[[[[[[[[[[]]]]]]]]]]]",
        "[" + "9" * 5000 + "]",
        "\x00",
        "[1]",
        "null",
    ],
)
def test_basket_export_refuses_what_is_not_a_basket_with_a_message(client, items):
    for url in ("/basket/export.docx", "/basket/print"):
        status, _, body = _export(client, url, items=items)
        assert status == 400, (url, items[:40])
        assert "收集夹" in body and "刷新页面" in body


def test_basket_export_over_the_limit_says_how_many(client):
    _, items = _two_items(client)
    status, _, body = _export(client, "/basket/export.docx", items=json.dumps(items[:1] * 301))
    assert status == 400 and "一次最多导出 300 条" in body


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A site as an admin sets one up: the index built from absolute paths (/data/...), one
    folder served as the corpus and a reposted copy of a notice indexed from elsewhere."""
    from pathlib import Path
    from shutil import copyfile

    from indexer.store import update_index
    from kb.cli import DEFAULT_DICT, DEFAULT_DOCS

    root = tmp_path_factory.mktemp("served").resolve()
    corpus, elsewhere = root / "corpus", root / "elsewhere"
    (corpus / "纪检").mkdir(parents=True)
    elsewhere.mkdir()
    notice = "case_2025_weigui_chihe_tongbao.txt"
    copyfile(DEFAULT_DOCS / notice, corpus / "纪检" / notice)
    copyfile(DEFAULT_DOCS / "speech_2024_minzhu_shenghuohui.txt", corpus / "民主生活会讲话.txt")
    copyfile(DEFAULT_DOCS / notice, elsewhere / "转发违规吃喝通报.txt")
    update_index(root / "index", [corpus, elsewhere], DEFAULT_DICT)
    app = create_app({"INDEX": str(root / "index"), "CORPUS": str(corpus)})
    return Path(root), app.test_client()


def test_paths_shown_are_relative_to_the_corpus_or_just_the_name(served):
    root, client = served
    hits = client.get("/api/search?q=违规吃喝").get_json()["hits"]
    assert hits and {h["path"] for h in hits} <= {
        "纪检/case_2025_weigui_chihe_tongbao.txt",
        "民主生活会讲话.txt",
        "转发违规吃喝通报.txt",
    }
    copies = [other for hit in hits for other in hit["also_in"]]
    assert {c["path"] for c in copies} == {"转发违规吃喝通报.txt"}
    document = client.get(f"/api/docs/{hits[0]['doc_id']}").get_json()
    assert document["path"] == hits[0]["path"]
    cases = client.get("/api/cases?per_page=100").get_json()["cases"]
    assert {c["path"] for c in cases} == {"纪检/case_2025_weigui_chihe_tongbao.txt"}
    assert {o["path"] for c in cases for o in c["also_in"]} == {"转发违规吃喝通报.txt"}
    items = client.get("/api/requirements?limit=200").get_json()["items"]
    assert items and {i["path"] for i in items} <= {"民主生活会讲话.txt"}
    one = client.get(f"/api/requirements/{items[0]['id']}").get_json()
    assert one["path"] == "民主生活会讲话.txt"
    passage = client.get(f"/api/requirements/{hits[0]['doc_id']}-p1/cases").get_json()
    assert passage["requirement"]["path"] == hits[0]["path"]


def test_no_answer_or_page_shows_a_server_folder(served):
    root, client = served
    hit = client.get("/api/search?q=违规吃喝").get_json()["hits"][0]
    requirement = client.get("/api/requirements?limit=1").get_json()["items"][0]
    urls = [
        "/api/search?q=违规吃喝",
        f"/api/docs/{hit['doc_id']}",
        "/api/cases",
        "/api/requirements?limit=200",
        f"/api/requirements/{requirement['id']}",
        f"/api/requirements/{requirement['id']}/cases",
        "/search?q=违规吃喝",
        f"/doc/{hit['doc_id']}",
        "/cases",
        "/casepack",
        "/requirements",
    ]
    for url in urls:
        response = client.get(url)
        text = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert str(root) not in text and root.as_posix() not in text, url
    page = client.get(f"/doc/{hit['doc_id']}").get_data(as_text=True)
    assert "纪检/case_2025_weigui_chihe_tongbao.txt" in page


def test_shown_path_rules(tmp_path):
    from web.paths import shown_path

    corpus = tmp_path / "corpus"
    (corpus / "处室").mkdir(parents=True)
    assert shown_path(str(corpus / "处室" / "通知.txt"), str(corpus)) == "处室/通知.txt"
    assert shown_path(str(tmp_path / "other" / "通知.txt"), str(corpus)) == "通知.txt"
    assert shown_path(str(corpus / ".." / "x" / "a.txt"), str(corpus)) == "a.txt"
    assert shown_path("/etc/hostname", str(corpus)) == "hostname"
    assert shown_path(str(corpus / "a.txt"), None) == "a.txt"  # no corpus: names only
    assert shown_path("D:\\公文\\2024\\通知.docx", str(corpus)) == "通知.docx"
    assert shown_path("", str(corpus)) == ""
    # A name in GBK (kept as surrogate escapes) is decoded as the indexer decodes it; bytes
    # that are no encoding's are shown escaped.
    assert shown_path(str(corpus / "\udcb2\udce2.txt"), str(corpus)) == "测.txt"
    assert shown_path(str(corpus / "\udcff\udcfe.txt"), str(corpus)) == "\\xff\\xfe.txt"
    alias = tmp_path / "别名"
    try:
        alias.symlink_to(corpus, target_is_directory=True)
    except (OSError, NotImplementedError):
        return  # no symlinks for this user (Windows without developer mode)
    # The corpus served through a link, the index written with the real folder, or the reverse.
    assert shown_path(str(corpus / "处室" / "a.txt"), str(alias)) == "处室/a.txt"
    assert shown_path(str(alias / "处室" / "a.txt"), str(corpus)) == "处室/a.txt"


def test_a_speech_with_run_in_headings_shows_them_as_its_outline(tmp_path):
    from indexer.store import update_index
    from kb.cli import DEFAULT_DICT
    from tests.test_structure import RUN_IN_SPEECH

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "动员讲话.txt").write_text(RUN_IN_SPEECH, encoding="utf-8")
    update_index(tmp_path / "index", [tmp_path / "docs"], DEFAULT_DICT)
    client = create_app({"INDEX": str(tmp_path / "index")}).test_client()
    doc_id = client.get("/api/search?q=查摆问题").get_json()["hits"][0]["doc_id"]
    page = client.get(f"/doc/{doc_id}").get_data(as_text=True)
    toc = re.search(r'<ol class="toc">(.*?)</ol>', page, re.S)
    assert toc, "the page shows no outline"
    entries = re.findall(r'<li class="level-(\d)"><a href="#p-(\d+)">([^<]+)</a>', toc.group(1))
    assert [(level, text) for level, _, text in entries] == [
        ("0", "一、广泛征求意见，深入查摆问题"),
        ("0", "二、坚持立行立改，务求整改实效"),
        ("1", "（一）建立问题台账"),
        ("1", "（二）盯住群众反映强烈的问题"),
        ("2", "第一，先解决办事难的问题"),
        ("2", "第二，再解决会议多的问题"),
        ("0", "三、加强组织领导，压实工作责任"),
    ]
    # Each entry leads to the paragraph that begins with it.
    first = entries[0][1]
    assert re.search(rf'id="p-{first}"[^>]*>\s*<p>一、广泛征求意见，深入查摆问题。找准病灶', page)
