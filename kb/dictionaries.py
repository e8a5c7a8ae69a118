"""The admin-editable word lists in ``corpus/dict``: parsing only, no segmentation.

Formats (UTF-8, ``#`` starts a comment line, blank lines ignored):

* ``userdict.txt`` — one term per line, optionally ``term frequency``;
* ``synonyms.txt`` — ``a, b, c`` (all equivalent) or ``A => x, y`` (A reaches x and y, each of
  x and y reaches A);
* ``query_stopwords.txt`` — one word per line, dropped from free-text queries;
* ``case_taxonomy.txt``, ``topics.txt`` — case categories and requirement topics (kb.cases,
  kb.requirements parse them);
* ``surnames.txt``, ``case_people.txt`` — the words that find a case's people, posts, units
  and levels (kb.cases.parse_people_words); ``requirement_cues.txt`` — the words that mark a
  requirement (kb.requirements.parse_requirement_cues); ``doc_types.txt`` — the document types
  and the words that name them (kb.doctypes.parse_doc_types); formats in their headers;
* ``lexicon/*.txt`` — the everyday-words lexicon, in the synonyms' format plus one-way lines
  ``口语说法, … -> 公文用语, …`` (a typed left phrase also searches the right ones, not back).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kb.cases import (
    CASE_PEOPLE_FILE,
    SURNAMES_FILE,
    PeopleWords,
    Taxonomy,
    default_people_words,
    default_taxonomy,
    parse_people_words,
    parse_taxonomy,
)
from kb.doctypes import DOC_TYPES_FILE, DocTypes, default_doc_types, parse_doc_types
from kb.folding import fold
from kb.requirements import (
    CUES_FILE,
    RequirementCues,
    Topics,
    default_requirement_cues,
    default_topics,
    parse_requirement_cues,
    parse_topics,
)
from kb.resources import DEFAULT_DICT

USERDICT = "userdict.txt"
SYNONYMS = "synonyms.txt"
STOPWORDS = "query_stopwords.txt"
TAXONOMY = "case_taxonomy.txt"
TOPICS = "topics.txt"
SURNAMES = SURNAMES_FILE
CASE_PEOPLE = CASE_PEOPLE_FILE
REQUIREMENT_CUES = CUES_FILE
DOC_TYPES = DOC_TYPES_FILE
DICT_FILES = (
    USERDICT,
    SYNONYMS,
    STOPWORDS,
    TAXONOMY,
    TOPICS,
    SURNAMES,
    CASE_PEOPLE,
    REQUIREMENT_CUES,
    DOC_TYPES,
)
# The files that shape the index (see Dictionaries.index_digest_of): the user dictionary decides
# the tokens, the case lists the case records, the topics and cue words the requirement clauses,
# the document types each document's type.
INDEX_SHAPING = (USERDICT, TAXONOMY, TOPICS, SURNAMES, CASE_PEOPLE, REQUIREMENT_CUES, DOC_TYPES)
# Lists a folder may leave out: the project's own apply, and shape the digest in their place.
_FALLS_BACK = (TAXONOMY, TOPICS, SURNAMES, CASE_PEOPLE, REQUIREMENT_CUES, DOC_TYPES)
LEXICON = "lexicon"  # a folder of query-time word lists, one file per domain
_LEXICON_FILE = re.compile(r"^lexicon/[^/\\:]+\.txt$")

_SPLIT = re.compile(r"[,，、;；|]")


class DictionaryError(ValueError):
    """A dictionary line an admin has to fix; the message says where."""


def _lines(text: str) -> Iterable[tuple[int, str]]:
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip().lstrip("\ufeff")
        if line and not line.startswith("#"):
            yield number, line


def parse_userdict(text: str, source: str = USERDICT) -> list[tuple[str, int | None]]:
    """Terms with optional frequencies, folded so they match folded text."""
    terms = []
    for number, line in _lines(text):
        parts = line.split()
        if len(parts) > 2 or (len(parts) == 2 and not parts[1].isdigit()):
            raise DictionaryError(f"{source} 第{number}行：词条中不能有空格（“{line}”）")
        freq = int(parts[1]) if len(parts) == 2 else None
        terms.append((fold(parts[0]), freq))
    return terms


CASE_WORDS_SECTION = "[指向典型案例的词]"


def parse_stopwords(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """(stopwords, case words). Lines after ``[指向典型案例的词]`` are words that, typed in a
    query, ask for typical cases (案例, 通报) rather than for text holding them."""
    stopwords: set[str] = set()
    case_words: set[str] = set()
    target = stopwords
    for _, line in _lines(text):
        if line == CASE_WORDS_SECTION:
            target = case_words
            continue
        target.add(fold(line))
    return frozenset(stopwords), frozenset(case_words)


@dataclass
class Synonyms:
    """Maps a folded term to the folded terms it also searches for."""

    expansions: dict[str, list[str]] = field(default_factory=dict)
    longest: int = 0

    def _link(self, term: str, other: str) -> None:
        targets = self.expansions.setdefault(term, [])
        if other != term and other not in targets:
            targets.append(other)
        self.longest = max(self.longest, len(term))

    def of(self, term: str) -> list[str]:
        return self.expansions.get(term, [])


def parse_synonyms(text: str, source: str = SYNONYMS, into: Synonyms | None = None) -> Synonyms:
    """Synonym lines (see the module docstring), added to ``into`` when given."""
    synonyms = into if into is not None else Synonyms()
    for number, line in _lines(text):
        if "->" in line:
            head, _, tail = line.partition("->")
            heads = [fold(t.strip()) for t in _SPLIT.split(head) if t.strip()]
            tails = [fold(t.strip()) for t in _SPLIT.split(tail) if t.strip()]
            if not heads or not tails or "->" in tail:
                raise DictionaryError(f"{source} 第{number}行：“->”两边都要有词（“{line}”）")
            for h in heads:
                for t in tails:
                    synonyms._link(h, t)
        elif "=>" in line:
            head, _, tail = line.partition("=>")
            heads = [fold(t.strip()) for t in _SPLIT.split(head) if t.strip()]
            tails = [fold(t.strip()) for t in _SPLIT.split(tail) if t.strip()]
            if not heads or not tails:
                raise DictionaryError(f"{source} 第{number}行：“=>”两边都要有词（“{line}”）")
            for h in heads:
                for t in tails:
                    synonyms._link(h, t)
                    synonyms._link(t, h)
        else:
            group = [fold(t.strip()) for t in _SPLIT.split(line) if t.strip()]
            if len(group) < 2:
                raise DictionaryError(f"{source} 第{number}行：同义词组至少要有两个词（“{line}”）")
            for a in group:
                for b in group:
                    synonyms._link(a, b)
    return synonyms


@dataclass(frozen=True)
class Dictionaries:
    """The lists as one unit, loaded from a folder.

    ``index_digest`` covers what shapes the index itself (``INDEX_SHAPING``: the user
    dictionary decides the tokens, the case taxonomy, surnames and people words the case
    records, the topics and cue words the requirement clauses, the document types each
    document's type): when it changes the index is rebuilt. Synonyms, stopwords and the lexicon only apply at query time.
    A folder without one of the case, requirement or document type lists uses the project's
    own.
    """

    userdict: list[tuple[str, int | None]]
    synonyms: Synonyms
    stopwords: frozenset[str]
    case_words: frozenset[str]  # typed, they ask for typical cases (see parse_stopwords)
    taxonomy: Taxonomy
    topics: Topics
    people_words: PeopleWords
    requirement_cues: RequirementCues
    doc_types: DocTypes
    userdict_digest: str
    index_digest: str

    @functools.cached_property
    def vocabulary(self) -> frozenset[str]:
        """Every word the dictionaries name (folded): user dictionary terms, both sides of
        synonyms and lexicon lines, case categories and their recognition words, requirement
        topics and theirs. A query word outside it is everyday language or a detail of the
        story told, not a term of the domain (see kb.planner)."""
        words: set[str] = {term for term, _ in self.userdict}
        for term, targets in self.synonyms.expansions.items():
            words.add(term)
            words.update(targets)
        labelled = [
            (c.label, c.keywords) for c in [*self.taxonomy.problems, *self.taxonomy.sanctions]
        ] + [(t.name, t.keywords) for t in self.topics.topics]
        for label, keywords in labelled:
            words.update(label.split("/"))
            for keyword in keywords:
                words.update(p for p in re.split(r"…+|\.\.\.", keyword) if p)
        words.update(self.taxonomy.groups)
        return frozenset(fold(w) for w in words if len(w) > 1)

    @staticmethod
    def index_digest_of(folder: Path) -> str:
        """``index_digest``, the one place that says which files shape the index, computed
        without parsing anything: ``kb index`` decides whether a rebuild is due for the cost
        of a hash, not the ~0.1 s of building the folding tables (see ``indexer.store``)."""
        texts = []
        for name in INDEX_SHAPING:
            text = _read(folder, name)
            if not text and name in _FALLS_BACK:  # Dictionaries.load uses the project's own
                text = _read(DEFAULT_DICT, name)
            texts.append(text)
        return _digest("\x00".join(texts))

    @classmethod
    def load(cls, folder: Path) -> Dictionaries:
        def read(name: str) -> str:
            return _read(folder, name)

        userdict_text = read(USERDICT)
        taxonomy_text = read(TAXONOMY)
        topics_text = read(TOPICS)
        digest = _digest
        surnames_text = read(SURNAMES)
        people_text = read(CASE_PEOPLE)
        cues_text = read(REQUIREMENT_CUES)
        try:
            if surnames_text or people_text:
                people_words = parse_people_words(
                    surnames_text or _read(DEFAULT_DICT, SURNAMES),
                    people_text or _read(DEFAULT_DICT, CASE_PEOPLE),
                )
            else:
                people_words = default_people_words()
            cues = parse_requirement_cues(cues_text) if cues_text else default_requirement_cues()
            taxonomy = parse_taxonomy(taxonomy_text) if taxonomy_text else default_taxonomy()
            topics = parse_topics(topics_text) if topics_text else default_topics()
        except ValueError as error:  # a line an admin has to fix: said, never a traceback
            raise DictionaryError(str(error)) from error
        synonyms = parse_synonyms(read(SYNONYMS))
        stopwords, case_words = parse_stopwords(read(STOPWORDS))
        for name in dictionary_names(folder):
            if name.startswith(LEXICON + "/"):
                parse_synonyms(read(name), source=name, into=synonyms)

        return cls(
            userdict=parse_userdict(userdict_text),
            synonyms=synonyms,
            stopwords=stopwords,
            case_words=case_words,
            taxonomy=taxonomy,
            topics=topics,
            people_words=people_words,
            requirement_cues=cues,
            doc_types=doc_types_of(folder),
            userdict_digest=digest(userdict_text),
            index_digest=cls.index_digest_of(folder),
        )


def doc_types_of(folder: Path) -> DocTypes:
    """The document types ``folder`` states (the project's own when it has no list), parsed
    alone: side files name a type, and are checked before the other lists are loaded."""
    text = _read(folder, DOC_TYPES)
    try:
        return parse_doc_types(text) if text else default_doc_types()
    except ValueError as error:
        raise DictionaryError(str(error)) from error


def dictionary_names(folder: Path) -> list[str]:
    """The dictionary files in ``folder`` by relative name ("synonyms.txt",
    "lexicon/frugality.txt" …): what an index copies and a cluster carries."""
    names = [name for name in DICT_FILES if (folder / name).is_file()]
    lexicon = folder / LEXICON
    if lexicon.is_dir():
        names += sorted(f"{LEXICON}/{p.name}" for p in lexicon.glob("*.txt") if p.is_file())
    return names


def dictionary_path(folder: Path, name: str) -> Path | None:
    """Where the dictionary file ``name`` belongs under ``folder``; None for a name that is not
    one (names travel in an OpenSearch mapping: never trusted to point elsewhere)."""
    if name in DICT_FILES or _LEXICON_FILE.match(name):
        return folder / name
    return None


def _read(folder: Path, name: str) -> str:
    path = folder / name
    return path.read_text(encoding="utf-8-sig") if path.exists() else ""


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
