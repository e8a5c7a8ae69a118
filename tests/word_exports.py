"""Each Word export kb makes, posted through the web app as a user would, long enough to fill
several pages: the 收集夹 (basket), the 对照检查 draft and the 案例教材 (casepack). Shared by
the layout and the rendering tests, so both look at the same files."""

from __future__ import annotations

import json
import re

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


def draft(client) -> bytes:
    requirements = client.get("/api/requirements?limit=20").get_json()["items"]
    cases = [case["id"] for case in client.get("/api/cases?per_page=5").get_json()["cases"]]
    items = [
        {
            "id": item["id"],
            "gap": "理论学习不够系统。" * 6,
            "measure": "制定学习计划",
            "cases": cases,
        }
        for item in requirements
    ]
    form = {"draft": json.dumps(items), "title": "对照检查材料"}
    return _post(client, "/draft/export.docx", "/draft", form)


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
    "draft": (draft, "对照检查材料", ""),
    "casepack": (casepack, "警示教育读本", UNIT),
}
