"""Chinese numerals for the numbered headings of every export: 一、 二、 … 十一、 … 一百一十、

One owner for this, so the exports agree and none writes 十十 for 100. cn2an (MIT, pinned in
pyproject.toml) converts, as 公文 numbering writes: 十 and 十一 below twenty (not 一十),
一百零一 and 一百一十 above a hundred."""

from __future__ import annotations

import cn2an


def chinese_numeral(number: int) -> str:
    """1 -> 一, 10 -> 十, 11 -> 十一, 100 -> 一百, 110 -> 一百一十; counts start at 1."""
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise ValueError(f"a heading number is a count from 1, not {number!r}")
    return cn2an.an2cn(number, "low")
