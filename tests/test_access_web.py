"""Accounts, login and 留痕 on the web: every route answers as the viewer may see the index."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from indexer.store import update_index
from kb.cli import DEFAULT_DICT
from kb.filenames import doc_id_for
from tests.test_access import BAXIANG, CHIHE, JIANFU, ZHENGZHI, lay_out
from web import accounts, audit, create_app
from web.auth import set_password

ADMIN_PASSWORD = "admin password 2025"
READER_PASSWORD = "reader password 2025"


@dataclass
class Site:
    docs: Path
    index: Path
    instance: Path

    def app(self):
        return create_app(
            {
                "INDEX": str(self.index),
                "CORPUS": str(self.docs),
                "DICT": str(DEFAULT_DICT),
                "INSTANCE": str(self.instance),
            }
        )

    def doc_id(self, name: str) -> str:
        return doc_id_for(next(self.docs.rglob(name)))

    def title(self, name: str) -> str:
        return next(self.docs.rglob(name)).read_text(encoding="utf-8").splitlines()[0].strip()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Site:
    root = tmp_path_factory.mktemp("access-web")
    docs = lay_out(root)
    update_index(root / "index", [docs], DEFAULT_DICT)
    instance = root / "instance"
    set_password(instance, ADMIN_PASSWORD)
    accounts.create_account(instance, "李四", "纪检组", "读者", READER_PASSWORD)
    accounts.create_account(instance, "王五", "办公室", "读者", READER_PASSWORD)
    accounts.create_account(instance, "赵六", "办公室", "管理员", READER_PASSWORD)
    accounts.create_account(instance, "钱八", "纪检组", "部门管理员", READER_PASSWORD)
    accounts.create_account(instance, "郑十", "办公室", "部门管理员", READER_PASSWORD)
    return Site(docs, root / "index", instance)


def csrf(client, url: str = "/login") -> str:
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def log_in(client, name: str, password: str = READER_PASSWORD):
    return client.post(
        "/login", data={"csrf_token": csrf(client), "name": name, "password": password}
    )


def admin_login(client):
    token = csrf(client, "/admin/login")
    return client.post("/admin/login", data={"csrf_token": token, "password": ADMIN_PASSWORD})


RESTRICTED_TO_JIJIAN = (CHIHE, BAXIANG)


def _as_title(title: str, text: str) -> bool:
    """``title`` shown as a document's title (a link, a card, a JSON field), not merely
    quoted in a passage (a public notice may name a restricted one)."""
    shapes = (f">{title}</a>", f'data-title="{title}"', f'"title":"{title}"', f'"title": "{title}"')
    return any(shape in text for shape in shapes)


def _everything_a_reader_gets(client, site: Site) -> str:
    """The text of every page and API answer a viewer may ask for about the collection."""
    pages = [
        "/search?q=违规吃喝+作风",
        '/search?q="青岚纪发〔2025〕3号"',
        "/search?q=通报&type=通报",
        "/api/search?q=违规吃喝+作风&per_page=100",
        "/api/search?q=通报",
        "/cases",
        "/cases?q=违规吃喝",
        "/api/cases?per_page=100",
        "/requirements",
        "/api/requirements?per_page=100",
    ]
    return "\n".join(client.get(page).get_data(as_text=True) for page in pages)


def test_anonymous_visitors_never_see_restricted_documents(site):
    client = site.app().test_client()
    text = _everything_a_reader_gets(client, site)
    for name in (*RESTRICTED_TO_JIJIAN, JIANFU, ZHENGZHI):
        assert site.doc_id(name) not in text
        # (a public document may cite the title in its text: never as a title of its own)
        assert not _as_title(site.title(name), text)
        doc_id = site.doc_id(name)
        for url in (f"/doc/{doc_id}", f"/doc/{doc_id}/original", f"/api/docs/{doc_id}"):
            assert client.get(url).status_code == 404, url  # 404: not even its existence


def test_a_reader_sees_the_documents_of_the_department(site):
    client = site.app().test_client()
    assert log_in(client, "李四").status_code == 303
    doc_id = site.doc_id(CHIHE)
    assert client.get(f"/doc/{doc_id}").status_code == 200
    assert client.get(f"/doc/{doc_id}/original").status_code == 200
    text = _everything_a_reader_gets(client, site)
    assert doc_id in text and _as_title(site.title(CHIHE), text)
    assert site.doc_id(ZHENGZHI) not in text  # 限定 to 张三
    assert client.get(f"/doc/{site.doc_id(ZHENGZHI)}").status_code == 404
    assert "李四（纪检组）" in client.get("/search").get_data(as_text=True)


def test_another_department_reader_sees_internal_but_not_restricted(site):
    client = site.app().test_client()
    log_in(client, "王五")
    assert client.get(f"/doc/{site.doc_id(JIANFU)}").status_code == 200
    assert client.get(f"/doc/{site.doc_id(CHIHE)}").status_code == 404
    hits = client.get('/api/search?q="青岚纪发〔2025〕3号"').get_json()
    assert hits["total"] == 0 and not hits["hits"]


def test_wrong_password_or_disabled_account_cannot_log_in(site, tmp_path):
    client = site.app().test_client()
    response = log_in(client, "李四", "wrong password")
    assert response.status_code == 401 and "姓名或密码不正确" in response.get_data(as_text=True)
    assert log_in(client, "没有这个人").status_code == 401


def test_a_change_to_an_account_ends_its_sessions(site):
    client = site.app().test_client()
    log_in(client, "李四")
    doc_id = site.doc_id(CHIHE)
    assert client.get(f"/doc/{doc_id}").status_code == 200
    accounts.change_account(site.instance, "李四", disabled=True)
    try:
        assert client.get(f"/doc/{doc_id}").status_code == 404
        assert log_in(client, "李四").status_code == 401
    finally:
        accounts.change_account(site.instance, "李四", disabled=False)
    assert log_in(client, "李四").status_code == 303
    accounts.change_account(site.instance, "李四", department="办公室")
    try:
        assert client.get(f"/doc/{doc_id}").status_code == 404  # signed out by the change
        log_in(client, "李四")
        assert client.get(f"/doc/{doc_id}").status_code == 404  # 办公室 may not see it
    finally:
        accounts.change_account(site.instance, "李四", department="纪检组")


def test_the_admin_and_admin_accounts_see_everything(site):
    client = site.app().test_client()
    admin_login(client)
    assert client.get(f"/doc/{site.doc_id(ZHENGZHI)}").status_code == 200
    other = site.app().test_client()
    log_in(other, "赵六")
    assert other.get(f"/doc/{site.doc_id(ZHENGZHI)}").status_code == 200
    assert other.get("/admin/accounts").status_code == 200
    reader = site.app().test_client()
    log_in(reader, "王五")
    assert reader.get("/admin/accounts").status_code == 302  # to the admin's login


def test_the_admin_creates_accounts_and_bad_input_gets_a_chinese_400(site):
    client = site.app().test_client()
    admin_login(client)
    token = csrf(client, "/admin/accounts")
    form = {"csrf_token": token, "name": "孙七", "department": "组织部", "role": "读者"}
    response = client.post("/admin/accounts", data={**form, "password": "short"})
    assert response.status_code == 400 and "密码至少 8 个字符" in response.get_data(as_text=True)
    response = client.post(
        "/admin/accounts", data={**form, "role": "超级用户", "password": "x" * 9}
    )
    assert response.status_code == 400 and "角色应为" in response.get_data(as_text=True)
    response = client.post("/admin/accounts", data={**form, "password": "long enough 1"})
    assert response.status_code == 303
    assert accounts.load_accounts(site.instance)["孙七"].department == "组织部"
    response = client.post("/admin/accounts", data={**form, "password": "long enough 1"})
    assert response.status_code == 400 and "已有名为“孙七”的账户" in response.get_data(as_text=True)
    stored = (site.instance / accounts.ACCOUNTS_FILE).read_text(encoding="utf-8")
    assert "long enough 1" not in stored and "scrypt" in stored
    reset = {"csrf_token": token, "name": "孙七", "action": "reset", "password": "new password 1"}
    assert client.post("/admin/accounts/change", data=reset).status_code == 303
    assert accounts.authenticate(site.instance, "孙七", "new password 1") is not None
    bad = {"csrf_token": token, "name": "无此人", "action": "disable"}
    response = client.post("/admin/accounts/change", data=bad)
    assert response.status_code == 400 and "没有名为“无此人”的账户" in response.get_data(
        as_text=True
    )


def test_anonymous_search_can_be_turned_off(site):
    client = site.app().test_client()
    accounts.set_anonymous_search(site.instance, False)
    try:
        response = client.get("/search?q=作风")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
        answer = client.get("/api/search?q=作风")
        assert answer.status_code == 401 and "请先登录" in answer.get_json()["error"]["message"]
        assert client.get("/login").status_code == 200
        log_in(client, "王五")
        assert client.get("/search?q=作风").status_code == 200
    finally:
        accounts.set_anonymous_search(site.instance, True)
    assert site.app().test_client().get("/search?q=作风").status_code == 200


def test_the_audit_log_records_who_did_what_and_never_a_password(site):
    client = site.app().test_client()
    log_in(client, "李四")
    client.get("/search?q=违规吃喝")
    doc_id = site.doc_id(CHIHE)
    client.get(f"/doc/{doc_id}")
    client.get(f"/doc/{doc_id}/original")
    entries = list(audit.entries(site.instance))
    mine = [e for e in entries if e["user"] == "李四"][-3:]  # this test's
    actions = [(e["action"], e["object"], e["params"].get("q", "")) for e in mine]
    assert actions == [("检索", "", "违规吃喝"), ("查看文件", doc_id, ""), ("下载原件", doc_id, "")]
    assert all(e["department"] == "纪检组" and e["role"] == "读者" for e in mine)
    log = "".join(p.read_text(encoding="utf-8") for p in audit.files(site.instance))
    assert READER_PASSWORD not in log and ADMIN_PASSWORD not in log
    admin = site.app().test_client()
    admin_login(admin)
    page = admin.get("/admin/audit").get_data(as_text=True)
    assert "李四" in page and "违规吃喝" in page
    csv = admin.get("/admin/audit.csv")
    text = csv.get_data(as_text=True)
    assert csv.headers["Content-Type"].startswith("text/csv")
    assert text.startswith("\ufeff时间,用户,部门,角色") and "查看文件" in text
    assert client.get("/admin/audit").status_code == 302  # readers are sent to the login


def test_the_audit_log_rotates_by_size(tmp_path):
    entry = {"time": "2025-01-01T00:00:00", "user": "甲", "action": "检索", "params": {"q": "x"}}
    for _ in range(30):
        audit.append(tmp_path, entry, max_bytes=500)
    files = audit.files(tmp_path)
    assert len(files) > 1 and all(f.stat().st_size <= 500 for f in files)
    assert len(list(audit.entries(tmp_path))) == 30
    assert audit.latest(tmp_path, 3) == [entry] * 3
    assert json.loads(files[-1].read_text(encoding="utf-8").splitlines()[0]) == entry


def test_the_kb_command_acts_as_a_named_user_or_as_the_admin(site, capsys):
    from kb import cli

    def total(*extra: str) -> int:
        code = cli.main(
            ["search", '"青岚纪发〔2025〕3号"', "--index", str(site.index), "--json", *extra]
        )
        assert code == 0
        return json.loads(capsys.readouterr().out)["total"]

    instance = ["--instance", str(site.instance)]
    assert total() >= 1  # the admin by default
    assert total(*instance, "--as", "李四") >= 1
    assert total(*instance, "--as", "王五") == 0
    args = ["cases", "--index", str(site.index), "--json", *instance]
    assert cli.main([*args, "--as", "王五"]) == 0
    listed = json.loads(capsys.readouterr().out)["cases"]
    assert listed and site.doc_id(CHIHE) not in {c["doc_id"] for c in listed}
    assert cli.main([*args, "--as", "无此人"]) == 2
    assert "没有名为“无此人”的可用账户" in capsys.readouterr().err


def test_the_admin_sets_a_documents_visibility_on_its_form(tmp_path):
    from tests.test_admin import wait_for_update
    from web.uploads import entry_key

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "巡察反馈.txt").write_text(
        "关于巡察反馈问题整改的通知\n\n各部门：\n\n巡察反馈指出食堂账目不清，请限期整改。\n",
        encoding="utf-8",
    )
    update_index(tmp_path / "index", [docs], DEFAULT_DICT)
    set_password(tmp_path / "instance", ADMIN_PASSWORD)
    site = Site(docs, tmp_path / "index", tmp_path / "instance")
    accounts.create_account(site.instance, "王五", "办公室", "读者", READER_PASSWORD)
    accounts.create_account(site.instance, "李四", "纪检组", "读者", READER_PASSWORD)
    admin = site.app().test_client()
    admin_login(admin)
    key = entry_key("巡察反馈.txt")
    page = admin.get(f"/admin/meta?key={key}").get_data(as_text=True)
    assert "可见范围" in page and "按文件夹规则" in page
    token = csrf(admin, f"/admin/meta?key={key}")
    form = {"key": key, "csrf_token": token, "visibility": "公开", "departments": "纪检组"}
    refused = admin.post("/admin/meta", data=form)
    assert refused.status_code == 422 and "只有“限定”的文件才列出部门和人员" in refused.get_data(
        as_text=True
    )
    saved = admin.post("/admin/meta", data={**form, "visibility": "限定", "then": "update"})
    assert saved.status_code == 303
    assert wait_for_update(admin)["state"] == "done"
    side = json.loads((docs / "巡察反馈.txt.json").read_text(encoding="utf-8"))
    assert side == {"visibility": "限定", "departments": ["纪检组"], "people": []}
    doc_id = doc_id_for(docs / "巡察反馈.txt")
    anonymous, office, jijian = (site.app().test_client() for _ in range(3))
    log_in(office, "王五")
    log_in(jijian, "李四")
    for client, status in ((anonymous, 404), (office, 404), (jijian, 200), (admin, 200)):
        assert client.get(f"/doc/{doc_id}").status_code == status
        total = client.get("/api/search?q=巡察反馈").get_json()["total"]
        assert (total > 0) == (status == 200)
    page = admin.get(f"/admin/meta?key={key}").get_data(as_text=True)
    assert 'value="限定" selected' in page and 'value="纪检组"' in page


def _word_text(data: bytes) -> str:
    import io

    from docx import Document as WordDocument

    return "\n".join(p.text for p in WordDocument(io.BytesIO(data)).paragraphs)


def test_exports_leave_out_what_the_viewer_may_not_see(site):
    doc_id = site.doc_id(CHIHE)
    admin = site.app().test_client()
    admin_login(admin)
    document = admin.get(f"/api/docs/{doc_id}").get_json()
    passage = max(document["passages"], key=lambda p: len(p["text"]))
    case = admin.get("/api/cases?per_page=100").get_json()["cases"]
    case = next(c for c in case if c["doc_id"] == doc_id)
    items = json.dumps([{"kind": "passage", "doc_id": doc_id, "ordinal": passage["ordinal"]}])
    for client, shown in ((site.app().test_client(), False), (admin, True)):
        token = csrf(client, "/basket")
        word = client.post("/basket/export.docx", data={"items": items, "csrf_token": token})
        assert word.status_code == 200
        text = _word_text(word.data)
        assert (passage["text"] in text) == shown and ("已不在索引中" in text) != shown
        pack = client.post(
            "/casepack/export.docx",
            data={"pack": json.dumps([case["id"]]), "csrf_token": token},
        )
        if shown:
            assert pack.status_code == 200 and case["text"][:30] in _word_text(pack.data)
        else:  # the case cannot be had: told as gone from the index, never shown
            assert pack.status_code == 200
            text = _word_text(pack.data)
            assert case["text"][:30] not in text and "已不在索引中" in text
    exports = [e for e in audit.entries(site.instance) if e["action"] == audit.EXPORT]
    assert {e["user"] for e in exports} >= {"匿名访客", "管理员"}


def test_logging_out_from_the_top_bar_ends_the_admins_session_too(site):
    client = site.app().test_client()
    admin_login(client)
    assert client.get("/admin/accounts").status_code == 200
    token = csrf(client, "/search")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/admin/accounts").status_code == 302
    assert client.get(f"/doc/{site.doc_id(ZHENGZHI)}").status_code == 404


def test_audit_downloads_never_turn_a_name_or_word_into_a_formula(site):
    import io

    from openpyxl import load_workbook

    accounts.create_account(site.instance, "=1+2", "@部门", "读者", READER_PASSWORD)
    client = site.app().test_client()
    assert log_in(client, "=1+2").status_code == 303
    client.get("/search", query_string={"q": '=HYPERLINK("http://x","点")'})
    admin = site.app().test_client()
    admin_login(admin)
    text = admin.get("/admin/audit.csv").get_data(as_text=True)
    assert ",'=1+2,'@部门," in text and ",=1+2" not in text
    assert '"q==HYPERLINK(' in text  # a parameter's cell starts with its name: no formula
    book = load_workbook(io.BytesIO(admin.get("/admin/audit.xlsx").data))
    sheet = book["留痕"]
    assert [c.value for c in sheet[1]] == list(audit.COLUMNS)
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value == "=1+2"]
    assert cells and all(c.data_type == "s" for c in cells)


def test_uploads_carry_the_visibility_chosen_on_the_form(site):
    import io

    admin = site.app().test_client()
    admin_login(admin)
    token = csrf(admin, "/admin/upload")
    notice = "关于整改台账报送的通知\n\n各部门于月底前报送整改台账。\n".encode()

    def send(**fields):
        data = {"csrf_token": token, "files": (io.BytesIO(notice), "整改台账通知.txt"), **fields}
        return admin.post("/admin/upload", data=data, content_type="multipart/form-data")

    refused = send(visibility="内部", people="张三")
    assert refused.status_code == 400
    assert "只有“限定”的文件才列出部门和人员" in refused.get_data(as_text=True)
    assert not (site.docs / "整改台账通知.txt").exists()
    assert "可见范围" in admin.get("/admin/upload").get_data(as_text=True)
    saved = send(visibility="限定", departments="纪检组、办公室")
    assert saved.status_code == 200 and "已保存为" in saved.get_data(as_text=True)
    side = json.loads((site.docs / "整改台账通知.txt.json").read_text(encoding="utf-8"))
    assert side == {"visibility": "限定", "departments": ["纪检组", "办公室"], "people": []}
    (site.docs / "整改台账通知.txt").unlink()  # the module's other tests know no such file
    (site.docs / "整改台账通知.txt.json").unlink()


def test_single_sign_on_trusts_the_header_only_from_the_proxy(site):
    from urllib.parse import quote

    doc_id = site.doc_id(CHIHE)
    named = {"X-Remote-User": quote("李四")}
    client = site.app().test_client()
    assert client.get(f"/doc/{doc_id}", headers=named).status_code == 404  # off by default
    sso = site.instance / accounts.SSO_FILE
    sso.write_text('{"header": "X-Remote-User", "proxies": ["127.0.0.1"]}', encoding="utf-8")
    try:
        assert client.get(f"/doc/{doc_id}", headers=named).status_code == 200
        elsewhere = {"REMOTE_ADDR": "10.0.0.9"}
        response = client.get(f"/doc/{doc_id}", headers=named, environ_base=elsewhere)
        assert response.status_code == 404  # not from the proxy: the header counts for nothing
        for other in (quote("王五"), quote("无此人"), ""):
            response = client.get(f"/doc/{doc_id}", headers={"X-Remote-User": other})
            assert response.status_code == 404
        sso.write_text("{not json", encoding="utf-8")
        assert client.get(f"/doc/{doc_id}", headers=named).status_code == 404
    finally:
        sso.unlink()


def test_an_unreadable_access_setting_asks_for_a_login(site):
    setting = site.instance / accounts.ACCESS_FILE
    setting.write_text("{broken", encoding="utf-8")
    try:
        response = site.app().test_client().get("/search?q=作风")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    finally:
        setting.unlink()


def test_audit_downloads_take_control_characters_searched_for(site):
    client = site.app().test_client()
    client.get("/search", query_string={"q": "作风\x00\x07建设"})
    admin = site.app().test_client()
    admin_login(admin)
    assert admin.get("/admin/audit.xlsx").status_code == 200
    assert admin.get("/admin/audit.csv").status_code == 200
    assert admin.get("/admin/audit").status_code == 200


DEPT_PASSWORD = "dept reader 2025"


def _dept_form(client, **fields: str) -> dict:
    return {"csrf_token": csrf(client, "/dept/accounts"), **fields}


def test_a_department_admin_creates_readers_in_own_department_only(site):
    client = site.app().test_client()
    assert log_in(client, "钱八").status_code == 303
    assert 'href="/dept/accounts"' in client.get("/search").get_data(as_text=True)
    page = client.get("/dept/accounts")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "纪检组" in text
    assert "李四" in text and "王五" not in text and "赵六" not in text and "郑十" not in text
    created = _dept_form(client, name="周九", password=DEPT_PASSWORD)
    assert client.post("/dept/accounts", data=created).status_code == 303
    account = accounts.load_accounts(site.instance)["周九"]
    assert (account.department, account.role) == ("纪检组", "读者")
    reader = site.app().test_client()
    assert log_in(reader, "周九", DEPT_PASSWORD).status_code == 303
    assert reader.get(f"/doc/{site.doc_id(CHIHE)}").status_code == 200  # 限定 to 纪检组
    for tampered in ({"department": "办公室"}, {"role": "管理员"}, {"role": "部门管理员"}):
        form = _dept_form(client, name="吴十一", password=DEPT_PASSWORD, **tampered)
        response = client.post("/dept/accounts", data=form)
        assert response.status_code == 403, tampered
        assert "本部门" in response.get_data(as_text=True)
    assert "吴十一" not in accounts.load_accounts(site.instance)
    response = client.post(
        "/dept/accounts", data=_dept_form(client, name="吴十一", password="short")
    )
    assert response.status_code == 400 and "密码至少 8 个字符" in response.get_data(as_text=True)


def test_a_department_admin_resets_and_disables_own_readers_only(site):
    if "孙九" not in accounts.load_accounts(site.instance):
        accounts.create_account(site.instance, "孙九", "纪检组", "读者", DEPT_PASSWORD)
    client = site.app().test_client()
    log_in(client, "钱八")
    reader = site.app().test_client()
    assert log_in(reader, "孙九", DEPT_PASSWORD).status_code == 303
    reset = _dept_form(client, name="孙九", action="reset", password="new dept pass 1")
    assert client.post("/dept/accounts/change", data=reset).status_code == 303
    assert accounts.authenticate(site.instance, "孙九", "new dept pass 1") is not None
    assert reader.get(f"/doc/{site.doc_id(CHIHE)}").status_code == 404  # signed out
    disable = _dept_form(client, name="孙九", action="disable")
    assert client.post("/dept/accounts/change", data=disable).status_code == 303
    assert log_in(reader, "孙九", "new dept pass 1").status_code == 401
    enable = _dept_form(client, name="孙九", action="enable")
    assert client.post("/dept/accounts/change", data=enable).status_code == 303
    assert log_in(reader, "孙九", "new dept pass 1").status_code == 303
    before = accounts.load_accounts(site.instance)
    for name in ("王五", "赵六", "郑十", "钱八", "管理员", "无此人"):
        for action in ("reset", "disable"):
            form = _dept_form(client, name=name, action=action, password="taken over 1")
            response = client.post("/dept/accounts/change", data=form)
            assert response.status_code == 403, (name, action)
            assert "本部门" in response.get_data(as_text=True)
    assert accounts.load_accounts(site.instance) == before
    bad = _dept_form(client, name="孙九", action="update", department="办公室", role="管理员")
    assert client.post("/dept/accounts/change", data=bad).status_code == 400
    assert accounts.load_accounts(site.instance)["孙九"].role == "读者"
    no_token = {"name": "孙九", "action": "disable"}
    assert client.post("/dept/accounts/change", data=no_token).status_code == 400
    assert not accounts.load_accounts(site.instance)["孙九"].disabled


def test_only_department_admins_reach_the_department_page(site):
    anonymous = site.app().test_client()
    response = anonymous.get("/dept/accounts")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    reader = site.app().test_client()
    log_in(reader, "李四")
    response = reader.get("/dept/accounts")
    assert response.status_code == 403 and "部门管理员" in response.get_data(as_text=True)
    assert 'href="/dept/accounts"' not in reader.get("/search").get_data(as_text=True)
    token = csrf(reader, "/search")
    form = {"csrf_token": token, "name": "冒名", "password": DEPT_PASSWORD}
    assert reader.post("/dept/accounts", data=form).status_code == 403
    change = {"csrf_token": token, "name": "李四", "action": "disable"}
    assert reader.post("/dept/accounts/change", data=change).status_code == 403
    assert "冒名" not in accounts.load_accounts(site.instance)
    assert not accounts.load_accounts(site.instance)["李四"].disabled
    admin = site.app().test_client()
    log_in(admin, "赵六")  # an account with the role 管理员: sent to the admin's page
    response = admin.get("/dept/accounts")
    assert response.status_code == 302 and "/admin/accounts" in response.headers["Location"]


def test_changes_to_accounts_are_in_the_audit_log_without_passwords(site):
    client = site.app().test_client()
    log_in(client, "钱八")
    form = _dept_form(client, name="冯十二", password="fresh dept pass 1")
    assert client.post("/dept/accounts", data=form).status_code == 303
    reset = _dept_form(client, name="冯十二", action="reset", password="fresh dept pass 2")
    assert client.post("/dept/accounts/change", data=reset).status_code == 303
    admin = site.app().test_client()
    admin_login(admin)
    token = csrf(admin, "/admin/accounts")
    change = {"csrf_token": token, "name": "冯十二", "action": "disable"}
    assert admin.post("/admin/accounts/change", data=change).status_code == 303
    update = {"csrf_token": token, "name": "冯十二", "action": "update"}
    update |= {"department": "办公室", "role": "读者"}
    assert admin.post("/admin/accounts/change", data=update).status_code == 303
    made = [e for e in audit.entries(site.instance) if e.get("object") == "冯十二"]
    assert [(e["user"], e["action"]) for e in made] == [
        ("钱八", "新建账户"),
        ("钱八", "重设密码"),
        ("管理员", "停用账户"),
        ("管理员", "修改部门和角色"),
    ]
    assert made[-1]["params"] == {"部门": "办公室", "角色": "读者"}
    assert made[0]["department"] == "纪检组" and made[0]["params"] == {
        "部门": "纪检组",
        "角色": "读者",
    }
    log = "".join(p.read_text(encoding="utf-8") for p in audit.files(site.instance))
    assert "fresh dept pass" not in log


def test_kb_search_and_cases_with_an_instance_are_in_the_audit_log(site, capsys):
    from kb import cli

    def logged() -> list[dict]:
        return [e for e in audit.entries(site.instance) if e.get("address") == "命令行"]

    before = len(logged())
    index = ["--index", str(site.index), "--json"]
    assert cli.main(["search", "巡察反馈 留痕甲", *index]) == 0
    assert len(logged()) == before  # no instance folder given: nothing to log in
    instance = ["--instance", str(site.instance)]
    assert cli.main(["search", "违规吃喝 留痕乙", *index, *instance, "--as", "李四"]) == 0
    assert cli.main(["search", "违规吃喝 留痕丙", *index, *instance]) == 0
    assert cli.main(["cases", "违规吃喝 留痕丁", *index, *instance, "--as", "王五"]) == 0
    capsys.readouterr()
    found = [(e["user"], e["department"], e["action"], e["params"]) for e in logged()[before:]]
    assert found == [
        ("李四", "纪检组", "检索（命令行）", {"q": "违规吃喝 留痕乙"}),
        ("管理员（命令行）", "", "检索（命令行）", {"q": "违规吃喝 留痕丙"}),
        ("王五", "办公室", "检索案例（命令行）", {"q": "违规吃喝 留痕丁"}),
    ]
    log = "".join(p.read_text(encoding="utf-8") for p in audit.files(site.instance))
    assert READER_PASSWORD not in log and ADMIN_PASSWORD not in log
    assert "scrypt" not in log
    admin = site.app().test_client()
    admin_login(admin)
    assert "管理员（命令行）" in admin.get("/admin/audit").get_data(as_text=True)
