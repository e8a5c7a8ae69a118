"""Saved web pages (.html, .htm, .shtml, .aspx): the article only, with its title and date.

Government and Party sites wrap each article in menus, share widgets, related-link lists and
footers; indexed, those lines would match every query about 纪委 or 通报. The article is found
by the content containers these CMSs use (TRS, ASP.NET and others), else by the block with the
most paragraph text and the least link text (measured to beat trafilatura and readability on
the saved pages in ../shared/realdocs/raw).

Cost is linear in the page: its size and tag count are capped (``limits``), text and link
lengths of every element are counted in one pass instead of once per ancestor, and the tree
is walked without recursion, so deep nesting (a page of 8,000 nested link lists took 99 s)
costs no more than the same tags side by side.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bs4 import BeautifulSoup, CData, NavigableString, Tag
from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

from indexer.readers import limits
from indexer.readers.base import ReadResult, UnreadableFile, check_chars, guarded
from indexer.readers.text import Decoded, decode, normalize_encoding, plausible
from kb.dates import find_date, leading_date
from kb.model import Block

__all__ = ["read_html"]

UNPARSABLE = "网页无法解析，请在浏览器中重新保存网页（仅 HTML）后再导入"

# Content containers of common CMSs, most specific first.
CONTENT_SELECTORS = (
    "div.TRS_Editor",
    "div.TRS_UEDITOR",
    "#zoom",
    "#UCAP-CONTENT",
    "div.pages_content",
    "div.conTxt",
    "div.article-content",
    "div.article_content",
    "div.articleContent",
    "div.detail-content",
    "div.content",
    "#content",
    "article",
    "div.article",
)
_MIN_ARTICLE_CHARS = 60

_INVISIBLE = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "object",
    "embed",
    "svg",
    "canvas",
    "select",
    "button",
    "input",
    "textarea",
    "map",
    "head",
)
_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "main",
        "header",
        "footer",
        "aside",
        "nav",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "td",
        "th",
        "caption",
        "blockquote",
        "pre",
        "center",
        "form",
        "fieldset",
        "figure",
        "figcaption",
        "address",
        "hr",
        "details",
        "summary",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "body",
        "html",
    ]
)
_CONTAINERS = [
    "div",
    "td",
    "section",
    "article",
    "main",
    "center",
    "form",
    "blockquote",
    "span",
    "font",
]
_NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction)
_SHOWN_TEXT = (NavigableString, CData)  # the string types get_text() joins, exactly
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
# Class / id words of page chrome inside an article container (split on - _ and camelCase).
_JUNK_WORDS = frozenset(
    [
        "share",
        "bdshare",
        "social",
        "qrcode",
        "erweima",
        "wechat",
        "weixin",
        "print",
        "related",
        "relate",
        "xgxw",
        "xgyd",
        "xglj",
        "recommend",
        "breadcrumb",
        "crumb",
        "nav",
        "menu",
        "footer",
        "copyright",
        "banquan",
        "pager",
        "pagination",
        "comment",
        "comments",
        "toolbar",
        "tools",
        "sidebar",
        "advert",
        "ads",
        "fenxiang",
        "jiathis",
    ]
)
_LINK_LISTS = frozenset(("ul", "ol", "dl", "nav", "menu", "table", "div", "p", "span", "td"))
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)

_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f“”‘’—…·"
_CJK_CHAR = re.compile(rf"[{_CJK}]")
_SPACES = re.compile(r"[\s\xa0\u3000]+")

# Short lines that are page chrome wherever they appear.
_CHROME = re.compile(
    r"版权所有|ICP备|ICP证|公网安备|网站标识码|主办单位|承办单位|技术支持|^主办[:：]|^承办[:：]"
    r"|微信扫一扫|扫一扫|分享到|^分享[:：]?$|打印本页|打印正文|打印此页|关闭窗口|^【?(?:打印|关闭)】?$"
    r"|字号[:：]|【字体|^字体[:：]|浏览次数|阅读次数|点击数|访问量|^[（(]?责任编辑[:：]"
    r"|^来源[:：]|^(?:发布|更新)(?:时间|日期)[:：]|^Copyright|^©"
)
_CHROME_MAX = 80
# Lines after which only page chrome follows (related links, previous / next article).
_TAIL = re.compile(
    r"^(?:相关链接|相关阅读|相关新闻|相关文章|相关稿件|相关文件|相关推荐|推荐阅读|热点推荐|延伸阅读)[:：]?$"
    r"|^(?:上一篇|下一篇|上一条|下一条)"
)

# Labels a page states its date after (the date itself is read by kb.dates).
_STRONG_DATE_LABEL = re.compile(r"(?:发布|发文|成文|印发)(?:时间|日期)\s*[:：]")
_WEAK_DATE_LABEL = re.compile(r"(?:时间|日期)\s*[:：]")
_DATE_AFTER_LABEL = 40  # characters after a label the date must begin in
_META_DATE = ("pubdate", "publishdate", "article:published_time", "firstpublishedtime", "dc.date")
_META_TITLE = ("articletitle", "og:title", "dc.title")
_COLUMN_IN_FRONT = re.compile(r"^[^|｜]{2,8}?\s*[|｜]\s*")
_TITLE_SEPARATOR = re.compile(r"\s*[_|｜]\s*|\s+[-–]\s+|\s*-{2,}\s*|\s*—+\s*")
_SITE_ENDINGS = ("网", "网站", "门户", "首页", "频道", "政府", "官网", "平台", "客户端")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9._:-]+)""", re.I)
_SINGLE_BYTE = ("latin_1", "iso8859", "cp125", "ascii", "us-ascii")


@guarded(UNPARSABLE)
def read_html(data: bytes) -> ReadResult:
    """A saved web page: the article's paragraphs and headings, its title and 发布时间."""
    if len(data) > limits.MAX_HTML_BYTES:
        raise UnreadableFile(limits.HTML_TOO_BIG)
    if data.count(b"<") > limits.MAX_HTML_TAGS:
        raise UnreadableFile(limits.TOO_MANY_TAGS)
    decoded = _decode(data)
    check_chars(len(decoded.text))
    try:
        soup = BeautifulSoup(decoded.text, "lxml")
        return _extract(soup, decoded.warnings)
    except UnreadableFile:
        raise
    except Exception as error:  # lxml / bs4 on a malformed page
        raise UnreadableFile(UNPARSABLE) from error


def _extract(soup: BeautifulSoup, warnings: tuple[str, ...] = ()) -> ReadResult:
    head_title = soup.title.get_text(" ", strip=True) if soup.title else ""
    metas = _metas(soup)
    for tag in [tag for tag in _tags(soup) if tag.name in _INVISIBLE]:
        tag.decompose()
    for tag in [tag for tag in _tags(soup) if _hidden(tag)]:
        tag.decompose()
    body = soup.body or soup
    sizes = _Sizes(body)
    article = _find_article(body, sizes)
    if article is None:
        raise UnreadableFile("网页中没有找到正文，请确认保存的是文章页面")
    title = _title(soup, article, head_title, metas)
    date = _date(body, article, metas)
    _remove_chrome(article, sizes)
    blocks = _tidy(_blocks(article))
    return ReadResult(blocks, title=title, date=date, warnings=list(warnings))


# --- decoding ------------------------------------------------------------------------------


def _decode(data: bytes) -> Decoded:
    """The declared charset when it decodes cleanly, else the text-file rules. A declared
    single-byte charset is tried last: Chinese pages often declare iso-8859-1 wrongly."""
    head = data[:4096]
    match = _CHARSET.search(head) or _XML_ENCODING.search(head)
    declared = normalize_encoding(match.group(1).decode("ascii", "replace")) if match else None
    bom = data.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf"))
    if declared and not bom and not declared.startswith(_SINGLE_BYTE):
        try:
            text = data.decode(declared)
        except (UnicodeDecodeError, LookupError):
            text = None
        if text is not None and plausible(text, chinese=declared == "gb18030"):
            return Decoded(text)
    try:
        return decode(data)
    except UnreadableFile:
        if declared:
            try:
                return Decoded(data.decode(declared))
            except (UnicodeDecodeError, LookupError):
                pass
        raise


# --- finding the article -------------------------------------------------------------------


def _tags(root: Tag) -> Iterator[Tag]:
    """The tags under ``root`` in document order, as ``find_all(True)`` lists them at a
    fraction of its cost (bs4's filters take ~30 µs a tag)."""
    return (node for node in root.descendants if isinstance(node, Tag))


def _hidden(tag: Tag) -> bool:
    return tag.has_attr("hidden") or bool(_HIDDEN_STYLE.search(str(tag.get("style", ""))))


class _Sizes:
    """Lengths (without whitespace) of the text under every tag below a root, counted in one
    pass: ``len(tag.get_text())`` per tag costs the tag's subtree each time, quadratic in the
    nesting depth.

    For each tag: ``text`` as get_text() counts it, ``links`` the text of the <a> elements
    inside it (nested ones counted again, as ``find_all("a")`` lists them), ``anchors`` how
    many <a> it holds, ``tags`` how many tags it holds; and, for ``_densest_block``: ``words``
    all its text, ``linked`` its text inside any <a> up to the root, ``own`` its own words
    (text not inside a link or a block-level child: a paragraph's words) and ``para`` the own
    words of the paragraphs (blocks of 10 or more) it holds or is.
    """

    def __init__(self, root: Tag) -> None:
        self.text: dict[int, int] = {}
        self.links: dict[int, int] = {}
        self.anchors: dict[int, int] = {}
        self.tags: dict[int, int] = {}
        self.words: dict[int, int] = {}
        self.linked: dict[int, int] = {}
        self.own: dict[int, int] = {}
        self.para: dict[int, int] = {}
        # Post-order without recursion: a tag is summed once all its children are.
        stack: list[tuple[Tag, bool, bool]] = [(root, False, False)]
        while stack:
            tag, in_link, children_done = stack.pop()
            if not children_done:
                stack.append((tag, in_link, True))
                inside = in_link or tag.name == "a"
                stack.extend((c, inside, False) for c in tag.contents if isinstance(c, Tag))
                continue
            self._sum(tag, in_link or tag.name == "a", tag is root)

    def _sum(self, tag: Tag, in_link: bool, is_root: bool) -> None:
        text = links = anchors = tags = words = linked = own = para = 0
        for child in tag.contents:
            if isinstance(child, Tag):
                key = id(child)
                is_anchor = child.name == "a"
                text += self.text[key]
                links += self.links[key] + (self.text[key] if is_anchor else 0)
                anchors += self.anchors[key] + is_anchor
                tags += self.tags[key] + 1
                words += self.words[key]
                linked += self.linked[key]
                para += self.para[key]
                if child.name not in _BLOCK_TAGS and not is_anchor:
                    own += self.own[key]
            elif isinstance(child, NavigableString) and not isinstance(child, _NOT_TEXT):
                size = len(_SPACES.sub("", child))
                words += size
                linked += size if in_link else 0
                own += size
                text += size if type(child) in _SHOWN_TEXT else 0
        if tag.name in _BLOCK_TAGS and not is_root and own >= 10:
            para += own
        key = id(tag)
        self.text[key], self.links[key], self.anchors[key], self.tags[key] = (
            text,
            links,
            anchors,
            tags,
        )
        self.words[key], self.linked[key], self.own[key], self.para[key] = (
            words,
            linked,
            own,
            para,
        )

    def score(self, tag: Tag) -> float:
        total = self.text[id(tag)]
        if total == 0:
            return 0.0
        links = self.links[id(tag)]
        return (total - links) * (1 - links / total)


def _find_article(body: Tag, sizes: _Sizes) -> Tag | None:
    for matches in _select(body):
        candidates = [
            tag
            for tag in matches
            if sizes.text[id(tag)] - sizes.links[id(tag)] >= _MIN_ARTICLE_CHARS
            and sizes.links[id(tag)] < 0.5 * sizes.text[id(tag)]
        ]
        if candidates:
            return max(candidates, key=sizes.score)
    return _densest_block(body, sizes)


def _parse_selector(selector: str) -> tuple[str | None, str | None, str | None]:
    """(tag name, class, id) of a selector of the forms ``div.TRS_Editor``, ``#zoom``,
    ``article``."""
    if selector.startswith("#"):
        return None, None, selector[1:]
    name, _, cls = selector.partition(".")
    return name, cls or None, None


_SELECTORS = [_parse_selector(selector) for selector in CONTENT_SELECTORS]


def _select(body: Tag) -> list[list[Tag]]:
    """The tags under ``body`` each of ``CONTENT_SELECTORS`` matches (as ``body.select``
    finds them, case-sensitive, in document order), in one pass: soupsieve takes ~14 µs a
    tag a selector, 20 s for the 14 selectors on a page of 100,000 tags."""
    found: list[list[Tag]] = [[] for _ in _SELECTORS]
    for tag in _tags(body):
        classes = _classes(tag)
        ident = tag.get("id")
        for matches, (name, cls, wanted_id) in zip(found, _SELECTORS, strict=True):
            if (
                (name is None or tag.name == name)
                and (cls is None or cls in classes)
                and (wanted_id is None or ident == wanted_id)
            ):
                matches.append(tag)
    return found


def _densest_block(body: Tag, sizes: _Sizes) -> Tag | None:
    """The container with the most paragraph text, penalised by its share of link text (menus,
    related lists): each block's own words count for all its ancestors, so an article whose
    paragraphs sit in separate wrappers is still taken whole."""
    best, best_score = None, 0.0
    for tag in [body, *(tag for tag in _tags(body) if tag.name in _CONTAINERS)]:
        key = id(tag)
        para, total = sizes.para[key], sizes.words[key]
        if not para or not total:
            continue
        score = para * (1 - sizes.linked[key] / total) ** 3
        if score >= best_score:  # on a tie the inner container wins
            best, best_score = tag, score
    if best is None:
        return body if sizes.text[id(body)] else None
    return best


def _classes(tag: Tag) -> list[str]:
    """The tag's class names (a string when a parser left them unsplit)."""
    found = tag.get("class")
    if found is None:
        return []
    return found.split() if isinstance(found, str) else [str(name) for name in found]


def _class_words(tag: Tag) -> set[str]:
    names = " ".join([*_classes(tag), str(tag.get("id", ""))])
    words = re.sub(r"([a-z])([A-Z])", r"\1 \2", names).replace("-", " ").replace("_", " ")
    return {re.sub(r"\d+$", "", word).lower() for word in words.split()}


def _remove_chrome(article: Tag, sizes: _Sizes) -> None:
    """Share boxes, print links, related lists and menus nested inside the article container
    (some sites put the whole page in a div.content). Tags come in document order, so a
    removed tag's descendants are the tags right after it: they are stepped over."""
    tags = list(_tags(article))
    i = 0
    while i < len(tags):
        tag = tags[i]
        key = id(tag)
        total, links = sizes.text[key], sizes.links[key]
        if _class_words(tag) & _JUNK_WORDS:
            junk = total < 300 or links > 0.5 * total
        else:
            junk = tag.name in _LINK_LISTS and sizes.anchors[key] >= 3 and links > 0.6 * total
        if junk:
            tag.decompose()
            i += sizes.tags[key]
        i += 1


# --- paragraphs ----------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Whitespace as the page shows it: source line breaks next to Chinese vanish, other
    runs become one space."""

    def space(run: re.Match[str]) -> str:
        gap = run.group()
        if "\n" in gap or "\r" in gap:
            start, end = run.span()
            if (start and _CJK_CHAR.match(text, start - 1)) or _CJK_CHAR.match(text, end):
                return ""
        return " "

    return _SPACES.sub(space, text).strip()


class _Flush:
    """On the walker's stack: end the current paragraph (as a heading of ``level``)."""

    __slots__ = ("level",)

    def __init__(self, level: int | None = None) -> None:
        self.level = level


class _Walker:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.parts: list[str] = []

    def flush(self, level: int | None = None) -> None:
        text = _clean("".join(self.parts))
        self.parts.clear()
        if text:
            self.blocks.append(Block(text, level))

    def walk(self, nodes: list) -> None:
        """Text of ``nodes`` in document order, a paragraph ending at each block tag; a stack
        instead of recursion, so that no nesting depth is too deep."""
        stack: list = list(reversed(nodes))
        while stack:
            node = stack.pop()
            if isinstance(node, _Flush):
                self.flush(node.level)
            elif isinstance(node, NavigableString):
                if not isinstance(node, _NOT_TEXT):
                    self.parts.append(str(node))
            elif isinstance(node, Tag):
                name = node.name
                if name == "br":
                    self.flush()
                elif name in _HEADINGS:
                    self.flush()
                    self.walk_inline(node)
                    self.flush(_HEADINGS[name])
                elif name == "tr":
                    self.flush()
                    self.row(node)
                elif name in _BLOCK_TAGS:
                    self.flush()
                    stack.append(_Flush())
                    stack.extend(reversed(node.contents))
                else:
                    stack.extend(reversed(node.contents))

    def walk_inline(self, tag: Tag) -> None:
        """A heading's text, line breaks inside it becoming spaces."""
        for br in tag.find_all("br"):
            br.replace_with(" ")
        self.parts.append(tag.get_text())

    def row(self, tr: Tag) -> None:
        """A data row is one Block, cells joined by a wide space; a layout row (cells holding
        paragraphs) is read as paragraphs."""
        cells = tr.find_all(["td", "th"], recursive=False)
        layout = any(
            cell.find(["p", "div", "br", "table"]) and _text_len(cell) > 100 for cell in cells
        )
        if layout or len(cells) <= 1:
            for cell in cells:
                self.walk(cell.contents)
                self.flush()
            return
        texts = [_clean(cell.get_text(" ")) for cell in cells]
        row = "　".join(text for text in texts if text)
        if row:
            self.blocks.append(Block(row, in_table=True))


def _text_len(tag: Tag) -> int:
    return len(_SPACES.sub("", tag.get_text()))


def _blocks(article: Tag) -> list[Block]:
    walker = _Walker()
    walker.walk([article] if article.name in _HEADINGS else article.contents)
    walker.flush()
    return walker.blocks


def _tidy(blocks: list[Block]) -> list[Block]:
    """Drop chrome lines; stop at the related-links / previous-next list at the end."""
    total = sum(len(b.text) for b in blocks)
    kept: list[Block] = []
    seen = 0
    for block in blocks:
        text = block.text
        bare = text.strip("【】[]<>《》 ")
        if _TAIL.search(bare):
            if seen >= total / 2:
                break
            continue
        seen += len(text)
        if len(text) <= _CHROME_MAX and _CHROME.search(bare):
            continue
        kept.append(block)
    return kept


# --- title and date ------------------------------------------------------------------------


def _metas(soup: BeautifulSoup) -> dict[str, str]:
    metas = {}
    for meta in soup.find_all("meta"):
        key = str(meta.get("name") or meta.get("property") or "").strip().lower()
        value = _clean(str(meta.get("content") or ""))
        if key and value and key not in metas:
            metas[key] = value
    return metas


def _title(soup: BeautifulSoup, article: Tag, head_title: str, metas: dict[str, str]) -> str:
    """The article's title as the page states it, never with the site name appended."""
    for key in _META_TITLE:
        if metas.get(key):
            return metas[key]
    h1 = article.find("h1")
    if h1 and _clean(h1.get_text(" ")):
        return _clean(h1.get_text(" "))
    head = _clean(head_title)
    if head:
        squeezed = _SPACES.sub("", head)
        shown = [_clean(h.get_text(" ")) for h in soup.find_all(["h1", "h2", "h3"])]
        matching = [t for t in shown if len(t) >= 4 and squeezed.startswith(_SPACES.sub("", t))]
        if matching:
            return _without_column(max(matching, key=len))
        return _strip_site_name(head, metas)
    return ""


def _strip_site_name(title: str, metas: dict[str, str]) -> str:
    """Drop trailing 'column - site' parts. ASCII separators (_ | - --) usually introduce a
    site suffix; a dash run (——) may be part of the title itself, so there only names that
    look like a site or column are dropped."""
    known = {metas.get("sitename", ""), metas.get("columnname", "")} - {""}
    cuts = list(_TITLE_SEPARATOR.finditer(title))
    end = len(title)
    while cuts:
        cut = cuts.pop()
        last = title[cut.end() : end].strip()
        rest = title[: cut.start()].strip()
        dash = "—" in cut.group()
        site_like = last in known or last.endswith(_SITE_ENDINGS)
        if not last or site_like or (not dash and len(last) <= 25 and len(rest) >= 8):
            end = cut.start()
        else:
            break
    return _without_column(title[:end].strip() or title)


def _without_column(title: str) -> str:
    """``title`` without a column's name in front (警示教育 | 标题), as some CMSs write it in
    the page's title and its heading: a short part before a bar, a title after it."""
    front = _COLUMN_IN_FRONT.match(title)
    return title[front.end() :] if front and len(title) - front.end() >= 8 else title


def _labelled_date(label: re.Pattern[str], text: str) -> str:
    """The first date right after ``label`` in ``text``, or ``""``."""
    for match in label.finditer(text):
        found = leading_date(text[match.end() : match.end() + _DATE_AFTER_LABEL])
        if found:
            return found
    return ""


def _date(body: Tag, article: Tag, metas: dict[str, str]) -> str:
    """发布时间 as shown on the page, else the PubDate meta, else a 时间： label outside the
    article (inside it, 时间 is more likely a meeting's)."""
    page = _SPACES.sub(" ", body.get_text(" "))
    stated = _labelled_date(_STRONG_DATE_LABEL, page)
    if stated:
        return stated
    for key in _META_DATE:
        found = find_date(metas.get(key, ""))
        if found:
            return found
    inside = _SPACES.sub(" ", article.get_text(" "))
    outside = page.replace(inside, " ") if inside else page
    return _labelled_date(_WEAK_DATE_LABEL, outside)
