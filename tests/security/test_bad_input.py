"""Issue 13 item 12: hostile input is a 400 in the one error shape, never a 500."""

import json
import time

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone

from consortia.forms import BasicsForm, KrwField
from consortia.models import Application, BudgetLine
from tests.factories import ApplicationFactory, complete_application

pytestmark = pytest.mark.django_db

APPS = "/api/applications/"


def contact(app):
    return app.consortium.contacts.first()


@pytest.fixture
def draft(api):
    app = complete_application()
    api.force_authenticate(contact(app))
    return app


def member_id(app) -> int:
    return app.consortium.members.first().pk


def put_json(api, url: str, raw: str, **extra):
    return api.generic("PUT", url, raw.encode("utf-8"), content_type="application/json", **extra)


def assert_400(response, field: str | None = None) -> dict:
    assert response.status_code == 400, response.content[:500]
    body = response.json()
    assert set(body) == {"detail", "code", "fields"}
    if field:
        assert field in body["fields"], body
    return body


@pytest.mark.parametrize("amount", [2**63, 2**64 + 5, 10**16, -1])
def test_money_beyond_the_limit_is_a_400_on_the_field(api, draft, amount):
    rows = [{"member": member_id(draft), "year": 1, "national_krw": amount}]
    assert_400(api.put(f"{APPS}{draft.pk}/budget/", {"rows": rows}, format="json"), "rows.0.national_krw")


def test_counts_years_and_ids_are_bounded(api, draft):
    kpis = [{"indicator": "jobs", "year": 1, "value": 2**70}]
    assert_400(api.put(f"{APPS}{draft.pk}/kpis/", {"rows": kpis}, format="json"), "rows.0.value")
    rows = [{"member": 2**64, "year": 40_000, "national_krw": 1}]
    body = assert_400(api.put(f"{APPS}{draft.pk}/budget/", {"rows": rows}, format="json"))
    assert {"rows.0.member", "rows.0.year"} <= set(body["fields"])


def test_json_nested_beyond_the_limit_is_a_400(api, draft):
    deep = '{"rows": ' + "[" * 100_000 + "]" * 100_000 + "}"
    assert_400(put_json(api, f"{APPS}{draft.pk}/budget/", deep))
    assert_400(put_json(api, f"{APPS}{draft.pk}/budget/", '{"rows": ' + "[" * 30 + "]" * 30 + "}"))


def test_nul_characters_in_query_strings_and_text_are_a_400(api, client, draft):
    assert_400(api.get("/api/organisations/?q=%00"))
    assert_400(api.get(f"{APPS}?state=draft%00"))
    client.force_login(contact(draft))
    assert client.get("/my/organisations/search/?q=abc%00").status_code == 400
    patch = api.generic(
        "PATCH", f"{APPS}{draft.pk}/", b'{"title": "a\\u0000b"}', content_type="application/json"
    )
    assert_400(patch)


def test_invalid_unicode_in_a_choice_is_a_400_that_does_not_echo_it(api, draft):
    raw = '{"name": "x", "type": "\\ud800\\udfff\\ud800", "province": 1}'
    response = api.generic(
        "POST",
        "/api/organisations/",
        raw.encode(),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = assert_400(response)
    assert "Unicode" in body["detail"]
    assert "\\ud800" not in response.content.decode("utf-8")  # valid UTF-8, and nothing echoed
    raw = b'{"name": "x", "type": "\xff\xfe", "province": 1}'  # not UTF-8 at all
    assert_400(api.generic("POST", "/api/organisations/", raw, content_type="application/json"))


@pytest.mark.parametrize("digits", ["²", "١٢٣", "１２３", "¹²³"])
def test_unicode_digits_are_not_ids_or_amounts(api, client, draft, digits):
    rows = [{"member": digits, "year": 1, "national_krw": 1}]
    assert_400(api.put(f"{APPS}{draft.pk}/budget/", {"rows": rows}, format="json"), "rows.0.member")
    rows = [{"member": member_id(draft), "year": 1, "national_krw": digits}]
    assert_400(api.put(f"{APPS}{draft.pk}/budget/", {"rows": rows}, format="json"), "rows.0.national_krw")
    client.force_login(contact(draft))
    assert client.get(f"/my/organisations/search/?q=a&consortium={digits}").status_code == 200


def test_portal_money_fields_refuse_full_width_digits():
    field = KrwField()
    assert field.clean("1,200,000원") == 1_200_000
    for typed in ("１２３", "١٢٣", "12³"):
        with pytest.raises(ValidationError):
            field.clean(typed)
    with pytest.raises(ValidationError):
        field.clean(str(2**63))


@pytest.mark.parametrize("title", ["과제\r\nBcc: everyone@example.kr", "과\n제", "과\x0b제", "과\u2028제"])
def test_titles_that_go_into_email_subjects_are_one_line(api, draft, title):
    assert_400(api.patch(f"{APPS}{draft.pk}/", {"title": title}, format="json"), "title")
    assert not BasicsForm(data={"title": title}).is_valid()
    assert Application.objects.get(pk=draft.pk).title != title


def test_a_stored_title_with_a_line_break_still_sends_its_receipt(mailoutbox):
    from consortia.notices import deliver_notice, queue_notice

    app = ApplicationFactory(title="과제\r\nBcc: x@example.kr", submitted_at=timezone.now())
    notice = queue_notice(
        kind="receipt",
        to=["kim@example.kr"],
        subject_template="consortia/email/receipt_subject.txt",
        body_template="consortia/email/receipt.txt",
        context={"application": app, "submitted_at": app.submitted_at},
        dedupe_key=f"receipt:application:{app.pk}:kim@example.kr",
    )
    deliver_notice(notice_id=notice.pk)
    assert "\n" not in mailoutbox[0].subject and "\r" not in mailoutbox[0].subject


def test_a_20_mb_summary_and_300k_budget_rows_are_refused_quickly(api, draft):
    started = time.perf_counter()
    huge = json.dumps({"summary": "가" * (20 * 1024 * 1024 // 3)})
    big = api.generic(
        "PATCH",
        f"{APPS}{draft.pk}/",
        huge.encode(),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "5 MB" in assert_400(big)["detail"]
    long_summary = {"summary": "가" * 20_001}
    assert_400(api.patch(f"{APPS}{draft.pk}/", long_summary, format="json"), "summary")
    rows = json.dumps({"rows": [{"member": 1, "year": 1}] * 300_000})
    assert_400(put_json(api, f"{APPS}{draft.pk}/budget/", rows))
    rows = [{"member": member_id(draft), "year": 1}] * 2_001
    assert_400(api.put(f"{APPS}{draft.pk}/budget/", {"rows": rows}, format="json"), "rows.non_field_errors")
    assert time.perf_counter() - started < 10
    assert BudgetLine.objects.filter(application=draft).count() < 100  # nothing of it was stored


def test_an_unexpected_api_error_is_json_in_the_one_shape(api, draft, monkeypatch):
    from consortia.api import views

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    # Stands in for a bug in a view: the only way to reach the last resort.
    monkeypatch.setattr(views.CheckApplicationApi, "get", lambda self, request, pk: broken())
    response = api.get(f"{APPS}{draft.pk}/check/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500
    assert response.json() == {"detail": "Server error.", "code": "server_error", "fields": {}}
    assert "secret" not in response.content.decode()

    from config.errors import server_error

    outside = server_error(RequestFactory().get("/api/anything/"))  # handler500, outside DRF views
    assert outside.status_code == 500 and set(json.loads(outside.content)) == {"detail", "code", "fields"}


def test_every_refusal_names_a_stable_code(api):
    """Integrations key on `code`, never on the (translated) message: a domain rule, a field
    error, authentication, permission and a missing row each answer with their own."""
    from accounts.models import User
    from tests.factories import ApplicationFactory, UserFactory

    anonymous = api.get("/api/applications/")
    assert anonymous.status_code in (401, 403) and anonymous.json()["code"] in (
        "not_authenticated",
        "authentication_failed",
    )
    user = UserFactory()
    api.force_authenticate(user)
    assert api.get("/api/applications/999999/").json()["code"] == "not_found"
    bad = api.post("/api/organisations/", {"name": ""}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid" and bad.json()["fields"]
    app = ApplicationFactory()
    assert User.objects.filter(pk=user.pk).exists()
    other = api.post(f"/api/applications/{app.pk}/submit/")
    assert other.status_code in (403, 404) and other.json()["code"] in ("permission_denied", "not_found")
    contact = app.consortium.contacts.first() or UserFactory()
    app.consortium.contacts.add(contact)
    api.force_authenticate(contact)
    refused = api.post(f"/api/applications/{app.pk}/submit/")
    assert refused.status_code == 400 and refused.json()["code"] == "application.rules_broken"
    assert {f["rule"] for f in refused.json()["failures"]}


@pytest.mark.parametrize("page", ["²", "١٢", "9" * 40, "-1", "0"])
def test_a_page_number_that_is_not_one_is_the_first_page(client, page):
    from tests.factories import ProgramFactory, officer_of

    client.force_login(officer_of(ProgramFactory()))
    assert client.get("/admin/consortia/application/", {"p": page}).status_code in (200, 302)


@pytest.mark.parametrize("award", ["²", "9" * 40])
def test_an_award_filter_that_is_not_an_id_is_ignored(api, award):
    from tests.factories import ProgramFactory, officer_of

    api.force_authenticate(officer_of(ProgramFactory()))
    assert api.get("/api/monitoring/milestones/", {"award": award}).status_code == 200


def test_field_messages_take_the_particle_their_word_takes(api):
    """A serializer's message about an ended province reads "광주광역시 (29)는", not "은(는)"."""
    from tests.factories import UserFactory

    api.force_authenticate(UserFactory())
    res = api.post("/api/organisations/", {"name": "x", "province": "29"}, format="json")
    message = " ".join(res.json()["fields"]["province"])
    assert "(29)는" in message and "은(는)" not in message


def test_consortia_refusals_name_their_own_code():
    """An organisation in an ended province is refused with a code a client can key on."""
    from consortia.exceptions import InvalidInput
    from consortia.services import create_organisation
    from programs.models import Province
    from tests.factories import UserFactory

    with pytest.raises(InvalidInput) as exc:
        create_organisation(
            actor=UserFactory(),
            name="광주 어느 대학",
            type="university",
            province=Province.objects.get(code="29"),
        )
    assert exc.value.code == "province.ended" and "(12)" in exc.value.message
