"""Which reader reads which file format, the one table every caller consults.

``read_file`` picks a reader by the file's extension; a reader that finds another format
inside (a .docx that is an old Word file, a .doc that is really a .docx or a web page, as many
sites serve them) hands the bytes on with ``read_as``. Readers are named here by module and
imported on their first file, so no reader imports another: the table is the one place that
knows them all (``indexer.readers.docx`` and ``indexer.readers.legacy`` used to import each
other for this).
"""

from __future__ import annotations

import importlib

from indexer.readers.base import Reader
from kb.model import Extracted

__all__ = ["READERS", "TITLED_BY_NAME", "read_as"]


def _lazy(module: str, function: str) -> Reader:
    """The reader ``module.function``, imported on its first file: pypdf, bs4 and
    python-docx cost ~0.13 s to import, which an index update with no such file to read
    (the usual rerun) should not pay."""

    def read(data: bytes) -> Extracted:
        return getattr(importlib.import_module(f"indexer.readers.{module}"), function)(data)

    read.__name__ = read.__qualname__ = function
    return read


READERS: dict[str, Reader] = {
    ".txt": _lazy("text", "read_text"),
    ".md": _lazy("markdown", "read_markdown"),
    ".markdown": _lazy("markdown", "read_markdown"),
    ".html": _lazy("html", "read_html"),
    ".htm": _lazy("html", "read_html"),
    ".shtml": _lazy("html", "read_html"),
    ".aspx": _lazy("html", "read_html"),
    ".docx": _lazy("docx", "read_docx"),
    ".pdf": _lazy("pdf", "read_pdf"),
    ".doc": _lazy("legacy", "read_doc"),
    ".wps": _lazy("legacy", "read_wps"),
    ".ofd": _lazy("ofd", "read_ofd"),
    ".xlsx": _lazy("spreadsheet", "read_xlsx"),
    ".csv": _lazy("spreadsheet", "read_csv"),
    ".xls": _lazy("legacy", "read_xls"),
    ".et": _lazy("legacy", "read_et"),
}

# Formats whose files rarely state a title (a workbook without a title row, its sheet called
# Sheet1): without one, the file's name is the title rather than its first row.
TITLED_BY_NAME = {".xlsx", ".csv", ".xls", ".et"}


def read_as(suffix: str, data: bytes) -> Extracted:
    """``data`` read by the reader of ``suffix`` (".docx", ".doc", ".html", ...), whatever
    the file was called."""
    return READERS[suffix](data)
