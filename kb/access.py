"""Who may see what: a document's visibility, a viewer's rights, and the filter between them.

Every document is 公开 (anyone allowed to search), 内部 (any logged-in user) or 限定 (the
departments and people it lists; the admin always). Its visibility is stored on each of its
passages as ``access`` tokens (``ACCESS_FIELD``): ``公开``, ``内部``, or for 限定 one
``部门:<name>`` per department and ``人员:<name>`` per person (plus ``限定`` itself, so a
限定 document listing nobody is still marked). A ``Viewer`` turns into one plan node that
every engine compiles into its query (``Viewer.filter``), so totals, facets, cases and
document pages only ever count the passages the viewer may see.

Where a document's visibility comes from (``indexer.sidecar``): its side file (fields
``visibility``, ``departments``, ``people``) beats the nearest folder rule file
``RULE_FILE`` above it; with neither, 公开.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kb.plan import AnyOf, Node, Term

ACCESS_FIELD = "access"
PUBLIC = "公开"
INTERNAL = "内部"
RESTRICTED = "限定"
LEVELS = (PUBLIC, INTERNAL, RESTRICTED)
DEPARTMENT_PREFIX = "部门:"
PERSON_PREFIX = "人员:"
RULE_FILE = ".kb-access.toml"  # a folder's rule: hidden, so never indexed as a document
MAX_NAMES = 200
MAX_NAME = 50

# Roles of accounts (web.accounts); the anonymous visitor has none.
READER = "读者"
DEPARTMENT_ADMIN = "部门管理员"
ADMIN = "管理员"
ROLES = (READER, DEPARTMENT_ADMIN, ADMIN)

_SPLIT = re.compile(r"[、,，;；\s]+")


def split_names(value: object) -> tuple[str, ...]:
    """Names of departments or people, from a list or a string separated by 、，; or spaces;
    each once, in the order given."""
    items: Iterable[object] = value if isinstance(value, (list, tuple)) else [value]
    names: list[str] = []
    for item in items:
        for name in _SPLIT.split(str(item or "")):
            if name and name not in names:
                names.append(name)
    return tuple(names)


@dataclass(frozen=True)
class Visibility:
    """Who may see one document."""

    level: str = PUBLIC
    departments: tuple[str, ...] = ()
    people: tuple[str, ...] = ()

    def tokens(self) -> list[str]:
        """The ``access`` tokens stored on each passage."""
        if self.level != RESTRICTED:
            return [self.level]
        return (
            [RESTRICTED]
            + [DEPARTMENT_PREFIX + d for d in self.departments]
            + [PERSON_PREFIX + p for p in self.people]
        )

    def stored(self) -> str:
        """The tokens as the index stores them (comma-separated)."""
        return ",".join(self.tokens())

    def describe(self) -> str:
        """The visibility as an admin reads it."""
        if self.level != RESTRICTED:
            return self.level
        named = [f"部门：{'、'.join(self.departments)}"] if self.departments else []
        named += [f"人员：{'、'.join(self.people)}"] if self.people else []
        return f"{RESTRICTED}（{'；'.join(named) or '仅管理员'}）"


def from_stored(stored: str | None) -> Visibility:
    """The visibility of a passage from its stored tokens (none: 公开, as before kb had it)."""
    tokens = [t for t in (stored or "").split(",") if t]
    if not tokens or tokens == [PUBLIC]:
        return Visibility()
    if tokens == [INTERNAL]:
        return Visibility(INTERNAL)
    departments = tuple(
        t[len(DEPARTMENT_PREFIX) :] for t in tokens if t.startswith(DEPARTMENT_PREFIX)
    )
    people = tuple(t[len(PERSON_PREFIX) :] for t in tokens if t.startswith(PERSON_PREFIX))
    return Visibility(RESTRICTED, departments, people)


def check_visibility(
    level: object, departments: object, people: object
) -> tuple[Visibility | None, str]:
    """``(visibility, "")`` from the values of a side file, a rule file or a form, or
    ``(None, the reason in Chinese)``. Lists given with 公开 or 内部 are refused: they would
    suggest a restriction that does not hold."""
    level = str(level or "").strip() or PUBLIC
    if level not in LEVELS:
        return None, f"可见范围“{level}”应为 {'、'.join(LEVELS)} 之一"
    named_departments, named_people = split_names(departments), split_names(people)
    if level != RESTRICTED and (named_departments or named_people):
        return None, f"只有“{RESTRICTED}”的文件才列出部门和人员（现为“{level}”）"
    for name in named_departments + named_people:
        if len(name) > MAX_NAME:
            return None, f"名称“{name[:20]}…”太长，最多 {MAX_NAME} 个字"
    if len(named_departments) + len(named_people) > MAX_NAMES:
        return None, f"列出的部门和人员太多，最多 {MAX_NAMES} 个"
    return Visibility(level, named_departments, named_people), ""


def rule_files(path: Path, roots: Iterable[Path] = ()) -> list[Path]:
    """The folder rule files that may govern ``path``, nearest first: one per folder from the
    file's own up to the corpus folder (of ``roots``) that holds it, present or not."""
    folder = path.parent
    top = None
    resolved = folder.resolve()
    for root in roots:
        root = Path(root).resolve()
        if resolved == root or root in resolved.parents:
            top = root
            break
    found = [folder / RULE_FILE]
    if top is None:
        return found
    while resolved != top and resolved.parent != resolved:
        resolved = resolved.parent
        found.append(resolved / RULE_FILE)
    return found


def read_rule(data: bytes, name: str) -> tuple[Visibility | None, str]:
    """A rule file's visibility (``visibility``, ``departments``, ``people`` in TOML), or
    ``(None, the reason in Chinese)``."""
    try:
        raw = tomllib.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return None, f"{name} 无法读取（{error}），请保存为 UTF-8 的 TOML"
    found, problem = check_visibility(
        raw.get("visibility"), raw.get("departments"), raw.get("people")
    )
    return found, f"{name}：{problem}" if problem else ""


@dataclass(frozen=True)
class Viewer:
    """Who is searching: ``role`` "" for an anonymous visitor, else one of ``ROLES``."""

    name: str = ""
    department: str = ""
    role: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def logged_in(self) -> bool:
        return bool(self.role)

    def tokens(self) -> list[str]:
        """The ``access`` tokens whose passages this viewer may see (the admin: all)."""
        if not self.logged_in:
            return [PUBLIC]
        tokens = [PUBLIC, INTERNAL]
        if self.department:
            tokens.append(DEPARTMENT_PREFIX + self.department)
        if self.name:
            tokens.append(PERSON_PREFIX + self.name)
        return tokens

    def filter(self) -> Node | None:
        """The plan node of the passages this viewer may see; None: everything (the admin)."""
        if self.is_admin:
            return None
        tokens = self.tokens()
        terms = tuple(Term(ACCESS_FIELD, token) for token in tokens)
        return terms[0] if len(terms) == 1 else AnyOf(terms)

    def may_see(self, visibility: Visibility) -> bool:
        """The same rule as ``filter``, on one document (for checks outside a search)."""
        return self.is_admin or bool(set(visibility.tokens()) & set(self.tokens()))

    def describe(self) -> str:
        if not self.logged_in:
            return "匿名访客"
        if self.name == self.role:  # the installation's admin (the admin password)
            return self.role
        department = f"（{self.department}）" if self.department else ""
        return f"{self.name}{department}·{self.role}"


ANONYMOUS = Viewer()
SYSTEM_ADMIN = Viewer(name="管理员", role=ADMIN)
