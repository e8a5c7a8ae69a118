"""Text from visitors and from documents made safe for every place the web writes it.

A Word file is XML, and XML 1.0 cannot hold most C0 control characters, U+FFFE/U+FFFF or
surrogates (lxml refuses them, so a NUL in a note used to be a 500). A lone surrogate, which a
JSON escape like ``\\ud800`` yields, cannot be written as UTF-8 either, so pages, JSON answers
and index look-ups fail on it too. ``clean_text`` is the one place that decides what is kept."""

from __future__ import annotations

import re

# Everything XML 1.0 excludes except the surrogates: C0 controls other than tab, LF and CR,
# and the two non-characters at the end of the BMP.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """``text`` without what XML and UTF-8 cannot hold: control characters are dropped, a lone
    surrogate becomes U+FFFD (so the reader sees that a character was lost)."""
    if text.isprintable() and text.isascii():
        return text
    return _NOT_XML.sub("", _SURROGATE.sub("\ufffd", text))
