"""Pseudo-relevance feedback: what the best passages of a first ranking say in common.

A question told in everyday words reaches the official wording through the lexicon, but only
the words the lexicon knows. The passages that rank best for it usually share more of the
official vocabulary of their subject (for 喝酒 开车: 饮酒, 驾驶机动车, 醉酒驾驶, 酒精含量 …). Those
shared dictionary words, weighed by how telling they are, form one more concept, never
required and never shown as typed, and the candidates are ranked again with it. It costs no
second search: only the texts of a few passages already at hand are read.
"""

from __future__ import annotations

import math
from collections import Counter

from kb.analysis import Segmenter
from kb.ranking import Concept, concept_weight
from kb.view import IndexView

PASSAGES = 5  # the best passages of the first ranking that are read
TERMS = 8  # dictionary words taken from them
SHARED = 2  # a word must stand in at least this many of them
WEIGHT = 2.0  # the feedback concept's weight, relative to a typed word of its rarity
READ = 300  # characters of each passage read (a passage holds at most 500)
DEPTH = 30  # candidates ranked again (the feedback reorders the top of the list)


def feedback(concepts: list[Concept], texts: list[str], view: IndexView) -> Concept | None:
    """The feedback concept for ``concepts`` from the folded ``texts`` of the best passages,
    or None when they share no dictionary word the query does not hold already."""
    segmenter: Segmenter = view.segmenter
    vocabulary = segmenter.dictionaries.vocabulary
    asked = {form for concept in concepts for form in concept.forms}
    shared: Counter[str] = Counter()
    for text in texts[:PASSAGES]:
        seen = set(segmenter.words(text[:READ]))
        shared.update(w for w in seen if len(w) > 1 and w in vocabulary and w not in asked)
    candidates = [word for word, count in shared.items() if count >= SHARED]
    if not candidates:
        return None
    view.prefetch([("words", w) for w in candidates])
    count = view.doc_count()
    telling = sorted(
        (
            (shared[w] * math.log(count / (1 + view.doc_frequency("words", w))), w)
            for w in candidates
        ),
        reverse=True,
    )[:TERMS]
    words = [w for score, w in telling if score > 0]
    if not words:
        return None
    extra = Concept("", [], words, hint=True)
    extra.frequency = max(view.doc_frequency("words", w) for w in words)
    extra.weight = WEIGHT * concept_weight(extra, count, extra.frequency)
    return extra
