"""A requirement clause stated in several documents is listed once, under its source.

A speech quotes the article of a 规定 word for word; a notice asking staff to study a 方案
reposts its paragraphs. Listed once per copy, the same clause would appear twice in the 要求清单
and a 对照检查 draft could cite the speech for the 规定's words. So copies with the same
clause fingerprint (kb.duplicates) become one record, at the best rank of any copy, credited
to the copy kb.primary chooses, the others under its ``also_in``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from kb.dictionaries import Dictionaries
from kb.duplicates import clause_fingerprint
from kb.primary import Copy, credited
from kb.results import DocumentView, RequirementRecord


def merge_copies(
    found: Sequence[tuple[RequirementRecord, DocumentView]], dictionaries: Dictionaries
) -> list[RequirementRecord]:
    """The records of ``found`` (best first, each with its document), copies of one clause
    merged into the credited one; the other copies listed once per document, in rank order."""
    groups: dict[str, list[int]] = {}
    order: list[list[int]] = []
    for index, (record, view) in enumerate(found):
        key = clause_fingerprint(record.text, view.passages[record.passage]["text"])
        if not key:
            order.append([index])
        elif key in groups:
            groups[key].append(index)
        else:
            groups[key] = [index]
            order.append(groups[key])
    return [_credited(found, group, dictionaries) for group in order]


def _credited(
    found: Sequence[tuple[RequirementRecord, DocumentView]],
    group: list[int],
    dictionaries: Dictionaries,
) -> RequirementRecord:
    if len(group) == 1:
        return found[group[0]][0]
    copies = [
        Copy.from_document(view, record.passage) for record, view in (found[i] for i in group)
    ]
    lead = found[group[credited(copies, dictionaries.doc_types, dictionaries.people_words)]][0]
    also_in: list[dict] = []
    for index in group:
        other = found[index][0]
        entry = {
            "doc_id": other.doc_id,
            "path": other.path,
            "title": other.title,
            "date": other.date,
        }
        if other.doc_id != lead.doc_id and entry not in also_in:
            also_in.append(entry)
    return replace(lead, also_in=also_in)
