"""What a passage is filed under, in one notation shared by the index table, the planner and
the ranking: "p:违规吃喝" (a typical case's problem category), "s:撤职" (sanction), "l:县处级"
(cadre level), "y:2023" (a year the case happened, or its document's year)."""

from __future__ import annotations

from kb.dates import year_of

# Facet kind -> the index field a case passage carries it in, and how a user reads it.
FIELDS = {"p": "problem", "s": "sanction", "l": "level", "y": "case_year"}
NAMES = {"p": "问题类别", "s": "处理", "l": "干部层级", "y": "年份"}


def facets_of(fields: dict) -> str:
    """A passage's facets as one string joined by "|", from its stored fields (Whoosh) or
    source (OpenSearch): its case's filters and the year of its document."""
    found: set[str] = set()
    for kind, name in FIELDS.items():
        value = fields.get(name) or ""
        values = value.split(",") if isinstance(value, str) else [str(v) for v in value]
        found.update(f"{kind}:{v}" for v in values if v)
    year = year_of(str(fields.get("date") or ""))
    if year is not None:
        found.add(f"y:{year}")
    return "|".join(sorted(found))


def facet_set(facets: str) -> frozenset[str]:
    """The string ``facets_of`` makes, as a set."""
    return frozenset(facets.split("|")) if facets else frozenset()


def facet_term(facet: str) -> tuple[str, str]:
    """(field, value) of a facet, as the index holds it."""
    kind, _, value = facet.partition(":")
    return FIELDS[kind], value


def facet_label(facet: str) -> str:
    """A facet as a user reads it: "l:县处级" -> "县处级（干部层级）"."""
    kind, _, value = facet.partition(":")
    return f"{value}（{NAMES.get(kind, kind)}）"
