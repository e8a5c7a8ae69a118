"""file -> Document -> index rows. The CPU-heavy part; runs in worker processes."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from indexer.readers import UnreadableFile, read_file
from indexer.readers.ocr import OCR_NOTE
from kb.analysis import Segmenter
from kb.cases import PeopleWords, Taxonomy, extract_cases
from kb.doctypes import DocTypes
from kb.filenames import doc_id_for
from kb.folding import fold
from kb.model import Document
from kb.requirements import RequirementCues, Topics, extract_requirements
from kb.structure import read_outline


@dataclass
class Failure:
    path: str
    reason: str


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_hash(path: Path, extra: bytes = b"") -> str:
    """``content_hash`` of the file's bytes followed by ``extra``, read in chunks so that a
    large file is never held whole to decide whether it changed."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    digest.update(extra)
    return digest.hexdigest()


def load_document(
    path: Path,
    shown_path: str,
    data: bytes,
    overrides: dict[str, str] | None = None,
    digest: str = "",
    doc_types: DocTypes | None = None,
) -> Document:
    """Read and structure one file; raises UnreadableFile with the reason.

    ``overrides`` (from side files, see indexer.sidecar) replace inferred metadata; ``digest``
    identifies this version of the file and its side files (default: hash of ``data``);
    ``doc_types`` are the document types of the dictionaries indexed with (default: kb's own).
    """
    extracted = read_file(path, data)
    outline = read_outline(extracted, fallback_title=path.stem, doc_types=doc_types)
    if not outline.passages:
        raise UnreadableFile("没有可检索的正文段落")
    document = Document(
        doc_id=doc_id_for(path),
        path=shown_path,
        source=str(path.resolve()),
        title=outline.title,
        doc_type=outline.doc_type,
        date=outline.date,
        issuer=outline.issuer,
        doc_no=outline.doc_no,
        speaker=outline.speaker,
        month=outline.month,
        content_hash=digest or content_hash(data),
        passages=outline.passages,
        meta_lines=outline.meta_lines,
        warnings=list(getattr(extracted, "warnings", ())),
    )
    for key, value in (overrides or {}).items():
        setattr(document, key, value)
    return document


def case_fields(
    document: Document, taxonomy: Taxonomy, words: PeopleWords | None = None
) -> dict[int, dict]:
    """Extra fields per passage ordinal for the typical cases of a notice (kb.cases)."""
    extra: dict[int, dict] = {}
    for case in extract_cases(document.title, document.passages, taxonomy, words):
        case_id = f"{document.doc_id}-c{case.ordinal}"
        # A sub-kind also files under its parent: problem:形式主义官僚主义 finds 数据造假 too.
        problems = sorted({p for label in case.problems for p in (label, label.split("/")[0])})
        filters = {
            "case_id": case_id,
            "problem": ",".join(problems),
            "sanction": ",".join(case.sanctions),
            "level": case.level,
            "case_year": ",".join(str(y) for y in case.years),
        }
        for position, ordinal in enumerate(case.passage_ordinals):
            extra[ordinal] = dict(filters)
            if position == 0:
                record = asdict(case)
                record["id"] = case_id
                del record["passage_ordinals"]
                extra[ordinal]["case"] = record
    return extra


def requirement_fields(
    document: Document,
    topics: Topics,
    cues: RequirementCues | None = None,
    doc_types: DocTypes | None = None,
) -> dict[int, dict]:
    """Extra fields per passage ordinal for the requirement clauses a document states."""
    extra: dict[int, dict] = {}
    found = extract_requirements(
        document.title, document.doc_type, document.passages, topics, cues, doc_types
    )
    for requirement in found:
        fields = extra.setdefault(
            requirement.passage, {"has_requirements": "1", "requirements": [], "topics": set()}
        )
        fields["requirements"].append(
            {
                "id": f"{document.doc_id}-r{requirement.ordinal}",
                "ordinal": requirement.ordinal,
                "text": requirement.text,
                "full_text": requirement.full_text,
                "kind": requirement.kind,
                "topics": list(requirement.topics),
                # A run-in heading kept as a clause stands under the headings above it, not
                # under itself (kb.requirements).
                "section": list(requirement.section),
            }
        )
        fields["topics"].update(requirement.topics)
    for fields in extra.values():
        fields["requirement_topic"] = ",".join(sorted(fields.pop("topics")))
    return extra


def read_by_ocr(document: Document) -> bool:
    """Whether some of the document's text was read by OCR (a reader says so in a warning),
    so its page and its hits can warn that characters may be misread."""
    return any(OCR_NOTE in warning for warning in document.warnings)


def index_rows(document: Document, segmenter: Segmenter) -> list[dict]:
    """Whoosh field values for each passage, tokens computed here (see kb.schema)."""
    return list(iter_rows(document, segmenter))


def iter_rows(document: Document, segmenter: Segmenter) -> Iterator[dict]:
    """The rows of ``index_rows`` one at a time, so a very large document's tokens need
    not all be held at once."""
    dictionaries = segmenter.dictionaries
    cases = case_fields(document, dictionaries.taxonomy, dictionaries.people_words)
    requirements = requirement_fields(
        document, dictionaries.topics, dictionaries.requirement_cues, dictionaries.doc_types
    )
    lines: list[tuple[str, list[str], bool, int | None]] = [
        (p.text, list(p.section), p.heading, None) for p in document.passages
    ]
    # Metadata lines follow the passages (their ordinals never shift the passages'), each with
    # the place it stands at in the document.
    lines += [(text, [], False, place) for place, text in document.meta_lines]
    ocr = read_by_ocr(document)
    for ordinal, (text, section, heading, place) in enumerate(lines):
        words = segmenter.words(fold(text))
        subwords = segmenter.subwords(words)
        row = {
            "passage_id": f"{document.doc_id}:{ordinal}",
            "doc_id": document.doc_id,
            "path": document.path,
            "source": document.source,
            "ordinal": ordinal,
            "content_hash": document.content_hash,
            "words": words,
            "subwords": subwords,
            "words_len": len(words),
            "subwords_len": len(subwords),
            "title": document.title,
            "section": section,
            "heading": heading,
            "text": text,
            "doc_type": document.doc_type,
            "year": document.year if document.year is not None else 0,
            "date": document.date,
            "doc_no": document.doc_no,
            "issuer": document.issuer,
            "speaker": document.speaker,
            "ocr": ocr,
            "access": document.access,
            **cases.get(ordinal, {}),
            **requirements.get(ordinal, {}),
        }
        if ordinal == 0:  # the document's page reads them from its first passage
            row["notes"] = list(document.warnings)
        if place is not None:
            row["meta"] = True
            row["place"] = place
        yield row
