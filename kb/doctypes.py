"""公文 document types (文种): which there are and which one a document is. The one owner of
this knowledge; the structure reader, the side files, the requirement extractor and the API
ask here.

The words are data, ``corpus/dict/doc_types.txt`` (format in its header; part of the index
digest, so an edit rebuilds the index): the types, the title endings and title words that name
one, the other endings of a 公文 title, and the types that state requirements. The rules of
wording stay here (``infer_doc_type``): a notice printing a document takes that document's
type, a report delivered at a meeting or a text opening with 同志们 is a speech, a story of
sanctions is a 通报.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from kb.keywords import alternation, split_words, word_sections
from kb.resources import DEFAULT_DICT

DOC_TYPES_FILE = "doc_types.txt"
DEFAULT_DOC_TYPES = DEFAULT_DICT / DOC_TYPES_FILE
OTHER = "其他"  # the type of a document no word names

_TYPES = "文种"
_ENDINGS = "标题结尾"
_OTHER_ENDINGS = "其他公文结尾"
_SPEECH_WORDS = "讲话标题用语"
_CASE_WORDS = "通报标题用语"
_DIRECTING = "提出要求的文种"
_FORWARDING = "转发学习用语"
_AUTHORITATIVE = "原文优先的文种"
_SECTIONS = (
    _TYPES,
    _ENDINGS,
    _OTHER_ENDINGS,
    _SPEECH_WORDS,
    _CASE_WORDS,
    _DIRECTING,
    _FORWARDING,
    _AUTHORITATIVE,
)
_ENDING_LINE = re.compile(r"^(\S+?)\s*[:：]\s*(.+)$")

# The types the rules below name; a list without them leaves those rules idle.
SPEECH, NOTICE_OF_CASES, REPORT = "讲话", "通报", "报告"


@dataclass(frozen=True)
class DocTypes:
    """The word list ``doc_types.txt``, parsed; ``endings`` maps a title ending to its type,
    longest ending first."""

    names: tuple[str, ...]  # 讲话 方案 通报 …, without 其他
    endings: tuple[tuple[str, str], ...]  # (实施方案, 方案), (方案, 方案), (通知, 通知) …
    other_endings: tuple[str, ...]  # 纪要 函 …: a 公文 title, of no type of its own
    speech_words: tuple[str, ...]  # 讲话 致辞 会议上的 …
    case_words: tuple[str, ...]  # 典型问题 案例汇编 …
    directing: frozenset[str]  # the types whose documents state requirements
    # 转发 学习 …: a notice 关于学习《X》的通知 passes X on; it never first published X.
    forwarding_words: tuple[str, ...] = ()
    # 条例 规定 …: a passage standing in one of these is the source that others quote.
    authoritative: frozenset[str] = frozenset()
    # ``directing`` in file order: the requirement list's default order (条例 before 讲话, 决定
    # last), see ``requirement_rank``.
    directing_order: tuple[str, ...] = ()

    def requirement_rank(self, doc_type: str) -> int:
        """Where clauses of ``doc_type`` stand in the requirement list's default order: the
        place of the type in [提出要求的文种] (what one checks against first), others last."""
        order = self.directing_order or tuple(sorted(self.directing))
        return order.index(doc_type) if doc_type in order else len(order)

    @property
    def all(self) -> tuple[str, ...]:
        """Every type a document may have, 其他 last."""
        return (*self.names, OTHER)

    @functools.cached_property
    def _speech_re(self) -> re.Pattern[str]:
        return re.compile(alternation(self.speech_words))

    @functools.cached_property
    def _case_re(self) -> re.Pattern[str]:
        return re.compile(alternation(self.case_words))

    @functools.cached_property
    def _title_ending_re(self) -> re.Pattern[str]:
        words = [ending for ending, _ in self.endings] + list(self.other_endings)
        return re.compile(f"(?:{alternation(words)})$")

    @functools.cached_property
    def _forwarding_re(self) -> re.Pattern[str]:
        return re.compile(f"(?:{alternation(self.forwarding_words)})(《[^》]+》|.+?)的(?:通知|函)$")

    def forwards(self, title: str) -> bool:
        """Whether ``title`` names a notice that passes another document on (关于学习《X》的通知,
        转发…通报的通知): X in 《》, or words naming a document type. 印发 is no such word: a
        notice printing a document is where it is first published."""
        if not self.forwarding_words:
            return False
        found = self._forwarding_re.search(strip_title_note(title.strip()))
        if not found:
            return False
        carried = found.group(1)
        return carried.startswith("《") or infer_doc_type(carried, doc_types=self) != OTHER

    def by_ending(self, title: str) -> str:
        """The type the title's last words name, or ``""``."""
        return next((kind for ending, kind in self.endings if title.endswith(ending)), "")

    def ends_like_title(self, text: str) -> bool:
        """Whether ``text`` ends the way a 公文 title does (…的通知, …纪要): a title printed
        over several lines is joined back where its last line does."""
        return bool(self._title_ending_re.search(text))


def parse_doc_types(text: str) -> DocTypes:
    """Read the format of ``doc_types.txt`` (see its header); a ValueError says what to fix."""
    sections = word_sections(text, _SECTIONS, DOC_TYPES_FILE)
    if sections[""]:
        raise ValueError(f"{DOC_TYPES_FILE}：词必须写在段名之下（{sections[''][0]}）")

    def words(name: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(w for line in sections[name] for w in split_words(line)))

    names = tuple(n for n in words(_TYPES) if n != OTHER)
    if not names:
        raise ValueError(f"{DOC_TYPES_FILE}：[{_TYPES}] 段不能为空")
    endings = [(name, name) for name in names]
    for line in sections[_ENDINGS]:
        m = _ENDING_LINE.match(line)
        if not m or m.group(1) not in names:
            raise ValueError(
                f"{DOC_TYPES_FILE}：[{_ENDINGS}] 段每行写“文种：词 词”，文种须在 [{_TYPES}] 段中（{line}）"
            )
        endings += [(word, m.group(1)) for word in split_words(m.group(2))]
    directing = words(_DIRECTING)
    authoritative = words(_AUTHORITATIVE)
    for section, listed in ((_DIRECTING, directing), (_AUTHORITATIVE, authoritative)):
        unknown = [d for d in listed if d not in names]
        if unknown:
            raise ValueError(
                f"{DOC_TYPES_FILE}：[{section}] 段中的“{unknown[0]}”不在 [{_TYPES}] 段中"
            )
    return DocTypes(
        names=names,
        endings=tuple(sorted(dict.fromkeys(endings), key=lambda e: -len(e[0]))),
        other_endings=words(_OTHER_ENDINGS),
        speech_words=words(_SPEECH_WORDS),
        case_words=words(_CASE_WORDS),
        directing=frozenset(directing),
        directing_order=directing,
        forwarding_words=words(_FORWARDING),
        authoritative=frozenset(authoritative),
    )


def load_doc_types(path: str | Path = DEFAULT_DOC_TYPES) -> DocTypes:
    """Load an admin-editable document types file (UTF-8)."""
    return parse_doc_types(Path(path).read_text(encoding="utf-8-sig"))


@functools.cache
def default_doc_types() -> DocTypes:
    """The project's own list (corpus/dict), for callers without one of their own."""
    return load_doc_types(DEFAULT_DOC_TYPES)


# --------------------------------------------------------------------------------------------
# Which type a document is
# --------------------------------------------------------------------------------------------

# A note in brackets closing a title: （试行）, （2024年修订）.
_TITLE_NOTE = re.compile(r"[（(][^（）()]{1,12}[）)]$")
_CARRIED = re.compile(r"(?:印发|转发|颁布|学习|贯彻)(?:《)?(.+?)(?:》)?的(?:通知|函)$")
_SPEAKER_TITLE = re.compile(r"^[\u4e00-\u9fa5]{2,4}[：:]\S")
_DELIVERED = re.compile(r"^——在.{2,60}上的(?:讲话|报告|发言|致辞)")
_CASE_CUES = re.compile(
    r"开除党籍|留党察看|撤销党内职务|严重警告|党内警告|政务处分|开除公职|移送检察机关|被判处|"
    r"有期徒刑|诫勉|立案审查|审查调查|受贿|行贿|贪污"
)


def strip_title_note(title: str) -> str:
    """The title without a note in brackets at its end (（试行）, （2024年修订）)."""
    return _TITLE_NOTE.sub("", title)


def infer_doc_type(
    title: str, body_start: str = "", body: str = "", doc_types: DocTypes | None = None
) -> str:
    """The document type from its title's last type word, then from content cues.

    * A 通知 that prints or forwards a document (关于印发《X方案》的通知) takes the type of what
      it carries.
    * Speeches: a speech word in the title (讲话, 致辞 …); a title led by the speaker's name
      (习近平：…); a 报告 delivered at a meeting (a "——在…上的报告" line, or one that opens
      with 同志们).
    * Case notices and compilations (典型问题, 案例) are 通报; so is a write-up without a type
      word whose text names several sanctions (警示教育 case studies with story titles).

    ``doc_types`` defaults to the project's own list (corpus/dict).
    """
    types = doc_types or default_doc_types()
    plain = strip_title_note(title.strip())
    carried = _CARRIED.search(plain)
    if carried:
        inner = infer_doc_type(carried.group(1), doc_types=types)
        if inner != OTHER:
            return inner
    head_lines = body.split("\n")[:6]
    delivered = any(_DELIVERED.match(line.strip()) for line in head_lines)
    case_like = len(set(_CASE_CUES.findall(body))) >= 2
    if _SPEAKER_TITLE.match(plain) and case_like:
        return NOTICE_OF_CASES  # 李铁：行贿…上位 is a case study, not a speech by 李铁
    if types.speech_words and types._speech_re.search(plain):
        return SPEECH
    if _SPEAKER_TITLE.match(plain):
        return SPEECH
    if types.case_words and types._case_re.search(plain):
        return NOTICE_OF_CASES
    if plain.endswith(REPORT) and (delivered or body_start.startswith("同志们")):
        return SPEECH
    by_ending = types.by_ending(plain)
    if by_ending:
        return by_ending
    if body_start.startswith("同志们") or delivered:
        return SPEECH
    if case_like:
        return NOTICE_OF_CASES
    return OTHER
