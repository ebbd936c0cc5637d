import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from consortia.documents import DOCX, HWP, HWPX, PDF, XLSX, sniff_document_type


def zip_with(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CONTENT_TYPES = b'<Types><Override PartName="/x" ContentType="application/vnd.openxmlformats-officedocument.'
# The parts each format requires (a ZIP is recognised by all of them, not by one name).
HWPX_PARTS = {
    "mimetype": b"application/hwp+zip",
    "Contents/content.hpf": b"<opf/>",
    "Contents/header.xml": b"<head/>",
    "Contents/section0.xml": b"<sec/>",
}
DOCX_PARTS = {
    "[Content_Types].xml": CONTENT_TYPES + b'wordprocessingml.document.main+xml"/></Types>',
    "_rels/.rels": b"<Relationships/>",
    "word/document.xml": b"<w/>",
}
XLSX_PARTS = {
    "[Content_Types].xml": CONTENT_TYPES + b'spreadsheetml.sheet.main+xml"/></Types>',
    "_rels/.rels": b"<Relationships/>",
    "xl/workbook.xml": b"<w/>",
}


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("plan.pdf", b"%PDF-1.7\n...", PDF),
        ("plan.hwp", OLE + b"\x00" * 500 + b"HWP Document File\x00", HWP),
        ("plan.hwpx", zip_with(HWPX_PARTS), HWPX),
        ("plan.docx", zip_with(DOCX_PARTS), DOCX),
        ("budget.xlsx", zip_with(XLSX_PARTS), XLSX),
        # One entry name is not enough: every required part must be there.
        ("plan.hwpx", zip_with({"mimetype": b"application/hwp+zip", "Contents/section0.xml": b"<x/>"}), None),
        ("plan.docx", zip_with({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<t/>"}), None),
        ("budget.xlsx", zip_with({"xl/workbook.xml": b"<w/>"}), None),
        ("macro.xlsm", zip_with({**XLSX_PARTS, "[Content_Types].xml": b"macroEnabled.main+xml"}), None),
        ("evil.pdf", b"MZ\x90\x00\x03\x00\x00\x00 This program cannot be run in DOS mode", None),
        ("old.doc", OLE + b"\x00" * 500 + b"Microsoft Word", None),
        ("fake.docx", b"PK\x03\x04 not really a zip", None),
        ("any.zip", zip_with({"readme.txt": b"hi"}), None),
    ],
)
def test_type_is_decided_by_content_not_name(name, data, expected):
    assert sniff_document_type(SimpleUploadedFile(name, data)) == expected
