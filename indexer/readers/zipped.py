"""Zip packages (.docx, .xlsx, .ofd) opened within ``indexer.readers.limits``: the member count
and the stated sizes checked from the central directory, before anything is inflated."""

from __future__ import annotations

import io
import zipfile

from indexer.readers import limits
from indexer.readers.base import UnreadableFile

__all__ = ["open_package"]


def open_package(data: bytes, damaged: str) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """The open archive and its file members; UnreadableFile with ``damaged`` when it is no
    zip, with the limit's reason when it holds too many members or states too many bytes.
    The caller closes the archive (``with archive:``)."""
    # Each member has a 46-byte central directory entry starting with this signature: more
    # of them than the limit refuses the file before zipfile lists them all in memory.
    if data.count(b"PK\x01\x02") > limits.MAX_ZIP_MEMBERS:
        raise UnreadableFile(limits.TOO_MANY_MEMBERS)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as error:
        raise UnreadableFile(damaged) from error
    members = [info for info in archive.infolist() if not info.is_dir()]
    if len(members) > limits.MAX_ZIP_MEMBERS:
        archive.close()
        raise UnreadableFile(limits.TOO_MANY_MEMBERS)
    if sum(info.file_size for info in members) > limits.MAX_UNZIPPED_BYTES:
        archive.close()
        raise UnreadableFile(limits.UNZIPPED_TOO_BIG)
    return archive, members
