"""Turns a parsed query into a query plan against one view of an index.

Plans are kb's own trees (``kb.plan``), whatever the engine: each engine compiles them
(``kb.engines.whoosh.query``, ``kb.engines.opensearch.dsl``). The view answers statistics only.

Free text becomes *concepts*: each typed word, or a dictionary phrase spanning several typed
words, matched by itself or (with less weight) by its synonyms. A concept matches words and
dictionary sub-words in the index; a form the index never saw as a word (jieba cut the text
differently) is matched as an exact substring and scored like a word of its rarity. Quoted
phrases are required substrings; a 发文字号 known to the index pins its document first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb.dates import parse_year
from kb.docno import printed_forms, whole_doc_no
from kb.facets import facet_term
from kb.folding import fold, normalize_space
from kb.plan import (
    NOTHING,
    AllOf,
    AnyOf,
    Contains,
    Everything,
    Filed,
    Node,
    Term,
    WithOptional,
    YearRange,
    ranked,
)
from kb.query import ParsedQuery
from kb.ranking import Concept, concept_weight
from kb.view import CONTAINS, IndexView

SUBWORD_WEIGHT = 0.6
SYNONYM_WEIGHT = 0.6
PART_WEIGHT = 0.4
SUBSTRING_WEIGHT = 0.5
PHRASE_SCORE = 1.0
DOC_NO_WEIGHT = 1000.0
CITED_DOC_NO_SCORE = 5.0
MAX_CONCEPTS = 12
COMMON_FRACTION = 0.05
COMMON_MIN = 50
MAX_ALTERNATIVES = 8
RARE_WORD = 2  # passages: a typed word this rare reaches its parts too (see Planner._parts)
RERANK_FLOOR = 100  # candidates the rare concepts must find before common ones may stay out
TOLD_RUN = 8  # characters without a space: a query typed as a sentence, not as chosen words


@dataclass
class Plan:
    """What to run, what to re-rank by, and what to mark in snippets."""

    query: Node
    needles: list[list[str]]  # strings to mark, grouped by what the user asked for
    concepts: list[Concept] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)  # quoted: every hit holds each
    prefer_cases: bool = False  # the query asked for typical cases (案例, 通报 …)
    doc_nos: list[str] = field(default_factory=list)
    filter: Node | None = None
    mask: Node | None = None


class Planner:
    """Plans queries against one view of an index (term statistics, substring queries)."""

    def __init__(self, view: IndexView) -> None:
        self.segmenter = view.segmenter
        self.view = view
        self.prefer_cases = False  # set by concepts()

    # --- concepts ---------------------------------------------------------------------------

    def concepts(self, free_text: str) -> list[Concept]:
        """Typed words grouped with synonym and lexicon phrases from the dictionaries,
        stopwords dropped, each with how many passages hold it and its weight."""
        dictionaries = self.segmenter.dictionaries
        concepts = self._recognise(free_text)
        # 案例, 通报 … ask for typical cases, which seldom say so: passages of cases come
        # first (see kb.search), and the word itself counts without being required.
        for concept in concepts:
            if concept.typed in dictionaries.case_words:
                concept.hint = True
                self.prefer_cases = True
        kept = [c for c in concepts if c.typed not in dictionaries.stopwords]
        # A question or a story (能不能…, 偷偷在外面…) rather than a list of chosen words.
        told = len(kept) < len(concepts) or any(len(p) >= TOLD_RUN for p in free_text.split())
        unique: dict[str, Concept] = {}
        for concept in kept or concepts:
            unique.setdefault(concept.typed, concept)
        concepts = list(unique.values())[:MAX_CONCEPTS]
        for concept in concepts:
            # A phrase the dictionaries know still holds the words it was typed with
            # (给领导送钱: 送钱), a weaker match than the phrase or what it stands for.
            if len(concept.tokens) > 1:
                concept.parts = [
                    t
                    for t in dict.fromkeys(concept.tokens)
                    if len(t) > 1 and t not in dictionaries.stopwords and t not in concept.forms
                ]
            concept.facets = self._facets(concept)
        self._count([form for concept in concepts for form in concept.forms])
        self.view.prefetch([facet_term(f) for concept in concepts for f in concept.facets])
        for concept in concepts:
            concept.parts = [p for p in concept.parts if self._frequency(p)]
            if len(concept.tokens) == 1 and self._frequency(concept.typed) <= RARE_WORD:
                concept.parts = self._parts(concept.typed)
        count = self.view.doc_count()
        for concept in concepts:
            concept.unwritten = bool(concept.alternatives) and not self._frequency(concept.typed)
            concept.frequency = max(
                [self._frequency(form) for form in concept.forms]
                + [self.view.doc_frequency(*facet_term(f)) for f in concept.facets]
            )
            concept.weight = concept_weight(concept, count, concept.frequency)
        if told:
            self._temper(concepts)
        return concepts

    def _facets(self, concept: Concept) -> frozenset[str]:
        """What the concept names among the facets cases are filed under: categories,
        sanctions and levels by the case taxonomy, a year by its digits."""
        taxonomy = self.segmenter.dictionaries.taxonomy
        named: set[str] = set()
        for form in (concept.typed, *concept.alternatives):
            named |= taxonomy.facets_named(form)
        year = parse_year(concept.typed)
        if year is not None:
            named.add(f"y:{year}")
        return frozenset(named)

    def _temper(self, concepts: list[Concept]) -> None:
        """In a question told in everyday words, a word no dictionary knows (偷偷, 外面,
        照单全收: a detail of the story) weighs at most what the lightest domain word of the
        query weighs: rarity in the archive makes it look telling, but documents avoid such
        words, they do not specialise in them. A rare word never outweighs the rest of the
        query. Words a user lists (银行 违规吃喝 案例) are each chosen and keep their weight."""
        vocabulary = self.segmenter.dictionaries.vocabulary
        words = [c for c in concepts if c.weight and not c.hint and len(c.typed) > 1]
        known = [c for c in words if c.alternatives or c.typed in vocabulary]
        if not known:
            return
        ceiling = min(c.weight for c in known)
        for concept in words:
            if concept not in known:
                concept.weight = min(concept.weight, ceiling)

    def _recognise(self, text: str) -> list[Concept]:
        """The typed text as concepts, in the order typed: runs of jieba's words that form a
        dictionary phrase (老板 请 吃饭 -> 老板请吃饭), characters jieba left single joined when
        the archive or the dictionaries know them together, and where jieba cut an everyday
        phrase wrongly (份子钱能收吗 -> 份子/钱能: a "word" no passage holds), the dictionary
        phrase of three characters or more that the wrong cut hides."""
        spans = self.segmenter.spans(text)
        self.view.prefetch([(f, w) for w, _, _ in spans for f in ("words", "subwords")])
        dictionaries = self.segmenter.dictionaries
        doubtful = [
            (s, e)
            for w, s, e in spans
            if len(w) > 1 and w not in dictionaries.vocabulary and not self._word_frequency(w)
        ]
        synonyms = dictionaries.synonyms
        taken: list[tuple[int, int]] = []
        for start, end in _phrases_in(text, synonyms):
            hides = any(s < start < e or s < end < e for s, e in doubtful)
            if hides and all(end <= s or start >= e for s, e in taken):
                taken.append((start, end))
        found: list[tuple[int, Concept]] = []
        for start, end in taken:
            phrase = text[start:end]
            found.append((start, self._phrase_concept(phrase, self.segmenter.words(phrase))))
        rest: list[tuple[str, int, int]] = []  # jieba's words outside those phrases
        for _word, s, e in spans:
            for start, end in taken:
                if start <= s and e <= end:
                    break
                if s < start < e:
                    e = start
                elif s < end < e:
                    s = end
            else:
                if text[s:e].strip():
                    rest.append((text[s:e], s, e))
        found += self._segmented(text, rest)
        return [concept for _, concept in sorted(found, key=lambda item: item[0])]

    def _phrase_concept(self, typed: str, tokens: list[str]) -> Concept:
        synonyms = self.segmenter.dictionaries.synonyms
        alternatives = [a for a in synonyms.of(typed) if a != typed]
        return Concept(typed, tokens, alternatives[:MAX_ALTERNATIVES])

    def _segmented(
        self, piece: str, spans: list[tuple[str, int, int]]
    ) -> list[tuple[int, Concept]]:
        """Concepts of jieba's words (``spans`` of ``piece``): runs forming dictionary phrases,
        the rest one word each."""
        synonyms = self.segmenter.dictionaries.synonyms
        spans = self._join_singles(piece, spans)
        found: list[tuple[int, Concept]] = []
        i = 0
        while i < len(spans):
            match = None
            for j in range(len(spans) - 1, i - 1, -1):
                typed = piece[spans[i][1] : spans[j][2]].replace(" ", "")
                if len(typed) <= synonyms.longest and synonyms.of(typed):
                    match = (j, typed)
                    break
            if match:
                j, typed = match
                tokens = [w for w, _, _ in spans[i : j + 1]]
                found.append((spans[i][1], self._phrase_concept(typed, tokens)))
                i = j + 1
            else:
                word = spans[i][0]
                found.append((spans[i][1], Concept(word, [word])))
                i += 1
        return found

    def _join_singles(
        self, piece: str, spans: list[tuple[str, int, int]]
    ) -> list[tuple[str, int, int]]:
        """Adjacent single characters (not stopwords) as one word when the dictionaries know
        them together (jieba leaves words it does not know in pieces: 雾 霾), or when they
        count something and passages say so (十 起)."""
        dictionaries = self.segmenter.dictionaries
        single = [
            len(w) == 1 and w not in dictionaries.stopwords and e == s + 1 for w, s, e in spans
        ]
        joined: list[tuple[str, int, int]] = []
        i = 0
        while i < len(spans):
            j = i
            while j + 1 < len(spans) and single[j + 1] and spans[j + 1][1] == spans[j][2]:
                j += 1
            if single[i] and j > i:
                word = piece[spans[i][1] : spans[j][2]]
                counted = _COUNT.fullmatch(word) and self.view.doc_frequency(CONTAINS, word)
                if counted or dictionaries.synonyms.of(word) or word in dictionaries.vocabulary:
                    joined.append((word, spans[i][1], spans[j][2]))
                    i = j + 1
                    continue
            joined.append(spans[i])
            i += 1
        return joined

    def _count(self, forms: list[str]) -> None:
        """Fetch at once what ``_frequency`` will ask about ``forms`` (one request remotely)."""
        words = [form for form in forms if len(self.segmenter.words(form)) == 1]
        self.view.prefetch([(f, w) for w in words for f in ("words", "subwords")])
        unseen = [form for form in forms if form not in words or not self._word_frequency(form)]
        self.view.prefetch([(CONTAINS, form) for form in unseen])

    def _word_frequency(self, word: str) -> int:
        return max(
            self.view.doc_frequency("words", word), self.view.doc_frequency("subwords", word)
        )

    def _frequency(self, form: str) -> int:
        """Passages the planner's query for ``form`` finds (see ``_form``): those holding the
        word (as a word or inside a longer one), else those whose text contains it."""
        if len(self.segmenter.words(form)) == 1:
            found = self._word_frequency(form)
            if found:
                return found
        return self.view.doc_frequency(CONTAINS, form)

    def _parts(self, word: str) -> list[str]:
        """Dictionary words inside ``word`` that passages hold, longest first and not
        overlapping: what a word the documents (almost) never use reaches instead
        (负担重 -> 负担, 月饼盒 -> 月饼). Parts shorter than half the word are no evidence."""
        candidates = sorted(
            set(self.segmenter.subwords([word])), key=lambda part: (-len(part), word.find(part))
        )
        candidates = [c for c in candidates if len(c) >= 2 and 2 * len(c) >= len(word)]
        self._count(candidates)
        taken: list[tuple[int, int]] = []
        parts: list[str] = []
        for part in candidates:
            start = word.find(part)
            end = start + len(part)
            if any(start < e and s < end for s, e in taken) or not self._frequency(part):
                continue
            taken.append((start, end))
            parts.append(part)
        return parts

    def _finders(self, concepts: list[Concept]) -> list[Concept]:
        """The concepts that find candidates: all of them, unless some are very common (政府,
        工作) and others are not; then only the rarer ones. Passages holding nothing but a
        common word are noise, and collecting them is most of the search time. Common concepts
        still count when candidates are re-ranked. When the rare ones would find less than a
        page to re-rank, the common ones search too: a rare word never decides alone."""
        found = [c for c in concepts if c.found]
        limit = max(COMMON_MIN, COMMON_FRACTION * self.view.doc_count())
        rare = [c for c in found if c.frequency <= limit]
        if not rare or sum(c.frequency for c in rare) < RERANK_FLOOR:
            return found
        return rare

    # --- queries ----------------------------------------------------------------------------

    def substring(self, text: str, score: float = PHRASE_SCORE) -> Node:
        """Passages whose folded text contains ``text``, all scored ``score``."""
        return Contains(text, score)

    def _word(self, word: str, weight: float, boost: float) -> Node:
        if self.view.doc_frequency("words", word) or self.view.doc_frequency("subwords", word):
            return AnyOf(
                (Term("words", word), Term("subwords", word, boost=SUBWORD_WEIGHT)), boost=boost
            )
        return self.substring(word, weight * boost * SUBSTRING_WEIGHT)

    def _form(self, form: str, weight: float, boost: float) -> Node:
        tokens = self.segmenter.words(form)
        if len(tokens) == 1:
            return self._word(tokens[0], weight, boost)
        return self.substring(form.replace(" ", ""), weight * boost)

    def _concept(self, concept: Concept) -> list[Node]:
        forms = [self._form(concept.typed, concept.weight, 1.0)]
        alternative = 1.0 if concept.unwritten else SYNONYM_WEIGHT
        forms += [self._form(a, concept.weight, alternative) for a in concept.alternatives]
        forms += [self._form(p, concept.weight, PART_WEIGHT) for p in concept.parts]
        if concept.facets:  # the cases filed under what it names, whatever their text says
            filed = AnyOf(tuple(Term(*facet_term(f)) for f in sorted(concept.facets)))
            forms.append(Filed(filed, concept.weight * SYNONYM_WEIGHT))
        return forms

    def plan(self, parsed: ParsedQuery) -> Plan:
        plan = Plan(
            query=Everything(), needles=[[p] for p in parsed.phrases], phrases=list(parsed.phrases)
        )
        plan.concepts = self.concepts(parsed.free_text) if parsed.free_text else []
        plan.prefer_cases = self.prefer_cases
        for concept in plan.concepts:
            # Single characters are marked only when they are all the user typed.
            forms = [f for f in concept.forms if len(f) > 1 or len(plan.concepts) == 1]
            if forms:
                plan.needles.append(forms)

        ranking: list[Node] = []  # what ranks the passages found
        if plan.concepts:
            finders = self._finders(plan.concepts)
            # Words no passage holds find nothing (never the whole index).
            ranking = [f for c in finders for f in self._concept(c)] or [NOTHING]

        # Quoted phrases are required of every hit; a quoted 发文字号 of a document we hold
        # ranks that document first (see _phrase).
        required = [self._phrase(p, plan) for p in parsed.phrases]
        # A 发文字号 typed without quotes finds its document first, or, for a document we do
        # not hold, the passages that cite it.
        self.view.prefetch([("doc_no", f) for match in parsed.doc_nos for f in match.forms])
        for match in parsed.doc_nos:
            form = next((f for f in match.forms if self.view.doc_frequency("doc_no", f)), None)
            if form:
                plan.doc_nos.append(form)
            else:
                ranking.append(self.substring(match.normal, CITED_DOC_NO_SCORE))
            plan.needles.append([form or match.normal])
        ranking += [Term("doc_no", f, boost=DOC_NO_WEIGHT) for f in dict.fromkeys(plan.doc_nos)]

        main: Node | None = ranked(ranking) if ranking else None
        if required:
            must = AllOf(tuple(required)) if len(required) > 1 else required[0]
            main = WithOptional(must, main) if main else must
        plan.query = main or Everything()
        plan.filter = self._filter(parsed)
        if parsed.excluded:
            plan.mask = AnyOf(tuple(self.substring(e) for e in parsed.excluded))
        return plan

    def _phrase(self, phrase: str, plan: Plan) -> Node:
        """A required quoted phrase. A quoted 发文字号 is found with whichever brackets it is
        printed, and when it is the number of a document we hold, that document ranks first."""
        number = whole_doc_no(phrase)
        if number is None:
            return self.substring(phrase)
        self.view.prefetch([("doc_no", f) for f in number.forms])
        held = next((f for f in number.forms if self.view.doc_frequency("doc_no", f)), None)
        if held:
            plan.doc_nos.append(held)
        forms = printed_forms(number)
        plan.needles.append(forms)
        return AnyOf(tuple(self.substring(form) for form in forms))

    def _filter(self, parsed: ParsedQuery) -> Node | None:
        clauses: list[Node] = []
        if parsed.doc_types:
            clauses.append(AnyOf(tuple(Term("doc_type", t) for t in parsed.doc_types)))
        if parsed.years:
            clauses.append(AnyOf(tuple(YearRange("year", lo, hi) for lo, hi in parsed.years)))
        for wanted in parsed.issuers:
            # Issuers are few: match the typed part against each one, as a substring.
            wanted = fold(normalize_space(wanted))
            issuers = self.view.lexicon("issuer")
            matching_issuers = tuple(Term("issuer", i) for i in issuers if wanted in fold(i))
            clauses.append(AnyOf(matching_issuers) if matching_issuers else NOTHING)
        if parsed.exact_issuers:
            # A facet's value: the documents the facet counted, not every issuer containing it.
            chosen = {fold(normalize_space(i)) for i in parsed.exact_issuers}
            issuers = self.view.lexicon("issuer")
            exact = tuple(Term("issuer", i) for i in issuers if fold(normalize_space(i)) in chosen)
            clauses.append(AnyOf(exact) if exact else NOTHING)
        if parsed.doc_ids:
            clauses.append(AnyOf(tuple(Term("doc_id", d) for d in parsed.doc_ids)))
        if parsed.cases_only:
            clauses.append(Everything("case_id"))
        if parsed.any_problem:
            clauses.append(AnyOf(tuple(Term("problem", v) for v in parsed.any_problem)))
        if parsed.requirements_only:
            clauses.append(Term("has_requirements", "1"))
        if parsed.topics:
            clauses.append(AllOf(tuple(Term("requirement_topic", t) for t in parsed.topics)))
        for field_name, values in (
            ("problem", parsed.problems),
            ("sanction", parsed.sanctions),
            ("level", parsed.levels),
        ):
            if values:
                clauses.append(AllOf(tuple(Term(field_name, v) for v in values)))
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else AllOf(tuple(clauses))


LONG_PHRASE = 3  # dictionary phrases this long are recognised wherever they stand
# A count as notices print it in their titles (十起, 七名, 三批): jieba cuts it in two.
_COUNT = re.compile(r"[一二三四五六七八九十百两]{1,3}[起名人批个项条]")


def _phrases_in(text: str, synonyms) -> list[tuple[int, int]]:
    """(start, end) of every dictionary phrase of LONG_PHRASE characters or more in ``text``,
    longest first, then leftmost."""
    found = [
        (start, start + size)
        for size in range(min(synonyms.longest, len(text)), LONG_PHRASE - 1, -1)
        for start in range(len(text) - size + 1)
        if " " not in text[start : start + size] and synonyms.of(text[start : start + size])
    ]
    return found
