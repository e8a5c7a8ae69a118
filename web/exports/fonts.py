"""The 公文 fonts (GB/T 9704): the names the Word exports carry, and what a browser's print
page falls back to on a machine without them.

A Word file names 方正小标宋简体, 仿宋_GB2312, 黑体 and 楷体_GB2312 whether or not the server
has them: the cadre's PC with Word or WPS does, and the document must say what to use. A
print page is drawn by the browser with the fonts of the machine it runs on: each role lists
the same name first, then the names Windows, macOS, 信创 systems (UOS, Kylin) and Linux give
the nearest font, and a generic family last. LibreOffice, which renders the exports to PDF in
the tests, substitutes by its own table (fontconfig) for names it does not have.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Font:
    word: str  # the name the Word exports carry
    fallbacks: tuple[str, ...]  # nearest fonts on other systems, best first
    generic: str  # the CSS generic family that ends the list

    def css(self) -> str:
        """The CSS font-family list: the Word name first, the generic family last."""
        names = (self.word, *self.fallbacks)
        return ", ".join(f'"{name}"' for name in names) + f", {self.generic}"


TITLE = Font(
    "方正小标宋简体",
    ("方正小标宋_GBK", "FZXiaoBiaoSong-B05S", "华文中宋", "STZhongsong", "宋体", "SimSun",
     "Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN"),
    "serif",
)  # fmt: skip
BODY = Font(
    "仿宋_GB2312",
    ("仿宋", "FangSong", "方正仿宋_GBK", "华文仿宋", "STFangsong", "Noto Serif CJK SC",
     "Source Han Serif SC", "AR PL UMing CN"),
    "serif",
)  # fmt: skip
HEADING = Font(
    "黑体",
    ("SimHei", "方正黑体_GBK", "STHeiti", "Noto Sans CJK SC", "Source Han Sans SC",
     "WenQuanYi Micro Hei"),
    "sans-serif",
)  # fmt: skip
SUBHEADING = Font(
    "楷体_GB2312",
    ("楷体", "KaiTi", "方正楷体_GBK", "华文楷体", "STKaiti", "AR PL UKai CN"),
    "serif",
)  # fmt: skip

ROLES = {"title": TITLE, "body": BODY, "heading": HEADING, "subheading": SUBHEADING}


def stylesheet() -> str:
    """CSS custom properties (--font-title, …) that print.css uses for every 公文 font."""
    lines = [f"  --font-{role}: {font.css()};" for role, font in ROLES.items()]
    return ":root {\n" + "\n".join(lines) + "\n}\n"
