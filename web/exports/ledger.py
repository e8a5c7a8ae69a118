"""What the 问题清单 and 整改台账 say: one row per problem of a 对照检查 draft, in the columns
such ledgers are handed in with. The layout of a file belongs to its export (ledger_xlsx);
the draft's data (DraftItem) and the citation format (citation.py) are reused as they are."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from web.exports.draft_docx import DraftItem

LEDGER_HEADERS = (
    "序号",
    "问题类别",
    "问题表现",
    "对应要求及出处",
    "整改措施",
    "责任人",
    "完成时限",
    "整改进展/销号情况",
)
# The 问题清单 is the ledger's first four columns: the problems before any measure is set.
LIST_HEADERS = LEDGER_HEADERS[:4]


@dataclass(frozen=True)
class LedgerRow:
    number: int
    category: str  # the requirement's topics (要求清单's 话题), empty for a plain passage
    problem: str  # the person's own words: the problem and its 具体表现
    requirement: str  # the clause verbatim, then ——《标题》（发文字号，日期）章节
    measure: str
    owner: str
    deadline: str  # as the user typed it
    progress: str = ""  # 整改进展/销号情况: filled in later, by hand

    def ledger(self) -> tuple[int | str, ...]:
        """The values under LEDGER_HEADERS."""
        return (
            self.number,
            self.category,
            self.problem,
            self.requirement,
            self.measure,
            self.owner,
            self.deadline,
            self.progress,
        )

    def problem_list(self) -> tuple[int | str, ...]:
        """The values under LIST_HEADERS."""
        return self.ledger()[: len(LIST_HEADERS)]


def _problem(item: DraftItem) -> str:
    """The person's own words: the problem, then the 具体表现 that show it (as the Word draft
    labels them)."""
    lines = [item.gap]
    if item.example:
        lines.append(f"具体表现：{item.example}")
    return "\n".join(line for line in lines if line)


def ledger_rows(items: Sequence[DraftItem]) -> list[LedgerRow]:
    """The ledger of a draft, numbered from 1 in the draft's order."""
    return [
        LedgerRow(
            number=number,
            category="、".join(item.topics),
            problem=_problem(item),
            requirement=f"{item.text}\n——{item.citation}",
            measure=item.measure,
            owner=item.owner,
            deadline=item.deadline,
        )
        for number, item in enumerate(items, 1)
    ]
