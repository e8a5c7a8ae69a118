"""The character-pair index finds exactly what scanning the text finds (kb.grams), and a
searcher over a large index builds it by itself while it answers."""

from __future__ import annotations

import copy
import random
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.grams import GramIndex
from kb.passage_table import COLUMNS, PassageTable

# Few characters, so pairs repeat and phrases overlap (叁叁叁 in 叁叁叁叁); one beyond the
# Basic Multilingual Plane (𠀀), whose code needs all 21 bits of a pair's key.
ALPHABET = "叁叁肆伍a1𠀀 "


def scanned(text: str, needle: str) -> list[int]:
    found, position = [], text.find(needle)
    while position != -1:
        found.append(position)
        position = text.find(needle, position + 1)
    return found


def _table(passages: list[str]) -> PassageTable:
    separators = "\x1f" * (len(COLUMNS) - 1)  # every column empty but doc_id and text
    return PassageTable([f"d{i}{separators}{text}" for i, text in enumerate(passages)])


@settings(max_examples=300, deadline=None)
@given(
    passages=st.lists(st.text(alphabet=ALPHABET, max_size=30), min_size=1, max_size=8),
    needles=st.lists(st.text(alphabet=ALPHABET, min_size=2, max_size=5), min_size=1, max_size=6),
)
def test_pairs_find_what_a_scan_finds(passages, needles):
    table = _table(passages)
    scan = copy.copy(table)
    table.index_grams()
    assert table.grams is not None and scan.grams is None
    for needle in needles:
        assert table.grams.find(needle) == scanned(table.text, needle), needle
        assert table.containing(needle) == scan.containing(needle), needle


def test_the_texts_are_slices_of_the_one_string():
    passages = ["第一段", "", "第三段，较长一些", "末段"]
    table = _table(passages)
    assert list(table.texts) == passages and len(table.texts) == 4
    assert table.texts[-1] == "末段" and table.texts[1:3] == ["", "第三段，较长一些"]


def test_single_characters_and_line_breaks_are_still_scanned():
    table = _table(["四风问题", "风气"])
    table.index_grams()
    assert table.containing("风") == [0, 1]
    assert table.containing("问题\n风") == []
    with pytest.raises(ValueError):
        GramIndex("四风").find("风")


def _live_table(searcher) -> PassageTable:
    _, table = searcher._current_searcher()
    return table


def test_a_searcher_indexes_the_pairs_of_a_large_index(real_searcher):
    """The realdocs index (1.4 M characters) is above GRAMS_FROM: the searcher's table gets
    its index in the background, and then answers every phrase as the scan does."""
    table = _live_table(real_searcher)
    deadline = time.monotonic() + 120
    while table.grams is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert table.grams is not None, "no character-pair index after two minutes"
    scan = copy.copy(table)
    scan.grams = None
    rng = random.Random(14)
    needles = ["八项规定", "四风", "层层加码", "违规吃喝", "十起", "工作", "的", "。"]
    for _ in range(400):
        start = rng.randrange(len(table.text) - 10)
        needles.append(table.text[start : start + rng.randint(2, 9)])
    for needle in needles:
        assert table.containing(needle) == scan.containing(needle), needle
    assert real_searcher.search('"层层加码"').total == len(scan.containing("层层加码"))
