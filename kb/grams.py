"""Where each pair of adjacent characters stands in the passage table's text: candidates for
exact substring search that cost what the phrase's rarest pairs cost, not the corpus.

``PassageTable.containing`` scans all folded text with ``str.find`` (about a millisecond per
million characters): fine for a 机关's few million characters, 50 ms and more per phrase for
a county's fifty million, paid by every quoted phrase and by every word the planner counts in
the text. A ``GramIndex`` lists, for each character pair, every position where it occurs
(positions as uint32, in order), so a phrase of two or more characters is found by
intersecting the positions of its two rarest pairs (shifted to where the phrase would start)
and checking each candidate with ``str.startswith``: exact by construction, the answers are
those of the scan. Pairs are keyed by a hash of their two code points; a collision only adds
candidates that the check then drops.

The index is built from the text in memory (numpy, a few seconds at fifty million
characters, memory bounded by building it in slices of the key space) when a searcher opens a
large table; until it is ready, searches scan as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

_SLICES = 8  # slices of the pairs built one after another: transient memory ~ 1/_SLICES
_CHUNK = 1 << 20  # characters encoded at a time


def pair_key(first: str, second: str) -> int:
    """The key of a character pair (as ``_keys`` computes it for the whole text): both code
    points (21 bits each) side by side, so that equal keys are equal pairs."""
    return ord(first) << 21 | ord(second)


def _keys(text: str, start: int, end: int) -> np.ndarray:
    """Keys of the pairs starting at positions ``start`` .. ``end - 1`` of ``text``."""
    import numpy as np

    codes = np.frombuffer(text[start : end + 1].encode("utf-32-le"), dtype=np.uint32)
    codes = codes.astype(np.uint64)
    return codes[:-1] << np.uint64(21) | codes[1:]


class GramIndex:
    """Positions of every character pair in one text (see the module's docstring)."""

    def __init__(self, text: str, starts: list[int] | None = None) -> None:
        """``starts``: where each passage begins in ``text``, for ``containing``."""
        import numpy as np

        self.starts = np.asarray(starts if starts is not None else [0], dtype=np.int64)
        pairs = max(len(text) - 1, 0)
        positions = np.empty(pairs, dtype=np.uint32)
        keys_parts: list[np.ndarray] = []
        begins_parts: list[np.ndarray] = []
        filled = 0
        for part in range(_SLICES):  # pairs whose second character's code is part mod _SLICES
            chosen_keys: list[np.ndarray] = []
            chosen_positions: list[np.ndarray] = []
            for start in range(0, pairs, _CHUNK):
                keys = _keys(text, start, min(start + _CHUNK, pairs))
                chosen = np.flatnonzero(keys % np.uint64(_SLICES) == part)
                chosen_keys.append(keys[chosen])
                chosen_positions.append((chosen + start).astype(np.uint32))
            if not chosen_keys:
                continue
            keys = np.concatenate(chosen_keys)
            order = np.argsort(keys, kind="stable")  # positions stay in order within a key
            keys = keys[order]
            positions[filled : filled + len(keys)] = np.concatenate(chosen_positions)[order]
            if len(keys):
                firsts = np.concatenate(([0], np.flatnonzero(keys[1:] != keys[:-1]) + 1))
                keys_parts.append(keys[firsts])
                begins_parts.append(firsts + filled)
            filled += len(keys)
        keys = np.concatenate(keys_parts) if keys_parts else np.empty(0, np.uint64)
        begins = np.concatenate(begins_parts) if begins_parts else np.empty(0, np.int64)
        ends = np.append(begins[1:], filled)  # each slice's runs end where the next begins
        order = np.argsort(keys)
        self.text = text
        self.positions = positions
        self.keys = keys[order]
        self.begins = begins[order]
        self.ends = ends[order]

    def _postings(self, first: str, second: str) -> np.ndarray:
        import numpy as np

        key = pair_key(first, second)
        at = int(np.searchsorted(self.keys, key))
        if at == len(self.keys) or int(self.keys[at]) != key:
            return self.positions[:0]
        return self.positions[int(self.begins[at]) : int(self.ends[at])]

    def find(self, needle: str) -> list[int]:
        """Every position where ``needle`` (two characters or more) starts in the text, in
        order, as repeated ``str.find`` would give them (overlapping ones included): where
        each of its pairs stands at its offset from there."""
        import numpy as np

        if len(needle) < 2:
            raise ValueError("a needle of two characters or more")
        lists = sorted(
            ((self._postings(needle[i], needle[i + 1]), i) for i in range(len(needle) - 1)),
            key=lambda entry: len(entry[0]),
        )
        found, offset = lists[0]
        starts = found.astype(np.int64) - offset
        for postings, offset in lists[1:]:
            if not len(starts):
                break
            wanted = starts + offset
            at = np.searchsorted(postings, wanted)
            present = at < len(postings)
            present[present] = postings[at[present]] == wanted[present]
            starts = starts[present]
        return starts[starts >= 0].tolist()

    def containing(self, needle: str) -> list[int]:
        """The passages (numbers, in order) whose text contains ``needle``."""
        import numpy as np

        found = np.asarray(self.find(needle), dtype=np.int64)
        return np.unique(np.searchsorted(self.starts, found, side="right") - 1).tolist()
