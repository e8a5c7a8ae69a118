"""The admin corrects a document's metadata on the web (issue 15 item 4): the side file the
form writes holds exactly what changed, bad values are refused in Chinese with the form kept,
and after an index update the document's page and search show the correction."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest

from indexer.sidecar import read_side_metadata
from indexer.store import update_index
from kb.cli import DEFAULT_DICT
from kb.doctypes import default_doc_types
from kb.filenames import doc_id_for
from kb.sidecar import read_json_side, revise, write_side_file
from tests.test_admin import PASSWORD, Site, csrf, login, wait_for_update
from web.auth import set_password
from web.uploads import entry_key

# A speech without a title line: kb names it from its opening words, which the admin corrects.
SPEECH = (
    "同志们：\n今天召开全区河道清淤保洁工作推进会，主要任务是部署秋冬季河道清淤工作。\n"
    "各街道要在十月十日前报送清淤计划，明确责任人和完成时限。\n"
)
NOTICE = "关于加强机关食堂管理的通知\n各单位要严格执行机关食堂管理制度，杜绝浪费。\n"
NEW_TITLE = "王区长在全区河道清淤保洁工作推进会上的讲话"
TYPES = default_doc_types()


# --- kb.sidecar: what the form writes --------------------------------------------------------

INDEXED = {
    "title": "讲话：今天召开全区河道清淤保洁工作推进会",
    "doc_type": "讲话",
    "date": "2024-03-18",
    "issuer": "",
    "doc_no": "",
    "speaker": "",
}


def test_only_changed_fields_are_written_and_a_date_in_another_form_is_no_change():
    submitted = {**INDEXED, "title": f"  {NEW_TITLE}\n", "date": "2024年3月18日"}
    assert revise({}, INDEXED, submitted, TYPES) == ({"title": NEW_TITLE}, {})
    unchanged = {**INDEXED, "doc_no": "青岚委办发[2024]8号"}
    assert revise({}, INDEXED, unchanged, TYPES)[0] == {"doc_no": "青岚委办发〔2024〕8号"}


def test_fields_the_side_file_holds_stay_an_emptied_one_goes_unknown_keys_are_kept():
    side = {"issuer": "区河长办", "speaker": "张三", "remark": "2024年核对"}
    indexed = {**INDEXED, "issuer": "区河长办", "speaker": "张三"}
    submitted = {**indexed, "speaker": ""}
    revised, errors = revise(side, indexed, submitted, TYPES)
    assert not errors
    assert revised == {"issuer": "区河长办", "remark": "2024年核对"}


def test_bad_values_are_refused_with_their_reason():
    submitted = {
        **INDEXED,
        "date": "2024-02-30",
        "doc_type": "随笔",
        "title": "长" * 201,
        "issuer": "区委",
    }
    revised, errors = revise({}, INDEXED, submitted, TYPES)
    assert set(errors) == {"date", "doc_type", "title"}
    assert "日期“2024-02-30”无法识别" in errors["date"]
    assert "随笔" in errors["doc_type"] and "通知" in errors["doc_type"]
    assert "最多 200 个字" in errors["title"]
    assert revise({}, INDEXED, {**INDEXED, "date": "2024年3月18日会议"}, TYPES)[1]


def test_the_side_file_is_written_whole_and_read_as_the_indexer_reads_it(tmp_path):
    doc = tmp_path / "讲话.txt"
    doc.write_text(SPEECH, encoding="utf-8")
    (tmp_path / "讲话.json").write_text('{"issuer": "区河长办"}', encoding="utf-8")
    present, side, problem = read_json_side(doc)
    assert present == tmp_path / "讲话.json" and side == {"issuer": "区河长办"} and not problem
    write_side_file(doc, {**side, "title": NEW_TITLE})
    assert read_side_metadata(doc).values == {"title": NEW_TITLE, "issuer": "区河长办"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["讲话.json", "讲话.txt", "讲话.txt.json"]
    (tmp_path / "讲话.txt.json").write_text("{broken", encoding="utf-8")
    assert "不是有效的 JSON" in read_json_side(doc)[2]


# --- the form on a real site -----------------------------------------------------------------


@pytest.fixture
def meta_site(tmp_path) -> Site:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "推进会讲话.txt").write_text(SPEECH, encoding="utf-8")
    (corpus / "食堂管理通知.txt").write_text(NOTICE, encoding="utf-8")
    update_index(tmp_path / "index", [corpus], DEFAULT_DICT)
    set_password(tmp_path / "instance", PASSWORD)
    return Site(tmp_path, corpus, tmp_path / "index", tmp_path / "instance")


def form_values(html: str) -> dict[str, str]:
    values = {
        name: unescape(value)
        for name, value in re.findall(r'<input type="text" name="(\w+)" value="([^"]*)"', html)
    }
    chosen = re.search(r'<option value="([^"]*)" selected>', html)
    values["doc_type"] = unescape(chosen.group(1)) if chosen else ""
    return values


def test_admin_corrects_a_title_and_it_shows_after_the_update(meta_site):
    speech = meta_site.corpus / "推进会讲话.txt"
    side = meta_site.corpus / "推进会讲话.txt.json"
    client = meta_site.app().test_client()
    key = entry_key("推进会讲话.txt")
    assert client.get(f"/admin/meta?key={key}").status_code == 302  # to the login page
    login(client)

    files = client.get("/admin/files").get_data(as_text=True)
    assert f'href="/admin/meta?key={key}"' in files and files.count("修改信息</a>") == 2

    page = client.get(f"/admin/meta?key={key}").get_data(as_text=True)
    before = client.get("/api/docs/" + doc_id_for(speech)).get_json()
    values = form_values(page)
    assert values["title"] == before["title"] != NEW_TITLE  # prefilled from the index
    assert values["doc_type"] == before["doc_type"] == "讲话"
    assert "下次更新索引时生效" in page and "现在更新索引" in page

    # A bad date: refused with the reason, nothing written, what was typed kept.
    token = csrf(client, f"/admin/meta?key={key}")
    typed = {**values, "title": NEW_TITLE, "date": "2024年2月30日"}
    refused = client.post("/admin/meta", data={**typed, "key": key, "csrf_token": token})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "日期“2024年2月30日”无法识别" in html and "没有保存" in html
    assert form_values(html)["title"] == NEW_TITLE and form_values(html)["date"] == "2024年2月30日"
    assert not side.exists()

    # Without the CSRF token nothing is written either.
    forged = client.post("/admin/meta", data={**values, "title": NEW_TITLE, "key": key})
    assert forged.status_code == 400 and not side.exists()

    # The corrected title alone goes into the side file.
    saved = client.post(
        "/admin/meta",
        data={**values, "title": NEW_TITLE, "key": key, "csrf_token": token},
        follow_redirects=True,
    )
    assert saved.status_code == 200
    assert "已保存。修改在下次更新索引时生效" in saved.get_data(as_text=True)
    assert json.loads(side.read_text(encoding="utf-8")) == {"title": NEW_TITLE}
    assert "尚未生效的修改" in saved.get_data(as_text=True)
    assert client.get("/api/docs/" + doc_id_for(speech)).get_json()["title"] == before["title"]

    # The admin starts the update from the form's page; the correction is then everywhere.
    assert client.post("/admin/update", data={"csrf_token": token}).status_code == 303
    assert wait_for_update(client)["state"] == "done"
    doc_page = client.get("/doc/" + doc_id_for(speech)).get_data(as_text=True)
    assert f'<h1 id="p-0">{NEW_TITLE}</h1>' in doc_page
    hits = client.get("/api/search", query_string={"q": "清淤计划"}).get_json()["hits"]
    assert hits[0]["title"] == NEW_TITLE
    assert NEW_TITLE in client.get("/", query_string={"q": "清淤计划"}).get_data(as_text=True)
    after = form_values(client.get(f"/admin/meta?key={key}").get_data(as_text=True))
    assert after["title"] == NEW_TITLE and after["date"] == before["date"]


def test_save_and_update_in_one_step_and_a_key_that_names_nothing(meta_site):
    notice = meta_site.corpus / "食堂管理通知.txt"
    client = meta_site.app().test_client()
    login(client)
    key = entry_key("食堂管理通知.txt")
    values = form_values(client.get(f"/admin/meta?key={key}").get_data(as_text=True))
    token = csrf(client, f"/admin/meta?key={key}")
    answer = client.post(
        "/admin/meta",
        data={
            **values,
            "issuer": "区机关事务管理局",
            "date": "2024.6.3",
            "then": "update",
            "key": key,
            "csrf_token": token,
        },
    )
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/admin/#progress")
    assert json.loads((meta_site.corpus / "食堂管理通知.txt.json").read_text("utf-8")) == {
        "issuer": "区机关事务管理局",
        "date": "2024-06-03",
    }
    assert wait_for_update(client)["state"] == "done"
    shown = client.get("/api/docs/" + doc_id_for(notice)).get_json()
    assert (shown["issuer"], shown["date"], shown["title"]) == (
        "区机关事务管理局",
        "2024-06-03",
        "关于加强机关食堂管理的通知",
    )

    for bad in ("", "Li4vZXRj", entry_key("../index"), "<script>"):
        missing = client.get(f"/admin/meta?key={bad}", follow_redirects=True)
        assert missing.status_code == 200 and "已不在文档文件夹中" in missing.get_data(as_text=True)
    posted = client.post("/admin/meta", data={"key": "Li4vZXRj", "csrf_token": token})
    assert posted.status_code == 303 and not list(Path(meta_site.root).glob("*.json"))
