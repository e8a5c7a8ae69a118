"""When the conduct of a case happened, and the sanctions of the person it is about."""

from __future__ import annotations

import re

from kb.cases.taxonomy import Taxonomy
from kb.dates import MONTH, years_in
from kb.folding import fold

# --------------------------------------------------------------------------------------------
# Years, sanctions
# --------------------------------------------------------------------------------------------

_NOT_CONDUCT = re.compile(
    rf"立案|审查调查|留置|宣判|开庭|一审|判处|出生|{MONTH}生|参加工作|入党|加入中国共产党|退休|"
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
        years.update(years_in(sentence))
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
