"""The passage table: a few columns per Whoosh document number, kept beside the index.

Search needs some facts about every candidate passage — its document, whether it is a
heading, its duplicate fingerprint, the document's type, date and issuer (for facets and
sorting), its folded heading context and text (for re-ranking and exact substring search).
Reading them from Whoosh's compressed stored fields costs ~15 µs a passage; here they are
plain lists, and the folded texts also form one string that ``str.find`` scans for quoted
search — about a millisecond per million characters, exact by construction, across word
boundaries and for single characters. (A character-level Whoosh index gave the same answers
at twice the build time.)

The table is written after every commit, named after the Whoosh index generation it belongs
to, so a searcher always pairs with the right one; if it is missing (an update is between its
commit and writing the table) it is rebuilt in memory from the stored passages.
"""

from __future__ import annotations

import bisect
import contextlib
import os
from pathlib import Path

from kb.duplicates import fingerprint
from kb.folding import fold

COLUMNS = ("doc_id", "heading", "fingerprint", "doc_type", "date", "issuer", "context", "text")
_FIELD = "\x1f"  # separates the columns of a line; never in folded text


def table_path(whoosh_dir: Path, generation: int) -> Path:
    return whoosh_dir / f"passages-{generation}.txt"


def _row(stored: dict) -> tuple[str, ...]:
    text = stored.get("text", "")
    return (
        stored["doc_id"],
        "h" if stored.get("heading") else "",
        fingerprint(text),
        stored.get("doc_type", ""),
        stored.get("date", ""),
        stored.get("issuer", ""),
        fold(stored.get("title", "") + " " + " ".join(stored.get("section") or [])),
        fold(text),
    )


def table_lines(reader) -> list[str]:
    """One line per document number of ``reader`` (empty columns for deleted documents)."""
    empty = _FIELD * (len(COLUMNS) - 1)
    return [
        empty if reader.is_deleted(docnum) else _FIELD.join(_row(reader.stored_fields(docnum)))
        for docnum in range(reader.doc_count_all())
    ]


def write_table(whoosh_dir: Path, reader) -> Path:
    """Write the table for the reader's generation and drop tables of older generations."""
    path = table_path(whoosh_dir, reader.generation())
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(table_lines(reader)), encoding="utf-8")
    os.replace(tmp, path)
    for old in whoosh_dir.glob("passages-*.txt"):
        if old != path:
            # A reader on Windows may still hold it open; it goes next time.
            with contextlib.suppress(OSError):
                old.unlink()
    return path


class PassageTable:
    """Columns by document number, and all folded texts as one string for substring search."""

    def __init__(self, lines: list[str]) -> None:
        interned: dict[str, str] = {}
        columns: list[list[str]] = [[] for _ in COLUMNS]
        for line in lines:
            for column, value in zip(columns, line.split(_FIELD), strict=True):
                column.append(interned.setdefault(value, value) if len(value) < 64 else value)
        named = dict(zip(COLUMNS, columns, strict=True))
        self.doc_ids = named["doc_id"]
        self.headings = [flag == "h" for flag in named["heading"]]
        self.fingerprints = named["fingerprint"]
        self.doc_types = named["doc_type"]
        self.dates = named["date"]
        self.issuers = named["issuer"]
        self.contexts = named["context"]
        self.texts = named["text"]
        self.text = "\n".join(self.texts)
        self.starts: list[int] = []
        position = 0
        for text in self.texts:
            self.starts.append(position)
            position += len(text) + 1

    @classmethod
    def for_reader(cls, whoosh_dir: Path, reader) -> PassageTable:
        path = table_path(whoosh_dir, reader.generation())
        try:
            lines = path.read_text(encoding="utf-8").split("\n")
        except OSError:
            lines = []
        expected = len(COLUMNS) - 1
        if len(lines) != reader.doc_count_all() or any(
            line.count(_FIELD) != expected for line in lines
        ):
            lines = table_lines(reader)
        return cls(lines)

    def containing(self, needle: str) -> list[int]:
        """Sorted document numbers of passages whose folded text contains ``needle``."""
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
