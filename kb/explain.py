"""Why a passage was found, in words a user can check: the typed words it holds, the words it
holds instead (宴请 ← 请吃饭), the quoted phrases, the 发文字号; and what the query asked for
that the best passages lack, so that a partial match never passes for a full one."""

from __future__ import annotations

from kb.planner import Plan
from kb.ranking import Concept, explain


def matched(
    plan: Plan, text: str, context: str, doc_no: str = "", facets: frozenset[str] = frozenset()
) -> dict:
    """What of ``plan`` a passage (folded ``text`` and ``context``) matched:

    ``{"words": [...], "expansions": [{"word": "宴请", "for": "请吃饭"}], "phrases": [...],
    "doc_no": "…" (when the query named this document's number), "missing": [...]}``.
    Words matched only in the title or headings count as matched."""
    words: list[str] = []
    expansions: list[dict[str, str]] = []
    missing: list[str] = []
    for found in explain(plan.concepts, text, context, facets):
        concept = found.concept
        if not found.form:
            if concept.required:
                missing.append(concept.typed)
        elif found.form == concept.typed:
            words.append(concept.typed)
        else:
            reached = [found.form, *(f for f in found.others if f != concept.typed)]
            expansions.extend({"word": form, "for": concept.typed} for form in reached[:3])
    summary: dict = {
        "words": words,
        "expansions": expansions,
        "phrases": list(plan.phrases),
        "missing": missing,
    }
    if doc_no and doc_no in plan.doc_nos:
        summary["doc_no"] = doc_no
    return summary


def partial_notes(plan: Plan, best: dict | None) -> list[str]:
    """Notes when the query matched only in part: words no passage holds (nor anything they
    reach), and, when the best passage lacks some of the others, that no passage holds them all.
    ``best`` is the ``matched`` summary of the best passage."""
    notes: list[str] = []
    absent = _absent(plan.concepts)
    if absent and len(absent) < len(plan.concepts):
        notes.append(f"文件中没有找到{_quoted(absent)}，结果只按其余检索词查找。")
    elif absent:
        return notes
    if best is not None and best["missing"] and _required(plan.concepts) > 1:
        notes.append(
            f"没有同时包含全部检索词的段落：排在最前的结果不含{_quoted(best['missing'])}，"
            "每条结果下注明了它匹配的词。"
        )
    return notes


def _absent(concepts: list[Concept]) -> list[str]:
    """What was typed that no passage holds, in order; single characters the segmenter cut a
    word it did not know into (砉 䶮) are joined again."""
    absent: list[str] = []
    joining = False
    for concept in concepts:
        if concept.found or concept.hint or not concept.typed:
            joining = False
            continue
        if joining and len(concept.typed) == 1:
            absent[-1] += concept.typed
        else:
            absent.append(concept.typed)
        joining = len(concept.typed) == 1
    return absent


def _required(concepts: list[Concept]) -> int:
    return sum(1 for c in concepts if c.required)


def _quoted(words: list[str]) -> str:
    return "、".join(f"“{w}”" for w in words[:6]) + ("等" if len(words) > 6 else "")
