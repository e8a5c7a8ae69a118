"""kb's segmentation (``kb.analysis.Segmenter``) as a Whoosh tokenizer, for the schema."""

from __future__ import annotations

from collections.abc import Iterator

from whoosh.analysis import Token, Tokenizer

from kb.analysis import Segmenter
from kb.folding import fold


class JiebaTokenizer(Tokenizer):
    """Whoosh tokenizer: folds, segments with jieba, positions 0, 1, 2 ... per word.

    Character offsets refer to the original text because folding preserves length.
    """

    def __init__(self, segmenter: Segmenter | None = None) -> None:
        self.segmenter = segmenter

    def __getstate__(self) -> dict:
        # The index stores a pickled schema; the jieba state does not belong in it.
        return {"segmenter": None}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, JiebaTokenizer)

    def __hash__(self) -> int:
        return hash(JiebaTokenizer)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        if self.segmenter is None:
            raise RuntimeError("JiebaTokenizer used without a Segmenter; open the index via kb")
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, (word, start, end) in enumerate(self.segmenter.spans(fold(value))):
            token.text = word
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[start:end]
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token
