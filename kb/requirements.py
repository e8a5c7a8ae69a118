"""Requirement clauses of speeches, plans and regulations, and the typical cases that fit them.

Cadres write self-examination materials (对照检查材料) against the requirements of what they were
told to study: a leader's speech, an implementation plan, a regulation. kb lists those
requirements so a cadre can pick the ones to check against, and suggests typical cases for each.
Decides only: no I/O except reading the topics file (``corpus/dict/topics.txt``) and the cue
words (``corpus/dict/requirement_cues.txt``), formats in their headers.

Which documents: those whose type (``kb.doctypes.infer_doc_type``) directs people — 讲话, 方案,
意见, 通知, 决定, 条例, 规定, 办法 ([提出要求的文种] in ``corpus/dict/doc_types.txt``). Not 通报
(case notices and experience notices tell what happened; the requirements in their closing part repeat the directives they cite), not 报告 and
公报 (they report work done), not 其他 (minutes, question lists).

What a requirement is, in a document's body passages (headings and the title are not):

* 条款 — a regulation's article (第X条), the whole article: its first paragraph in ``text``,
  any further paragraphs (前款……, its (一)(二) list) in ``continuation``. Every article that
  states a rule counts; not the purpose article (第一条 为……，制定本规定), nor one with no
  marker that only says who interprets the text, when it takes effect, what a word means or
  who may write local rules (the phrases of [不算要求的条款] in requirement_cues.txt).
* 分项 — one 一是/二是/三是 item of a paragraph, from its enumerator to the next one. Items
  listing problems (查摆问题 points) count too: cadres check themselves against them.
* 要求 / 禁止 — a sentence (to 。！？) carrying a requirement marker (the words are those of
  ``corpus/dict/requirement_cues.txt``): 要 必须 务必 应当 应 须
  坚决 一律, and in plans' style 严格 切实 确保 (要求); 严禁 不得 禁止 不准 不许 决不 绝不
  杜绝 严防 力戒 切忌 不要 不能 不搞 (禁止: when prohibitions outnumber the other markers, or tie
  and the last marker, the main clause's, prohibits).
  False friends are not markers: 主要 重要 需要 要点 要求 必要 只要 纪要 …, 应对 应用 适应 …,
  惹不得 不得不 明令禁止 解决不 … ([不算禁止的词]: they prohibit nothing),
  negations (不严格, 不切实), questions (是否…, 能不能, 好不好), turns of phrase (也要看到,
  最终要看, 绝不是, 不敢腐不能腐不想腐), conditions (确因特殊情况不能参会的，…) and 严格/切实/确保
  alone in a ……是……的 sentence (严格执纪和关心爱护干部是统一的).
  A sentence that describes the past is not a requirement: its first clause dates it
  (去年, 近年来, 2024年, 一年来, …以来) or it reports an earlier instruction (曾/已经/先后要求);
  nor is anything under a heading that reviews past work (工作回顾, 取得的成效, 成效和不足),
  items included. Nor are a plan's purpose sentence (为……，制定本方案), lead-ins that end with a
  colon (重点抓好以下几点：) or announce a list (尤其要做好以下工作。), questions, and sentences
  telling what someone did or thought (他认为……).
* 要求 / 禁止 — a run-in heading that states a requirement: the lead sentence of a numbered
  paragraph ((一)严格控制会议数量。…, 第一，表格能共享的不重复填。…) with a marker, or starting
  with an imperative verb (加强, 压实, 严格, 推行, 把…); not a descriptive one (开展主题教育是…的
  必然要求, 会前准备比较扎实, 动员部署阶段, a condition ending in 的).
* A heading is no requirement. A run-in heading of up to LEAD_HEADING_CHARS characters
  followed by its item's body ((一)加强组织领导。各单位要……), or standing alone before the
  body paragraph, only heads the requirements that follow: they are listed, it is not (it is
  their section line). Where the body states its rule with no marker (检查结果纳入……考核。),
  the body is the clause. A speech's 第一，…… point opens with its heading whatever its length.
  So with a speech's short spoken point (四要……。), a paragraph's short opening 要… sentence
  followed by its explanation, and a very short 要… sentence standing between explanations
  (……。要干得实。……). A heading that prohibits (严禁……) or states a rule by negation
  (会议能不开的不开) stays: it is what one checks against.
* A marker that only stands inside a closing copula (这种干劲是必须有的。) or in a false friend
  of a description (……是确保……的关键, 根本上要靠……) marks nothing.

Every ``text`` is a verbatim substring of its passage (list numbers such as （一） and 1. are
left off run-in headings and sentences, 一是 stays with its item); identical clauses of a
document are listed once. Topics are those of the clause's words (topics.txt), or, when it
names none, those of the heading it stands under.

Typical cases are matched to a requirement by the topics' case categories (topics.txt, section
[对应案例类别]) and by text similarity; see ``match_cases``.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.dates import YEAR_OR_DATE
from kb.doctypes import DocTypes, default_doc_types
from kb.folding import fold
from kb.keywords import alternation, claim, keyword_pattern, split_words, word_sections
from kb.model import Passage
from kb.numbering import (
    ARTICLE,
    LIST_NUMBER,
    POINT_IN_TEXT,
    SPOKEN_NUMBER,
    SPOKEN_POINT,
    heading_rank,
    rank_of_level,
)
from kb.resources import DEFAULT_DICT

DEFAULT_TOPICS = DEFAULT_DICT / "topics.txt"
CUES_FILE = "requirement_cues.txt"
DEFAULT_CUES = DEFAULT_DICT / CUES_FILE

KINDS = ("要求", "禁止", "条款", "分项")

# --------------------------------------------------------------------------------------------
# Topics
# --------------------------------------------------------------------------------------------

_GAP = 12  # how many characters "…" in a keyword stands for, within one sentence
_SECTION_TOPICS = "话题"
_SECTION_CATEGORIES = "对应案例类别"


@dataclass(frozen=True)
class Topic:
    """One topic line, with the case problem categories mapped to it."""

    name: str
    keywords: tuple[str, ...]
    categories: tuple[str, ...] = ()


@dataclass
class Topics:
    """The topics of ``topics.txt`` in file order (results keep that order)."""

    topics: list[Topic] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._patterns = [
            (i, keyword_pattern(k, _GAP)) for i, t in enumerate(self.topics) for k in t.keywords
        ]
        self._by_name = {t.name: t for t in self.topics}

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.topics]

    def find(self, text: str) -> list[str]:
        """Topics whose keywords occur in ``text``; where matches overlap only the longest counts
        (整改台账 is 整改落实, not also 为基层减负's 台账); equal spans all count."""
        found = claim(self._patterns, fold(text))
        return [t.name for i, t in enumerate(self.topics) if i in found]

    def categories(self, names: Iterable[str]) -> list[str]:
        """The case problem categories mapped to the topics ``names`` (file order, no repeats)."""
        labels: list[str] = []
        for name in names:
            topic = self._by_name.get(name)
            for label in topic.categories if topic else ():
                if label not in labels:
                    labels.append(label)
        return labels


def _split_line(line: str) -> tuple[str, tuple[str, ...]]:
    parts = re.match(r"^([^:：]+)[:：](.*)$", line)
    if not parts:
        raise ValueError(f"话题词表的行缺少冒号：{line}")
    name, rest = parts.groups()
    return name.strip(), tuple(k.strip() for k in re.split(r"[,，、]", rest) if k.strip())


def parse_topics(text: str) -> Topics:
    """Read the topics format (see the header of ``topics.txt``)."""
    topics: list[Topic] = []
    mapping: dict[str, tuple[str, ...]] = {}
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        heading = re.fullmatch(r"[\[【]\s*(.+?)\s*[\]】]", line)
        if heading:
            section = heading.group(1)
            if section not in (_SECTION_TOPICS, _SECTION_CATEGORIES):
                raise ValueError(f"话题词表中有未知的段名：{line}")
            continue
        if not section:
            raise ValueError(f"话题词表的行必须写在 [话题] 或 [对应案例类别] 段下：{line}")
        name, items = _split_line(line)
        if section == _SECTION_TOPICS:
            if any(t.name == name for t in topics):
                raise ValueError(f"话题词表中话题重复：{name}")
            topics.append(Topic(name, items))
        else:
            mapping[name] = mapping.get(name, ()) + items
    names = {t.name for t in topics}
    unknown = [name for name in mapping if name not in names]
    if unknown:
        raise ValueError(
            f"话题词表 [对应案例类别] 段中的话题不在 [话题] 段里：{'、'.join(unknown)}"
        )
    return Topics([Topic(t.name, t.keywords, mapping.get(t.name, ())) for t in topics])


def load_topics(path: str | Path = DEFAULT_TOPICS) -> Topics:
    """Load the admin-editable topics file (UTF-8)."""
    return parse_topics(Path(path).read_text(encoding="utf-8-sig"))


@functools.cache
def default_topics() -> Topics:
    """The project's own topics file (corpus/dict), for callers without one of their own."""
    return load_topics(DEFAULT_TOPICS)


# --------------------------------------------------------------------------------------------
# Requirement cue words (requirement_cues.txt)
# --------------------------------------------------------------------------------------------

# The marker words are data (requirement_cues.txt, see RequirementCues); these two rules of
# wording stay here: 应 is a marker only before these characters (应当, 应在, 应按 …, not 应对),
# and a negated 严格/切实 (不严格, 不够切实) is no requirement.
_SHOULD = r"应(?=[当在于按将及予由向对把从以为经同有])"
_NEGATED_WEAK = r"不(?:够|太|很|甚|是很)?(?:严格|切实)"

_CUE_STRONG = "要求"
_CUE_PROHIBITIONS = "禁止"
_CUE_WEAK = "方案用语"
_CUE_FALSE_FRIENDS = "不算要求的词"
_CUE_IMPERATIVES = "祈使动词"
_CUE_NOT_PROHIBITIONS = "不算禁止的词"
_CUE_NOT_ARTICLES = "不算要求的条款"
_CUE_DUTIES = "职责用语"
_CUE_SECTIONS = (
    _CUE_STRONG,
    _CUE_PROHIBITIONS,
    _CUE_WEAK,
    _CUE_FALSE_FRIENDS,
    _CUE_IMPERATIVES,
    _CUE_NOT_PROHIBITIONS,
    _CUE_NOT_ARTICLES,
    _CUE_DUTIES,
)
# Sections a word list written before they existed may lack: empty, they change nothing.
_CUE_OPTIONAL = (_CUE_NOT_PROHIBITIONS, _CUE_NOT_ARTICLES, _CUE_DUTIES)
_ARTICLE_GAP = 30  # how many characters "…" stands for in [不算要求的条款]
_NEVER = re.compile(r"(?!)")


def _words_re(words: tuple[str, ...], prefix: str = "") -> re.Pattern[str]:
    """An alternation of ``words`` (never matching when there are none)."""
    return re.compile(f"{prefix}(?:{alternation(words)})") if words else _NEVER


@dataclass(frozen=True)
class RequirementCues:
    """The words that mark a requirement (``requirement_cues.txt``, format in its header),
    folded, with the patterns built from them."""

    strong: tuple[str, ...]  # 必须 要 坚决 … (应 before certain characters: _SHOULD)
    prohibitions: tuple[str, ...]  # 严禁 不得 …
    weak: tuple[str, ...]  # 严格 切实 确保: requirements in plans, adjectives elsewhere
    false_friends: tuple[str, ...]  # 主要 需要 应对 …: their 要/应/须 is no marker
    imperatives: tuple[str, ...]  # 加强 压实 把 …: a run-in heading starting so requires
    # 惹不得 不得不 明令禁止 解决不 …: their 不得/禁止/决不 prohibits nothing
    not_prohibitions: tuple[str, ...] = ()
    # 负责解释 所称…是指 …: an article saying only this (and no marker) requires nothing
    not_articles: tuple[str, ...] = ()
    # 负责 牵头 …: a clause that says who is responsible (ranked after what one checks against)
    duties: tuple[str, ...] = ()

    @functools.cached_property
    def strong_re(self) -> re.Pattern[str]:
        return re.compile(f"{alternation(self.strong)}|{_SHOULD}")

    @functools.cached_property
    def prohibitions_re(self) -> re.Pattern[str]:
        return re.compile(alternation(self.prohibitions))

    @functools.cached_property
    def not_prohibitions_re(self) -> re.Pattern[str]:
        return _words_re(self.not_prohibitions)

    @functools.cached_property
    def not_article_patterns(self) -> tuple[re.Pattern[str], ...]:
        return tuple(keyword_pattern(w, _ARTICLE_GAP) for w in self.not_articles)

    @functools.cached_property
    def duties_re(self) -> re.Pattern[str]:
        return _words_re(self.duties)

    @functools.cached_property
    def weak_re(self) -> re.Pattern[str]:
        return re.compile(alternation(self.weak))

    @functools.cached_property
    def false_friends_re(self) -> re.Pattern[str]:
        return re.compile(f"{alternation(self.false_friends)}|{_NEGATED_WEAK}")

    @functools.cached_property
    def imperative_re(self) -> re.Pattern[str]:
        return re.compile(f"^(?:{alternation(self.imperatives)})")


def parse_requirement_cues(text: str) -> RequirementCues:
    """Read the format of ``requirement_cues.txt`` (see its header)."""
    sections = word_sections(text, _CUE_SECTIONS, CUES_FILE)
    if sections[""]:
        raise ValueError(f"{CUES_FILE}：词必须写在段名之下（{sections[''][0]}）")
    found: dict[str, tuple[str, ...]] = {}
    for name in _CUE_SECTIONS:
        words = tuple(fold(w) for line in sections[name] for w in split_words(line))
        if not words and name not in _CUE_OPTIONAL:
            raise ValueError(f"{CUES_FILE}：[{name}] 段不能为空")
        found[name] = words
    return RequirementCues(
        strong=found[_CUE_STRONG],
        prohibitions=found[_CUE_PROHIBITIONS],
        weak=found[_CUE_WEAK],
        false_friends=found[_CUE_FALSE_FRIENDS],
        imperatives=found[_CUE_IMPERATIVES],
        not_prohibitions=found[_CUE_NOT_PROHIBITIONS],
        not_articles=found[_CUE_NOT_ARTICLES],
        duties=found[_CUE_DUTIES],
    )


def load_requirement_cues(path: str | Path = DEFAULT_CUES) -> RequirementCues:
    """Load the admin-editable requirement cue words (UTF-8)."""
    return parse_requirement_cues(Path(path).read_text(encoding="utf-8-sig"))


@functools.cache
def default_requirement_cues() -> RequirementCues:
    """The project's own cue words (corpus/dict), for callers without a list of their own."""
    return load_requirement_cues(DEFAULT_CUES)


# --------------------------------------------------------------------------------------------
# Requirement markers
# --------------------------------------------------------------------------------------------

# Not requirements at all, masked first: questions (是否… to the end of its clause, 能不能,
# 好不好), 要看 "depends on", 要看到 "one must see that" (a turn of phrase), 不敢腐/不能腐/不想腐,
# 绝不是 "is by no means", and conditions (对……的，/ 确因……不能参会的，).
_NOT_MARKERS = re.compile(
    r"是否[^，,。；;！？!?]*|要不要|能不能|是不是|好不好|有没有|[也还更]?要看到|(?:最终|关键|主要|就)要看|"
    r"不敢腐|不能腐|不想腐|[绝决]不是|[^，,。；;：:！？!?]*的(?=[，,；;])"
)
_COPULA = re.compile(r"(?<!求)是[^，,。；;]*的[。！!]?$")

# A sentence dated in the past by its first clause, or reporting an earlier instruction.
_PAST_CLAUSE = re.compile(
    r"以来$|年来$|^(?:去年|前年|上年|上半年|往年|过去|此前|以往|前期|前段时间|这几年|这些年|近年|近期|"
    rf"{YEAR_OR_DATE}$)"
)
_PAST_REPORT = re.compile(r"(?:曾经?|已经|先后)(?:要求|提出|强调|明确|部署|作出)")
# The purpose sentence opening a plan (为……，制定本方案 / 决定开展……).
_PREAMBLE = re.compile(r"^为[^。]*(?:制定本|特制定|现就|现将|决定|如下|提出以下)")
# Headings of a part that reviews past work.
_PAST_HEADING = re.compile(r"回顾|取得的|成效和不足|成绩|过去一年|年来")
# A sentence that only announces a list (尤其要做好以下工作。), like a lead-in ending in a colon.
_ANNOUNCES_LIST = re.compile(r"(?:以下|如下|下列)[^，,；;。！!]{0,6}[。！!]?$")
_NAMES_A_LIST = re.compile(r"(?:以下|如下|下列)(?!简称|称)")
ANNOUNCING_CHARS = 30  # a sentence this short that names a list (对下列问题要……。) announces it
# A sentence telling what someone did or thought (他认为……, 她坚持……) reports, it requires nothing.
_NARRATIVE = re.compile(r"^[他她](?!们)")


def _mask(pattern: re.Pattern[str], text: str) -> str:
    return pattern.sub(lambda m: "□" * len(m.group(0)), text)


def _marker_spans(sentence: str, cues: RequirementCues) -> list[tuple[int, bool]]:
    """(position, prohibitive) of each requirement marker in ``sentence``; weak markers
    (严格, 切实, 确保) are left out when a copula sentence (……是……的。) holds only them, and
    so are markers that all stand inside the closing copula (这种干劲是必须有的。)."""
    text = _mask(cues.not_prohibitions_re, _mask(_NOT_MARKERS, fold(sentence)))
    spans = [(m.start(), True) for m in cues.prohibitions_re.finditer(text)]
    text = _mask(cues.false_friends_re, _mask(cues.prohibitions_re, text))
    spans += [(m.start(), False) for m in cues.strong_re.finditer(text)]
    weak = [(m.start(), False) for m in cues.weak_re.finditer(text)]
    copula = _COPULA.search(text)
    if spans or not copula:
        spans += weak
    if copula and spans and all(p >= copula.start() and not f for p, f in spans):
        return []
    return sorted(spans)


def _kind(sentence: str, cues: RequirementCues) -> str:
    """禁止 when prohibitions outnumber the other markers, or tie and the main (last) clause
    prohibits; else 要求."""
    spans = _marker_spans(sentence, cues)
    prohibitive = sum(1 for _, p in spans if p)
    affirmative = len(spans) - prohibitive
    if prohibitive > affirmative or (prohibitive and prohibitive == affirmative and spans[-1][1]):
        return "禁止"
    return "要求"


def _is_past(sentence: str) -> bool:
    first = re.split(r"[，,：:；;]", sentence, maxsplit=1)[0].strip()
    return bool(_PAST_CLAUSE.search(first)) or bool(_PAST_REPORT.search(sentence))


def _announces_list(sentence: str) -> bool:
    """A sentence that only announces the list after it (尤其要做好以下工作。 对存在下列问题的
    社会团体要进行整改。): the list's items are the requirements."""
    text = sentence.strip()
    return bool(_ANNOUNCES_LIST.search(text)) or (
        bool(_NAMES_A_LIST.search(text)) and len(text) <= ANNOUNCING_CHARS
    )


def states_duty(text: str, cues: RequirementCues | None = None) -> bool:
    """Whether a clause says who is responsible or whom the rules bind (区机关事务服务中心负责
    ……, 本规定适用于……: [职责用语]) rather than what one must or must not do: the list
    shows such clauses after those a cadre checks against. A clause that prohibits is never
    one."""
    cues = cues or default_requirement_cues()
    folded = fold(text)
    if not cues.duties_re.search(folded):
        return False
    return not any(prohibitive for _, prohibitive in _marker_spans(text, cues))


def is_requirement_sentence(sentence: str, cues: RequirementCues | None = None) -> bool:
    """Whether ``sentence`` states a requirement (see the module docstring for the rule);
    ``cues`` default to the project's own (corpus/dict)."""
    text = sentence.strip()
    if not text or text.endswith(("：", ":", "？", "?")) or _announces_list(text):
        return False
    if _NARRATIVE.match(text):
        return False
    if _PREAMBLE.match(text) or _is_past(text):
        return False
    return bool(_marker_spans(text, cues or default_requirement_cues()))


# --------------------------------------------------------------------------------------------
# Paragraph anatomy
# --------------------------------------------------------------------------------------------

# Article numbers (第X条), list numbers (（一） 一、 1. （1） ① 第一， 首先，) and 一是 items are
# kb.numbering's; a heading of rank ``_LIST_RANK`` or deeper (（一）, 1., （1）) may be a list item.
_LIST_RANK = rank_of_level(2)
_LEAD = re.compile(r"([^：:]{2,60}?[。！!；;])")
_SENTENCE = re.compile(r"[^。！？!?]*(?:[。！？!?]+[”’」』）)]*|$)")
# A run-in heading stating a requirement starts with an imperative verb (RequirementCues).
_DESCRIPTIVE = re.compile(
    r"(?<!求)是|情况$|情形$|阶段|问题$|意义$|原因$|目标$|成效$|的$|比较|较好|更加"
)


def _lead_states_requirement(lead: str, spoken: bool, cues: RequirementCues) -> bool:
    """A run-in heading's sentence (number left off) states a requirement: it has a marker or
    starts with an imperative verb, and does not describe; a speech's 第一，… point may also
    state a rule by negation (会议能不开的不开)."""
    body = lead.rstrip("。！!；;")
    if _announces_list(lead):
        return False
    if _marker_spans(body, cues):
        return True
    if _DESCRIPTIVE.search(body):
        return False
    return bool(cues.imperative_re.match(body)) or _rule_by_negation(lead, spoken, cues)


def _rule_by_negation(lead: str, spoken: bool, cues: RequirementCues) -> bool:
    """A speech's 第一，… point that states a rule by negation (会议能不开的不开): a rule one
    checks against, never a mere heading."""
    body = lead.rstrip("。！!；;")
    return spoken and "不" in body and not cues.imperative_re.match(body)


def _trim(text: str) -> str:
    return text.strip().rstrip("，,；;、 ")


def _sentences(text: str) -> list[str]:
    return [m.group(0).strip() for m in _SENTENCE.finditer(text) if m.group(0).strip()]


@dataclass
class Requirement:
    """One requirement clause of a document.

    ``passage`` indexes the passages given to ``extract_requirements``; ``text`` is a verbatim
    substring of that passage. An article spanning several paragraphs keeps its later
    paragraphs in ``continuation`` (``continuation[i]`` is the text of passage
    ``passage + 1 + i``); ``full_text`` joins them. ``topics`` are topic names in file order.
    """

    ordinal: int
    passage: int
    section: tuple[str, ...]
    text: str
    kind: str
    topics: list[str]
    continuation: tuple[str, ...] = ()

    @property
    def full_text(self) -> str:
        return "\n".join((self.text, *self.continuation))


@dataclass
class _Clause:
    passage: int
    section: tuple[str, ...]
    text: str
    kind: str
    context: str = ""  # the innermost heading, for topics when the text names none
    continuation: tuple[str, ...] = ()


def _article_section(section: tuple[str, ...]) -> tuple[str, ...]:
    """An article's heading path: list items mistaken for run-in headings are left off."""
    kept = list(section)
    while kept and (heading_rank(kept[-1]) or 0) >= _LIST_RANK:
        kept.pop()
    return tuple(kept)


def _article(passages: Sequence[Passage], start: int) -> tuple[_Clause, int]:
    """The article at ``passages[start]`` and the ordinal of its last passage."""
    end = start
    for j in range(start + 1, len(passages)):
        passage = passages[j]
        text = passage.text.strip()
        rank = heading_rank(text)
        if ARTICLE.match(text) or (passage.heading and (rank is None or rank < _LIST_RANK)):
            break
        if not passage.heading and rank is not None and rank < _LIST_RANK:
            break  # 一、…: a new part of the document, not a paragraph of the article
        end = j
    first = passages[start]
    clause = _Clause(
        passage=start,
        section=_article_section(first.section),
        text=first.text.strip(),
        kind="条款",
        continuation=tuple(passages[j].text.strip() for j in range(start + 1, end + 1)),
    )
    return clause, end


# A run-in heading this short (characters, its closing punctuation left off) that the rest of
# its item explains is only the item's heading (（一）加强组织领导。……): the list shows the
# requirements that follow, not the heading. So is a speech's spoken point (四要……。) this
# short, and a paragraph's opening 要… sentence of up to OPENING_HEADING_CHARS. A heading that
# prohibits (严禁……。) stays: it is what one checks against.
LEAD_HEADING_CHARS = 25
OPENING_HEADING_CHARS = 12
# Inside a paragraph, a 要… sentence this short between explanations heads the next point
# (……。要干得实。对定下来的工作……).
INNER_HEADING_CHARS = 8


def _short(sentence: str, limit: int) -> bool:
    return len(sentence.rstrip("。！!；;")) <= limit


def _is_body(passage: Passage | None) -> bool:
    """Whether ``passage`` is the body of the item whose heading stands alone before it: an
    unnumbered paragraph of whole sentences (not a heading, a list item or a signature)."""
    if passage is None or passage.heading:
        return False
    text = passage.text.strip()
    return not LIST_NUMBER.match(text) and not ARTICLE.match(text) and "。" in text


def _article_requires(article: _Clause, cues: RequirementCues) -> bool:
    """Whether an article states a rule: not the purpose article (第一条 为……，制定本规定),
    nor one that only says who interprets the text, when it takes effect or what a word means
    ([不算要求的条款], when no requirement marker is in it)."""
    body = ARTICLE.sub("", article.text, count=1).strip()
    if _PREAMBLE.match(body):
        return False
    full = "\n".join((body, *article.continuation))
    if _marker_spans(full, cues):
        return True
    folded = fold(full)
    return not any(pattern.search(folded) for pattern in cues.not_article_patterns)


def _paragraph_clauses(
    index: int, passage: Passage, cues: RequirementCues, following: Passage | None = None
) -> list[_Clause]:
    """Requirements of one body paragraph: its run-in heading, sentences and 一是 items. A
    short heading sentence followed by its item's body is left out (LEAD_HEADING_CHARS), the
    body's requirements stay; ``following`` is the next passage (the body of a heading that
    stands alone)."""
    text = passage.text
    section = passage.section
    context = section[-1] if section else ""
    past_part = any(_PAST_HEADING.search(h) for h in section)
    lead_clause: _Clause | None = None
    checkable = False  # the run-in heading prohibits: one checks against it, it stays
    spoken = False
    pos = 0
    enumerator = LIST_NUMBER.match(text)
    if enumerator:
        pos = enumerator.end()
        lead = _LEAD.match(text, pos)
        if lead and not POINT_IN_TEXT.match(text, pos):
            sentence = lead.group(1)
            own_section = section[:-1] if section and text.startswith(section[-1]) else section
            spoken = bool(SPOKEN_NUMBER.match(text))
            if not past_part and _lead_states_requirement(sentence, spoken, cues):
                kind = _kind(sentence, cues)
                lead_clause = _Clause(index, own_section, _trim(sentence), kind, context)
                checkable = kind == "禁止" or _rule_by_negation(sentence, spoken, cues)
            pos = lead.end()
    items = [m.start() for m in POINT_IN_TEXT.finditer(text, pos)]
    before = text[pos : items[0]] if items else text[pos:]
    sentences = _sentences(before)
    # (clause or None, heads what follows) per sentence
    found: list[tuple[_Clause | None, bool]] = []
    for number, sentence in enumerate(sentences):
        if past_part or not is_requirement_sentence(sentence, cues):
            found.append((None, False))
            continue
        kind = _kind(sentence, cues)
        following_sentence = sentences[number + 1] if number + 1 < len(sentences) else ""
        previous_sentence = sentences[number - 1] if number else ""
        # 要……。要……。 are parallel requirements, no heading among them.
        stands_alone = (
            sentence.startswith("要")
            and bool(following_sentence)
            and not following_sentence.startswith("要")
            and not previous_sentence.startswith("要")
        )
        limit = OPENING_HEADING_CHARS if number == 0 and not enumerator else INNER_HEADING_CHARS
        heading = kind != "禁止" and bool(
            (SPOKEN_POINT.match(sentence) and _short(sentence, LEAD_HEADING_CHARS))
            or (stands_alone and _short(sentence, limit))
        )
        found.append((_Clause(index, section, _trim(sentence), kind, context), heading))
    clauses: list[_Clause] = []
    for number, (clause, heading) in enumerate(found):
        if clause is None:
            continue
        # A heading sentence goes when its body follows: a sentence before the next heading,
        # or the paragraph's 一是 items.
        body = number + 1 < len(found) and not found[number + 1][1]
        if heading and (body or (number + 1 == len(found) and items)):
            continue
        clauses.append(clause)
    ends = [*items[1:], len(text)] if items else []
    for start, end in zip(items, ends, strict=True):
        item = _trim(text[start:end])
        if item and not past_part:
            clauses.append(_Clause(index, section, item, "分项", context))
    if lead_clause is not None:
        # A speech's 第一，…… point opens with its heading whatever its length.
        heads_item = not checkable and (spoken or _short(lead_clause.text, LEAD_HEADING_CHARS))
        rest = _trim(text[pos:])
        if heads_item and rest and not clauses:
            # The item's body states its rule without a marker (检查结果纳入……考核。): the body
            # is the requirement, not the heading.
            clauses.append(_Clause(index, section, rest, lead_clause.kind, context))
        elif not (heads_item and (rest or _is_body(following))):
            clauses.insert(0, lead_clause)
    return clauses


def extract_requirements(
    title: str,
    doc_type: str,
    passages: Sequence[Passage],
    topics: Topics | None = None,
    cues: RequirementCues | None = None,
    doc_types: DocTypes | None = None,
) -> list[Requirement]:
    """The requirement clauses of a document, in document order; [] for document types that do
    not direct anyone (通报, 报告, 公报, 其他). See the module docstring for the rules;
    ``topics`` and ``cues`` default to the project's own lists (corpus/dict)."""
    if doc_type not in (doc_types or default_doc_types()).directing:
        return []
    topics = topics or default_topics()
    cues = cues or default_requirement_cues()
    plain_title = re.sub(r"\s", "", title)
    clauses: list[_Clause] = []
    last_article_passage = -1
    for index, passage in enumerate(passages):
        text = passage.text.strip()
        if passage.heading or not text or index <= last_article_passage:
            continue
        if re.sub(r"\s", "", text) == plain_title:
            continue
        if ARTICLE.match(text):
            clause, last_article_passage = _article(passages, index)
            if _article_requires(clause, cues):
                clauses.append(clause)
            continue
        following = passages[index + 1] if index + 1 < len(passages) else None
        clauses.extend(_paragraph_clauses(index, passage, cues, following))
    requirements: list[Requirement] = []
    seen: set[str] = set()
    for clause in clauses:
        key = re.sub(r"\s", "", clause.text + "".join(clause.continuation))
        if key in seen:
            continue
        seen.add(key)
        full = "\n".join((clause.text, *clause.continuation))
        found = topics.find(full) or (topics.find(clause.context) if clause.context else [])
        requirements.append(
            Requirement(
                ordinal=len(requirements) + 1,
                passage=clause.passage,
                section=clause.section,
                text=clause.text,
                kind=clause.kind,
                topics=found,
                continuation=clause.continuation,
            )
        )
    return requirements


# --------------------------------------------------------------------------------------------
# Matching typical cases to a requirement
# --------------------------------------------------------------------------------------------

CATEGORY_WEIGHT = 0.55  # share of the score that comes from the topic -> category mapping
# A case no mapped category links is kept only when its text is this similar to the
# requirement: in cosine, and relative to the most similar case.
MIN_COSINE = 0.12
MIN_RELATIVE = 0.3
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+|[a-z]+")


def _field(case: Any, name: str) -> Any:
    if isinstance(case, dict):
        return case.get(name)
    return getattr(case, name, None)


def _terms(text: str, segment: Callable[[str], list[str]] | None) -> tuple[str, ...]:
    """Terms of ``text``: the segmenter's words of two or more characters when given, else the
    character bigrams of its CJK runs; plus Latin words. Numbers (dates, amounts) are left out:
    they say nothing about the subject."""
    if segment is None:
        return _bigrams(text)
    words = [w.strip() for w in segment(fold(text))]
    return tuple(w for w in words if len(w) >= 2 and _CJK_RUN.fullmatch(w))


@functools.lru_cache(maxsize=4096)
def _bigrams(text: str) -> tuple[str, ...]:
    """Cached: the same cases are matched against one requirement after another."""
    terms: list[str] = []
    for run in _CJK_RUN.findall(fold(text)):
        if run.isascii():
            terms.append(run)
        elif len(run) > 1:
            terms.extend(run[i : i + 2] for i in range(len(run) - 1))
    return tuple(terms)


def _vector(counts: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    vector = {t: (1 + math.log(n)) * idf.get(t, 0.0) for t, n in counts.items()}
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {t: v / norm for t, v in vector.items()} if norm else {}


def _covered(label: str, categories: Sequence[str]) -> bool:
    return any(label == c or label.startswith(c + "/") for c in categories)


@dataclass(frozen=True)
class _CaseIndex:
    """TF-IDF vectors of a set of cases (idf from the cases themselves)."""

    idf: dict[str, float]
    vectors: tuple[dict[str, float], ...]


def _index_cases(
    texts: tuple[tuple[str, str], ...], segment: Callable[[str], list[str]] | None
) -> _CaseIndex:
    counts = []
    for summary, text in texts:
        headline = _terms(summary, segment)
        counts.append(Counter(headline + headline + _terms(text, segment)))
    df: Counter[str] = Counter()
    for terms in counts:
        df.update(terms.keys())
    idf = {t: math.log(1 + len(texts) / n) for t, n in df.items()}
    return _CaseIndex(idf, tuple(_vector(terms, idf) for terms in counts))


# The same cases are matched against one requirement after another: keep the last few sets.
_index_cases_cached = functools.lru_cache(maxsize=8)(_index_cases)


def match_cases(
    requirement_text: str,
    topics_of_requirement: Sequence[str],
    cases: Sequence[Any],
    topics: Topics,
    segment: Callable[[str], list[str]] | None = None,
) -> list[tuple[int, float]]:
    """Typical cases for one requirement, best first: (index into ``cases``, score in 0..1).

    Two signals: whether a case's problem categories (``problems``) are among those mapped to
    the requirement's topics in topics.txt, and the cosine similarity of TF-IDF term vectors
    (idf from the cases themselves; the headline ``summary`` counts twice) between requirement
    and case, relative to the most similar case. A mapped category counts for more when the
    requirement resembles its cases as a whole (a 公车 clause: 公车私用 above the other
    八项规定 categories). Cases with neither a mapped category nor a fair similarity are left
    out. Each case is a dict or an object with ``problems``, ``summary`` and ``text``.
    """
    if not cases:
        return []
    categories = topics.categories(topics_of_requirement)
    texts = tuple((_field(c, "summary") or "", _field(c, "text") or "") for c in cases)
    try:
        index = _index_cases_cached(texts, segment)
    except TypeError:  # an unhashable segmenter
        index = _index_cases(texts, segment)
    query = _vector(Counter(_terms(requirement_text, segment)), index.idf)
    similarities = [
        sum(w * vector.get(t, 0.0) for t, w in query.items()) for vector in index.vectors
    ]
    best = max(similarities) or 1.0
    # The categories each case is linked by; how well each category fits this requirement is
    # the mean similarity of its cases, relative to the best fitting category.
    links = [
        [c for c in categories if any(_covered(p, [c]) for p in _field(case, "problems") or [])]
        for case in cases
    ]
    members: dict[str, list[float]] = {}
    for similarity, linked in zip(similarities, links, strict=True):
        for category in linked:
            members.setdefault(category, []).append(similarity)
    fit = {c: sum(v) / len(v) for c, v in members.items()}
    best_fit = max(fit.values(), default=0.0) or 1.0
    ranked: list[tuple[int, float]] = []
    for i, linked in enumerate(links):
        relative = similarities[i] / best
        if not linked and (similarities[i] < MIN_COSINE or relative < MIN_RELATIVE):
            continue
        category_fit = 0.5 + 0.5 * max(fit[c] for c in linked) / best_fit if linked else 0.0
        score = CATEGORY_WEIGHT * category_fit + (1 - CATEGORY_WEIGHT) * relative
        if score > 0:
            ranked.append((i, round(min(1.0, score), 4)))
    ranked.sort(key=lambda r: (-r[1], r[0]))
    return ranked
