"""Tests that try to leak: small corpora with random visibility, read by every kind of viewer
through the search core and through the web routes; nothing outside a viewer's rights may
show up, not a title, a passage, a document id nor a count (kb.access)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.store import update_index
from kb.access import (
    ANONYMOUS,
    DEPARTMENT_ADMIN,
    INTERNAL,
    PUBLIC,
    READER,
    RESTRICTED,
    RULE_FILE,
    SYSTEM_ADMIN,
    Viewer,
    Visibility,
)
from kb.cli import DEFAULT_DICT
from kb.engines.whoosh.searcher import Searcher
from kb.filenames import doc_id_for
from web import create_app
from web.state import VIEWER

# One marker per document: in its title and its own paragraph only, so a marker seen in an
# answer names the document it came from.
MARKERS = ("青松计划", "白鹭专项", "红枫行动", "金桥工程", "碧水工程")
# Paragraphs several documents share: the copies collapse into one hit with also_in.
SHARED = (
    "各单位要严格执行中央八项规定精神，坚决纠治形式主义、官僚主义，切实为基层减负。",
    "对违规吃喝、违规收送礼品礼金等问题，发现一起、查处一起，绝不姑息。",
    "要建立问题清单和整改台账，明确责任人和完成时限，按期报送整改情况。",
)
VIEWERS = (
    ANONYMOUS,
    Viewer("张三", "甲部", READER),
    Viewer("李四", "乙部", READER),
    Viewer("王五", "丙部", DEPARTMENT_ADMIN),
    SYSTEM_ADMIN,
)

visibilities = st.one_of(
    st.just(Visibility(PUBLIC)),
    st.just(Visibility(INTERNAL)),
    st.builds(
        lambda departments, people: Visibility(RESTRICTED, departments, people),
        st.sampled_from([(), ("甲部",), ("乙部",), ("甲部", "乙部")]),
        st.sampled_from([(), ("张三",), ("王五",)]),
    ),
)
documents = st.lists(
    st.tuples(visibilities, st.booleans(), st.sampled_from(range(len(SHARED)))),
    min_size=2,
    max_size=len(MARKERS),
)


def _text(marker: str, shared: int) -> str:
    return (
        f"关于推进{marker}的通知\n\n各单位：\n\n{marker}是今年的重点工作，请认真落实{marker}各项安排。\n\n"
        f"{SHARED[shared]}\n\n必须严格落实作风建设要求，不得搞变通。\n"
    )


def _write(folder: Path, plan: list) -> dict[str, tuple[str, Visibility]]:
    """The corpus: each document's visibility set by a side file or a folder rule; returns
    {doc_id: (marker, visibility)}."""
    made = {}
    for number, (visibility, by_rule, shared) in enumerate(plan):
        marker = MARKERS[number]
        home = folder / f"d{number}"
        home.mkdir(parents=True)
        path = home / f"通知{number}.txt"
        path.write_text(_text(marker, shared), encoding="utf-8")
        fields = {
            "visibility": visibility.level,
            "departments": list(visibility.departments),
            "people": list(visibility.people),
        }
        if by_rule:
            (home / RULE_FILE).write_text(
                "\n".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in fields.items()),
                encoding="utf-8",
            )
        else:
            side = home / f"{path.name}.json"
            side.write_text(json.dumps(fields, ensure_ascii=False), encoding="utf-8")
        made[doc_id_for(path)] = (marker, visibility)
    return made


def _leaks(text: str, forbidden: dict[str, tuple[str, Visibility]]) -> list[str]:
    """What of the ``forbidden`` documents ``text`` shows: an id, the title or the marker's
    own paragraph (the marker alone may be the viewer's own query, echoed)."""
    return [
        f"{doc_id}/{marker}"
        for doc_id, (marker, _) in forbidden.items()
        if doc_id in text or f"推进{marker}" in text or f"{marker}是今年" in text
    ]


QUERIES = (
    "作风建设",
    "通知",
    '"重点工作"',
    "八项规定 违规吃喝 整改台账",
    *MARKERS,
    *(f'"{m}"' for m in MARKERS),
)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(plan=documents)
def test_no_answer_holds_anything_outside_the_viewers_rights(plan):
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        made = _write(root / "docs", plan)
        report = update_index(root / "index", [root / "docs"], DEFAULT_DICT)
        assert not report.failed and not report.warnings
        core = Searcher(root / "index")
        app = create_app(
            {"INDEX": str(root / "index"), "INSTANCE": str(root / "instance"), "SEARCHER": core}
        )
        try:
            for viewer in VIEWERS:
                allowed = {d: v for d, v in made.items() if viewer.may_see(v[1])}
                forbidden = {d: v for d, v in made.items() if d not in allowed}
                _check_core(core.for_viewer(viewer), allowed, forbidden)
                app.extensions[VIEWER] = lambda viewer=viewer: viewer
                _check_web(app.test_client(), allowed, forbidden)
        finally:
            core.close()


def _check_core(searcher, allowed: dict, forbidden: dict) -> None:
    assert searcher.counts()[0] == len(allowed)
    for query in QUERIES:
        result = searcher.search(query, limit=100, facets=True)
        shown = {h.doc_id for h in result.hits} | {
            e["doc_id"] for h in result.hits for e in h.also_in
        }
        assert shown <= set(allowed), (query, shown - set(allowed))
        text = json.dumps(result.as_dict(), ensure_ascii=False)
        assert not _leaks(text, forbidden), query
        # Facets count every document with a matching passage, a copy shown under another
        # document's hit (also_in) included, so that a facet agrees with its filtered list.
        assert sum(n for _, n in result.facets.get("doc_type", [])) == len(shown)
        whole = searcher.search(query, limit=1000, per_doc=0)
        assert whole.total == len(whole.hits) and {h.doc_id for h in whole.hits} <= set(allowed)
    for doc_id, (marker, _) in allowed.items():
        found = searcher.search(f'"{marker}"', per_doc=0, limit=100)
        assert {h.doc_id for h in found.hits} == {doc_id}
        assert searcher.document(doc_id) is not None
    for doc_id, (marker, _) in forbidden.items():
        assert searcher.search(f'"{marker}"').total == 0
        assert searcher.document(doc_id) is None
    for suggestion in searcher.suggest("重点工作 不存在的词"):
        assert not _leaks(suggestion, forbidden)
    cases = searcher.cases(limit=1000)
    assert not _leaks(json.dumps(cases.as_dict(), ensure_ascii=False), forbidden)


def _check_web(client, allowed: dict, forbidden: dict) -> None:
    pages = [f"/search?q={q}" for q in QUERIES[:4]] + [f"/api/search?q={q}" for q in QUERIES]
    pages += ["/cases", "/api/cases", "/requirements", "/api/requirements"]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert not _leaks(response.get_data(as_text=True), forbidden), page
    for doc_id in forbidden:
        for url in (f"/doc/{doc_id}", f"/doc/{doc_id}/original", f"/api/docs/{doc_id}"):
            assert client.get(url).status_code == 404, url
    for doc_id in allowed:
        assert client.get(f"/doc/{doc_id}").status_code == 200
