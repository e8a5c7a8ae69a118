"""Which documents are case notices, and where each of their cases starts and ends.

Segmentation follows the habits of these notices: an intro paragraph (现将……通报如下), cases that
start at a numbered or bulleted paragraph or at a headline sentence ending in 问题/案, and a closing
part (以上/上述……问题, 中央纪委国家监委指出, 一是/二是 requirements). A notice may hold several
such runs (a forwarded CCDI notice followed by a local one). A notice without any case start, and
a 警示教育 write-up that tells one long story, is one case.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from kb.cases.taxonomy import Taxonomy, default_taxonomy
from kb.folding import fold
from kb.model import Passage
from kb.numbering import (
    CASE_NUMBER,
    LEVEL_ONE_START,
    POINT_START,
)
from kb.structure import NOTICE_CLOSING

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
