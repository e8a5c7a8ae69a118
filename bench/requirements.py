"""Requirement clauses per document, their topics, and how well typical cases are matched to them.

Usage: python bench/requirements.py [--verbose] [--segment]
       python bench/requirements.py --precision [--sheet]

``--precision`` prints only the precision of extraction on the judged sample
bench/judgments/requirements/clause_precision.tsv (see ``precision``); ``--sheet`` also prints
each judged clause with its verdict, for review (realdocs text goes to the terminal only).

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
import csv
import hashlib
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import require_realdocs  # noqa: E402

from kb.cases import Case, extract_cases, load_taxonomy  # noqa: E402
from kb.duplicates import clause_fingerprint  # noqa: E402
from kb.requirements import KINDS, Requirement, extract_requirements, load_topics, match_cases  # noqa: E402
from kb.structure import Outline, read_outline  # noqa: E402

CORPUS_DOCS = ROOT / "corpus" / "docs"
REALDOCS = ROOT.parent / "shared" / "realdocs" / "docs"
JUDGED = ROOT / "bench" / "judgments" / "requirements" / "requirement_cases.jsonl"
REAL_PREFIXES = ("speech_", "plan_", "policy_")
PRECISION = ROOT / "bench" / "judgments" / "requirements" / "clause_precision.tsv"


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


# --------------------------------------------------------------------------------------------
# Precision of extraction on a judged sample
# --------------------------------------------------------------------------------------------

# The sample was drawn once, before kb's rules for the requirement list were changed (issue
# 16): SAMPLE_REAL clauses of realdocs and SAMPLE_CORPUS of corpus/docs at random with
# SAMPLE_SEED, out of every clause extract_requirements gave then, in file and document order;
# each source's sample shuffled with SPLIT_SEED, its first half "tune", the rest "test".
SAMPLE_SEED = 16
SPLIT_SEED = 1616
SAMPLE_REAL = 150
SAMPLE_CORPUS = 50
# Held-out samples, each drawn once after a round of rule changes (the test half had been
# looked at while changing them): HELDOUT_REAL + HELDOUT_CORPUS clauses kb extracted then, none
# judged before, at random with the draw's seed; judged before any rule changed again.
# "heldout" after the second round; "heldout2" after the third, which had looked at "heldout".
HELDOUT_DRAWS = (("heldout", 1617), ("heldout2", 1618))
HELDOUT_REAL = 75
HELDOUT_CORPUS = 25
SPLITS = ("tune", "test", *(name for name, _ in HELDOUT_DRAWS))
FIELDS = ("split", "source", "file", "passage", "sha1", "kind_before", "verdict", "label", "why")
# verdict: 1 a requirement a cadre checks against (a concrete obligation or prohibition, an
# article of a regulation, a 一是 item stating what to do or what not to do), 0 not (a bare lead
# sentence heading the sub-item that follows, a description, a reward or decision clause, a
# goal or slogan). label: the kind it should carry (禁止 only when it prohibits, else 要求;
# 条款 and 分项 by their form), judged for verdict 1 only. why: a short English note for 0s.


def clause_key(text: str) -> str:
    """A clause's identifier in the judged file: the first 12 hex digits of its text's SHA-1
    (realdocs text is not copied into the project)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def extracted(
    source: str, folder: Path, topics
) -> dict[tuple[str, str], tuple[Requirement, Outline]]:
    """Every clause extract_requirements gives over ``folder``: (file, key) -> clause, outline;
    a clause repeated in a file (a quoted article) counts once, as the list shows it."""
    found: dict[tuple[str, str], tuple[Requirement, Outline]] = {}
    for name, outline in documents(folder):
        for r in extract_requirements(outline.title, outline.doc_type, outline.passages, topics):
            found.setdefault((name, clause_key(r.text)), (r, outline))
    return found


def draw_sample(topics) -> list[dict[str, str]]:
    """The sample to judge, drawn as described above SAMPLE_SEED (verdicts left empty)."""
    rows: list[dict[str, str]] = []
    for source, folder, size in (
        ("realdocs", REALDOCS, SAMPLE_REAL),
        ("corpus", CORPUS_DOCS, SAMPLE_CORPUS),
    ):
        clauses = list(extracted(source, folder, topics).items())
        picked = random.Random(SAMPLE_SEED).sample(clauses, size)
        order = list(range(size))
        random.Random(SPLIT_SEED).shuffle(order)
        for position, index in enumerate(order):
            (name, key), (r, _) = picked[index]
            rows.append(_unjudged("tune" if position < size // 2 else "test", source, name, key, r))
    return rows


def _unjudged(split: str, source: str, name: str, key: str, clause) -> dict[str, str]:
    """A sheet row for a drawn clause, its verdict, label and reason left to the judge."""
    return {
        "split": split,
        "source": source,
        "file": name,
        "passage": str(clause.passage),
        "sha1": key,
        "kind_before": clause.kind,
        "verdict": "",
        "label": "",
        "why": "",
    }


def draw_heldout(
    topics, judged: list[dict[str, str]], split: str, seed: int
) -> list[dict[str, str]]:
    """A held-out sample (see HELDOUT_DRAWS), clauses judged already left out."""
    seen = {(r["source"], r["file"], r["sha1"]) for r in judged}
    rows: list[dict[str, str]] = []
    for source, folder, size in (
        ("realdocs", REALDOCS, HELDOUT_REAL),
        ("corpus", CORPUS_DOCS, HELDOUT_CORPUS),
    ):
        clauses = [
            (key, value)
            for key, value in extracted(source, folder, topics).items()
            if (source, *key) not in seen
        ]
        for (name, key), (r, _) in random.Random(seed).sample(clauses, size):
            rows.append(_unjudged(split, source, name, key, r))
    return rows


def load_precision_judgments() -> list[dict[str, str]]:
    with PRECISION.open(encoding="utf-8", newline="") as handle:
        return list(
            csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t")
        )


def precision(topics, sheet: bool = False) -> dict[str, dict[str, float]]:
    """Per split: how many judged clauses kb still extracts, the share of them that are
    requirements (precision), the judged requirements it no longer extracts (lost), and the
    share of kept requirements whose kind is the judged one (label precision: those judged
    要求 or 禁止; "要求/禁止" accepts either), and of the kept clauses kb labels 禁止, the share
    that are requirements judged 禁止."""
    rows = load_precision_judgments()
    current: dict[tuple[str, str, str], Requirement] = {}
    for source, folder in (("realdocs", REALDOCS), ("corpus", CORPUS_DOCS)):
        if folder.is_dir():
            for (name, key), (r, _) in extracted(source, folder, topics).items():
                current[(source, name, key)] = r
    figures: dict[str, dict[str, float]] = {}
    for split in SPLITS:
        judged = [
            r
            for r in rows
            if r["split"] == split and (r["source"] != "realdocs" or REALDOCS.is_dir())
        ]
        if not judged:
            continue
        kept = [r for r in judged if (r["source"], r["file"], r["sha1"]) in current]
        kind = {id(r): current[(r["source"], r["file"], r["sha1"])].kind for r in kept}
        good = [r for r in kept if r["verdict"] == "1"]
        labelled = [r for r in good if set(r["label"].split("/")) & {"要求", "禁止"}]
        right = [r for r in labelled if kind[id(r)] in r["label"].split("/")]
        forbidding = [r for r in kept if kind[id(r)] == "禁止"]
        figures[split] = {
            "judged": len(judged),
            "extracted": len(kept),
            "precision": len(good) / len(kept) if kept else 0.0,
            "requirements lost": sum(1 for r in judged if r["verdict"] == "1" and r not in kept),
            "label precision": len(right) / len(labelled) if labelled else 0.0,
            "禁止 labels": len(forbidding),
            "禁止 precision": (
                sum(1 for r in forbidding if "禁止" in r["label"].split("/")) / len(forbidding)
                if forbidding
                else 0.0
            ),
        }
        if sheet:
            for r in judged:
                key = (r["source"], r["file"], r["sha1"])
                clause = current.get(key)
                state = clause.kind if clause else "dropped"
                shown = clause.text[:80] if clause else ""
                print(
                    f"{split} {r['verdict']} {r['label'] or '-':<5} {state:<7} {r['file'][:28]:<28} {shown}"
                )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--verbose", action="store_true", help="show each judged ranking")
    parser.add_argument("--segment", action="store_true", help="also match with jieba words")
    parser.add_argument("--precision", action="store_true", help="only extraction precision")
    parser.add_argument("--sheet", action="store_true", help="with --precision: each clause")
    parser.add_argument(
        "--draw", action="store_true", help="draw the sample to judge into clause_precision.tsv"
    )
    parser.add_argument(
        "--draw-heldout", action="store_true", help="append the next held-out sample to judge"
    )
    args = parser.parse_args()
    topics = load_topics()
    if args.draw:
        if PRECISION.exists():
            sys.exit(f"{PRECISION} exists: the sample is drawn once")
        require_realdocs()
        with PRECISION.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, FIELDS, delimiter="\t", lineterminator="\n")
            writer.writeheader()
            writer.writerows(draw_sample(topics))
        return
    if args.draw_heldout:
        judged = load_precision_judgments()
        drawn = {r["split"] for r in judged}
        pending = [(name, seed) for name, seed in HELDOUT_DRAWS if name not in drawn]
        if not pending:
            sys.exit(f"{PRECISION} holds every held-out sample already: each is drawn once")
        require_realdocs()
        with PRECISION.open("a", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, FIELDS, delimiter="\t", lineterminator="\n")
            writer.writerows(draw_heldout(topics, judged, *pending[0]))
        return
    if args.precision:
        if not REALDOCS.is_dir():
            print(f"realdocs skipped: {REALDOCS} is absent; corpus/docs clauses only")
        for split, values in precision(topics, sheet=args.sheet).items():
            shown = (
                f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in values.items()
            )
            print(f"{split}: " + "  ".join(shown))
        return
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
