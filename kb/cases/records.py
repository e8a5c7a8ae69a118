"""Case records: one ``Case`` per case of a notice, with its fields filled in."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kb.cases.conduct import _sentences, conduct_years, person_sanctions
from kb.cases.counting import _person_count
from kb.cases.detection import (
    _ACCIDENT,
    _CASE_TITLE,
    _ORG_OR_ROLE,
    _body_without_starts,
    _first_sentence,
    _is_intro,
    _plain,
    _segment,
    _strip_number,
    is_case_notice,
)
from kb.cases.people import (
    _NOT_NAME_START,
    PeopleWords,
    _describe,
    default_people_words,
    infer_level,
    split_unit_position,
)
from kb.cases.taxonomy import Taxonomy, default_taxonomy
from kb.folding import fold
from kb.model import Passage

# --------------------------------------------------------------------------------------------
# Case records
# --------------------------------------------------------------------------------------------


@dataclass
class Case:
    """One case of a notice.

    ``problems`` are taxonomy labels in taxonomy order (a sub-kind as "形式主义官僚主义/数据造假");
    ``sanctions`` are the sanctions of ``person`` (all the case's when it names no person);
    ``years`` are when the conduct happened; ``passage_ordinals`` index the document's passages.
    """

    ordinal: int
    summary: str
    person: str
    position: str
    unit: str
    level: str
    problems: list[str]
    sanctions: list[str]
    years: list[int]
    text: str
    passage_ordinals: list[int]


_WARNING = re.compile(r"【(?:警示|点评|评析|警语)】.*$", re.S)


def _summary_of(head_text: str) -> str:
    rest = _strip_number(head_text).strip()
    accident = _ACCIDENT.match(rest)
    if accident:
        return accident.group(1)
    return _first_sentence(rest).strip()


def _title_summary(title: str, passages: Sequence[Passage]) -> str:
    """A one-case document's summary: its title, the fuller repeated title line when there is one
    (李铁：行贿300万元上位国足主帅), without the issuer of a notice (中央纪委国家监委公开通报)."""
    plain_title = _plain(title)
    for passage in passages[:4]:
        text = passage.text.strip()
        if plain_title and plain_title in _plain(text) and len(text) >= len(title):
            title = text
    stripped = re.sub(r"^.{0,30}?(?:公开)?通报了?", "", title)
    return stripped if len(stripped) >= 6 else title


def _problems(summary: str, text: str, taxonomy: Taxonomy) -> list[str]:
    """Categories named in the headline and in the account of the conduct (not in the 【警示】
    comment, nor in sentences about discovery and sanctions, which restate other matters)."""
    body = _WARNING.sub("", text)
    conduct = [s for s in _sentences(body) if not taxonomy.find_sanctions(s)]
    return taxonomy.find_problems(summary + "\n" + "".join(conduct))


def _person_records(case: Case, count: int, taxonomy: Taxonomy, words: PeopleWords) -> list[Case]:
    """One record per person when a notice reports N persons of one incident (通报……6名干部)."""
    text = case.text
    people: list[tuple[str, str, str]] = []
    for m in words.role_re.finditer(text):
        m_name = re.match(r"([\u4e00-\u9fff]{2,4}?)(?=[，、。；（(]|在|等)", text[m.end() :])
        if not m_name or text[m.end()] in _NOT_NAME_START:
            continue
        name = m_name.group(1)
        if _ORG_OR_ROLE.search(name) or any(name == p[0] for p in people):
            continue
        before = text[: m.end()]
        cut = max(before.rfind(c) for c in "，。；：:（(“\n")
        unit, position = split_unit_position(
            re.sub(r"^.*?(?:时任|组织|邀请)", "", before[cut + 1 :]), words
        )
        people.append((name, unit, position))
        if len(people) == count:
            break
    if len(people) < count:
        return [case]
    records = []
    for i, (name, unit, position) in enumerate(people, 1):
        records.append(
            Case(
                ordinal=i,
                summary=case.summary,
                person=name,
                position=position,
                unit=unit,
                level=infer_level(position, unit, words),
                problems=case.problems,
                sanctions=person_sanctions(text, name, taxonomy, fallback=False),
                years=case.years,
                text=text,
                passage_ordinals=case.passage_ordinals,
            )
        )
    return records


def extract_cases(
    title: str,
    passages: Sequence[Passage],
    taxonomy: Taxonomy | None = None,
    words: PeopleWords | None = None,
) -> list[Case]:
    """Every case of a case notice as a record; [] for documents that are not case notices.
    ``taxonomy`` and ``words`` default to the project's own lists (corpus/dict)."""
    taxonomy = taxonomy or default_taxonomy()
    words = words or default_people_words()
    if not is_case_notice(title, passages, taxonomy):
        return []
    segments = _segment(passages, taxonomy, notice=bool(_CASE_TITLE.search(fold(title))))
    single = not segments
    if single:
        body = _body_without_starts(title, passages)
        segments = [body] if body else []
    writeup = single and not any(_is_intro(p.text) for p in passages)
    cases = []
    for ordinal, segment in enumerate(segments, 1):
        text = "\n".join(passages[i].text for i in segment)
        if single:
            summary = _title_summary(title, passages)
        else:
            summary = _summary_of(passages[segment[0]].text)
        body_text = _strip_number(text)
        person, position, unit = _describe(summary, body_text, writeup, taxonomy, words)
        cases.append(
            Case(
                ordinal=ordinal,
                summary=summary,
                person=person,
                position=position,
                unit=unit,
                level=infer_level(position, unit, words) if (person or unit) else "其他",
                problems=_problems(summary, body_text, taxonomy),
                sanctions=person_sanctions(body_text, person, taxonomy),
                years=conduct_years(body_text, taxonomy if writeup else None),
                text=text,
                passage_ordinals=list(segment),
            )
        )
    if len(cases) == 1:
        count = _person_count(title)
        if count and count > 1:
            cases = _person_records(cases[0], count, taxonomy, words)
    return cases
