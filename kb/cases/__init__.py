"""One record per case in a typical-case notice (典型问题通报, 典型案例汇编, 警示教育案例).

A trainer looking for "cases of 违规吃喝 by 乡科级 cadres sanctioned with 党内警告" needs each case as
a record, not a paragraph hit. Decides only: no I/O except reading the word lists of
``corpus/dict`` (or a dictionary folder's own).

One module per question, each with its rules:

* ``taxonomy``  — problem categories, sanctions, group names and level words
  (``case_taxonomy.txt``);
* ``detection`` — which documents are case notices, where each case starts and ends;
* ``counting``  — how many cases a notice says it reports;
* ``people``    — who a case is about: person, posts, unit, cadre level (``surnames.txt``,
  ``case_people.txt``);
* ``conduct``   — when the conduct happened, the sanctions of the person;
* ``records``   — the ``Case`` records of a document (``extract_cases``).

The word lists are data an admin extends (formats in their headers); ``kb.dictionaries`` loads
them from a dictionary folder, and their content is part of the index digest.
"""

from kb.cases.conduct import conduct_years, person_sanctions
from kb.cases.counting import chinese_number, stated_count
from kb.cases.detection import is_case_notice
from kb.cases.people import (
    CASE_PEOPLE_FILE,
    SURNAMES_FILE,
    PeopleWords,
    default_people_words,
    infer_level,
    load_people_words,
    parse_people_words,
    split_unit_position,
)
from kb.cases.records import Case, extract_cases
from kb.cases.taxonomy import (
    DEFAULT_TAXONOMY,
    LEVELS,
    Category,
    Taxonomy,
    default_taxonomy,
    load_taxonomy,
    parse_taxonomy,
)

__all__ = [
    "CASE_PEOPLE_FILE",
    "DEFAULT_TAXONOMY",
    "LEVELS",
    "SURNAMES_FILE",
    "Case",
    "Category",
    "PeopleWords",
    "Taxonomy",
    "chinese_number",
    "conduct_years",
    "default_people_words",
    "default_taxonomy",
    "extract_cases",
    "infer_level",
    "is_case_notice",
    "load_people_words",
    "load_taxonomy",
    "parse_people_words",
    "parse_taxonomy",
    "person_sanctions",
    "split_unit_position",
    "stated_count",
]
