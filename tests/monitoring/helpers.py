"""Awards with milestones for monitoring tests."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from awards.models import Award
from tests.awards.helpers import make_award


def pdf(name: str = "report.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n", content_type="application/pdf"
    )


def contact_of(award: Award):
    return award.consortium.contacts.get()


def officer_of_award(award: Award):
    return award.program.officers.get()


__all__ = ["make_award", "pdf", "contact_of", "officer_of_award"]
