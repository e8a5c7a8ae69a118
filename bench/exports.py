"""How long each export takes for 100 items, and what it holds (issue 16, "done when").

Builds an index of the sample corpus, then posts each export through the web app as a
browser would, with 100 items: the 收集夹 (Word and print page), the 对照检查材料 (Word,
.xlsx ledger, print page) and the 案例教材 (Word and print page; as many cases as the corpus
has, repeated up to 100). Prints the median of 3 runs, the size, and for Word files the
paragraph and table counts; a baseline in the same run is the cheapest export there is, one
passage in the 收集夹, so the figures read as ratios on any machine.

    .venv/bin/python bench/exports.py
"""

from __future__ import annotations

import io
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import CORPUS_DOCS  # noqa: E402
from kb.backend import Backend  # noqa: E402
from kb.resources import DEFAULT_DICT  # noqa: E402

ROUNDS = 3
ITEMS = 100


def token(client, page: str) -> str:
    html = client.get(page).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, page
    return found.group(1)


def timed(client, url: str, page: str, form: dict) -> tuple[float, bytes]:
    times, body = [], b""
    for _ in range(ROUNDS):
        data = {**form, "csrf_token": token(client, page)}
        started = time.perf_counter()
        answer = client.post(url, data=data)
        times.append(time.perf_counter() - started)
        assert answer.status_code == 200, (url, answer.get_data(as_text=True)[:300])
        body = answer.data
    return statistics.median(times), body


def describe(body: bytes, url: str) -> str:
    if url.endswith(".docx"):
        from docx import Document

        document = Document(io.BytesIO(body))
        rows = sum(len(table.rows) for table in document.tables)
        return f"{len(document.paragraphs)} 段, {len(document.tables)} 表 ({rows} 行)"
    if url.endswith(".xlsx"):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body))
        return ", ".join(f"{sheet.title} {sheet.max_row} 行" for sheet in book.worksheets)
    return f"{body.decode('utf-8').count('<p')} 个 <p>"


def main() -> None:
    from indexer.update import update
    from web import create_app

    with tempfile.TemporaryDirectory() as temp:
        index = Path(temp) / "index"
        update(Backend(index), [CORPUS_DOCS], DEFAULT_DICT)
        app = create_app({"INDEX": str(index)})
        client = app.test_client()

        passages = []
        for hit in client.get("/api/search?q=会议").get_json()["hits"]:
            count = len(client.get(f"/api/docs/{hit['doc_id']}").get_json()["passages"])
            passages += [
                {"kind": "passage", "doc_id": hit["doc_id"], "ordinal": n, "note": "学习"}
                for n in range(min(count, 20))
            ]
        basket_items = (passages * (ITEMS // len(passages) + 1))[:ITEMS]
        requirements = client.get(f"/api/requirements?limit={ITEMS}").get_json()["items"]
        all_cases = [c["id"] for c in client.get("/api/cases?per_page=100").get_json()["cases"]]
        draft_items = [
            {
                "id": item["id"],
                "gap": "理论学习不够系统，联系实际不紧。",
                "example": "今年只参加了两次集中学习\n读原著不多",
                "measure": "制定学习计划，每月自学一次",
                "owner": "本人",
                "deadline": "2026年12月31日",
                "cases": all_cases[:3],
            }
            for item in (requirements * (ITEMS // max(len(requirements), 1) + 1))[:ITEMS]
        ]
        pack = (all_cases * (ITEMS // max(len(all_cases), 1) + 1))[:ITEMS]
        draft_form = {
            "draft": json.dumps(draft_items),
            "title": "对照检查材料",
            "unit": "某局机关党委",
            "person": "办公室主任 张某某",
            "direction": "坚持学以致用。",
        }
        pack_form = {"pack": json.dumps(pack), "title": "警示教育读本", "unit": "某局机关党委"}
        basket_form = {"items": json.dumps(basket_items), "title": "学习摘编"}
        one = {"items": json.dumps(basket_items[:1]), "title": "学习摘编"}

        runs = [
            ("基线：收集夹 1 段 Word", "/basket/export.docx", "/basket", one),
            ("收集夹 Word", "/basket/export.docx", "/basket", basket_form),
            ("收集夹 打印版", "/basket/print", "/basket", basket_form),
            ("对照检查材料 Word", "/draft/export.docx", "/draft", draft_form),
            ("整改台账 .xlsx", "/draft/export.xlsx", "/draft", draft_form),
            ("对照检查材料 打印版", "/draft/print", "/draft", draft_form),
            ("案例教材 Word", "/casepack/export.docx", "/casepack", pack_form),
            ("案例教材 打印版", "/casepack/print", "/casepack", pack_form),
        ]
        print(
            f"{ITEMS} 条（案例教材：语料中 {len(all_cases)} 个案例重复到 {len(pack)} 个），"
            f"各 {ROUNDS} 次取中位数"
        )
        baseline = None
        for name, url, page, form in runs:
            seconds, body = timed(client, url, page, form)
            baseline = baseline or seconds
            print(
                f"{name:<16} {seconds * 1000:8.0f} ms  {seconds / baseline:5.1f}x  "
                f"{len(body) / 1024:7.0f} KB  {describe(body, url)}"
            )


if __name__ == "__main__":
    main()
