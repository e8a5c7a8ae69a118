"""Case extraction benchmark: stated vs extracted case counts per notice, and a sample to check.

Usage: python bench/cases.py [--sample N] [--seed S] [--all]

For every case notice in corpus/docs and ../shared/realdocs/docs (skipped with a message when
absent): the count the notice states (十起, 本辑收录典型案例8起 ...) against the cases found; then
totals, and a seeded random sample of cases with all their fields, to be checked by hand.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kb.cases import Case, extract_cases, is_case_notice, load_taxonomy, stated_count  # noqa: E402
from kb.structure import Outline, read_outline  # noqa: E402

CORPUS_DOCS = ROOT / "corpus" / "docs"
REALDOCS = ROOT.parent / "shared" / "realdocs" / "docs"


def outline_of(path: Path) -> Outline | None:
    """The file's outline: through the project's readers (any encoding or format they know),
    plain UTF-8 text otherwise; None for files that cannot be read."""
    try:
        from indexer.readers import UnreadableFile, read_file, supported
    except ImportError:  # pragma: no cover - the readers are part of the project
        if path.suffix != ".txt":
            return None
        return read_outline(path.read_text(encoding="utf-8"), fallback_title=path.stem)
    if not supported(path) or path.suffix == ".json":
        return None
    try:
        return read_outline(read_file(path, path.read_bytes()), fallback_title=path.stem)
    except UnreadableFile:
        return None


def notices(folder: Path, taxonomy) -> list[tuple[str, int | None, list[Case]]]:
    """(file name, stated count, cases) for each case notice in ``folder``."""
    rows = []
    for path in sorted(folder.iterdir()):
        outline = outline_of(path)
        if outline is None:
            continue
        if not is_case_notice(outline.title, outline.passages, taxonomy):
            continue
        text = "\n".join([outline.title, *(p.text for p in outline.passages)])
        rows.append(
            (
                path.name,
                stated_count(text),
                extract_cases(outline.title, outline.passages, taxonomy),
            )
        )
    return rows


def report(name: str, rows: list[tuple[str, int | None, list[Case]]]) -> None:
    print(f"\n== {name}: {len(rows)} 份案例通报 ==")
    print(f"{'文件':<44} {'写明':>4} {'找到':>4}")
    stated_rows = exact = stated_total = found_total = 0
    for file, stated, cases in rows:
        mark = ""
        if stated is not None:
            stated_rows += 1
            stated_total += stated
            found_total += min(len(cases), stated)
            if len(cases) == stated:
                exact += 1
            else:
                mark = "  ≠"
        shown = "-" if stated is None else str(stated)
        print(f"{file:<44} {shown:>4} {len(cases):>4}{mark}")
    print(f"共 {sum(len(c) for _, _, c in rows)} 个案例；写明案例数的通报 {stated_rows} 份，")
    if stated_rows:
        print(
            f"  其中找到的案例数与写明的相同：{exact} 份（{exact / stated_rows:.0%}）；"
            f"按写明的总数计找到 {found_total}/{stated_total} 个（{found_total / stated_total:.1%}）"
        )


def show(file: str, case: Case) -> None:
    print(f"\n--- {file} #{case.ordinal}")
    print(f"  标题句: {case.summary}")
    print(
        f"  当事人: {case.person or '（无）'}  职务: {case.position or '（无）'}  单位: {case.unit}"
    )
    print(f"  层级: {case.level}  年份: {', '.join(map(str, case.years)) or '（无）'}")
    print(f"  问题: {'; '.join(case.problems) or '（无）'}")
    print(f"  处理: {'; '.join(case.sanctions) or '（无）'}")
    print(f"  段落: {case.passage_ordinals[0]}–{case.passage_ordinals[-1]}  字数: {len(case.text)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--all", action="store_true", help="print every case, not a sample")
    args = parser.parse_args()
    taxonomy = load_taxonomy()
    collections = [("corpus/docs", CORPUS_DOCS)]
    if REALDOCS.is_dir():
        collections.append(("realdocs", REALDOCS))
    else:
        print(f"跳过 realdocs：{REALDOCS} 不存在（CI 中它在代码目录旁边）")
    everything: list[tuple[str, Case]] = []
    for name, folder in collections:
        rows = notices(folder, taxonomy)
        report(name, rows)
        everything += [(f"{name}/{file}", case) for file, _, cases in rows for case in cases]
    if args.all:
        chosen = everything
    else:
        chosen = random.Random(args.seed).sample(everything, min(args.sample, len(everything)))
    print(f"\n== 抽样核对（seed={args.seed}，{len(chosen)}/{len(everything)} 个案例）==")
    for file, case in chosen:
        show(file, case)


if __name__ == "__main__":
    main()
