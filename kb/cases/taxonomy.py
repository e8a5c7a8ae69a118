"""The case taxonomy: problem categories, sanctions, their group names and the words for
cadre levels, read from ``corpus/dict/case_taxonomy.txt`` (format in its header).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from kb.folding import fold
from kb.keywords import claim, keyword_pattern
from kb.resources import DEFAULT_DICT

DEFAULT_TAXONOMY = DEFAULT_DICT / "case_taxonomy.txt"

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


@functools.cache
def default_taxonomy() -> Taxonomy:
    """The project's own taxonomy file (corpus/dict), for callers without an index folder."""
    return load_taxonomy(DEFAULT_TAXONOMY)
