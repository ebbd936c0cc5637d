"""What an uploaded document really is, decided by its bytes, never by its name."""

from __future__ import annotations

import zipfile

from django.core.files.uploadedfile import UploadedFile

PDF = "application/pdf"
HWP = "application/x-hwp"
HWPX = "application/hwp+zip"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


def sniff_document_type(upload: UploadedFile) -> str | None:
    """PDF, HWP (5.x, an OLE file with an HWP FileHeader), or a ZIP holding HWPX, DOCX or XLSX."""
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
                names = set(archive.namelist())
                if "mimetype" in names and archive.read("mimetype").strip().startswith(b"application/hwp"):
                    return HWPX
                if "word/document.xml" in names:
                    return DOCX
                if "xl/workbook.xml" in names:
                    return XLSX
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
    return None
