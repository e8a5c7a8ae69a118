"""Each Word export kb makes, posted through the web app as a user would, long enough to fill
several pages: the 收集夹 (basket), the 对照检查 draft and the 案例教材 (casepack). Shared by
the layout and the rendering tests, so both look at the same files."""

from __future__ import annotations

import json
import re

from kb.workbench import load_causes

UNIT = "某市某局机关党委"


def _token(client, page: str) -> str:
    html = client.get(page).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _post(client, url: str, page: str, form: dict) -> bytes:
    response = client.post(url, data={**form, "csrf_token": _token(client, page)})
    assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
    return response.data


def basket(client) -> bytes:
    hit = client.get("/api/search?q=会议").get_json()["hits"][0]
    passages = client.get(f"/api/docs/{hit['doc_id']}").get_json()["passages"]
    items = [
        {"kind": "passage", "doc_id": hit["doc_id"], "ordinal": ordinal, "note": "对照学习"}
        for ordinal in range(min(len(passages), 30))
    ]
    form = {"items": json.dumps(items * 2), "title": "学习摘编"}
    return _post(client, "/basket/export.docx", "/basket", form)


PERSON = "办公室主任\u3000张某某"


def draft_form(client) -> dict:
    """A full 对照检查 draft: 20 requirements, the first put under 其他 by hand, several lines of
    具体表现 on each, cases, the unit and person, every 原因剖析 part but the last, 努力方向."""
    requirements = client.get("/api/requirements?limit=20").get_json()["items"]
    cases = [case["id"] for case in client.get("/api/cases?per_page=5").get_json()["cases"]]
    items = [
        {
            "id": item["id"],
            "gap": "理论学习不够系统。" * 6,
            "example": "今年只参加了两次集中学习\n读原著不多",
            "measure": "制定学习计划",
            "cases": cases,
            "topic": "其他" if number == 0 else "",
        }
        for number, item in enumerate(requirements)
    ]
    form = {"draft": json.dumps(items), "title": "对照检查材料", "unit": UNIT, "person": PERSON}
    parts = load_causes()
    for part in parts[:-1]:
        form[f"cause.{part.name}"] = f"在{part.name}上，对自己要求不够严格。" * 3
    form["opening"] = "按照这次组织生活会的安排，本人对照所学要求认真查摆，现将有关情况报告如下。"
    form["direction"] = "坚持学以致用，以整改实效取信于民。"
    return form


def draft(client) -> bytes:
    return _post(client, "/draft/export.docx", "/draft", draft_form(client))


def casepack(client) -> bytes:
    cases = [case["id"] for case in client.get("/api/cases?per_page=30").get_json()["cases"]]
    form = {
        "pack": json.dumps(cases),
        "title": "警示教育读本",
        "unit": UNIT,
        "date": "2025年6月",
        "questions": "1",
    }
    return _post(client, "/casepack/export.docx", "/casepack", form)


# name -> (build, the title typed, the author expected in the file's properties)
EXPORTS = {
    "basket": (basket, "学习摘编", ""),
    "draft": (draft, "对照检查材料", UNIT),
    "casepack": (casepack, "警示教育读本", UNIT),
}
