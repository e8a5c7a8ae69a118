"""Second-stage ranking of the best candidates: coverage of what was asked, then closeness.

BM25 alone lets a passage repeating two common words (领导, 干部) beat one holding the two rare
words the user really meant (月饼, 蟹卡). So the top candidates are re-scored by *coverage*:
the share of the query's concepts a passage contains, each concept weighted by its rarity
(idf); words from synonyms count a little less than typed words, and matches only in the title
or headings a little less than in the text. Passages containing every concept come first;
then concepts also found in the title or headings, BM25 and the distance between the matched
words order them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from kb.facets import facet_label

SYNONYM_FACTOR = 0.8
PART_FACTOR = 0.5  # matched only by a part of a typed word the documents never use whole
CONTEXT_FACTOR = 0.8  # matched in title or headings only
SINGLE_CHAR_FACTOR = 0.3
COVERAGE_WEIGHT = 2.0
HEADING_FACTOR = 0.5  # a heading line ranks below the text under it
CONTEXT_WEIGHT = 0.5  # bonus for concepts in the title or headings
PROXIMITY_WEIGHT = 0.3
PROXIMITY_SCALE = 20  # characters: a window this long halves the bonus


@dataclass
class Concept:
    """One thing the user asked for: the typed form and what else reaches it (all folded).

    ``alternatives`` come from the synonyms and the everyday-words lexicon (请吃饭 -> 宴请);
    ``parts`` are dictionary words inside a typed word the documents never use whole
    (负担重 -> 负担), a fallback that counts for less."""

    typed: str
    tokens: list[str]
    alternatives: list[str] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    weight: float = 1.0
    frequency: int = 0  # passages holding one of its forms (the most found form's count)
    hint: bool = False  # says what kind of passage is wanted (案例): a preference, not required
    unwritten: bool = False  # no passage holds the typed form: only its alternatives can match
    # What it names among the facets typical cases are filed under (kb.passage_table.facets_of):
    # 处级干部 -> l:县处级, 违规吃喝 -> p:违规吃喝, 2023 -> y:2023.
    facets: frozenset[str] = frozenset()

    @property
    def forms(self) -> list[str]:
        typed = [self.typed] if self.typed else []  # (feedback concepts were not typed)
        return [*typed, *self.alternatives, *self.parts]

    def factor(self, form: str) -> float:
        """How much a match of ``form`` counts: the typed form fully, others less; but when
        documents never use the typed form (请吃饭, 开会太多), what it stands for counts fully."""
        if form == self.typed:
            return 1.0
        if form in self.alternatives:
            return 1.0 if self.unwritten else SYNONYM_FACTOR
        return PART_FACTOR

    @property
    def found(self) -> bool:
        """Whether any passage of the index holds one of its forms."""
        return self.frequency > 0

    @property
    def required(self) -> bool:
        """Whether a passage must hold it to count as matching every word typed: words, not
        single characters, and only what the index holds at all."""
        return len(self.typed) > 1 and self.found and not self.hint


def idf(doc_count: int, doc_frequency: int) -> float:
    return math.log(1 + (doc_count - doc_frequency + 0.5) / (doc_frequency + 0.5))


def concept_weight(concept: Concept, doc_count: int, doc_frequency: int) -> float:
    """A concept's share of a query: its rarity (idf); nothing for what no passage holds."""
    if doc_frequency <= 0:
        return 0.0
    weight = idf(doc_count, doc_frequency)
    return weight * (1.0 if len(concept.typed) > 1 else SINGLE_CHAR_FACTOR)


def _match(
    concept: Concept, text: str, context: str, facets: frozenset[str] = frozenset()
) -> tuple[float, float, list[int], str]:
    """(credit in 0..1, credit in title/headings, positions in text, the form that earned the
    credit or "") of the best form; what a passage's case is filed under counts as a synonym
    would (a 县处级 case matches 处级干部 whether or not its text says so)."""
    credit = in_context = 0.0
    best = ""
    positions: list[int] = []
    for form in concept.forms:
        factor = concept.factor(form)
        if form in context:
            in_context = max(in_context, factor)
        start = text.find(form)
        if start != -1:
            if factor > credit:
                credit, best = factor, form
            while start != -1:
                positions.append(start)
                start = text.find(form, start + 1)
    if in_context * CONTEXT_FACTOR > credit:
        credit = in_context * CONTEXT_FACTOR
        best = next(f for f in concept.forms if f in context and concept.factor(f) == in_context)
    if credit < SYNONYM_FACTOR and concept.facets & facets:
        credit = SYNONYM_FACTOR
        best = facet_label(min(concept.facets & facets))
    return credit, in_context, sorted(positions), best


@dataclass(frozen=True)
class Matched:
    """What one concept matched in a passage: ``form``, the form that counted ("" when
    nothing), ``others``, further forms found, and whether only in the title or headings."""

    concept: Concept
    form: str
    others: tuple[str, ...]
    in_context_only: bool


def explain(
    concepts: list[Concept], text: str, context: str, facets: frozenset[str] = frozenset()
) -> list[Matched]:
    """Per concept, the forms that matched in this passage (folded ``text`` and ``context``,
    ``facets`` of its case)."""
    found = []
    for concept in concepts:
        credit, _, positions, form = _match(concept, text, context, facets)
        others = tuple(f for f in concept.forms if f != form and (f in text or f in context))
        found.append(
            Matched(concept, form if credit else "", others if credit else (), not positions)
        )
    return found


def _smallest_window(occurrences: list[list[int]]) -> int | None:
    """Length of the shortest stretch holding one position from each list."""
    if len(occurrences) < 2:
        return None
    merged = sorted(
        (pos, which) for which, positions in enumerate(occurrences) for pos in positions
    )
    need = len(occurrences)
    counts = [0] * need
    have = 0
    best = None
    left = 0
    for _right, (pos, which) in enumerate(merged):
        if counts[which] == 0:
            have += 1
        counts[which] += 1
        while have == need:
            left_pos, left_which = merged[left]
            span = pos - left_pos
            best = span if best is None else min(best, span)
            counts[left_which] -= 1
            if counts[left_which] == 0:
                have -= 1
            left += 1
    return best


@dataclass(frozen=True)
class Assessment:
    covers_all: bool
    score: float


def assess(
    concepts: list[Concept],
    text: str,
    context: str,
    bm25: float,
    best_bm25: float,
    facets: frozenset[str] = frozenset(),
) -> Assessment:
    """Score one candidate; ``text`` and ``context`` (title + headings) are folded, ``facets``
    what its case is filed under."""
    total = sum(c.weight for c in concepts) or 1.0
    covered = in_context = 0.0
    occurrences = []
    covers_all = True
    for concept in concepts:
        credit, context_credit, positions, _ = _match(concept, text, context, facets)
        covered += credit * concept.weight
        in_context += context_credit * concept.weight
        if positions and concept.required:
            occurrences.append(positions)
        if credit == 0.0 and concept.required:
            covers_all = False
    window = _smallest_window(occurrences)
    closeness = 0.0 if window is None else PROXIMITY_SCALE / (PROXIMITY_SCALE + window)
    score = (
        COVERAGE_WEIGHT * covered / total
        + CONTEXT_WEIGHT * in_context / total
        + (bm25 / best_bm25 if best_bm25 > 0 else 0.0)
        + PROXIMITY_WEIGHT * closeness
    )
    return Assessment(covers_all, score)
