"""The award letter as a PDF, the signed agreement back, and officers' ledger reversals over the
API: each checked from outside (another program's officer, another consortium's contact, a
reviewer, guessed ids), each refusal in the one error shape with its rule code, and the ledger
invariant after every operation."""

import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import IdempotencyKey
from awards import services
from awards.models import Award, LedgerEntry
from awards.selectors import tranche_balances
from tests.awards.helpers import assert_ledger_agrees, first_tranche, make_award
from tests.factories import ProgramFactory, UserFactory, officer_of

pytestmark = pytest.mark.django_db

_keys = (f"doc-key-{n}" for n in itertools.count())
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def post(api, url, data=None, key=None, **kwargs):
    kwargs.setdefault("format", "json")
    return api.post(url, data or {}, HTTP_IDEMPOTENCY_KEY=key or next(_keys), **kwargs)


def outsiders(award: Award) -> list:
    """Another program's officer, another consortium's contact, a reviewer."""
    return [officer_of(ProgramFactory()), make_award().consortium.contacts.get(), UserFactory(reviewer=True)]


def rule_of(response) -> str:
    body = response.json()
    assert response.status_code == 400, body
    assert {"detail", "fields", "failures"} <= set(body)
    return body["failures"][0]["rule"]


# --- the award letter ----------------------------------------------------------------------------------


def test_letter_is_a_pdf_for_the_contacts_and_officers_and_404_for_everyone_else(api):
    award = make_award()
    url = f"/api/awards/{award.pk}/letter/"
    for user in (award.consortium.contacts.get(), award.program.officers.get()):
        api.force_authenticate(user)
        res = api.get(url, HTTP_ACCEPT="application/pdf")
        assert res.status_code == 200 and res["Content-Type"] == "application/pdf"
        assert res.content.startswith(b"%PDF-")
        assert f"award-letter-{award.pk}.pdf" in res["Content-Disposition"]
    for user in outsiders(award):
        api.force_authenticate(user)
        res = api.get(url, HTTP_ACCEPT="application/pdf")
        assert res.status_code == 404 and res.json() == {"detail": res.json()["detail"], "fields": {}}
    api.force_authenticate(award.consortium.contacts.get())
    assert api.get("/api/awards/999999/letter/").status_code == 404


def test_schema_declares_the_letter_as_pdf_and_the_award_rules_as_an_enum(api):
    from awards.rule_codes import AwardRule

    api.force_authenticate(UserFactory())
    schema = api.get("/api/schema/", {"format": "json"}).json()
    letter = schema["paths"]["/api/awards/{id}/letter/"]["get"]["responses"]
    assert set(letter["200"]["content"]) == {"application/pdf"}
    assert letter["200"]["content"]["application/pdf"]["schema"] == {"type": "string", "format": "binary"}
    upload = schema["paths"]["/api/awards/{id}/agreement/"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert any(p["name"] == "Idempotency-Key" and p["required"] for p in upload["parameters"])
    reverse = schema["paths"]["/api/awards/ledger/{id}/reverse/"]["post"]
    assert reverse["responses"]["400"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/AwardRefusalOut"
    )
    assert set(schema["components"]["schemas"]["AwardRuleEnum"]["enum"]) == set(AwardRule.values)


# --- the signed agreement --------------------------------------------------------------------------------


def upload(api, award, name="agreement.pdf", content=PDF_BYTES, signed_on=None, key=None):
    file = SimpleUploadedFile(name, content, content_type="application/pdf")
    return post(
        api,
        f"/api/awards/{award.pk}/agreement/",
        {"file": file, "signed_on": str(signed_on or timezone.localdate())},
        key=key,
        format="multipart",
    )


def test_contact_uploads_the_signed_agreement_once_per_key(api):
    award = make_award()
    api.force_authenticate(award.consortium.contacts.get())
    res = upload(api, award, key="agreement-1")
    assert res.status_code == 200, res.json()
    assert res.json()["signed_on"] == str(timezone.localdate())
    stored = Award.objects.get(pk=award.pk)
    assert stored.signed_agreement.read().startswith(b"%PDF-")
    again = upload(api, award, key="agreement-1")
    assert again.status_code == 200 and again["Idempotent-Replay"] == "true"
    # Another file under the same key is another request: refused, nothing stored.
    other = upload(api, award, content=PDF_BYTES + b"%another\n", key="agreement-1")
    assert other.status_code == 400
    assert IdempotencyKey.objects.filter(key="agreement-1").count() == 1
    assert_ledger_agrees(award)


@pytest.mark.parametrize(
    ("name", "content", "rule"),
    [
        ("agreement.pdf", b"hello, not a pdf", "agreement.not_pdf"),
        ("agreement.pdf", PNG_BYTES, "agreement.not_pdf"),
        ("agreement.txt", PDF_BYTES, "agreement.extension_mismatch"),
        ("agreement", PDF_BYTES, "agreement.extension_mismatch"),
    ],
)
def test_agreement_is_a_pdf_by_content_and_name(api, name, content, rule):
    award = make_award()
    api.force_authenticate(award.consortium.contacts.get())
    res = upload(api, award, name=name, content=content)
    assert rule_of(res) == rule and "file" in res.json()["fields"]
    stored = Award.objects.get(pk=award.pk)
    assert not stored.signed_agreement and stored.signed_on is None


def test_agreement_size_and_date_are_checked(api, settings):
    award = make_award()
    api.force_authenticate(award.consortium.contacts.get())
    assert rule_of(upload(api, award, signed_on=timezone.localdate().replace(year=2100))) == (
        "agreement.signed_on_out_of_range"
    )
    settings.DOCUMENT_MAX_BYTES = 16
    assert rule_of(upload(api, award)) == "agreement.too_large"
    res = api.post(
        f"/api/awards/{award.pk}/agreement/",
        {"file": SimpleUploadedFile("a.pdf", PDF_BYTES), "signed_on": str(timezone.localdate())},
        format="multipart",
    )
    assert rule_of(res) == "request.idempotency_key_required"
    assert not Award.objects.get(pk=award.pk).signed_agreement


def test_outsiders_cannot_upload_an_agreement(api):
    award = make_award()
    for user in outsiders(award):
        api.force_authenticate(user)
        assert upload(api, award).status_code == 404
    api.force_authenticate(award.consortium.contacts.get())
    assert (
        post(
            api,
            "/api/awards/999999/agreement/",
            {"file": SimpleUploadedFile("a.pdf", PDF_BYTES), "signed_on": str(timezone.localdate())},
            format="multipart",
        ).status_code
        == 404
    )
    assert not Award.objects.get(pk=award.pk).signed_agreement


# --- ledger reversals ------------------------------------------------------------------------------------


def reverse_url(entry) -> str:
    return f"/api/awards/ledger/{entry.pk if hasattr(entry, 'pk') else entry}/reverse/"


def test_officer_reverses_an_entry_once_with_its_reason(api):
    award = make_award()
    officer = award.program.officers.get()
    tranche = first_tranche(award)
    entry = LedgerEntry.objects.get(tranche=tranche, kind="planned")
    api.force_authenticate(officer)
    res = post(api, reverse_url(entry), {"reason": "입력 오류"}, key="rev-1")
    assert res.status_code == 201, res.json()
    body = res.json()
    assert (body["kind"], body["reverses"], body["amount_krw"], body["reason"]) == (
        "reversal",
        entry.pk,
        -entry.amount_krw,
        "입력 오류",
    )
    assert tranche_balances(tranche.pk).budget_krw == 0
    assert_ledger_agrees(award)
    again = post(api, reverse_url(entry), {"reason": "입력 오류"}, key="rev-1")
    assert again.json() == body and again["Idempotent-Replay"] == "true"
    assert LedgerEntry.objects.filter(reverses=entry).count() == 1
    assert rule_of(post(api, reverse_url(entry), {"reason": "또"})) == "ledger.already_reversed"
    assert rule_of(post(api, reverse_url(body["id"]), {"reason": "되돌림"})) == "ledger.is_reversal"
    assert LedgerEntry.objects.filter(award=award, kind="reversal").count() == 1
    assert_ledger_agrees(award)


def test_a_reversal_that_overdraws_the_tranche_is_refused_and_writes_nothing(api):
    award = make_award()
    officer = award.program.officers.get()
    contact = award.consortium.contacts.get()
    tranche = first_tranche(award)
    services.request_disbursement(actor=contact, tranche_id=tranche.pk, amount_krw=1_000)
    planned = LedgerEntry.objects.get(tranche=tranche, kind="planned")
    count = LedgerEntry.objects.count()
    api.force_authenticate(officer)
    res = post(api, reverse_url(planned), {"reason": "오류"})
    assert rule_of(res) == "ledger.reversal_overdraws"
    assert LedgerEntry.objects.count() == count
    res = api.post(reverse_url(planned), {"reason": "오류"}, format="json")
    assert rule_of(res) == "request.idempotency_key_required"
    res = post(api, reverse_url(planned), {"reason": ""})
    assert res.status_code == 400 and "reason" in res.json()["fields"]
    assert LedgerEntry.objects.count() == count
    assert_ledger_agrees(award)


def test_reversal_refused_to_everyone_but_the_programs_officers(api):
    award = make_award()
    entry = LedgerEntry.objects.filter(award=award).first()
    api.force_authenticate(award.consortium.contacts.get())
    assert post(api, reverse_url(entry), {"reason": "x"}).status_code == 403
    for user in outsiders(award):
        api.force_authenticate(user)
        assert post(api, reverse_url(entry), {"reason": "x"}).status_code == 404
    api.force_authenticate(award.program.officers.get())
    assert post(api, reverse_url(999_999_999), {"reason": "x"}).status_code == 404
    assert not LedgerEntry.objects.filter(kind="reversal").exists()
    assert_ledger_agrees(award)


def test_an_id_no_route_matches_is_a_404_in_the_one_shape(api):
    api.force_authenticate(make_award().program.officers.get())
    res = post(api, "/api/awards/ledger/-5/reverse/", {"reason": "x"})
    assert res.status_code == 404 and res["Content-Type"] == "application/json"
    assert res.json() == {"detail": res.json()["detail"], "fields": {}}
