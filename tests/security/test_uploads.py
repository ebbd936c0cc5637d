"""Issue 13 item 10: hostile uploads (decompression bombs, misnamed files, files vs transactions)."""

import io
import struct
import time
import tracemalloc
import uuid
import zlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from consortia import services
from consortia.models import ApplicationDocument
from tests.consortia.test_documents import DOCX_PARTS, HWPX_PARTS
from tests.factories import ApplicationFactory, CallFactory, officer_of

pytestmark = pytest.mark.django_db

APPS = "/api/applications/"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
GIB = 1 << 30


def _deflate(data: bytes) -> tuple[bytes, int, int]:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(), zlib.crc32(data), len(data)


def _deflated_zeros(size: int, chunk: int = 1 << 20) -> tuple[bytes, int, int]:
    """`size` zero bytes, deflated at once: after a full flush every MiB compresses alike.

    The CRC is left wrong on purpose (computing it costs seconds): a reader only notices after
    inflating the whole entry, which is what must never happen.
    """
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    zero = b"\0" * chunk
    first = c.compress(zero) + c.flush(zlib.Z_FULL_FLUSH)
    steady = c.compress(zero) + c.flush(zlib.Z_FULL_FLUSH)
    return first + steady * (size // chunk - 1) + c.flush(), 0, size


def zip_of(entries: dict[str, tuple[bytes, int, int]]) -> bytes:
    """A ZIP written by hand, so an entry's declared size can be whatever the attacker says."""
    out, central = io.BytesIO(), io.BytesIO()
    for name, (data, crc, size) in entries.items():
        raw, offset = name.encode(), out.tell()
        out.write(
            struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(raw), 0)
        )
        out.write(raw + data)
        central.write(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                *(0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(data), size, len(raw), 0, 0, 0, 0, 0, offset),
            )
            + raw
        )
    directory, start = central.getvalue(), out.tell()
    out.write(directory)
    out.write(
        struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), start, 0)
    )
    return out.getvalue()


@pytest.fixture(scope="module")
def gib_of_zeros():
    return _deflated_zeros(GIB)


def hwpx_bomb(zeros, declared: int | None = None) -> bytes:
    data, crc, size = zeros
    parts = {name: _deflate(body) for name, body in HWPX_PARTS.items() if name != "mimetype"}
    return zip_of({"mimetype": (data, crc, size if declared is None else declared), **parts})


def contact(app):
    return app.consortium.contacts.first()


def post(api, app, name: str, body: bytes):
    upload = SimpleUploadedFile(name, body)
    return api.post(f"{APPS}{app.pk}/documents/", {"kind": "proposal", "file": upload}, format="multipart")


@pytest.mark.parametrize("declared", [None, 20], ids=["honest-header", "lying-header"])
def test_a_zip_whose_mimetype_unpacks_to_1_gib_is_refused_fast_in_bounded_memory(api, gib_of_zeros, declared):
    bomb = hwpx_bomb(gib_of_zeros, declared)
    assert len(bomb) < 1_100_000  # about 1 MB on the wire
    app = ApplicationFactory()
    api.force_authenticate(contact(app))
    post(api, app, "warm-up.pdf", b"not a document")  # imports and URL resolution, not the upload
    started = time.perf_counter()
    response = post(api, app, "계획.hwpx", bomb)
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    try:
        post(api, app, "계획.hwpx", bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert response.status_code == 400, response.content
    assert response.json()["fields"]["file"]
    assert elapsed < 0.5
    assert peak < 40 * 2**20  # the upload itself and a few capped reads, never the 1 GiB
    assert not ApplicationDocument.objects.exists()


@pytest.mark.parametrize("name", ["계획.exe", "계획.html", "계획.svg", "계획", "계획.pdf.exe"])
def test_a_real_pdf_under_another_extension_is_refused_with_a_clear_message(api, name):
    app = ApplicationFactory()
    api.force_authenticate(contact(app))
    response = api.post(
        f"{APPS}{app.pk}/documents/",
        {"kind": "proposal", "file": SimpleUploadedFile(name, PDF)},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400, response.content
    (message,) = response.json()["fields"]["file"]
    assert "PDF" in message and ".pdf" in message
    assert not ApplicationDocument.objects.exists()


def test_a_docx_under_a_pdf_name_is_refused_and_upper_case_extensions_pass(
    api, django_capture_on_commit_callbacks
):
    from tests.consortia.test_documents import zip_with

    app = ApplicationFactory()
    api.force_authenticate(contact(app))
    assert post(api, app, "계획.pdf", zip_with(DOCX_PARTS)).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        assert post(api, app, "계획.DOCX", zip_with(DOCX_PARTS)).status_code == 201


def test_a_guideline_must_be_named_as_a_pdf(api):
    call = CallFactory()
    api.force_authenticate(officer_of(call.program))
    upload = SimpleUploadedFile("guideline.html", PDF)
    response = api.put(f"/api/calls/{call.pk}/guideline/", {"guideline": upload}, format="multipart")
    assert response.status_code == 400
    assert "guideline" in response.json()["fields"]


def _stored_files(app) -> list[str]:
    try:
        return default_storage.listdir(f"applications/{app.pk}")[1]
    except FileNotFoundError:
        return []


class Boom(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_upload_leaves_no_orphan_file():
    app = ApplicationFactory()
    name = f"rolled-back-{uuid.uuid4().hex}.pdf"
    with pytest.raises(Boom), transaction.atomic():
        services.upload_document(
            actor=contact(app), application_id=app.pk, kind="proposal", upload=SimpleUploadedFile(name, PDF)
        )
        raise Boom  # whatever else the transaction did failed
    assert not ApplicationDocument.objects.exists()
    assert name not in _stored_files(app)

    document = services.upload_document(
        actor=contact(app), application_id=app.pk, kind="proposal", upload=SimpleUploadedFile("a.pdf", PDF)
    )
    with ApplicationDocument.objects.get(pk=document.pk).file.open("rb") as stored:
        assert stored.read() == PDF  # committed: row and file both there


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_delete_keeps_the_file_and_a_committed_one_removes_it():
    app = ApplicationFactory()
    document = services.upload_document(
        actor=contact(app), application_id=app.pk, kind="proposal", upload=SimpleUploadedFile("a.pdf", PDF)
    )
    name = ApplicationDocument.objects.get(pk=document.pk).file.name
    with pytest.raises(Boom), transaction.atomic():
        services.delete_document(actor=contact(app), document_id=document.pk)
        raise Boom
    assert ApplicationDocument.objects.filter(pk=document.pk).exists()
    assert default_storage.exists(name)  # no row without its file

    services.delete_document(actor=contact(app), document_id=document.pk)
    assert not default_storage.exists(name)
