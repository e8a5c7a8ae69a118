"""Exact substring search over passage text, like grep, without a character index.

The folded text of every passage is kept in one file, one passage per line in Whoosh document
number order (deleted passages as empty lines): ``str.find`` scans a million characters in
about a millisecond, and the answer is exact by construction, across word boundaries and for
single characters. A character-level Whoosh index gave the same answers at twice the build
time (bench/speed.py).

The file is named after the Whoosh index generation it was written for, so a searcher always
pairs with the right one; if it is missing (an update is between its commit and writing the
file) it is rebuilt in memory from the stored passages.
"""

from __future__ import annotations

import bisect
import contextlib
import os
from pathlib import Path

from whoosh import matching
from whoosh import query as wq

from kb.duplicates import fingerprint
from kb.folding import fold

_FIELD = "\x1f"  # separates the fields of a line; never in folded text
_HEADING = "h"


def store_path(whoosh_dir: Path, generation: int) -> Path:
    return whoosh_dir / f"passages-{generation}.txt"


def passage_lines(reader) -> list[str]:
    """One line per document number of ``reader``: doc_id, heading flag, duplicate
    fingerprint, folded title and headings, folded text (all empty for deleted documents)."""
    lines = []
    for docnum in range(reader.doc_count_all()):
        if reader.is_deleted(docnum):
            lines.append(_FIELD * 4)
            continue
        stored = reader.stored_fields(docnum)
        text = stored.get("text", "")
        context = fold(stored.get("title", "") + " " + " ".join(stored.get("section") or []))
        kind = _HEADING if stored.get("heading") else ""
        fields = (stored["doc_id"], kind, fingerprint(text), context, fold(text))
        lines.append(_FIELD.join(fields))
    return lines


def write_store(whoosh_dir: Path, reader) -> Path:
    """Write the store for the reader's generation and drop stores of older generations."""
    path = store_path(whoosh_dir, reader.generation())
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(passage_lines(reader)), encoding="utf-8")
    os.replace(tmp, path)
    for old in whoosh_dir.glob("passages-*.txt"):
        if old != path:
            # A reader on Windows may still hold it open; it goes next time.
            with contextlib.suppress(OSError):
                old.unlink()
    return path


class SubstringStore:
    """Per document number: doc_id, heading flag, duplicate fingerprint, folded context and
    text; all texts as one string.

    Besides substring search this lets ranking read candidates without touching Whoosh's
    compressed stored fields.
    """

    def __init__(self, lines: list[str]) -> None:
        self.doc_ids: list[str] = []
        self.headings: list[bool] = []
        self.fingerprints: list[str] = []
        self.contexts: list[str] = []
        texts: list[str] = []
        for line in lines:
            doc_id, kind, print_, context, text = line.split(_FIELD, 4)
            self.doc_ids.append(doc_id)
            self.headings.append(kind == _HEADING)
            self.fingerprints.append(print_)
            self.contexts.append(context)
            texts.append(text)
        self.texts = texts
        self.text = "\n".join(texts)
        self.starts: list[int] = []
        position = 0
        for text in texts:
            self.starts.append(position)
            position += len(text) + 1

    @classmethod
    def for_reader(cls, whoosh_dir: Path, reader) -> SubstringStore:
        path = store_path(whoosh_dir, reader.generation())
        try:
            lines = path.read_text(encoding="utf-8").split("\n")
        except OSError:
            lines = []
        if len(lines) != reader.doc_count_all() or not all(
            line.count(_FIELD) == 4 for line in lines
        ):
            lines = passage_lines(reader)
        return cls(lines)

    def docnums(self, needle: str) -> list[int]:
        """Sorted document numbers of passages containing ``needle`` (folded)."""
        if not needle or "\n" in needle or _FIELD in needle:
            return []
        found: list[int] = []
        text, starts = self.text, self.starts
        position = text.find(needle)
        while position != -1:
            docnum = bisect.bisect_right(starts, position) - 1
            found.append(docnum)
            if docnum + 1 >= len(starts):
                break
            position = text.find(needle, starts[docnum + 1])
        return found


class DocnumsQuery(wq.Query):
    """Matches a precomputed set of global document numbers, each with the same score."""

    def __init__(self, docnums: list[int], score: float = 1.0, label: str = "") -> None:
        self.docnums = docnums
        self.score = score
        self.label = label
        self.boost = 1.0

    def __repr__(self) -> str:
        return f"DocnumsQuery({self.label!r}, {len(self.docnums)} passages)"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, DocnumsQuery)
            and self.docnums == other.docnums
            and self.score == other.score
        )

    def __hash__(self) -> int:
        return hash((tuple(self.docnums), self.score))

    def estimate_size(self, ixreader) -> int:
        return len(self.docnums)

    def matcher(self, searcher, context=None):
        offset = 0
        parent = searcher.get_parent() if searcher.has_parent() else None
        if parent is not None:
            for leaf, leaf_offset in parent.leaf_searchers():
                if leaf is searcher:
                    offset = leaf_offset
                    break
        size = searcher.reader().doc_count_all()
        low = bisect.bisect_left(self.docnums, offset)
        high = bisect.bisect_left(self.docnums, offset + size)
        local = [d - offset for d in self.docnums[low:high]]
        if not local:
            return matching.NullMatcher()
        return matching.ListMatcher(local, all_weights=self.score * self.boost)
