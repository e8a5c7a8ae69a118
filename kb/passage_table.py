"""The passage table: a few columns per Whoosh document number, kept beside the index.

Search needs some facts about every candidate passage — its document, whether it is
furniture (a heading, the title, a metadata line), its duplicate fingerprint, the document's
type, date and issuer (for facets and sorting), its typical case and what that case is filed
under, its folded heading context and text (for re-ranking and exact substring search).
Reading them from Whoosh's compressed stored fields costs ~15 µs a passage; here they are
plain lists, and the folded texts also form one string that ``str.find`` scans for quoted
search — about a millisecond per million characters, exact by construction, across word
boundaries and for single characters. (A character-level Whoosh index gave the same answers
at twice the build time.)

The table is written after every commit, named after the Whoosh index generation it belongs
to, so a searcher always pairs with the right one; if it is missing (an index written by an
older kb, or deleted by hand) it is rebuilt in memory from the stored passages. Whoosh
segments never change once written (deletions live in the table of contents), so after an
update the lines of segments that survived are copied from the previous table and only new
segments are read from the stored fields (``reuse``): folding and reading every stored
passage is what made a one-file update slow. The previous table is read as it is copied, a
line at a time from where each segment starts (``SegmentLines``), never held whole.
"""

from __future__ import annotations

import bisect
import contextlib
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, overload

from kb.duplicates import fingerprint
from kb.facets import facets_of
from kb.folding import fold
from kb.numbering import SPOKEN_HEADING

if TYPE_CHECKING:
    from kb.grams import GramIndex

COLUMNS = (
    "doc_id",
    "heading",
    "fingerprint",
    "doc_type",
    "date",
    "issuer",
    "case_id",
    "facets",
    "context",
    "text",
)
_FIELD = "\x1f"  # separates the columns of a line; never in folded text


def table_path(whoosh_dir: Path, generation: int) -> Path:
    return whoosh_dir / f"passages-{generation}.txt"


def _row(stored: dict) -> tuple[str, ...]:
    text = stored.get("text", "")
    return (
        stored["doc_id"],
        _kind(stored),
        fingerprint(text),
        stored.get("doc_type", ""),
        stored.get("date", ""),
        stored.get("issuer", ""),
        stored.get("case_id", ""),
        facets_of(stored),
        context_of(stored),
        fold(text),
    )


def context_of(stored: dict) -> str:
    """The ``context`` column: the folded title and the headings a passage stands under that
    weigh in ranking. A speech's 第一， point (kb.numbering.SPOKEN_HEADING) is shown as a
    section but weighs as the sentence it is, as it did before kb read it as a heading."""
    headings = [h for h in stored.get("section") or [] if not SPOKEN_HEADING.match(h)]
    return fold(stored.get("title", "") + " " + " ".join(headings))


def _kind(stored: dict) -> str:
    """The ``heading`` column: "h" a heading or the title, "m" a metadata line, "" text."""
    return "m" if stored.get("meta") else "h" if stored.get("heading") else ""


_EMPTY = _FIELD * (len(COLUMNS) - 1)


def _valid(lines: list[str], count: int) -> bool:
    expected = len(COLUMNS) - 1
    return len(lines) == count and all(line.count(_FIELD) == expected for line in lines)


def _segment_id(leaf) -> str | None:
    segment = leaf.segment()
    return segment.segment_id() if segment is not None else None


@dataclass(frozen=True)
class SegmentLines:
    """Where the lines of one Whoosh segment stand in an earlier generation's table file:
    read from there as they are copied, never held all at once."""

    path: Path
    offset: int  # bytes
    count: int

    def __iter__(self) -> Iterator[str]:
        with open(self.path, "rb") as stream:
            stream.seek(self.offset)
            for _ in range(self.count):
                yield stream.readline().rstrip(b"\n").decode("utf-8")


def table_lines(reader, reuse: Mapping[str, SegmentLines] | None = None) -> list[str]:
    """One line per document number of ``reader`` (empty columns for deleted documents);
    ``reuse`` gives earlier lines per Whoosh segment id (see ``lines_by_segment``)."""
    return list(iter_table_lines(reader, reuse))


def iter_table_lines(reader, reuse: Mapping[str, SegmentLines] | None = None) -> Iterator[str]:
    """The lines of ``table_lines`` one at a time, so that writing the table of a large
    index never holds it whole."""
    for leaf, _ in reader.leaf_readers():
        count = leaf.doc_count_all()
        old = (reuse or {}).get(_segment_id(leaf) or "")
        earlier = iter(old) if old is not None and old.count == count else None
        for docnum in range(count):
            line = next(earlier) if earlier is not None else _EMPTY
            if leaf.is_deleted(docnum):
                yield _EMPTY
            elif line != _EMPTY:
                yield line
            else:
                yield _FIELD.join(_row(leaf.stored_fields(docnum)))


def lines_by_segment(whoosh_dir: Path, reader) -> dict[str, SegmentLines]:
    """Where each of ``reader``'s segments has its lines in the stored table of its
    generation, to carry them over to the next generation; empty when the table is missing
    or does not match. The file is read once, a line at a time, to check it and find where
    each segment starts; none of its text is kept."""
    path = table_path(whoosh_dir, reader.generation())
    starts: dict[int, int] = {}  # document number -> byte offset of its line
    wanted = {base for _, base in reader.leaf_readers()}
    expected = len(COLUMNS) - 1
    lines = 0
    try:
        with open(path, "rb") as stream:
            offset = 0
            for line in stream:
                if line.count(b"\x1f") != expected:
                    return {}
                if lines in wanted:
                    starts[lines] = offset
                offset += len(line)
                lines += 1
    except OSError:
        return {}
    if lines != reader.doc_count_all():
        return {}
    found: dict[str, SegmentLines] = {}
    for leaf, base in reader.leaf_readers():
        segment_id = _segment_id(leaf)
        if segment_id is None:
            return {}
        count = leaf.doc_count_all()
        if count:
            found[segment_id] = SegmentLines(path, starts[base], count)
    return found


def write_table(
    whoosh_dir: Path,
    reader,
    reuse: Mapping[str, SegmentLines] | None = None,
    sync: bool = False,
) -> Path:
    """Write the table for the reader's generation and drop tables of older generations.
    ``sync`` flushes it to disk before it takes its name (for a generation already live)."""
    path = table_path(whoosh_dir, reader.generation())
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as stream:
        for number, line in enumerate(iter_table_lines(reader, reuse)):
            stream.write(f"\n{line}" if number else line)
        if sync:
            stream.flush()
            os.fsync(stream.fileno())
    os.replace(tmp, path)
    for old in whoosh_dir.glob("passages-*.txt"):
        if old != path:
            # A reader on Windows may still hold it open; it goes next time.
            with contextlib.suppress(OSError):
                old.unlink()
    return path


class _Slices(Sequence[str]):
    """The passages' texts as slices of the one string that holds them all."""

    def __init__(self, text: str, starts: list[int]) -> None:
        self._text = text
        self._starts = starts

    def __len__(self) -> int:
        return len(self._starts)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        start = self._starts[index]
        following = index + 1 if index >= 0 else len(self._starts) + index + 1
        end = self._starts[following] - 1 if following < len(self._starts) else len(self._text)
        return self._text[start:end]


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
        # Furniture: the title, headings, 附件 lines and metadata lines (see kb.view.Columns).
        self.furniture = [flag != "" for flag in named["heading"]]
        self.fingerprints = named["fingerprint"]
        self.doc_types = named["doc_type"]
        self.dates = named["date"]
        self.issuers = named["issuer"]
        self.case_ids = named["case_id"]
        self.facets = named["facets"]
        self.contexts = named["context"]
        self.text = "\n".join(named["text"])
        self.grams: GramIndex | None = None  # see index_grams
        self.starts: list[int] = []
        position = 0
        for text in named["text"]:
            self.starts.append(position)
            position += len(text) + 1
        self.texts = _Slices(self.text, self.starts)  # the text held once, not twice

    @classmethod
    def for_reader(cls, whoosh_dir: Path, reader, trusted: bool = True) -> PassageTable:
        """The table of ``reader``'s generation, read from its file when that is there,
        whole and ``trusted``, else rebuilt from the stored passages."""
        path = table_path(whoosh_dir, reader.generation())
        try:
            lines = path.read_text(encoding="utf-8").split("\n") if trusted else []
        except (OSError, UnicodeDecodeError):
            lines = []
        if not _valid(lines, reader.doc_count_all()):
            lines = table_lines(reader)
        return cls(lines)

    def index_grams(self) -> None:
        """Index the text's character pairs (``kb.grams``), so that ``containing`` no longer
        scans it all; searches scan meanwhile. Seconds for a large table: call it from a
        thread of its own."""
        from kb.grams import GramIndex

        self.grams = GramIndex(self.text, self.starts)

    def containing(self, needle: str) -> list[int]:
        """Sorted document numbers of passages whose folded text contains ``needle``."""
        if not needle or "\n" in needle or _FIELD in needle:
            return []
        grams = self.grams
        if grams is not None and len(needle) > 1:
            return grams.containing(needle)
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
