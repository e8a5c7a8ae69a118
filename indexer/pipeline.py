"""file -> Document -> index rows. The CPU-heavy part; runs in worker processes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from indexer.readers import UnreadableFile, read_file
from kb.analysis import Segmenter, char_tokens
from kb.folding import fold
from kb.model import Document
from kb.structure import read_outline


@dataclass
class Failure:
    path: str
    reason: str


def doc_id_for(path: Path) -> str:
    """Stable per file location, so a changed file replaces its old passages."""
    return hashlib.sha1(str(path.resolve()).encode("utf-8")).hexdigest()[:12]


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_document(path: Path, shown_path: str, data: bytes) -> Document:
    """Read and structure one file; raises UnreadableFile with the reason."""
    text = read_file(path, data)
    outline = read_outline(text, fallback_title=path.stem)
    if not outline.passages:
        raise UnreadableFile("没有可检索的正文段落")
    return Document(
        doc_id=doc_id_for(path),
        path=shown_path,
        source=str(path.resolve()),
        title=outline.title,
        doc_type=outline.doc_type,
        date=outline.date,
        issuer=outline.issuer,
        doc_no=outline.doc_no,
        speaker=outline.speaker,
        content_hash=content_hash(data),
        passages=outline.passages,
    )


def index_rows(document: Document, segmenter: Segmenter) -> list[dict]:
    """Whoosh field values for each passage, tokens computed here (see kb.schema)."""
    title_words = segmenter.words(fold(document.title))
    title_tokens = title_words + segmenter.subwords(title_words)
    issuer_chars = char_tokens(fold(document.issuer))
    rows = []
    section_cache: dict[tuple[str, ...], list[str]] = {}
    for ordinal, passage in enumerate(document.passages):
        folded = fold(passage.text)
        words = segmenter.words(folded)
        if passage.section not in section_cache:
            section_words = segmenter.words(fold(" ".join(passage.section)))
            section_cache[passage.section] = section_words + segmenter.subwords(section_words)
        rows.append(
            {
                "passage_id": f"{document.doc_id}:{ordinal}",
                "doc_id": document.doc_id,
                "path": document.path,
                "source": document.source,
                "ordinal": ordinal,
                "content_hash": document.content_hash,
                "words": words,
                "subwords": segmenter.subwords(words),
                "chars": char_tokens(folded),
                "title": title_tokens,
                "_stored_title": document.title,
                "section": section_cache[passage.section],
                "_stored_section": list(passage.section),
                "issuer": issuer_chars,
                "_stored_issuer": document.issuer,
                "text": passage.text,
                "doc_type": document.doc_type,
                "year": document.year if document.year is not None else 0,
                "date": document.date,
                "doc_no": document.doc_no,
                "speaker": document.speaker,
            }
        )
    return rows
