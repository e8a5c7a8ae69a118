"""How an excerpt is cited: 《标题》（发文字号，日期）所在章节."""

from __future__ import annotations

from kb.dates import written_date


def citation(title: str, doc_no: str = "", date: str = "", section: list[str] | None = None) -> str:
    details = "，".join(part for part in (doc_no, written_date(date)) if part)
    cited = f"《{title}》" + (f"（{details}）" if details else "")
    heading = " ".join(section or [])
    return f"{cited}{heading}"
