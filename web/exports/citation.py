"""How an excerpt is cited: 《标题》（发文字号，日期）所在章节."""

from __future__ import annotations


def chinese_date(iso: str) -> str:
    """2024-03-18 -> 2024年3月18日 (empty stays empty)."""
    try:
        year, month, day = (int(part) for part in iso.split("-"))
    except ValueError:
        return iso
    return f"{year}年{month}月{day}日"


def citation(title: str, doc_no: str = "", date: str = "", section: list[str] | None = None) -> str:
    details = "，".join(part for part in (doc_no, chinese_date(date)) if part)
    cited = f"《{title}》" + (f"（{details}）" if details else "")
    heading = " ".join(section or [])
    return f"{cited}{heading}"
