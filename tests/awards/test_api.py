"""The awards API: scoped by role, one error shape, nothing written on bad input, idempotent."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from accounts.models import IdempotencyKey
from awards.models import Award, Disbursement, Grade, LedgerEntry
from awards.selectors import tranche_balances
from tests.awards.helpers import assert_ledger_agrees, first_tranche, make_award, selected_application
from tests.factories import ProgramFactory, UserFactory, officer_of

pytestmark = pytest.mark.django_db

_keys = (f"key-{n}" for n in itertools.count())


def post(api, url, data=None, key=None):
    return api.post(url, data or {}, format="json", HTTP_IDEMPOTENCY_KEY=key or next(_keys))


def test_officer_creates_award_and_contact_reads_it(api):
    app = selected_application()
    officer = officer_of(app.call.program)
    api.force_authenticate(officer)
    today = timezone.localdate()
    res = post(
        api, "/api/awards/", {"application": app.pk, "notified_on": str(today - dt.timedelta(days=40))}
    )
    assert res.status_code == 201, res.json()
    body = res.json()
    assert body["budget_krw"] == 3 * 1_400_000_000 and len(body["tranches"]) == 15
    assert [y["year"] for y in body["years"]] == [1, 2, 3]
    api.force_authenticate(app.consortium.contacts.get())
    assert api.get(f"/api/awards/{body['id']}/").json()["paid_krw"] == 0
    assert [a["id"] for a in api.get("/api/awards/").json()] == [body["id"]]


def test_full_money_path_over_the_api(api):
    award = make_award()
    officer = award.program.officers.get()
    contact = award.consortium.contacts.get()
    tranche = first_tranche(award)
    api.force_authenticate(contact)
    res = post(
        api, f"/api/awards/{award.pk}/disbursements/", {"tranche": tranche.pk, "amount_krw": 100_000_000}
    )
    assert res.status_code == 201, res.json()
    d = res.json()["id"]
    assert post(api, f"/api/awards/disbursements/{d}/approve/").status_code == 403
    api.force_authenticate(officer)
    assert post(api, f"/api/awards/disbursements/{d}/approve/").json()["state"] == "approved"
    res = post(
        api,
        f"/api/awards/disbursements/{d}/pay/",
        {"paid_on": str(timezone.localdate()), "reference": "KB-1"},
    )
    assert res.json()["state"] == "paid"
    res = post(api, f"/api/awards/{award.pk}/grades/", {"year": 1, "code": "C", "decision": "미흡"})
    assert res.status_code == 201 and res.json()["change_percent"] == -30
    detail = api.get(f"/api/awards/{award.pk}/").json()
    assert detail["paid_krw"] == 100_000_000
    assert detail["years"][1]["budget_krw"] == 1_400_000_000 - 1_400_000_000 * 30 // 100
    ledger = api.get(f"/api/awards/{award.pk}/ledger/").json()["results"]
    assert {e["kind"] for e in ledger} >= {"planned", "requested", "approved", "paid", "adjusted"}
    assert_ledger_agrees(award)


def test_retry_with_the_same_key_returns_the_first_result(api):
    award = make_award()
    tranche = first_tranche(award)
    api.force_authenticate(award.consortium.contacts.get())
    url = f"/api/awards/{award.pk}/disbursements/"
    first = post(api, url, {"tranche": tranche.pk, "amount_krw": 5_000_000}, key="same")
    again = post(api, url, {"tranche": tranche.pk, "amount_krw": 5_000_000}, key="same")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json() and again["Idempotent-Replay"] == "true"
    assert Disbursement.objects.count() == 1
    other = post(api, url, {"tranche": tranche.pk, "amount_krw": 6_000_000}, key="same")
    assert other.status_code == 400 and "Idempotency-Key" in other.json()["fields"]
    missing = api.post(url, {"tranche": tranche.pk, "amount_krw": 1}, format="json")
    assert missing.status_code == 400 and Disbursement.objects.count() == 1
    assert_ledger_agrees(award)


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"amount_krw": 0}, "amount_krw"),
        ({"amount_krw": -5}, "amount_krw"),
        ({"amount_krw": 1.5}, "amount_krw"),
        ({"amount_krw": "1000"}, "amount_krw"),
        ({"amount_krw": 10**16}, "amount_krw"),
        ({"amount_krw": 800_000_001}, "amount_krw"),
        ({"tranche": 999_999}, "tranche"),
    ],
)
def test_bad_disbursement_input_is_a_400_that_writes_nothing(api, payload, field):
    award = make_award()
    tranche = first_tranche(award)
    api.force_authenticate(award.consortium.contacts.get())
    before = (LedgerEntry.objects.count(), IdempotencyKey.objects.count())
    res = post(
        api, f"/api/awards/{award.pk}/disbursements/", {"tranche": tranche.pk, "amount_krw": 1, **payload}
    )
    assert res.status_code == 400
    assert set(res.json()) - {"failures"} == {"detail", "code", "fields"} and field in res.json()["fields"]
    assert (LedgerEntry.objects.count(), IdempotencyKey.objects.count()) == before


def test_money_refusals_name_their_rule(api):
    """Above the tranche's remaining amount: the refusal's code and its failure name the rule."""
    award = make_award()
    tranche = first_tranche(award)
    api.force_authenticate(award.consortium.contacts.get())
    res = post(
        api, f"/api/awards/{award.pk}/disbursements/", {"tranche": tranche.pk, "amount_krw": 800_000_001}
    )
    assert res.status_code == 400
    assert res.json()["code"] == "disbursement.above_remaining"
    assert [f["rule"] for f in res.json()["failures"]] == ["disbursement.above_remaining"]


def test_bad_grade_and_year_and_stopped_award_are_400s(api):
    award = make_award()
    officer = award.program.officers.get()
    api.force_authenticate(officer)
    before = LedgerEntry.objects.count()
    assert post(api, f"/api/awards/{award.pk}/grades/", {"year": 1, "code": "Z"}).status_code == 400
    assert post(api, f"/api/awards/{award.pk}/grades/", {"year": 4, "code": "A"}).status_code == 400
    assert post(api, f"/api/awards/{award.pk}/grades/", {"year": 0, "code": "A"}).status_code == 400
    assert LedgerEntry.objects.count() == before and not Grade.objects.exists()
    assert post(api, f"/api/awards/{award.pk}/grades/", {"year": 1, "code": "D"}).status_code == 201
    res = post(
        api, f"/api/awards/{award.pk}/disbursements/", {"tranche": first_tranche(award).pk, "amount_krw": 1}
    )
    assert res.status_code == 400 and LedgerEntry.objects.count() == before


def test_outsiders_see_nothing(api):
    award = make_award()
    other_applicant = selected_application().consortium.contacts.get()
    reviewer = UserFactory(reviewer=True)
    other_officer = officer_of(ProgramFactory())
    tranche = first_tranche(award)
    d = Disbursement.objects.create(
        tranche=tranche, amount_krw=1, requested_by=award.consortium.contacts.get()
    )
    for user in (other_applicant, reviewer, other_officer):
        api.force_authenticate(user)
        assert api.get("/api/awards/").json() == []
        assert api.get(f"/api/awards/{award.pk}/").status_code == 404
        assert api.get(f"/api/awards/{award.pk}/ledger/").status_code == 404
        res = post(api, f"/api/awards/{award.pk}/disbursements/", {"tranche": tranche.pk, "amount_krw": 1})
        assert res.status_code == 404
        assert post(api, f"/api/awards/disbursements/{d.pk}/approve/").status_code == 404
    api.force_authenticate(other_officer)
    assert api.get("/api/awards/999999/").status_code == 404
    api.force_authenticate(None)
    assert api.get(f"/api/awards/{award.pk}/").status_code in (401, 403)
    assert Award.objects.get(pk=award.pk).state == "active"


def test_contacts_request_but_officers_run_the_award(api):
    award = make_award()
    api.force_authenticate(award.consortium.contacts.get())
    assert post(api, f"/api/awards/{award.pk}/grades/", {"year": 1, "code": "S"}).status_code == 403
    res = post(
        api,
        f"/api/awards/{award.pk}/carry-overs/",
        {"from_tranche": first_tranche(award).pk, "amount_krw": 1},
    )
    assert res.status_code == 403
    app = selected_application()
    assert post(api, "/api/awards/", {"application": app.pk, "notified_on": "2026-11-01"}).status_code == 403


def test_changes_recoveries_settlements_over_the_api(api):
    award = make_award()
    officer = award.program.officers.get()
    contact = award.consortium.contacts.get()
    api.force_authenticate(contact)
    res = post(
        api,
        f"/api/awards/{award.pk}/changes/",
        {
            "reason": "기간 연장",
            "items": [{"kind": "period", "new_ends_on": str(award.ends_on + dt.timedelta(days=30))}],
        },
    )
    assert res.status_code == 201 and res.json()["state"] == "pending"
    change = res.json()["id"]
    stage = award.stages.get()
    res = post(api, f"/api/awards/settlements/{stage.pk}/submit/", {"unspent_krw": 0})
    assert res.status_code == 200 and res.json()["settlement_submitted_on"]
    api.force_authenticate(officer)
    assert post(api, f"/api/awards/changes/{change}/decide/", {"approve": True}).json()["state"] == "approved"
    tranche = first_tranche(award)
    res = post(
        api,
        f"/api/awards/{award.pk}/recoveries/",
        {"tranche": tranche.pk, "amount_krw": 1, "reason": "미사용"},
    )
    assert res.status_code == 400  # nothing paid yet
    assert api.get(f"/api/awards/{award.pk}/recoveries/").json() == []
    assert tranche_balances(tranche.pk).paid_krw == 0
