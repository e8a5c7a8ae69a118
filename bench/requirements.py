"""Requirement clauses per document, their topics, and how well typical cases are matched to them.

Usage: python bench/requirements.py [--verbose] [--segment]

For every document in corpus/docs and the speeches, plans and policies of
../shared/realdocs/docs (skipped with a message when absent): the document type and the number
of requirements by kind (条款 要求 禁止 分项); then the topic distribution over all of them.
Last, case matching on the judged set (bench/judgments/requirements/requirement_cases.jsonl):
each judged requirement is looked up among the requirements extracted from its file, matched
against the typical cases of corpus/docs (kb.cases, forwarded copies counted once), and scored
by MRR (reciprocal rank of the first relevant case), Success@1, Success@3 and MAP (mean
average precision over all relevant cases, which also rewards ranking the other relevant
cases high). ``--segment`` also
scores matching with jieba words instead of character bigrams. With realdocs there, the judged set
is also run with the real CCDI cases added: their relevance is not judged, so the figures are a
lower bound (a real 公车私用 case ranked above ours is often just as fitting).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kb.cases import Case, extract_cases, load_taxonomy  # noqa: E402
from kb.duplicates import clause_fingerprint  # noqa: E402
from kb.requirements import KINDS, Requirement, extract_requirements, load_topics, match_cases  # noqa: E402
from kb.structure import Outline, read_outline  # noqa: E402

CORPUS_DOCS = ROOT / "corpus" / "docs"
REALDOCS = ROOT.parent / "shared" / "realdocs" / "docs"
JUDGED = ROOT / "bench" / "judgments" / "requirements" / "requirement_cases.jsonl"
REAL_PREFIXES = ("speech_", "plan_", "policy_")


def outline_of(path: Path) -> Outline | None:
    """The file's outline through the project's readers; None for files they cannot read."""
    from indexer.readers import UnreadableFile, read_file, supported

    if not supported(path):
        return None
    try:
        return read_outline(read_file(path, path.read_bytes()), fallback_title=path.stem)
    except UnreadableFile:
        return None


def documents(folder: Path, prefixes: tuple[str, ...] = ()) -> list[tuple[str, Outline]]:
    rows = []
    for path in sorted(folder.iterdir()):
        if prefixes and not path.name.startswith(prefixes):
            continue
        outline = outline_of(path)
        if outline is not None:
            rows.append((path.name, outline))
    return rows


def corpus_cases(taxonomy) -> list[Case]:
    """The typical cases of corpus/docs; a case forwarded by another notice is counted once."""
    cases: list[Case] = []
    seen: set[tuple[str, str]] = set()
    for _, outline in documents(CORPUS_DOCS):
        for case in extract_cases(outline.title, outline.passages, taxonomy):
            key = (case.person, case.summary)
            if key not in seen:
                seen.add(key)
                cases.append(case)
    return cases


def report_documents(label: str, docs: list[tuple[str, Outline]], topics) -> Counter[str]:
    print(f"\n{label}")
    print(f"{'file':<50} {'type':<4} {'total':>5} " + " ".join(f"{k:>4}" for k in KINDS))
    distribution: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    keys: list[str] = []  # the requirement list shows each clause once (kb.requirement_copies)
    for name, outline in docs:
        found = extract_requirements(outline.title, outline.doc_type, outline.passages, topics)
        keys += [clause_fingerprint(r.text, outline.passages[r.passage].text) for r in found]
        kinds = Counter(r.kind for r in found)
        totals.update(kinds)
        for requirement in found:
            distribution.update(requirement.topics)
        counts = " ".join(f"{kinds.get(k, 0):>4}" for k in KINDS)
        print(f"{name[:50]:<50} {outline.doc_type:<4} {len(found):>5} {counts}")
    counts = " ".join(f"{totals.get(k, 0):>4}" for k in KINDS)
    print(f"{'all':<50} {'':<4} {sum(totals.values()):>5} {counts}")
    listed = len({key for key in keys if key}) + sum(1 for key in keys if not key)
    print(f"requirement list: {listed} clauses ({len(keys) - listed} copies merged into another)")
    return distribution


def judged_requirement(row: dict, topics) -> Requirement:
    path = CORPUS_DOCS / row["file"].removeprefix("corpus/")
    outline = outline_of(path)
    assert outline is not None, path
    found = extract_requirements(outline.title, outline.doc_type, outline.passages, topics)
    for requirement in found:
        if requirement.text == row["requirement"] or row["requirement"] in requirement.full_text:
            return requirement
    raise SystemExit(f"judged requirement not extracted from {row['file']}: {row['requirement']}")


def evaluate(cases: list[Case], topics, segment=None, verbose: bool = False) -> dict[str, float]:
    rows = [json.loads(line) for line in JUDGED.read_text(encoding="utf-8").splitlines() if line]
    reciprocal, top1, top3, precision, seconds = [], [], [], [], 0.0
    for row in rows:
        requirement = judged_requirement(row, topics)
        start = time.perf_counter()
        ranked = match_cases(requirement.full_text, requirement.topics, cases, topics, segment)
        seconds += time.perf_counter() - start
        relevant = set(row["relevant_cases"])
        names = [cases[i].person or cases[i].summary for i, _ in ranked]
        rank = next((k for k, name in enumerate(names, 1) if name in relevant), None)
        reciprocal.append(1 / rank if rank else 0.0)
        top1.append(rank == 1)
        top3.append(bool(rank) and rank <= 3)
        hits, total = 0, 0.0
        for k, name in enumerate(names, 1):
            if name in relevant:
                hits += 1
                total += hits / k
        precision.append(total / len(relevant))
        if verbose:
            shown = ", ".join(
                f"{'*' if n in relevant else ''}{n}:{s:.2f}"
                for n, (_, s) in zip(names[:6], ranked[:6], strict=True)
            )
            print(
                f"  rank {rank or '-':>2}  {requirement.text[:40]}…  [{','.join(requirement.topics)}]"
            )
            print(f"           {shown}")
    count = len(rows)
    return {
        "judged": count,
        "MRR": sum(reciprocal) / count,
        "Success@1": sum(top1) / count,
        "Success@3": sum(top3) / count,
        "MAP": sum(precision) / count,
        "ms per requirement": 1000 * seconds / count,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--verbose", action="store_true", help="show each judged ranking")
    parser.add_argument("--segment", action="store_true", help="also match with jieba words")
    args = parser.parse_args()
    topics = load_topics()
    distribution = report_documents("corpus/docs", documents(CORPUS_DOCS), topics)
    if REALDOCS.is_dir():
        distribution += report_documents(
            "realdocs (speeches, plans, policies)", documents(REALDOCS, REAL_PREFIXES), topics
        )
    else:
        print(f"\nrealdocs skipped: {REALDOCS} is absent")
    print("\nTopics over all requirements:")
    for name in topics.names:
        print(f"  {name:<10} {distribution.get(name, 0):>5}")
    cases = corpus_cases(load_taxonomy())
    print(f"\nCase matching ({len(cases)} cases of corpus/docs, judged set {JUDGED.name}):")
    figures = evaluate(cases, topics, verbose=args.verbose)
    print("  bigrams: " + "  ".join(f"{k} {v:.3f}" for k, v in figures.items() if k != "judged"))
    if REALDOCS.is_dir():
        taxonomy = load_taxonomy()
        distractors = [
            case
            for _, outline in documents(REALDOCS, ("case_",))
            for case in extract_cases(outline.title, outline.passages, taxonomy)
        ]
        figures = evaluate(cases + distractors, topics)
        print(
            f"  + {len(distractors)} realdocs cases, not judged (a lower bound: many of them fit too):"
        )
        print(
            "  bigrams: " + "  ".join(f"{k} {v:.3f}" for k, v in figures.items() if k != "judged")
        )
    if args.segment:
        import jieba

        figures = evaluate(cases, topics, segment=jieba.lcut, verbose=args.verbose)
        print(
            "  jieba:   " + "  ".join(f"{k} {v:.3f}" for k, v in figures.items() if k != "judged")
        )


if __name__ == "__main__":
    main()
