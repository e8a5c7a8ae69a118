"""Metadata read from the text against ../shared/realdocs/MANIFEST.tsv.

Run:  .venv/bin/python bench/metadata.py [--verbose]

Compares title, 发文字号, date and document type for the 170 real documents. MANIFEST's
genres are coarser than our types: case -> 通报, speech -> 讲话, plan -> 方案; a policy may be
any of 意见 通知 通报 条例 规定 办法 决定 报告 公报 (anything but 讲话 and 方案 counts as right:
a 表扬通报 is a policy in MANIFEST and a 通报 for us).
Caveat from the folder's README: for files reposted by a school website, MANIFEST's date is the
repost date, which the text itself may not show.
"""

from __future__ import annotations

import argparse
import csv
import re
from collections import Counter
from pathlib import Path

from common import REALDOCS, require_realdocs

from kb.dates import leading_date
from kb.doctypes import default_doc_types
from kb.model import Extracted
from kb.structure import read_outline

GENRES = {"case": {"通报"}, "speech": {"讲话"}, "plan": {"方案"}}
POLICY = set(default_doc_types().all) - {"讲话", "方案"}  # a policy file: any other type


def _written(date: str, text: str) -> bool:
    if date.count("-") != 2:
        return date in text
    year, month, day = date.split("-")
    forms = (f"{year}年{int(month)}月{int(day)}日", f"{year}年{month}月{day}日", date)
    return any(form in text for form in forms)


def _stated_date(text: str) -> str:
    """The 成文日期 of a labelled government-site header (MANIFEST uses the 发布日期)."""
    m = re.search(r"成文日期[:：]", text)
    return leading_date(text[m.end() : m.end() + 40]) if m else ""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--verbose", action="store_true", help="list every disagreement")
    args = parser.parse_args()
    require_realdocs()
    with (REALDOCS.parent / "MANIFEST.tsv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))

    counts: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    misses: list[str] = []
    for row in rows:
        text = (REALDOCS / row["file"]).read_text(encoding="utf-8")
        outline = read_outline(Extracted.from_text(text), fallback_title=Path(row["file"]).stem)
        checks = {
            "title": outline.title == row["title"],
            "doc_type": outline.doc_type in GENRES.get(row["genre"], POLICY),
        }
        if row["doc_no"]:
            checks["doc_no (documents that have one)"] = outline.doc_no == row["doc_no"]
        else:
            checks["no doc_no invented"] = outline.doc_no == ""
        if row["date"]:
            checks["date"] = outline.date == row["date"]
            if _written(row["date"], text):
                own = _stated_date(text)
                checks["date, where the text shows MANIFEST's date"] = outline.date == row["date"]
                checks["date = MANIFEST's or the 成文日期 the text states"] = outline.date in (
                    row["date"],
                    own,
                )
        for name, ok in checks.items():
            totals[name] += 1
            counts[name] += ok
            if not ok:
                value = {"title": outline.title, "doc_type": outline.doc_type}.get(name)
                if value is None:
                    value = outline.date if name.startswith("date") else outline.doc_no
                wanted = (
                    row["genre"] if name == "doc_type" else row.get(name.split()[0].strip(","), "")
                )
                misses.append(f"{row['file']}: {name}: got {value!r}, manifest {wanted!r}")

    print(f"\n{len(rows)} documents in ../shared/realdocs/docs\n")
    print("| field | agree | of | share |")
    print("|---|---|---|---|")
    for name in totals:
        print(f"| {name} | {counts[name]} | {totals[name]} | {counts[name] / totals[name]:.1%} |")
    if args.verbose:
        print()
        print("\n".join(misses))


if __name__ == "__main__":
    main()
