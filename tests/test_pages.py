"""Page defects of issue 16 (item 7): the one pager (kb.paging) on the search page, the case
library and the requirement list; counts that say their unit and agree with the filtered lists;
hostile query strings on those pages."""

from __future__ import annotations

import itertools
import random
import re
import zlib

import pytest

from kb.paging import MAX_PAGE, Pages, page_number
from web import create_app
from web.views import cases as cases_view


@pytest.fixture(scope="module")
def client(corpus_index):
    return create_app({"INDEX": str(corpus_index)}).test_client()


# --- kb.paging ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "page", "shown"),
    [
        (1, 1, [1]),
        (5, 1, [1, 2, 3, 4, 5]),  # the search page showed 1-4 of 5: the last page unreachable
        (5, 5, [1, 2, 3, 4, 5]),
        (7, 1, [1, 2, 3, None, 7]),
        (7, 4, [1, 2, 3, 4, 5, 6, 7]),
        (20, 10, [1, None, 8, 9, 10, 11, 12, None, 20]),
        (20, 20, [1, None, 18, 19, 20]),
        (20, 5, [1, 2, 3, 4, 5, 6, 7, None, 20]),
        (3, 9, [1, 2, 3]),  # a page past the end: the pager still leads back
    ],
)
def test_pager_numbers_reach_first_and_last(count, page, shown):
    assert Pages(count * 10, 10, page).numbers() == shown


def test_pager_for_any_page_count_shows_every_page_or_a_gap():
    for count, page in itertools.product(range(1, 40), range(1, 42)):
        pages = Pages(count * 7 - 3, 7, page)
        assert pages.count == count
        numbers = pages.numbers()
        assert numbers[0] == 1 and numbers[-1] == count
        shown = [n for n in numbers if n is not None]
        assert shown == sorted(set(shown))
        for before, after in itertools.pairwise(numbers):  # a gap hides two or more numbers
            if before is not None and after is not None:
                assert after == before + 1
            elif after is None:
                assert before is not None
        if page <= count:
            assert page in shown
            assert pages.previous == (page - 1 or None) and not pages.beyond
            assert pages.next == (page + 1 if page < count else None)
        else:
            assert pages.beyond and pages.previous == count and pages.next is None


def test_pager_counts_and_offsets():
    assert Pages(0, 10).count == 1 and Pages(0, 10).numbers() == [1]
    assert Pages(10, 10).count == 1 and Pages(11, 10).count == 2
    assert Pages(46, 10, 3).offset == 20
    with pytest.raises(ValueError):
        Pages(5, 0)


@pytest.mark.parametrize(
    ("text", "page"),
    [
        (None, 1),
        ("", 1),
        ("3", 3),
        (" 4 ", 4),
        ("0", 1),
        ("-2", 1),
        ("abc", 1),
        ("1e3", 1),
        ("２", 1),
        ("2.5", 1),
        ("999999999999999999999999", MAX_PAGE),
        (str(MAX_PAGE + 1), MAX_PAGE),
    ],
)
def test_page_numbers_from_requests(text, page):
    assert page_number(text) == page


# --- the search page's pager ------------------------------------------------------------------


def pager_of(html: str) -> str:
    found = re.search(r'<nav class="pager".*?</nav>', html, re.S)
    return found.group(0) if found else ""


def linked_pages(html: str) -> set[int]:
    """The page numbers the pager links to (a link without page= leads to page 1)."""
    hrefs = re.findall(r'href="([^"]*)"', pager_of(html))
    return {int(m.group(1)) if (m := re.search(r"[?&;]page=(\d+)", h)) else 1 for h in hrefs}


def test_search_pager_reaches_the_last_page_and_steps(client):
    data = client.get("/api/search?q=整改&per_page=10").get_json()
    count = -(-data["total"] // 10)
    assert count >= 5, "the sample corpus gives 整改 five pages or more"
    first = client.get("/search?q=整改").get_data(as_text=True)
    pager = pager_of(first)
    assert 'aria-current="page">1<' in pager
    assert count in linked_pages(first), "the last page is reachable from the first"
    assert "下一页" in pager and "上一页" not in pager
    last = client.get(f"/search?q=整改&page={count}").get_data(as_text=True)
    pager = pager_of(last)
    assert f'aria-current="page">{count}<' in pager
    assert "上一页" in pager and "下一页" not in pager and 1 in linked_pages(last)
    assert re.search(r'<ol class="hits" start="\d+">\s*<li', last), "the last page has hits"


def test_search_page_past_the_end_says_so_and_leads_back(client):
    data = client.get("/api/search?q=整改&per_page=10").get_json()
    count = -(-data["total"] // 10)
    html = client.get("/search?q=整改&page=999").get_data(as_text=True)
    assert f"没有第 999 页：这次检索共 {count} 页。" in html
    assert "上一页" in pager_of(html) and count in linked_pages(html)


# --- /cases -------------------------------------------------------------------------------------


def test_case_library_pages_with_next_and_previous(client, monkeypatch):
    monkeypatch.setattr(cases_view, "PAGE_SIZE", 4)
    total = client.get("/api/cases?per_page=100").get_json()["total"]
    count = -(-total // 4)
    assert count >= 5
    first = client.get("/cases").get_data(as_text=True)
    assert "下一页" in pager_of(first) and count in linked_pages(first)
    assert f"第 1/{count} 页" in first
    middle = client.get("/cases?page=3").get_data(as_text=True)
    assert {2, 4, 1, count} <= linked_pages(middle)
    assert "上一页" in pager_of(middle) and "下一页" in pager_of(middle)
    last = client.get(f"/cases?page={count}").get_data(as_text=True)
    assert "下一页" not in pager_of(last) and len(re.findall(r'class="case-card"', last)) >= 1


def test_case_library_keeps_its_filters_when_paging(client, monkeypatch):
    monkeypatch.setattr(cases_view, "PAGE_SIZE", 2)
    html = client.get("/cases?q=吃喝").get_data(as_text=True)
    nxt = re.search(r'<a rel="next" href="([^"]+)"', html)
    assert nxt and "q=" in nxt.group(1) and "page=2" in nxt.group(1)


# --- counts and their units ---------------------------------------------------------------------


def test_headline_counts_passages_and_documents_and_facets_say_pian(client):
    data = client.get("/api/search?q=整改").get_json()
    html = client.get("/search?q=整改").get_data(as_text=True)
    summary = re.search(r"<p class=\"summary\" data-summary>(.*?)</p>", html).group(1)
    plain = re.sub(r"<[^>]+>", "", summary)
    assert plain.startswith(f"共 {data['total']} 条段落，来自 {data['documents']} 篇文件")
    assert 0 < data["documents"] <= data["total"]
    facet_counts = re.findall(r'<span class="n" title="(\d+) 篇文件">(\d+) 篇</span>', html)
    assert facet_counts and all(a == b for a, b in facet_counts)


def filtered_documents_agree(searcher, query: str) -> list[str]:
    """Each year, type and issuer facet value of ``query`` against the document count of the
    search filtered by it: the disagreements, described."""
    result = searcher.search(query, facets=True)
    wrong = []
    for key, facet in (("year", "year"), ("type", "doc_type"), ("issuer", "issuer")):
        for value, count in result.facets.get(facet, []):
            filtered = searcher.search(query, facets=True, filters={key: [value]})
            if filtered.documents != count:
                wrong.append(f"{query} {key}={value}: facet {count}, list {filtered.documents}")
            # the facet of the filtered search counts the same documents
            own = dict(filtered.facets.get(facet, []))
            if own.get(value) != count:
                wrong.append(f"{query} {key}={value}: facet {count}, its own {own.get(value)}")
    return wrong


def test_facets_agree_with_filtered_lists_on_the_sample_corpus(searcher):
    for query in ("整改", "四风", "会议", "干部"):
        assert filtered_documents_agree(searcher, query) == []


QUERIES = ("干部", "八项规定", "违规吃喝", "经济", "整改", "发展", '"党组织"', "教育 -学校")
QUERIES += ("安全生产", "乡村振兴", "学校 year:2023", "type:通报", "教育")


def test_facets_agree_with_filtered_lists_on_real_documents(real_searcher):
    """realdocs: issuers that contain one another (国务院, 国务院办公厅, 中共中央 国务院), documents
    dated by month only, notices reposted by other documents."""
    wrong = [w for query in QUERIES for w in filtered_documents_agree(real_searcher, query)]
    assert wrong == []


def test_an_issuer_facet_takes_that_issuer_only_while_typed_issuer_takes_any(real_searcher):
    exact = real_searcher.search("发展", filters={"issuer": ["国务院"]}, limit=500)
    assert exact.hits and {h.issuer for h in exact.hits} == {"国务院"}
    typed = real_searcher.search("发展 issuer:国务院", limit=500)
    assert {h.issuer for h in typed.hits} > {"国务院"}


def test_several_issuer_facets_take_any_of_them(real_searcher):
    result = real_searcher.search("发展", facets=True)
    (first, n1), (second, n2) = result.facets["issuer"][:2]
    both = real_searcher.search("发展", filters={"issuer": [first, second]})
    assert both.documents == n1 + n2


# --- hostile query strings ----------------------------------------------------------------------

PAGE_VALUES = ["", "0", "-1", "1", "2", "5", "999", "1001", "9" * 40, "abc", "1.5", "1e9",
               "２", "%00", "\x00", " 3", "+4", "0x10", "NaN", "∞"]  # fmt: skip
FACET_VALUES = ["2024", "2023-2025", "abcd", "", "通报", "9999", "0", "-1", "国务院", "\x01",
                "<script>", "年" * 300, "%", "'", '"']  # fmt: skip
KEYS = ["type", "year", "issuer", "problem", "sanction", "level", "per_page", "sort", "page"]


def query_strings(seed: int, count: int) -> list[list[tuple[str, str]]]:
    """Random query strings from a small grammar: a query, a page, repeated facets."""
    rng = random.Random(seed)
    made = []
    for _ in range(count):
        pairs = [("q", rng.choice(["整改", "", "四风 -会议", '"以会议落实会议"', "year:20x"]))]
        pairs.append(("page", rng.choice(PAGE_VALUES)))
        for _ in range(rng.randint(0, 14)):
            key = rng.choice(KEYS)
            value = rng.choice(PAGE_VALUES if key in ("page", "per_page") else FACET_VALUES)
            pairs.append((key, value))
        made.append(pairs)
    return made


CHINESE = re.compile(r"[\u4e00-\u9fff]")


PAGES = ["/search", "/cases", "/requirements", "/casepack"]
RAW = ["page=%FF", "page=%00&page=2", "year=%C0%AF", "q=%E6%95&page=2", "type=&type=&type=",
       "page=" + "9" * 5000, "year=" + "&year=".join(str(y) for y in range(1990, 2030)),
       "q=" + "%01" * 50, "sort=date&sort=relevance&page=-0", "issuer=%EF%BC%9C"]  # fmt: skip


@pytest.mark.parametrize("path", PAGES + ["/api/search", "/api/cases"])
def test_hostile_query_strings_answer_200_or_a_chinese_400(client, path):
    tried = [f"{path}?{raw}" for raw in RAW]
    tried += [(path, pairs) for pairs in query_strings(zlib.crc32(path.encode()), 60)]
    for attempt in tried:
        if isinstance(attempt, str):
            response = client.get(attempt)
        else:
            response = client.get(attempt[0], query_string=attempt[1])
        assert response.status_code in (200, 400), (attempt, response.status_code)
        text = response.get_data(as_text=True)
        assert "Traceback" not in text
        if path.startswith("/api/") and response.status_code == 200:
            assert isinstance(response.get_json(), dict), attempt
        else:
            assert CHINESE.search(text), attempt


def test_the_folded_filters_say_how_many_are_chosen(client):
    html = client.get("/search?q=整改&year=2024&type=通报").get_data(as_text=True)
    assert "筛选：文种、年份、发文机关（已选 2 项）</summary>" in html
    html = client.get("/search?q=整改").get_data(as_text=True)
    assert "筛选：文种、年份、发文机关</summary>" in html
    html = client.get("/cases?year=2024").get_data(as_text=True)
    assert "（已选 1 项）</summary>" in html


CASE_FILTERS = {"problem": "problems", "sanction": "sanctions", "level": "levels", "year": "years"}


def case_facets_disagree(searcher, query: str) -> list[str]:
    """Each case facet value of ``query`` against the number of cases its filter lists."""
    wrong = []
    for key, values in searcher.cases(query, limit=100_000).facets().items():
        for value, count in values:
            chosen = [int(value)] if key == "year" else [value]
            listed = searcher.cases(query, limit=100_000, **{CASE_FILTERS[key]: chosen}).total
            if listed != count:
                wrong.append(f"{query!r} {key}={value}: facet {count}, list {listed}")
    return wrong


def test_case_facets_agree_with_filtered_lists(searcher, real_searcher):
    """A problem category with sub-kinds (形式主义官僚主义) files its sub-kinds' cases too, as
    its filter does; realdocs has cases filed under the category alone and under sub-kinds."""
    wrong = [w for query in ("", "吃喝") for w in case_facets_disagree(searcher, query)]
    wrong += [
        w for query in ("", "公款", "形式主义") for w in case_facets_disagree(real_searcher, query)
    ]
    assert wrong == []


def test_every_facet_count_says_its_unit(client):
    for url, unit in (("/cases", "个"), ("/casepack", "个"), ("/requirements", "条")):
        html = client.get(url).get_data(as_text=True)
        counts = re.findall(r'<span class="n"[^>]*>([^<]*)</span>', html)
        assert counts and all(re.fullmatch(rf"\d+ {unit}", c) for c in counts), (url, counts)
