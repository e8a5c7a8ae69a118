"""Plain text: detect the encoding (UTF-8 with or without BOM, UTF-16/32 with BOM, GB18030/GBK,
then charset-normalizer) and refuse to guess when nothing decodes cleanly.

A wrong guess is worse than a refusal: mojibake gets indexed, never matches a query and
the user never learns why. So every candidate decoding is checked for plausibility. A file
that is clearly UTF-8 (or GB18030) but for a few bad bytes, typically one cut mid-character
when it was copied or downloaded, is read with U+FFFD in their place and a warning.
"""

from __future__ import annotations

import codecs
import re
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass

from charset_normalizer import from_bytes

from indexer.readers import limits
from indexer.readers.base import ReadResult, UnreadableFile, check_chars, guarded
from kb.model import Block

__all__ = [
    "UNKNOWN_ENCODING",
    "Decoded",
    "decode",
    "decode_text",
    "decode_within_limits",
    "normalize_encoding",
    "plausible",
    "read_text",
    "text_blocks",
]

UNKNOWN_ENCODING = "无法识别文件编码，请另存为 UTF-8"
CUT_CHARACTER = "文件末尾有一个不完整的字符（文件可能没有完整保存），已用“\ufffd”代替"

# The 300 most frequent hanzi of Chinese Party and government documents (counted over the
# realdocs corpus; they cover ~72% of its hanzi and ~40% of even classical prose). Text that
# decoded "cleanly" but where few hanzi are common ones is mojibake (EUC-KR or Big5 bytes read
# as GBK cover ~10%).
COMMON_HANZI = frozenset(
    "的和国业发化中全建人新展大实一进工党动作推设力加政务要会民产体高强制生重区行持理主有等成提"
    "在不为年地治能开部保家以用经学机定现合社市规坚增法育面教平资深是改对公创个基代上关好度入出"
    "质施量项长领农科系同性文时服分事点各方心企共导我管级省效技革题自济安城优升本造水义统完十到"
    "支更村办内组员位目任委应三问程通标快干善域局了五向多第品总战金特色立场活风源决万群态期利防"
    "续职放策来监就落央融得严稳费构精们二府责查处于结范下收乡信集数整式求院调习型四明准健医条专"
    "织投协护与做指外及情培前引确校步过促环意次思核境把取际门众营打运兴接单研障想转形商权者当海"
    "小台纪报所违物件日解先路层计表受元消道正供流其险贫联近之批神"
)
_MIN_HANZI_FOR_FREQUENCY = 30
_MIN_COMMON_SHARE = 0.25
_MAX_BAD_SHARE = 0.005
_MAX_CHAOS = 0.2
_SAMPLE = 200_000  # characters looked at for the costlier checks
# Bad bytes tolerated in a file that is otherwise valid UTF-8 (or GB18030): a few always (a
# character cut at the end, a stray byte), more only in a long text, one per 100 bytes of
# multi-byte characters. Text in another encoding read as UTF-8 has a bad sequence for nearly
# every non-ASCII character, so it stays far above that.
_FEW_BAD = 3
_BAD_PER_MULTIBYTE = 100
_MAX_BYTES_PER_CHAR = 4  # UTF-8, GB18030 and UTF-32 alike: more bytes mean more characters
_BAD = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff\ufffd]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_HANZI = re.compile(r"[\u4e00-\u9fff]")
_OTHER = re.compile(r"[^\x00-\x7f\u4e00-\u9fff]")
_GB_FAMILY = {"gb2312", "gbk", "cp936", "gb18030", "hz", "euc_cn", "euccn", "x-gbk", "ms936"}
_MULTI_BYTE = (
    "utf",
    "gb18030",
    "big5",
    "cp950",
    "shift_jis",
    "cp932",
    "euc",
    "iso2022",
    "cp949",
    "johab",
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_LABELS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "gb18030": "GB18030"}


@dataclass(frozen=True)
class Decoded:
    """A text file's characters, and warnings about how they were read (see ``decode``)."""

    text: str
    warnings: tuple[str, ...] = ()


@guarded("无法读取文本文件，请另存为 UTF-8 后再导入")
def read_text(data: bytes) -> ReadResult:
    """A .txt file: one Block per line, whatever the encoding and line endings."""
    decoded = decode_within_limits(data)
    return ReadResult(text_blocks(decoded.text), warnings=list(decoded.warnings))


def decode_within_limits(data: bytes) -> Decoded:
    """``decode``, refusing a text over ``limits.MAX_CHARS`` characters: from its size alone
    where that is enough (no encoding takes more than 4 bytes a character)."""
    if len(data) > _MAX_BYTES_PER_CHAR * limits.MAX_CHARS:
        raise UnreadableFile(limits.TOO_MANY_CHARS)
    decoded = decode(data)
    check_chars(len(decoded.text))
    return decoded


def text_blocks(text: str) -> list[Block]:
    """One Block per line (LF, CRLF or CR), copying the text only where it has a CR."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [Block(line) for line in text.split("\n")]


def normalize_encoding(label: str) -> str | None:
    """Python codec name for a declared or detected label; GB2312/GBK become gb18030 (a GB2312
    label on GBK text fails on characters such as 镕), unknown labels give None."""
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except (LookupError, ValueError):
        return None
    return "gb18030" if name in _GB_FAMILY or label.strip().lower() in _GB_FAMILY else name


def decode_text(data: bytes) -> str:
    """``decode(data).text``: for callers that need no warnings (the upload check)."""
    return decode(data).text


def decode(data: bytes) -> Decoded:
    """Decode bytes of a text file, or raise UnreadableFile rather than return mojibake.

    Order: byte-order mark, strict UTF-8, strict GB18030, UTF-8 then GB18030 with a few bad
    bytes replaced (and a warning), then charset-normalizer over the whole file (measured to
    get every test file right), each result checked by ``plausible``.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _strict(data, codec)
            if text is not None and not _binary(text):
                return Decoded(text)
            lenient = _lenient(data, codec)
            if lenient is None or _binary(lenient.text):
                raise UnreadableFile(UNKNOWN_ENCODING)
            return lenient
    # Valid UTF-8 is almost never an accident: only binary content (or UTF-16 without a BOM,
    # full of NULs) is refused, a stray U+FFFD or private-use character is not.
    text = _strict(data, "utf-8")
    if text is not None and not _binary(text):
        return Decoded(text)
    text = _strict(data, "gb18030")
    if text is not None and plausible(text, chinese=True):
        return Decoded(text)
    lenient = _lenient(data, "utf-8")
    if lenient is not None and not _binary(lenient.text):
        return lenient
    # GB18030 decodes most byte pairs: UTF-8 (or Big5) read as GB18030 gives mojibake with
    # only a few bad sequences. So one bad sequence at most, and plausible Chinese.
    lenient = _lenient(data, "gb18030", most=1)
    if lenient is not None and plausible(lenient.text, chinese=True, replaced=True):
        return lenient
    return Decoded(_detect(data))


def _binary(text: str) -> bool:
    return _more_than(_CONTROL, text, max(2, _MAX_BAD_SHARE * len(text)))


def _count(pattern: re.Pattern[str], text: str, stop: float) -> int:
    """Matches of ``pattern`` in ``text``, counting no further than past ``stop``: linear and
    lean where ``findall`` would list millions of matches in a binary file."""
    count = 0
    for _ in pattern.finditer(text):
        count += 1
        if count > stop:
            break
    return count


def _more_than(pattern: re.Pattern[str], text: str, limit: float) -> bool:
    return _count(pattern, text, limit) > limit


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


class _Replacements(threading.local):
    """The bad byte sequences met by the decoding under way in this thread (the error handler
    sees only the bytes, so its counts live here)."""

    count = 0
    limit = 0
    first = 0  # offset of the first bad sequence
    at_end = False  # the last bad sequence ends the file


_replacements = _Replacements()


def _replace_counted(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    state = _replacements
    state.count += 1
    if state.count > state.limit:
        raise error  # too many: not a damaged file of this encoding; stop decoding early
    if state.count == 1:
        state.first = error.start
    state.at_end = error.end >= len(error.object)
    return "\ufffd", error.end


codecs.register_error("kb-replace-counted", _replace_counted)


def _lenient(data: bytes, codec: str, most: int | None = None) -> Decoded | None:
    """``data`` decoded with each bad byte sequence replaced by U+FFFD, and a warning saying
    where, when only a few are bad (``most``, else see ``_FEW_BAD``); None when more are."""
    state = _replacements
    state.count, state.at_end = 0, False
    state.limit = most if most is not None else max(_FEW_BAD, len(data) // _BAD_PER_MULTIBYTE)
    try:
        text = data.decode(codec, "kb-replace-counted")
    except (UnicodeDecodeError, LookupError):
        return None
    bad = state.count
    multibyte = len(data) - len(text)  # bytes beyond one per character
    allowed = most if most is not None else max(_FEW_BAD, multibyte // _BAD_PER_MULTIBYTE)
    if bad == 0 or bad > allowed:
        return None
    if bad == 1 and state.at_end:
        return Decoded(text, (CUT_CHARACTER,))
    label = _LABELS.get(codec, codec.upper())
    where = ""
    if codec in _LABELS:  # byte encodings: a line ends at byte 0x0a
        line = data.count(b"\n", 0, state.first) + 1
        where = f"（第一处在第 {line} 行）"
    return Decoded(text, (f"有 {bad} 处字节不是有效的 {label}{where}，已用“\ufffd”代替",))


def _detect(data: bytes) -> str:
    try:
        best = from_bytes(data).best()
    except Exception as error:  # the detector must never take the indexer down
        raise UnreadableFile(UNKNOWN_ENCODING) from error
    if best is None or best.encoding is None or best.chaos > _MAX_CHAOS:
        raise UnreadableFile(UNKNOWN_ENCODING)
    codec = normalize_encoding(best.encoding)
    if codec is None or not codec.startswith(_MULTI_BYTE):
        # Single-byte code pages all decode anything, and the detector mixes them up
        # (cp1252 text came out as cp1250 / cp1256): refuse instead of guessing.
        raise UnreadableFile(UNKNOWN_ENCODING)
    text = _strict(data, codec)
    if text is None or not plausible(text, chinese=codec == "gb18030"):
        raise UnreadableFile(UNKNOWN_ENCODING)
    return text.removeprefix("\ufeff")


def plausible(text: str, chinese: bool = False, replaced: bool = False) -> bool:
    """False for text that is likely a wrong decoding or not text at all: replacement
    characters, control characters (binary data, UTF-16 read as 8-bit), private-use or
    unassigned code points; with ``chinese``, also too few common hanzi (another CJK encoding
    read as GBK) or, in short texts, hanzi outside GB2312. With ``replaced``, the text holds
    U+FFFD for bytes already counted as bad (see ``_lenient``): those do not count again."""
    if not text:
        return True
    sample = text[:_SAMPLE]
    others = Counter(_OTHER.findall(sample))
    limit = max(2, _MAX_BAD_SHARE * len(text))
    stop = limit + text.count("\ufffd") if replaced else limit
    bad = _count(_BAD, text, stop) - (text.count("\ufffd") if replaced else 0)
    bad += sum(n for char, n in others.items() if unicodedata.category(char) == "Cn")
    if bad > limit:
        return False
    if not chinese:
        return True
    hanzi = _HANZI.findall(sample)
    if len(hanzi) >= _MIN_HANZI_FOR_FREQUENCY:
        common = sum(map(COMMON_HANZI.__contains__, hanzi))
        return common >= _MIN_COMMON_SHARE * len(hanzi)
    if hanzi:
        return sum(not _in_gb2312(char) for char in hanzi) <= 0.2 * len(hanzi)
    return not others


def _in_gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True
