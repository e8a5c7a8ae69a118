"""Who a case is about: the person, their posts and unit, and the cadre level.

The word lists (``corpus/dict/surnames.txt``, ``corpus/dict/case_people.txt``; formats in their
headers) are data an admin extends, read into ``PeopleWords``; the patterns here are rules of the
notices' wording.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from kb.cases.conduct import _clauses
from kb.cases.detection import _ORG_OR_ROLE, _is_headline
from kb.cases.taxonomy import LEVELS, Taxonomy
from kb.keywords import alternation, split_words, word_sections
from kb.resources import DEFAULT_DICT

SURNAMES_FILE = "surnames.txt"
CASE_PEOPLE_FILE = "case_people.txt"

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


def place_tier(unit: str, words: PeopleWords | None = None) -> int:
    """How far down the administration ``unit`` stands: 0 central, 1 province, 2 prefecture,
    3 county, 4 township, 5 village; -1 when it names no place. Says which of two issuers is
    higher up (kb.primary credits the higher one)."""
    return _deepest_place(unit, words or default_people_words())[0]


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
