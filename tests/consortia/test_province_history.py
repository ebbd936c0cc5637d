"""Provinces as they were (issue 13, items 5 and 6): a call keeps the provinces of its opening
date for its whole life, and an application keeps its lead provinces as submitted."""

import datetime as dt

import pytest

from consortia import services
from consortia.choices import OrganisationType
from consortia.models import ApplicationLeadProvince, ConsortiumMember, Organisation
from consortia.rules import check_application
from consortia.selectors import members_with_province_on, province_on, province_on_expression
from tests.factories import (
    KST,
    CallFactory,
    OrganisationFactory,
    UserFactory,
    complete_application,
    province,
    submitted,
)

pytestmark = pytest.mark.django_db

D = dt.date
OPENED = dt.datetime(2026, 6, 1, 9, tzinfo=KST)  # 광주 (29) and 전남 (46) still in force
CLOSES = dt.datetime(2026, 7, 31, 18, tzinfo=KST)
AFTER_MERGER = dt.datetime(2026, 7, 15, 10, tzinfo=KST)


def call_across_the_merger():
    return CallFactory(year=2026, opens_at=OPENED, closes_at=CLOSES)


def _led_by(call, code: str, name: str):
    """A complete application led by a government of a province that has since ended."""
    app = complete_application(call=call, province_code="44", track_code="leap")
    Organisation.objects.filter(pk=app.consortium.representative_id).update(
        province=province(code, on=D(2023, 5, 1)), name=name
    )
    return app


def _gwangju(call):
    return _led_by(call, "29", "광주광역시")


def rules(app, at):
    """Failures by rule family ("lead", "slot", ...) as well as by exact rule code."""
    failures = check_application(app, at=at)
    return {f.rule: f.message for f in failures} | {f.rule.split(".")[0]: f.message for f in failures}


def test_a_lead_moved_by_a_merger_during_the_call_keeps_its_opening_date_province():
    call = call_across_the_merger()
    app = _gwangju(call)
    assert "lead" not in rules(app, dt.datetime(2026, 6, 20, 10, tzinfo=KST))
    assert services.move_organisations_to_successors(on=D(2026, 7, 1)) >= 1
    gwangju = Organisation.objects.get(pk=app.consortium.representative_id)
    assert gwangju.province.code == "12"  # moved for new work...
    # ...but this call opened before the merger: 29 is its province for the whole call.
    assert "lead" not in rules(app, AFTER_MERGER)
    assert province_on(gwangju, call.opening_date).code == "29"


def test_slots_are_counted_in_the_provinces_of_the_opening_date():
    call = call_across_the_merger()
    gwangju_app = submitted(_gwangju(call))
    jeonnam_app = _led_by(call, "46", "전라남도")
    services.move_organisations_to_successors(on=D(2026, 7, 1))
    # After the move both governments are in 12; for this call they are still 29 and 46.
    assert "slot" not in rules(jeonnam_app, AFTER_MERGER)
    second_gwangju = _gwangju(call)
    assert gwangju_app.state == "submitted"
    assert "slot.province_taken" in rules(second_gwangju, AFTER_MERGER)


def test_a_call_opening_after_the_merger_uses_the_new_province():
    call = CallFactory(
        opens_at=dt.datetime(2026, 8, 1, 9, tzinfo=KST), closes_at=dt.datetime(2026, 12, 31, 18, tzinfo=KST)
    )
    app = _gwangju(call)
    services.move_organisations_to_successors(on=D(2026, 7, 1))
    members = members_with_province_on(app.consortium_id, call.opening_date)
    lead = next(m for m in members if m.role == ConsortiumMember.Role.LEAD_GOVERNMENT)
    assert lead.province_on.code == "12"
    assert "lead" not in rules(app, dt.datetime(2026, 12, 1, 10, tzinfo=KST))


def test_province_on_is_computed_in_the_database_for_lists(django_assert_num_queries):
    govs = [
        OrganisationFactory(type=OrganisationType.LOCAL_GOVERNMENT, province=province("29", on=D(2026, 6, 1)))
        for _ in range(5)
    ]
    services.move_organisations_to_successors(on=D(2026, 7, 1))
    with django_assert_num_queries(1):
        rows = list(
            Organisation.objects.filter(pk__in=[g.pk for g in govs])
            .annotate(was=province_on_expression(D(2026, 6, 1)))
            .values_list("province__code", "was")
        )
    assert {code for code, _was in rows} == {"12"}
    assert {was for _code, was in rows} == {province("29", on=D(2026, 6, 1)).pk}


# --- item 6: lead provinces as submitted ----------------------------------------------------------


def pilot_application():
    """The 2023 pilot: a super-regional application led by 광주 (29) and 전남 (46)."""
    call = CallFactory(
        year=2023,
        opens_at=dt.datetime(2023, 5, 1, 9, tzinfo=KST),
        closes_at=dt.datetime(2023, 6, 30, 18, tzinfo=KST),
    )
    app = _gwangju(call)
    app.track = call.tracks.get(code="super-regional")
    app.save(update_fields=["track"])
    jeonnam = OrganisationFactory(
        name="전라남도", type=OrganisationType.LOCAL_GOVERNMENT, province=province("46", on=D(2023, 5, 1))
    )
    ConsortiumMember.objects.create(consortium=app.consortium, organisation=jeonnam, role="lead_government")
    return app


def test_submission_snapshots_the_lead_provinces_and_the_move_job_never_rewrites_them(api):
    app = pilot_application()
    contact = app.consortium.contacts.get()
    services.submit_application(
        actor=contact, application_id=app.pk, at=dt.datetime(2023, 6, 1, 10, tzinfo=KST)
    )
    assert services.move_organisations_to_successors(on=D(2026, 7, 1)) == 2
    assert set(
        app.consortium.members.filter(role="lead_government").values_list(
            "organisation__province__code", flat=True
        )
    ) == {"12"}

    api.force_authenticate(contact)
    body = api.get(f"/api/applications/{app.pk}/").json()
    assert [(r["province"]["code"], r["is_representative"]) for r in body["lead_provinces"]] == [
        ("29", True),
        ("46", False),
    ]
    listed = api.get("/api/applications/").json()["results"]
    assert [r["province"]["code"] for r in listed[0]["lead_provinces"]] == ["29", "46"]
    assert ApplicationLeadProvince.objects.filter(application=app).count() == 2


def test_officers_see_the_province_as_submitted_in_the_admin(client):
    app = pilot_application()
    services.submit_application(
        actor=app.consortium.contacts.get(), application_id=app.pk, at=dt.datetime(2023, 6, 1, 10, tzinfo=KST)
    )
    services.move_organisations_to_successors(on=D(2026, 7, 1))
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get("/admin/consortia/application/")
    rows = {a.title: a.lead_province_name for a in page.context["cl"].result_list}
    assert rows == {app.title: "광주광역시"}
    jeonnam = province("46", on=D(2023, 5, 1))
    filtered = client.get("/admin/consortia/application/", {"province": jeonnam.pk})
    assert [a.pk for a in filtered.context["cl"].result_list] == [app.pk]
    detail = client.get(f"/admin/consortia/application/{app.pk}/change/").content.decode()
    assert "광주광역시" in detail and "전라남도" in detail


def test_the_portal_shows_the_lead_provinces_as_submitted(client):
    app = pilot_application()
    contact = app.consortium.contacts.get()
    services.submit_application(
        actor=contact, application_id=app.pk, at=dt.datetime(2023, 6, 1, 10, tzinfo=KST)
    )
    services.move_organisations_to_successors(on=D(2026, 7, 1))
    client.force_login(contact)
    page = client.get(f"/my/applications/{app.pk}/").content.decode()
    assert 'data-testid="lead-provinces"' in page
    section = page.split('data-testid="lead-provinces"')[1].split("</dd>")[0]
    assert "광주광역시 (29)" in section and "전라남도 (46)" in section
