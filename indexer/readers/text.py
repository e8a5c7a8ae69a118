"""Plain text: detect the encoding (UTF-8 with or without BOM, UTF-16/32 with BOM, GB18030/GBK,
then charset-normalizer) and refuse to guess when nothing decodes cleanly.

A wrong guess is worse than a refusal: mojibake gets indexed, never matches a query and
the user never learns why. So every candidate decoding is checked for plausibility.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter

from charset_normalizer import from_bytes

from indexer.readers.base import UnreadableFile, guarded
from kb.model import Extracted

__all__ = ["UNKNOWN_ENCODING", "decode_text", "normalize_encoding", "plausible", "read_text"]

UNKNOWN_ENCODING = "无法识别文件编码，请另存为 UTF-8"

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


@guarded("无法读取文本文件，请另存为 UTF-8 后再导入")
def read_text(data: bytes) -> Extracted:
    """A .txt file: one Block per line, whatever the encoding and line endings."""
    return Extracted.from_text(decode_text(data))


def normalize_encoding(label: str) -> str | None:
    """Python codec name for a declared or detected label; GB2312/GBK become gb18030 (a GB2312
    label on GBK text fails on characters such as 镕), unknown labels give None."""
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except (LookupError, ValueError):
        return None
    return "gb18030" if name in _GB_FAMILY or label.strip().lower() in _GB_FAMILY else name


def decode_text(data: bytes) -> str:
    """Decode bytes of a text file, or raise UnreadableFile rather than return mojibake.

    Order: byte-order mark, strict UTF-8, strict GB18030, then charset-normalizer over the whole
    file (measured to get every test file right), each result checked by ``plausible``.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _strict(data, codec)
            if text is None or _binary(text):
                raise UnreadableFile(UNKNOWN_ENCODING)
            return text
    # Valid UTF-8 is almost never an accident: only binary content (or UTF-16 without a BOM,
    # full of NULs) is refused, a stray U+FFFD or private-use character is not.
    text = _strict(data, "utf-8")
    if text is not None and not _binary(text):
        return text
    text = _strict(data, "gb18030")
    if text is not None and plausible(text, chinese=True):
        return text
    return _detect(data)


def _binary(text: str) -> bool:
    return len(_CONTROL.findall(text)) > max(2, _MAX_BAD_SHARE * len(text))


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


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


def plausible(text: str, chinese: bool = False) -> bool:
    """False for text that is likely a wrong decoding or not text at all: replacement
    characters, control characters (binary data, UTF-16 read as 8-bit), private-use or
    unassigned code points; with ``chinese``, also too few common hanzi (another CJK encoding
    read as GBK) or, in short texts, hanzi outside GB2312."""
    if not text:
        return True
    sample = text[:_SAMPLE]
    others = Counter(_OTHER.findall(sample))
    bad = len(_BAD.findall(text))
    bad += sum(n for char, n in others.items() if unicodedata.category(char) == "Cn")
    if bad > max(2, _MAX_BAD_SHARE * len(text)):
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
