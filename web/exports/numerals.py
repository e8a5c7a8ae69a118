"""The Chinese numeral of a heading's number, for callers that still import it from here.

kb.numbering owns numerals and heading numbers (``heading_number``, ``numbered``); the exports
ask it directly. This keeps the old name, which counts from 1."""

from __future__ import annotations

from kb import numbering


def chinese_numeral(number: int) -> str:
    """1 -> 一, 10 -> 十, 11 -> 十一, 100 -> 一百, 110 -> 一百一十; counts start at 1."""
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise ValueError(f"a heading number is a count from 1, not {number!r}")
    return numbering.chinese_numeral(number)
