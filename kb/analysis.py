"""Chinese analysis: jieba segmentation of folded text, in forms Whoosh can index.

Each passage is indexed two ways (see ``kb.schema``):

* ``words``    — jieba's precise-mode words (the tokenizer gives them *sequential* positions,
  unlike jieba's bundled ``ChineseAnalyzer``, which records character offsets);
* ``subwords`` — dictionary words inside longer words (八项规定 inside 中央八项规定精神,
  热线 inside 12345政务服务热线), so a short query word finds the long form.

Exact quoted search works on the folded text itself (``kb.passage_table``).
"""

from __future__ import annotations

import functools
import logging
import re
import shutil
import threading
from pathlib import Path

import jieba

from kb.dictionaries import Dictionaries

_WORDLIKE = re.compile(r"\w")
_ASCII_RUN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")

jieba.setLogLevel(logging.WARNING)


SHORT = 32  # characters: texts this short are segmented once per Segmenter (see spans)
SHORT_CACHE = 50_000

_loaded: dict[str, tuple[jieba.Tokenizer, Path | None]] = {}
_loading = threading.Lock()
CACHE_FILE = "jieba.cache"


def _jieba_for(dictionaries: Dictionaries, cache_dir: Path | None) -> jieba.Tokenizer:
    """A ready jieba tokenizer per user dictionary, shared in the process: loading one costs
    ~0.5 s, and the web app, tests and workers ask for it often. Its cache file (of jieba's
    main dictionary) is kept in ``cache_dir``, copied there if loaded from elsewhere."""
    with _loading:
        loaded = _loaded.get(dictionaries.userdict_digest)
        if loaded is not None:
            tokenizer, loaded_from = loaded
            if cache_dir is not None and loaded_from is not None and loaded_from != cache_dir:
                source, target = loaded_from / CACHE_FILE, cache_dir / CACHE_FILE
                if source.is_file() and not target.exists():
                    cache_dir.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(source, target)
            return tokenizer
        tokenizer = jieba.Tokenizer()
        if cache_dir is not None:
            cache_dir.mkdir(parents=True, exist_ok=True)
            tokenizer.tmp_dir = str(cache_dir)
            tokenizer.cache_file = CACHE_FILE
        tokenizer.initialize()
        for term, freq in dictionaries.userdict:
            tokenizer.add_word(term, freq)
        _loaded[dictionaries.userdict_digest] = (tokenizer, cache_dir)
        return tokenizer


class Segmenter:
    """jieba loaded with our user dictionary (its cache kept in ``cache_dir``), plus the
    query-time lists (synonyms, stopwords) that belong to the same dictionaries."""

    def __init__(self, dictionaries: Dictionaries, cache_dir: Path | None = None) -> None:
        self.dictionaries = dictionaries
        self._cache_dir = cache_dir
        self._tokenizer: jieba.Tokenizer | None = None
        self._short_spans = functools.lru_cache(maxsize=SHORT_CACHE)(
            lambda folded: tuple(self._cut(folded))
        )

    @property
    def _jieba(self) -> jieba.Tokenizer:
        if self._tokenizer is None:
            self._tokenizer = _jieba_for(self.dictionaries, self._cache_dir)
        return self._tokenizer

    def spans(self, folded: str) -> list[tuple[str, int, int]]:
        """(word, start, end) for every word-like token of already-folded text. Short texts
        (queries, their words and the dictionary forms they reach, asked again and again)
        are cut once and remembered."""
        if len(folded) <= SHORT:
            return list(self._short_spans(folded))
        return self._cut(folded)

    def _cut(self, folded: str) -> list[tuple[str, int, int]]:
        return [
            (w, start, end) for w, start, end in self._jieba.tokenize(folded) if _WORDLIKE.search(w)
        ]

    def words(self, folded: str) -> list[str]:
        return [w for w, _, _ in self.spans(folded)]

    def subwords(self, words: list[str]) -> list[str]:
        """Dictionary words and ASCII runs strictly inside longer words."""
        freq = self._jieba.FREQ
        found: list[str] = []
        for word in words:
            size = len(word)
            if size < 3:
                continue
            for n in range(2, size):
                for i in range(size - n + 1):
                    part = word[i : i + n]
                    if freq.get(part):
                        found.append(part)
            if not word.isascii():
                found.extend(m.group() for m in _ASCII_RUN.finditer(word) if m.group() != word)
        return found


def __getattr__(name: str):
    # Indexes written before the tokenizer moved pickle it as kb.analysis.JiebaTokenizer.
    if name == "JiebaTokenizer":
        from kb.engines.whoosh.analysis import JiebaTokenizer

        return JiebaTokenizer
    raise AttributeError(f"module 'kb.analysis' has no attribute {name!r}")
