"""One record per case in a typical-case notice (典型问题通报, 典型案例汇编, 警示教育案例).

A trainer looking for "cases of 违规吃喝 by 乡科级 cadres sanctioned with 党内警告" needs each case as
a record, not a paragraph hit. Decides only: no I/O except reading the taxonomy file.

Segmentation follows the habits of these notices: an intro paragraph (现将……通报如下), cases that
start at a numbered or bulleted paragraph or at a headline sentence ending in 问题/案, and a closing
part (以上/上述……问题, 中央纪委国家监委指出, 一是/二是 requirements). A notice may hold several
such runs (a forwarded CCDI notice followed by a local one). A notice without any case start, and
a 警示教育 write-up that tells one long story, is one case.

Problem categories and sanctions come from ``corpus/dict/case_taxonomy.txt`` (format in its header).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kb.folding import fold
from kb.keywords import alternation, claim, keyword_pattern, split_words, word_sections
from kb.model import Passage
from kb.numbering import (
    CASE_NUMBER,
    COUNT_NUMBER,
    LEVEL_ONE_START,
    POINT_START,
    parse_number,
)
from kb.resources import DEFAULT_DICT
from kb.structure import NOTICE_CLOSING

DEFAULT_TAXONOMY = DEFAULT_DICT / "case_taxonomy.txt"
SURNAMES_FILE = "surnames.txt"
CASE_PEOPLE_FILE = "case_people.txt"

LEVELS = ("中管干部", "省管干部", "县处级", "乡科级", "其他")

# --------------------------------------------------------------------------------------------
# Taxonomy
# --------------------------------------------------------------------------------------------

_GAP = 20  # how many characters "…" in a keyword stands for, within one sentence
_SECTION_PROBLEMS = "问题类别"
_SECTION_SANCTIONS = "处理处分"
_SECTION_GROUPS = "类别统称"
_SECTION_LEVELS = "干部层级的说法"


@dataclass(frozen=True)
class Category:
    """One line of the taxonomy: ``label`` is what a case record shows ("形式主义官僚主义/数据造假")."""

    label: str
    keywords: tuple[str, ...]
    parent: str = ""  # the parent category's label for a sub-kind


@dataclass
class Taxonomy:
    """Problem categories and sanctions, each in file order (results keep that order)."""

    problems: list[Category] = field(default_factory=list)
    sanctions: list[Category] = field(default_factory=list)
    # Names for groups of problem categories (八项规定, 四风): name -> category labels.
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # How people name the cadre levels of LEVELS (处级干部 -> 县处级): word -> level.
    level_words: dict[str, str] = field(default_factory=dict)

    def facets_named(self, word: str) -> set[str]:
        """What a searched word names among the facets a case is filed under, in the form of
        kb.passage_table.facets_of: problem categories (p:), sanctions (s:), a level (l:)."""
        word = fold(word.strip())
        named = set()
        for category in self.sanctions:
            if word == fold(category.label) or word in {fold(k) for k in category.keywords}:
                named.add(f"s:{category.label}")
        if word in self.level_words:
            named.add(f"l:{self.level_words[word]}")
        return named

    def categories_named(self, word: str) -> list[str]:
        """The problem categories a searched word names: a category's name or the last part
        of a sub-kind's name, one of its recognition words (吃喝, 形式主义), or a group name
        (四风, 八项规定). A parent stands for its sub-kinds (cases file under both)."""
        word = fold(word.strip())
        if not word:
            return []
        named = list(self.groups.get(word, ()))
        for category in self.problems:
            leaf = category.label.rsplit("/", 1)[-1]
            words = {fold(category.label), fold(leaf)} | {
                fold(k) for k in category.keywords if "…" not in k and "..." not in k
            }
            if word in words and category.label not in named:
                named.append(category.label)
        return named

    def __post_init__(self) -> None:
        self._problem_patterns = _compile(self.problems)
        self._sanction_patterns = _compile(self.sanctions)

    def find_problems(self, text: str) -> list[str]:
        """Problem labels found in ``text``; a sub-kind replaces its parent's bare label."""
        found = claim(self._problem_patterns, fold(text))
        subs = {self.problems[i].parent for i in found if self.problems[i].parent}
        labels = []
        for i, category in enumerate(self.problems):
            if i in found and category.label not in subs:
                labels.append(category.label)
        return labels

    def find_sanctions(self, text: str) -> list[str]:
        """Sanction labels found in ``text``, in taxonomy order."""
        found = claim(self._sanction_patterns, fold(text))
        return [c.label for i, c in enumerate(self.sanctions) if i in found]


def _compile(categories: list[Category]) -> list[tuple[int, re.Pattern[str]]]:
    return [(i, keyword_pattern(k, _GAP)) for i, c in enumerate(categories) for k in c.keywords]


def parse_taxonomy(text: str) -> Taxonomy:
    """Read the taxonomy format (see the header of ``case_taxonomy.txt``)."""
    problems: list[Category] = []
    sanctions: list[Category] = []
    groups: dict[str, tuple[str, ...]] = {}
    level_words: dict[str, str] = {}
    section: list[Category] | None = None
    in_groups = in_levels = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        heading = re.fullmatch(r"[\[【]\s*(.+?)\s*[\]】]", line)
        if heading:
            name = heading.group(1)
            in_groups = name == _SECTION_GROUPS
            in_levels = name == _SECTION_LEVELS
            if name == _SECTION_PROBLEMS:
                section = problems
            elif name == _SECTION_SANCTIONS:
                section = sanctions
            elif not in_groups and not in_levels:
                raise ValueError(f"分类词表中有未知的段名：{line}")
            continue
        if in_levels:
            parts = re.match(r"^([^:：]+)[:：](.*)$", line)
            if not parts or parts.group(1).strip() not in LEVELS:
                raise ValueError(
                    f"[{_SECTION_LEVELS}] 段每行以 {'/'.join(LEVELS)} 之一加冒号开头：{line}"
                )
            for word in re.split(r"[,，、]", parts.group(2)):
                if word.strip():
                    level_words[fold(word.strip())] = parts.group(1).strip()
            continue
        if section is None and not in_groups:
            raise ValueError(f"分类词表的类别行必须写在 [问题类别] 或 [处理处分] 段下：{line}")
        parts = re.match(r"^([^:：]+)[:：](.*)$", line)
        if not parts:
            raise ValueError(f"分类词表的类别行缺少冒号：{line}")
        name, rest = parts.groups()
        name = name.strip()
        keywords = tuple(
            k.strip() for k in re.split(r"[,，、]" if in_groups else r"[,，]", rest) if k.strip()
        )
        if in_groups:
            known = {c.label for c in problems} | {n for ns in groups.values() for n in ns}
            unknown = [k for k in keywords if k not in known and fold(k) not in groups]
            if unknown:
                raise ValueError(
                    f"[{_SECTION_GROUPS}] 段的“{name}”里有未定义的问题类别：{'、'.join(unknown)}"
                )
            labels_of = [label for k in keywords for label in groups.get(fold(k), (k,))]
            groups[fold(name)] = tuple(dict.fromkeys(labels_of))
            continue
        assert section is not None
        labels = {c.label for c in section}
        parent = ""
        if "/" in name and name.split("/", 1)[0].strip() in labels:
            parent = name.split("/", 1)[0].strip()
            name = f"{parent}/{name.split('/', 1)[1].strip()}"
        section.append(Category(name, keywords, parent))
    return Taxonomy(problems, sanctions, groups, level_words)


def load_taxonomy(path: str | Path = DEFAULT_TAXONOMY) -> Taxonomy:
    """Load the admin-editable taxonomy file (UTF-8)."""
    return parse_taxonomy(Path(path).read_text(encoding="utf-8-sig"))


# --------------------------------------------------------------------------------------------
# Counting what a notice says it reports
# --------------------------------------------------------------------------------------------

_NUM = COUNT_NUMBER
_COUNT = re.compile(
    rf"(?P<n>{_NUM})\s*(?:起|件|例|名(?=[^，。；]{{0,12}}(?:干部|党员|人员|教师|同志))|"
    rf"个(?=典型|问题|案例|案件))"
    rf"|(?:典型问题|典型案例|案例|案件)\s*(?P<m>{_NUM})\s*(?:起|件|例|个)"
)
_REPORTING = re.compile(r"通报|收录|曝光|分别是|分别为|如下|选取|选编")


def chinese_number(text: str) -> int | None:
    """``12`` / ``十二`` / ``二十`` / ``两`` as an int (kb.numbering reads it); None when it is
    not a number or is zero."""
    return parse_number(text) or None


def _counts(sentence: str) -> list[int]:
    numbers = []
    for m in _COUNT.finditer(sentence):
        n = chinese_number(m.group("n") or m.group("m"))
        if n:
            numbers.append(n)
    return numbers


def _intro_count(paragraph: str) -> int | None:
    """The number of cases an intro paragraph announces (the count nearest its end)."""
    for sentence in reversed(re.split(r"(?<=[。！？])", fold(paragraph))):
        if _REPORTING.search(sentence):
            numbers = _counts(sentence)
            if numbers:
                return numbers[-1]
    return None


def stated_count(text: str) -> int | None:
    """How many cases a notice says it reports: 十起, 10起, 本辑收录典型案例8起, 通报了……6名.

    ``text`` is the document (title on the first line). A notice announcing several runs of
    cases (a forwarded notice and a local one) states their sum; an announcing paragraph without
    a number (公开通报某某等人……问题：) counts as one case when other runs are counted.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return None
    intro_counts = [_intro_count(line) for line in lines[1:] if _is_intro(line)]
    if any(intro_counts):
        return sum(n or 1 for n in intro_counts)
    title = fold(lines[0])
    numbers = _counts(title)
    if numbers:
        return numbers[0]
    for line in lines[1:]:
        for sentence in re.split(r"(?<=[。！？])", fold(line)):
            if re.search(r"通报|收录|曝光|选编", sentence):
                numbers = _counts(sentence)
                if numbers:
                    return numbers[0]
    return None


def _person_count(text: str) -> int | None:
    """N when the notice states its count in persons (通报……6名党员领导干部), else None."""
    m = re.search(
        rf"({_NUM})\s*名[^，。；]{{0,12}}(?:干部|党员|人员)", fold(text.split("\n", 1)[0])
    )
    return chinese_number(m.group(1)) if m else None


# --------------------------------------------------------------------------------------------
# Paragraph kinds
# --------------------------------------------------------------------------------------------

_NUMBERED = CASE_NUMBER  # 1. 一、 （一） 案例一 ● (kb.numbering)
_ACCIDENT = re.compile(
    r"^([^，。；]{2,30}[“\"]\d{1,2}\s*[·.．]\s*\d{1,2}[”\"][^，。；]{0,12}?事故)"
)
_HEADLINE_END = re.compile(r"(?:问题|案件|案例|案)[”’」』]?$")
_NOT_HEADLINE = re.compile(
    r"^(?:该|这|此|上述|以上|其|从|近年|其中|主要|突出|问题|有关|相关|对|经查|调查|针对|为|在|当前|目前|"
    r"党的|中央|习近平)"
)
_NARRATIVE = re.compile(r"提出|发现|指出|强调|认为|表示|商请|显示|查明|经查|反映|看到")
_NOTICE_WORDS = re.compile(r"典型|\d+\s*起|[一二三四五六七八九十]起|曝光|通报|警示教育|十项准则")
_ORG_OR_ROLE = re.compile(
    r"省|市|县|区|镇|乡|街道|村|局|委|厅|部|院|校|公司|集团|中心|所|站|办|书记|主任|长|员|教师|干部|党员"
)
_INTRO_STRONG = re.compile(r"通报如下|具体如下|情况如下|曝光如下|分别是|分别为")
_INTRO_END = re.compile(r"(?:[：:]|——|—)$")
_INTRO_TOPIC = re.compile(r"通报|曝光|收录|如下")
_NOT_INTRO = re.compile(r"要求如下|如下要求|提出如下|如下几点|以下几点|工作要求")
_REQUIREMENT = POINT_START  # 一是 (kb.numbering)
_MODAL = re.compile(
    r"要|必须|严禁|不得|坚决|切实|进一步|持续|加强|强化|健全|树牢|提高|严格|扛起|紧盯"
)
_SOURCE_LINE = re.compile(r"^[（(]\s*(?:来源|本文来源|稿件来源|摘自)[：:]")
_HEAD_CHARS = "。：:！？"


def _first_sentence(text: str) -> str:
    m = re.match(rf"^(.*?)[{_HEAD_CHARS}]", text)
    return m.group(1) if m else text


def _strip_number(text: str) -> str:
    return _NUMBERED.sub("", text, count=1)


def _is_headline(text: str) -> bool:
    """A headline sentence naming a unit or person and its problem: ……违规吃喝问题。"""
    head = _first_sentence(text).strip()
    return (
        6 <= len(head) <= 160
        and bool(_HEADLINE_END.search(head))
        and not _NOT_HEADLINE.match(head)
        and bool(_ORG_OR_ROLE.search(head))
        and not _NOTICE_WORDS.search(head)
        and not _NARRATIVE.search(head.split("，")[0][:16])
    )


def _is_intro(text: str) -> bool:
    """A paragraph announcing the cases that follow (现将……通报如下, 这7起案例分别是——)."""
    folded = fold(text)
    if _NOT_INTRO.search(folded) or _NUMBERED.match(folded):
        return False
    if _INTRO_STRONG.search(folded):
        return True
    return bool(_INTRO_END.search(folded)) and bool(_INTRO_TOPIC.search(folded))


def _is_closing(text: str) -> bool:
    if NOTICE_CLOSING.match(text):
        return True
    return bool(_REQUIREMENT.match(text)) and bool(_MODAL.search(_first_sentence(text)))


def _start_kind(text: str, sanctions_here: bool, after_intro: bool, notice: bool) -> str:
    """'numbered', 'headline', 'accident' when ``text`` starts a case, else ''.

    An unnumbered headline starts a case only in a notice (its title says so, or an announcing
    paragraph came before): in a write-up, "……存在严重的数据注水问题。" is narrative."""
    if _ACCIDENT.match(text):
        return "accident"
    if _NUMBERED.match(text):
        rest = _strip_number(text)
        if _is_headline(rest) or sanctions_here or after_intro:
            return "numbered"
        return ""
    if (after_intro or notice) and _is_headline(text):
        return "headline"
    return ""


def _segment(
    passages: Sequence[Passage], taxonomy: Taxonomy, notice: bool = True
) -> list[list[int]]:
    """Passage ordinals of each case, in order; empty when no paragraph starts a case.

    ``notice``: the title names a notice (通报, 典型问题 ...), so headline paragraphs may start cases
    before any announcing paragraph."""
    segments: list[list[int]] = []
    state = "intro"  # intro -> case -> closing -> (intro again after a new announcing paragraph)
    after_intro = False
    for i, passage in enumerate(passages):
        text = passage.text.strip()
        if not text:
            continue
        if _is_intro(text) and not _NUMBERED.match(text):
            state, after_intro = (
                "intro",
                bool(re.search(r"问题|案例|案件|违纪|违法|事故|典型", text)),
            )
            continue
        if state in ("intro", "case"):
            kind = _start_kind(text, bool(taxonomy.find_sanctions(text)), after_intro, notice)
            if kind:
                segments.append([i])
                state = "case"
                continue
        if state == "case":
            if _is_closing(text) or _SOURCE_LINE.match(text):
                state, after_intro = "closing", False
                continue
            segments[-1].append(i)
    return segments


def _body_without_starts(title: str, passages: Sequence[Passage]) -> list[int]:
    """The passages of a notice or write-up that is one case: after the announcing paragraph (if
    any), up to the closing part; the title repeated as the first line and a source line are left out."""
    ordinals = list(range(len(passages)))
    intros = [i for i in ordinals if _is_intro(passages[i].text)]
    if intros:
        body = []
        for i in ordinals[intros[0] + 1 :]:
            if _is_closing(passages[i].text) or _SOURCE_LINE.match(passages[i].text):
                break
            body.append(i)
        return body
    plain_title = _plain(title)
    body = []
    for i in ordinals:
        text = passages[i].text.strip()
        if _SOURCE_LINE.match(text):
            continue
        if i < 3 and plain_title and _plain(text) == plain_title:
            continue  # the title repeated as the first line
        body.append(i)
    return body


def _plain(text: str) -> str:
    return re.sub(r"[\s“”\"'‘’《》「」『』]", "", text)


# --------------------------------------------------------------------------------------------
# Which documents are case notices
# --------------------------------------------------------------------------------------------

_CASE_TITLE = re.compile(r"典型问题|典型案例|案例|违纪违法|警示教育|曝光|案剖析|通报")
_STRONG_TITLE = re.compile(
    r"典型问题|典型案例|案例|违纪违法|警示教育|曝光|案剖析|问题的通报|违反|违规|问题$|案$"
)
_OTHER_TITLE = re.compile(
    r"讲话|发言|致辞|经验|表扬|方案|意见|条例|规定(?!精神)|办法|规则|决定|公报|报告|计划|要点|总结|纪要|"
    r"通知|批复|公告|细则|制度|规划|指引|指南|目录|清单|标准"
)
_WRITEUP_MARKERS = re.compile(
    r"严重违纪违法|违纪违法|开除党籍|开除公职|受贿|贪污|判处|立案审查调查|审查调查|留置|忏悔|被查|落马"
)
_SPEECH = re.compile(r"讲话|发言|致辞|^同志们")  # or a level-one heading (LEVEL_ONE_START)


def is_case_notice(
    title: str, passages: Sequence[Passage], taxonomy: Taxonomy | None = None
) -> bool:
    """True for documents whose cases become records: a notice or compilation of typical cases
    (title says 典型问题/典型案例/案例/通报 and paragraphs read like cases), or a 警示教育 write-up
    about one case (a story of an official's 违纪违法 whatever its title, not a speech)."""
    taxonomy = taxonomy or default_taxonomy()
    plain = fold(title)
    texts = [p.text for p in passages]
    if not texts or re.search(r"讲话|发言|致辞|讲稿", plain):
        return False
    if any(re.search(r"^同志们|上的讲话|上的发言", t) for t in texts[:4]):
        return False
    strong = bool(_STRONG_TITLE.search(plain))
    if _OTHER_TITLE.search(plain) and not strong:
        return False
    if _CASE_TITLE.search(plain):
        if _segment(passages, taxonomy, notice=True):
            return True
        return strong and any(taxonomy.find_sanctions(t) for t in texts)
    # A write-up: it tells of an investigation (留置, 审查调查, 判处 ...), and is not a speech.
    if any(_SPEECH.search(t) or LEVEL_ONE_START.match(t) for t in texts[:4]) or any(
        _NUMBERED.match(t) for t in texts
    ):
        return False
    markers = len(_WRITEUP_MARKERS.findall(fold("\n".join(texts))))
    return markers >= 3 or (markers >= 2 and any(taxonomy.find_sanctions(t) for t in texts))


@functools.cache
def default_taxonomy() -> Taxonomy:
    """The project's own taxonomy file (corpus/dict), for callers without an index folder."""
    return load_taxonomy(DEFAULT_TAXONOMY)


# --------------------------------------------------------------------------------------------
# People, positions, units, levels
# --------------------------------------------------------------------------------------------

# The word lists (surnames.txt, case_people.txt) are data an admin extends; what is built
# from them lives in PeopleWords. The patterns below are rules of the notices' wording.
_QUALIFIER = r"(?:分管|主要|专职)?(?:[一二三四]级|正|副|常务副|常务|执行|总|首席|原)?"
_MASKED = re.compile(r"[\u4e00-\u9fff]某某?")
_NOT_NAME_START = set(
    '、，。；：（(“”‘’"在对以为于等和及与的受被违接收利借担兼任同时期间会组部局委办'
)
_NAME_STOP = set(
    "还先在被受等的于对以为与和及将也曾又多担任因是已违收接从通把向要让给组个本均不仍所退涉作系虚私年月"
    "挪冒擅借采自经搞未履推拒并负分具授指索带代参出入求"
)
_CJK = re.compile(r"[\u4e00-\u9fff]")

_SECTION_ROLES = "职务"
_SECTION_NOT_NAMES = "不是人名的词"
_SECTION_INSTITUTIONS = "单位类型"
_SECTION_PROVINCES = "省级行政区"
_SECTION_RANKS = "职级"
_PEOPLE_SECTIONS = (
    _SECTION_ROLES,
    _SECTION_NOT_NAMES,
    _SECTION_INSTITUTIONS,
    _SECTION_PROVINCES,
    _SECTION_RANKS,
)


@dataclass(frozen=True)
class PeopleWords:
    """The word lists that find people, posts, units and levels in a case (``surnames.txt``,
    ``case_people.txt``; formats in their headers), with the patterns built from them."""

    surnames: frozenset[str]  # one-character surnames
    compound_surnames: tuple[str, ...]  # 欧阳, 司马 ...
    roles: tuple[str, ...]  # posts (书记, 局长 ...), longest first
    not_names: frozenset[str]  # ordinary words read after a post (干部安排), never names
    institutions: tuple[str, ...]  # schools, hospitals, firms ...
    provinces: tuple[str, ...]  # 北京, 内蒙古 ...
    ranks: tuple[tuple[str, tuple[str, ...]], ...]  # (level, rank words), in LEVELS order

    @functools.cached_property
    def role(self) -> str:
        return "|".join(self.roles)

    @functools.cached_property
    def role_re(self) -> re.Pattern[str]:
        return re.compile(self.role)

    @functools.cached_property
    def role_chain_end(self) -> re.Pattern[str]:
        return re.compile(rf"(?:{_QUALIFIER}(?:{self.role}))+$")

    @functools.cached_property
    def position_mark(self) -> re.Pattern[str]:
        return re.compile(
            rf"原(?=(?:[区县市省州旗]委)?[^、，局厅委部办司处科院]{{0,4}}?(?:{self.role}|党))"
            rf"|党(?:委|组|工委|总支|支部)(?=[^、，]{{0,4}}?(?:{self.role}))"
        )

    @functools.cached_property
    def post_separator(self) -> re.Pattern[str]:
        return re.compile(r"[、，,]|兼(?=[^、，]{0,8}?(?:" + self.role + "))")

    @functools.cached_property
    def province(self) -> re.Pattern[str]:
        return re.compile(
            r"省|自治区|特别行政区|兵团|^(?:北京|天津|上海|重庆)市"
            rf"|(?:{alternation(self.provinces)})(?![省市\u4e00-\u9fff]?村)"
        )

    @functools.cached_property
    def institution(self) -> re.Pattern[str]:
        return re.compile(alternation(self.institutions))

    @functools.cached_property
    def rank_patterns(self) -> tuple[tuple[str, re.Pattern[str]], ...]:
        return tuple((level, re.compile(alternation(words))) for level, words in self.ranks)

    def is_surname_start(self, name: str) -> bool:
        return name[:1] in self.surnames or name.startswith(self.compound_surnames)


def parse_people_words(surnames_text: str, people_text: str) -> PeopleWords:
    """Read ``surnames.txt`` and ``case_people.txt`` (formats in their headers)."""
    surnames = [
        w for line in word_sections(surnames_text, (), SURNAMES_FILE)[""] for w in split_words(line)
    ]
    sections = word_sections(people_text, _PEOPLE_SECTIONS, CASE_PEOPLE_FILE)
    if sections[""]:
        raise ValueError(f"{CASE_PEOPLE_FILE}：词必须写在段名之下（{sections[''][0]}）")

    def words(name: str) -> list[str]:
        return [w for line in sections[name] for w in split_words(line)]

    ranks: dict[str, list[str]] = {}
    for line in sections[_SECTION_RANKS]:
        parts = re.match(r"^([^:：]+)[:：](.*)$", line)
        level = parts.group(1).strip() if parts else ""
        if not parts or level not in LEVELS[:-1]:
            raise ValueError(
                f"{CASE_PEOPLE_FILE} [{_SECTION_RANKS}] 段每行以 {'、'.join(LEVELS[:-1])} "
                f"之一加冒号开头：{line}"
            )
        ranks.setdefault(level, []).extend(split_words(parts.group(2)))
    for name in (_SECTION_ROLES, _SECTION_PROVINCES, _SECTION_INSTITUTIONS):
        if not words(name):
            raise ValueError(f"{CASE_PEOPLE_FILE}：[{name}] 段不能为空")
    roles = list(dict.fromkeys(words(_SECTION_ROLES)))
    return PeopleWords(
        surnames=frozenset(w for w in surnames if len(w) == 1),
        compound_surnames=tuple(dict.fromkeys(w for w in surnames if len(w) > 1)),
        roles=tuple(sorted(roles, key=len, reverse=True)),
        not_names=frozenset(words(_SECTION_NOT_NAMES)),
        institutions=tuple(words(_SECTION_INSTITUTIONS)),
        provinces=tuple(words(_SECTION_PROVINCES)),
        ranks=tuple((level, tuple(ranks[level])) for level in LEVELS if ranks.get(level)),
    )


def load_people_words(folder: str | Path = DEFAULT_DICT) -> PeopleWords:
    """The case word lists of a dictionary folder (UTF-8); a list missing there is the
    project's own."""
    folder = Path(folder)
    texts = []
    for name in (SURNAMES_FILE, CASE_PEOPLE_FILE):
        path = folder / name
        if not path.is_file():
            path = DEFAULT_DICT / name
        texts.append(path.read_text(encoding="utf-8-sig"))
    return parse_people_words(*texts)


@functools.cache
def default_people_words() -> PeopleWords:
    """The project's own case word lists (corpus/dict), for callers without a folder of theirs."""
    return load_people_words(DEFAULT_DICT)


def _name_at(text: str, start: int, rest: str, words: PeopleWords, strict: bool = False) -> str:
    """The person's name starting at ``text[start]`` (just after a role word), validated by its
    recurring in ``rest`` (the case's other text); a masked name (王某某, 陈某) as written.

    ``strict`` also asks for a common surname (for names read off a case's body, where a role
    word is often followed by an ordinary word: 社区干部每天……).
    """
    if start >= len(text) or not _CJK.match(text[start]):
        return ""
    if text[start] in _NOT_NAME_START and not (
        text[start] in words.surnames
        and re.search(
            re.escape(text[start : start + 2])
            + r"[\u4e00-\u9fff]?(?:受到|被|还|先后|多次|利用|在)",
            rest,
        )
        and not _ORG_OR_ROLE.search(text[start : start + 2])
    ):
        return ""
    masked = _MASKED.match(text, start)
    if masked:
        return masked.group(0)
    candidate = text[start : start + 2]
    if len(candidate) < 2 or not all(_CJK.match(c) for c in candidate):
        return ""
    count = rest.count(candidate)
    if count == 0 or ((strict or count < 2) and not words.is_surname_start(candidate)):
        return ""
    if candidate in words.not_names:
        return ""
    name = candidate
    for length in (3, 4):
        longer = text[start : start + length]
        if len(longer) < length or not _CJK.match(longer[-1]):
            break
        if count == 1 and longer[-1] in _NAME_STOP:
            break
        if length == 4 and not longer.startswith(words.compound_surnames):
            break
        if rest.count(longer) != count:
            break
        name = longer
    return name


def _find_named(
    text: str, rest: str, words: PeopleWords, strict: bool = False
) -> tuple[str, int, int]:
    """(name, start, end) of the first role+name in ``text``; names joined by 、 are kept together."""
    for m in words.role_re.finditer(text):
        name = _name_at(text, m.end(), rest, words, strict)
        if not name:
            continue
        end = m.end() + len(name)
        names = [name]
        while end < len(text) - 1 and text[end] == "、":
            more = _name_at(text, end + 1, rest, words, strict=True)
            if not more or _ORG_OR_ROLE.search(more) or more in names:
                break
            after = text[end + 1 + len(more) : end + 2 + len(more)]
            if (
                not _MASKED.fullmatch(more)
                and after
                and not re.match(r"[、，。；等在（(违收接利借以组搞对不未擅长多先]", after)
            ):
                break
            names.append(more)
            end += 1 + len(more)
        return "、".join(names), m.end(), end
    return "", -1, -1


def split_unit_position(text: str, words: PeopleWords | None = None) -> tuple[str, str]:
    """ "北塘镇党委原副书记、镇长" -> ("北塘镇", "党委原副书记、镇长"): the unit, and the posts held.

    The post starts at 原/党委/党组 followed by a role, or at the role words ending the first
    post; a leading 时任 is dropped, a leading 原 (原江苏省淮海剧团……) moves to the post.
    """
    words = words or default_people_words()
    text = re.sub(r"^(?:时任|曾任|现任)", "", text.strip(" ，,、：:"))
    lead = ""
    if text.startswith("原") and not words.role_re.match(text, 1):
        lead, text = "原", text[1:]
    sep = words.post_separator.search(text)
    first, tail = (text[: sep.start()], text[sep.start() :]) if sep else (text, "")
    mark = words.position_mark.search(first)
    cut = mark.start() if mark and mark.start() > 0 else None
    if cut is None:
        chain = words.role_chain_end.search(first)
        cut = chain.start() if chain else len(first)
    unit, position = first[:cut], first[cut:]
    if not position:
        tail = tail.lstrip("、，,")
    position = (lead + position + tail).strip("、，, ")
    return unit.strip(), position


# A place's tier and a unit's kind (the province names and institution words: PeopleWords).
_PREFECTURE = re.compile(r"(?<![城超都])市(?![场政民])|自治州|州(?=[委政人党])|盟|地区")
_COUNTY = re.compile(
    r"(?<!自治)(?<!开发)(?<!保护)(?<![景园社片城辖小校矿地风])区(?![域])|县(?!级)|旗"
)
_TOWNSHIP = re.compile(r"(?<![城村])镇(?!村)|(?<!城)乡(?![村镇])|街道|苏木")
_VILLAGE = re.compile(r"(?<![农乡])村(?![镇级])|社区|居委会|居民委员会")
_CENTRAL = re.compile(
    r"^(?:中共中央|中央|国务院|全国|最高人民|国家(?!级)|中国人民银行|中国(?:银行业|证券|保险)监督|"
    r"中华全国|[\u4e00-\u9fff]{2,8}?部(?![门分]))"
)
_CENTRAL_SUB = re.compile(r"司|局|处|中心|室|所|站|分|办公厅|研究院|规划院|调查|部.")
_SOE_HEAD = re.compile(r"^(?:中国|中储粮|中粮|国家电网|国家管网|国家能源)")
_COMPANY = re.compile(
    r"集团有限责任公司|集团有限公司|集团公司|股份有限公司|有限责任公司|有限公司|集团|公司"
)
_SUB_UNIT = re.compile(r"[处科股室组](?:$|[^长])|[所站队](?:$)|支队|大队|总队")
_MAIN_ORGAN = re.compile(
    r"^(?:党委|党工委|委|人民政府|政府|人大常委会|人大|政协|委员会|办事处|工委|管委会)?$"
)
_LEADER = re.compile(
    r"书记|常委|省长|市长|县长|区长|州长|镇长|乡长|旗长|主席|(?<!秘书)主任(?!科员)|局长|厅长|部长|"
    r"行长|院长|检察长|司长|署长|董事长|总经理|总裁|理事长|校长|所长|站长|队长|负责人|司令员|师长|团长"
)
_TOP_ROLE = re.compile(rf"{_LEADER.pattern}|党组成员|党委委员|委员|秘书长")
_OWN_ORGAN = re.compile(r"局|司|厅|委员会|委|中心|办|处|科|部|院|公司|集团|政府|人大|政协|工会")


def _deepest_place(unit: str, words: PeopleWords) -> tuple[int, int]:
    """(tier, end) of the lowest administrative level named in ``unit``; tier -1 when none.

    Tiers: 0 central, 1 province, 2 prefecture, 3 county, 4 township, 5 village. A 市 named
    after a city (河北省廊坊市三河市) is a county-level city.
    """
    tier, end = -1, 0
    central = _CENTRAL.match(unit)
    if central and not words.province.search(unit):
        tier, end = 0, central.end()
    city_end = -1
    tiers = (words.province, _PREFECTURE, _COUNTY, _TOWNSHIP, _VILLAGE)
    for level, pattern in enumerate(tiers, 1):
        for m in pattern.finditer(unit):
            found = level
            if level == 2:
                if re.match(r"^(?:北京|天津|上海|重庆)市$", unit[: m.end()]):
                    continue  # a municipality's 市 is its province
                if city_end >= 0 and m.start() >= city_end:
                    found = 3
                city_end = m.end()
            if found > tier or (found == tier and m.end() > end):
                tier, end = found, m.end()
    return tier, end


def _leads_unit(position: str, words: PeopleWords) -> bool:
    """Whether a post leads the unit itself (原常委, 副主席), not an organ it names (执行局原局长)."""
    organ = False  # a post naming an organ; the posts after it belong to that organ too
    for post in re.split(r"[、，,]|兼", position):
        plain = re.sub(r"^(?:原|时任)?(?:党委|党组|党工委|党总支|党支部)?", "", post)
        role = _LEADER.search(plain)
        named = words.role_chain_end.sub("", plain[: role.start()] if role else plain)
        organ = organ or bool(_OWN_ORGAN.search(named))
        if role and not organ:
            return True
    return False


def infer_level(position: str, unit: str, words: PeopleWords | None = None) -> str:
    """The cadre level (中管干部/省管干部/县处级/乡科级/其他) read off a post and its unit.

    Rank words decide first (巡视员 -> 省管干部, 调研员/处长 -> 县处级, 科长/股长/科员 -> 乡科级).
    Otherwise the lowest administrative level named in the unit and whether the post leads it:
    leaders of a province's Party committee, government, 人大 or 政协, ministers and heads of
    central SOEs -> 中管干部; heads of provincial departments and SOEs, city leaders, central 司局
    and whoever sits in a provincial leadership without leading it (省政府秘书长) -> 省管干部;
    county leaders, heads of city departments and of county bureaus (局长 of a 县/区) -> 县处级;
    township (乡镇/街道) cadres and heads of sections -> 乡科级; villages, schools, hospitals,
    firms and staff -> 其他. A case against a unit (no person) takes the level of its leader.
    """
    words = words or default_people_words()
    for level, pattern in words.rank_patterns:
        if pattern.search(position) or pattern.search(unit[-8:]):
            return level
    leads = not position or _leads_unit(position, words)
    seated = leads or bool(_TOP_ROLE.search(position))
    plain_unit = re.sub(r"[（(]集团[）)]", "集团", unit)
    company = _COMPANY.search(plain_unit)
    if (
        _SOE_HEAD.match(plain_unit)
        and len(_COMPANY.findall(plain_unit)) == 1
        and company is not None
        and company.end() == len(plain_unit)
        and not words.province.search(plain_unit)
    ):
        return "中管干部" if leads else "其他"
    tier, end = _deepest_place(unit, words)
    rest = unit[end:]
    if tier in (-1, 5) or (not position and not rest and tier <= 1):
        return "其他"  # a village, or a whole province named as a place (山东省一些地方)
    if words.institution.search(rest):
        if tier in (1, 2) and leads and not re.search(r"分公司|分行|支行", rest):
            return "省管干部" if tier == 1 else "县处级"
        return "其他"
    if tier == 4:
        return "乡科级"
    if not seated:
        return "其他"
    main = bool(_MAIN_ORGAN.match(rest)) or (tier == 0 and not _CENTRAL_SUB.search(rest))
    sub = bool(_SUB_UNIT.search(rest)) and not main
    if tier in (0, 1):
        if main and leads:
            return "中管干部"
        return "县处级" if sub else "省管干部"
    if tier == 2:
        if main and leads:
            return "省管干部"
        return "乡科级" if sub else "县处级"
    return "乡科级" if sub else "县处级"


# --------------------------------------------------------------------------------------------
# Years, sanctions
# --------------------------------------------------------------------------------------------

_YEAR_RANGE = re.compile(
    r"((?:19|20)\d\d)\s*年[^，。；、]{0,12}?(?:至|到|—|–|－|-|～|~)\s*(?:((?:19|20)\d\d)\s*年|今)"
)
_YEAR = re.compile(r"((?:19|20)\d\d)\s*年")
_NOT_CONDUCT = re.compile(
    r"立案|审查调查|留置|宣判|开庭|一审|判处|出生|\d月生|参加工作|入党|加入中国共产党|退休|"
    r"巡察期间|巡察组|审计中|审计时|核查时|检查时|发现|举报|处分|开除|移送|问责|收缴|退缴|清退"
)


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[。！？；;\n])", text) if s.strip()]


def conduct_years(text: str, taxonomy: Taxonomy | None = None) -> list[int]:
    """Years the conduct happened: ranges (2013年至2021年) expanded, years in sentences about
    discovery, investigation, sanctions or a career profile left out. With ``taxonomy`` only
    sentences naming a problem count (a long write-up dates many other events)."""
    years: set[int] = set()
    for sentence in _sentences(fold(text)):
        if _NOT_CONDUCT.search(sentence):
            continue
        if taxonomy is not None and not taxonomy.find_problems(sentence):
            continue
        for m in _YEAR_RANGE.finditer(sentence):
            first = int(m.group(1))
            last = int(m.group(2)) if m.group(2) else first
            if first <= last <= first + 30:
                years.update(range(first, last + 1))
        for m in _YEAR.finditer(sentence):
            years.add(int(m.group(1)))
    return sorted(y for y in years if 1949 <= y <= 2100)


def _clauses(text: str) -> list[str]:
    breaks = (
        r"[。；;\n]|，(?=给予|对[^，。]{0,20}(?:给予|进行)|[\u4e00-\u9fff]{2,4}(?:受到|被给予))"
    )
    return [c for c in re.split(breaks, text) if c.strip()]


def person_sanctions(
    text: str, person: str, taxonomy: Taxonomy, fallback: bool = True
) -> list[str]:
    """Sanctions of ``person`` (clauses naming them); with ``fallback``, all sanctions in the
    text when the case names no person or no clause about them names a sanction."""
    names = [n for n in person.split("、") if n] if person else []
    if names:
        mine = [c for c in _clauses(text) if any(n in c for n in names)]
        found = taxonomy.find_sanctions("。".join(mine))
        if found or not fallback:
            return found
    return taxonomy.find_sanctions(text)


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
_SUBJECT_END = re.compile(
    r"在|违规|违反|搞|借|以|对|不担当|不作为|要求|重复|制定|推进|任性|盲目|应付|虚报|公款|公车|收受|"
    r"接受|组织(?!部)|擅自|有关|等|工单|督查|挪用|侵占|截留|未|不"
)
_UNIT_END = re.compile(
    r"^(.*(?:委员会|办公室|政府|党委|党组|党工委|工委|人大常委会|政协|街道|集团|公司|银行|分行|支行|"
    r"中心|学校|小学|中学|大学|学院|幼儿园|医院|卫生院|总队|支队|大队|剧团|协会|"
    r"[局委厅部院处科股站所司署办镇乡村区县市州盟旗省团会队馆社]))"
)


def _headline_unit(subject: str) -> str:
    m = _SUBJECT_END.search(subject, 2)
    head = subject[: m.start()] if m else subject
    unit = _UNIT_END.match(head)
    return unit.group(1) if unit else ""


def _merge_unit(headline_unit: str, mentioned: str, words: PeopleWords) -> str:
    """A unit as a case body names it (街道党政办公室, 该乡) completed from the headline's unit."""
    mentioned = re.sub(r"^(?:该|所在|本|其)", "", mentioned)
    if not headline_unit:
        return mentioned
    if not mentioned or headline_unit in mentioned:
        return mentioned or headline_unit
    for k in range(len(mentioned), 0, -1):
        at = headline_unit.rfind(mentioned[:k])
        if at >= 0:
            return headline_unit[:at] + mentioned
    if _deepest_place(mentioned, words)[0] >= 0:
        return mentioned
    return headline_unit + mentioned


_PAREN = re.compile(r"[（(][^（）()]{0,24}[）)]")
_LEAD_VERB = re.compile(r"^(?:邀请|组织|安排|要求|联系|伙同|和|与|及|同|经|由|时任)+")


def _mention(text: str, rest: str, taxonomy: Taxonomy, words: PeopleWords) -> tuple[str, str, str]:
    """(name, unit, position) of the person a case body is about: the first person named with a
    role who also appears in a clause naming a sanction (the one held responsible), else the
    first person named with a role."""
    punished = "".join(c for c in _clauses(text) if taxonomy.find_sanctions(c))
    found = []
    at = 0
    while True:
        name, start, end = _find_named(text[at:], rest, words, strict=True)
        if not name:
            break
        found.append((name, at + start, at))
        at += end
    for name, start, previous in sorted(found, key=lambda f: f[0].split("、")[0] not in punished):
        before = _PAREN.sub("", text[previous:start])
        cut = max(before.rfind(c) for c in "，。；：:（(）)“的了\n")
        unit, position = split_unit_position(_LEAD_VERB.sub("", before[cut + 1 :]), words)
        return name, unit, position
    return "", "", ""


def _profile(text: str, name: str, words: PeopleWords) -> tuple[str, str]:
    """(unit, position) of ``name`` as a write-up introduces them: a profile line
    ("袁守旺，江西省吉水县委原书记，……", "胡秀军，男，……曾任……；巴南区经信委副主任。"), a subtitle
    ("云南省广南县委原常委、常务副县长高燕文严重违纪违法案剖析"), an interview label
    ("张敬华（江苏省委原副书记）："), else the first mention after a post."""
    for line in text.split("\n"):
        if not line.startswith(name + "，"):
            continue
        first = re.split(r"[，。,]", line[len(name) + 1 :], maxsplit=1)[0]
        if words.role_chain_end.search(first) and not re.match(r"^(?:男|女)", first):
            return split_unit_position(first, words)
        served = re.search(r"曾任([^。]+)", line)
        if served:
            posts = [_PAREN.sub("", p).strip() for p in re.split(r"[；;，,]", served.group(1))]
            posts = [p for p in posts if words.role_chain_end.search(p)]
            if posts:
                return split_unit_position(posts[-1], words)
    for line in text.split("\n")[:4]:
        at = line.find(name)
        before = line[:at]
        cut = max(before.rfind(c) for c in "，。；：:（(）)“的")
        if at > 0 and words.role_chain_end.search(before):
            return split_unit_position(re.sub(r"^[—\-\s]+", "", before[cut + 1 :]), words)
    m = re.search(rf"(?:^|\n){re.escape(name)}[（(]([^）)]{{2,40}})[）)][：:]", text)
    if m and words.role_chain_end.search(m.group(1)):
        return split_unit_position(m.group(1), words)
    for m in re.finditer(re.escape(name), text):
        before = _PAREN.sub("", text[max(0, m.start() - 40) : m.start()])
        if words.role_chain_end.search(before):
            cut = max(before.rfind(c) for c in "，。；：:（(）)“的\n")
            return split_unit_position(_LEAD_VERB.sub("", before[cut + 1 :]), words)
    return "", ""


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


def _writeup_person(summary: str, text: str, words: PeopleWords) -> str:
    """The person a write-up is about: named in its title ("李铁：……", "李文喜、薛恒、王大伟案："),
    in a subtitle ("……王进江严重违纪违法案剖析"), a profile line, or an interview label."""
    m = re.match(r"^(?:“[^”]*”)?([\u4e00-\u9fff、]{2,20}?)案?[：:]", summary)
    if m:
        names = m.group(1).split("、")
        if all(2 <= len(n) <= 4 and text.count(n) >= 2 for n in names):
            return "、".join(names)
    for line in text.split("\n")[:4]:
        if len(line) > 60:
            continue
        m = re.search(r"[\u4e00-\u9fff]{2,4}(?:严重违纪违法|违纪违法|受贿|贪污)[^\n]{0,6}案", line)
        if m:
            name, _, _ = _find_named(line, text, words)
            if name:
                return name
    counted = []
    for m in re.finditer(r"(?:^|\n)([\u4e00-\u9fff]{2,4})(?:，|[（(][^）)]{2,40}[）)][：:])", text):
        name = m.group(1)
        if words.is_surname_start(name) and not _ORG_OR_ROLE.search(name):
            counted.append((text.count(name), name))
    if counted:
        count, name = max(counted)
        if count >= 3:
            return name
    return ""


def _describe(
    summary: str, text: str, writeup: bool, taxonomy: Taxonomy, words: PeopleWords
) -> tuple[str, str, str]:
    """(person, position, unit) of a case: from its headline (……科长赵文博……问题), else the
    person held responsible in its body, the unit completed from the headline; for a write-up,
    the person it is about."""
    rest = text[len(summary) :] if text.startswith(summary) else text
    if writeup:
        person = _writeup_person(summary, text, words)
        if not person:
            return "", "", ""
        unit, position = _profile(text, person.split("、")[0], words)
        return person, position, unit
    name, start, _ = _find_named(summary, rest, words)
    if name:
        prefix = summary[:start]
        if not _is_headline(summary):
            prefix = re.sub(r"^.*[，。；：:]", "", prefix)
        unit, position = split_unit_position(re.sub(r"^.*[：:]", "", prefix), words)
        return name, position, unit
    unit = _headline_unit(summary)
    name, mentioned_unit, position = _mention(rest, rest, taxonomy, words)
    if name:
        return name, position, _merge_unit(unit, mentioned_unit, words)
    return "", "", unit


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
