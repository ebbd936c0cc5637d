"""What an uploaded document really is, decided by its bytes, never by its name.

Hostile files are expected: a ZIP (HWPX, DOCX, XLSX) is never unpacked whole. Its directory is
read first and refused when it declares too many entries, an entry larger than
``ZIP_ENTRY_MAX_BYTES`` or more than ``ZIP_TOTAL_MAX_BYTES`` in all; the few parts we open are
then read through a decompressor capped at a few kilobytes, so a header that lies about its
size still cannot make us inflate more than the cap (a 1 GiB ``mimetype`` costs nothing).
"""

from __future__ import annotations

import tempfile
import zipfile
import zlib
from pathlib import PurePath

from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from config.errors import DomainError

PDF = "application/pdf"
HWP = "application/x-hwp"
HWPX = "application/hwp+zip"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The file name must end in one of these for the type found in the content.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    PDF: (".pdf",),
    HWP: (".hwp",),
    HWPX: (".hwpx",),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
}
LABELS = {PDF: "PDF", HWP: "HWP", HWPX: "HWPX", DOCX: "DOCX", XLSX: "XLSX"}

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

ZIP_MAX_ENTRIES = 5_000
ZIP_ENTRY_MAX_BYTES = 200 * 1024 * 1024
ZIP_TOTAL_MAX_BYTES = 500 * 1024 * 1024
PART_READ_MAX_BYTES = 64 * 1024  # mimetype, [Content_Types].xml: small in every real file

# Required parts: a ZIP is one of these only when it holds all of them.
HWPX_PARTS = {"mimetype", "Contents/content.hpf", "Contents/header.xml", "Contents/section0.xml"}
OOXML_PARTS = {"[Content_Types].xml", "_rels/.rels"}
DOCX_PARTS = OOXML_PARTS | {"word/document.xml"}
XLSX_PARTS = OOXML_PARTS | {"xl/workbook.xml"}
# The main part's content type, as [Content_Types].xml declares it (macro-enabled ones differ).
DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XLSX_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


class ArchiveTooLarge(Exception):
    """The ZIP declares more entries or bytes than a document can have (a decompression bomb)."""


def _read_part(archive: zipfile.ZipFile, name: str, limit: int = PART_READ_MAX_BYTES) -> bytes:
    # ZipExtFile.read(n) inflates incrementally: at most `limit` bytes come out, whatever the
    # header claims about the entry's size.
    with archive.open(name) as part:
        return part.read(limit)


def _zip_type(archive: zipfile.ZipFile) -> str | None:
    entries = archive.infolist()
    if len(entries) > ZIP_MAX_ENTRIES:
        raise ArchiveTooLarge
    if any(e.file_size > ZIP_ENTRY_MAX_BYTES for e in entries):
        raise ArchiveTooLarge
    if sum(e.file_size for e in entries) > ZIP_TOTAL_MAX_BYTES:
        raise ArchiveTooLarge
    names = {e.filename for e in entries}
    if names >= HWPX_PARTS and _read_part(archive, "mimetype", 64).strip() == b"application/hwp+zip":
        return HWPX
    if names >= OOXML_PARTS:
        content_types = _read_part(archive, "[Content_Types].xml")
        if names >= DOCX_PARTS and DOCX_MAIN in content_types:
            return DOCX
        if names >= XLSX_PARTS and XLSX_MAIN in content_types:
            return XLSX
    return None


def sniff_document_type(upload: UploadedFile) -> str | None:
    """PDF, HWP (5.x, an OLE file with an HWP FileHeader), or a ZIP holding HWPX, DOCX or XLSX.

    Raises ArchiveTooLarge for a ZIP that would unpack to more than a document can hold.
    """
    upload.seek(0)
    # 4 MB: an HWP's FileHeader stream (its signature) need not sit in the first sector.
    head = upload.read(4 * 1024 * 1024)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(OLE_MAGIC):
        # The HWP FileHeader stream starts with this signature; Word/Excel OLE files lack it.
        return HWP if b"HWP Document File" in head else None
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(upload) as archive:
                return _zip_type(archive)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, OSError, zlib.error):
            return None  # corrupt, encrypted or an unknown compression: not a document we accept
        finally:
            upload.seek(0)
    return None


def extension_matches(filename: str, content_type: str) -> bool:
    """The name's extension is one that the type found in the content uses (case-insensitive)."""
    return PurePath(filename or "").suffix.lower() in EXTENSIONS.get(content_type, ())


class DocumentRefused(DomainError):
    """An upload that is too large, a decompression bomb, of an unknown type or misnamed.

    Its messages are under ``file``; callers with another field name re-key them.
    """

    code = "document.refused"


def check_document(
    upload: UploadedFile, *, max_bytes: int, accepted: tuple[str, ...] = tuple(EXTENSIONS)
) -> str:
    """The upload's type found in its content, or DocumentRefused with a message for the user."""
    if upload.size > max_bytes:
        raise DocumentRefused(
            _("The file is too large."),
            fields={"file": [_("At most %(mb)d MB.") % {"mb": max_bytes // 2**20}]},
        )
    try:
        detected = sniff_document_type(upload)
    except ArchiveTooLarge:
        raise DocumentRefused(
            _("The file is refused: it unpacks to more than a document can hold."),
            fields={"file": [_("This archive would unpack to too many or too large parts.")]},
        ) from None
    kinds = ", ".join(LABELS[t] for t in accepted)
    if detected not in accepted:
        raise DocumentRefused(
            _("This file type is not accepted."),
            fields={"file": [_("Upload a %(kinds)s file; the content decides.") % {"kinds": kinds}]},
        )
    if not extension_matches(upload.name, detected):
        suffix = PurePath(upload.name or "").suffix[:20]
        expected = " / ".join(EXTENSIONS[detected])
        if suffix:
            message = _("The content is a %(type)s document but the name ends in “%(suffix)s”.")
        else:
            message = _("The content is a %(type)s document but the name has no extension.")
        message += " " + _("Rename it to end in %(expected)s.")
        raise DocumentRefused(
            _("The file name does not match its content."),
            fields={"file": [message % {"type": LABELS[detected], "suffix": suffix, "expected": expected}]},
        )
    return detected


def spooled_copy(upload: UploadedFile) -> File:
    """A copy of the upload that outlives the request, for a write after commit.

    Small files stay in memory, larger ones spill to a temporary file: the request's upload may be
    closed by the time the outermost transaction commits.
    """
    spool = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115
    upload.seek(0)
    for chunk in upload.chunks():
        spool.write(chunk)
    spool.seek(0)
    return File(spool, name=upload.name)
