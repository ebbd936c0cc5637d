"""Issue 17: /api/monitoring/… scoped by role; outsiders and guessed ids get 404/403; lists
have a fixed number of queries."""

import pytest

from monitoring.models import Milestone
from tests.factories import ProgramFactory, UserFactory, officer_of
from tests.monitoring.helpers import contact_of, make_award, officer_of_award, pdf

pytestmark = pytest.mark.django_db
API = "/api/monitoring/"


def test_the_consortium_submits_and_the_officer_accepts_through_the_api(api):
    award = make_award()
    milestone = Milestone.objects.filter(award=award).first()
    api.force_authenticate(contact_of(award))
    listed = api.get(API + "milestones/").json()
    assert listed["count"] == Milestone.objects.filter(award=award).count()
    r = api.post(
        API + f"milestones/{milestone.pk}/submit/", {"file": pdf(), "note": "제출"}, format="multipart"
    )
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "submitted"
    assert api.post(API + f"milestones/{milestone.pk}/accept/").status_code == 403
    api.force_authenticate(officer_of_award(award))
    r = api.post(API + f"milestones/{milestone.pk}/return/", {"reason": ""}, format="json")
    assert r.status_code == 400
    assert api.post(API + f"milestones/{milestone.pk}/accept/").json()["state"] == "accepted"
    detail = api.get(API + f"milestones/{milestone.pk}/").json()
    assert [e["to_state"] for e in detail["timeline"]] == ["submitted", "accepted"]


def test_kpi_report_and_validation_through_the_api(api, django_capture_on_commit_callbacks):
    award = make_award()
    api.force_authenticate(contact_of(award))
    r = api.post(
        API + "kpi-reports/", {"award": award.pk, "indicator": "papers", "year": 1, "value": 3}, format="json"
    )
    assert r.status_code == 201, r.content
    report_id = r.json()["id"]
    assert r.json()["unit"] == "papers"
    r = api.post(
        API + "kpi-reports/", {"award": award.pk, "indicator": "papers", "year": 1, "value": 4}, format="json"
    )
    assert r.status_code == 400 and "indicator" in r.json()["fields"]
    api.force_authenticate(officer_of_award(award))
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(API + f"kpi-reports/{report_id}/validate/").json()["state"] == "validated"
    rows = api.get(API + "rollups/?level=award&indicator=papers").json()
    assert [(r["actual"], r["target"], r["achievement"]) for r in rows] == [(3, 0, "—")]


@pytest.mark.parametrize("who", ["other_applicant", "reviewer", "other_officer"])
def test_outsiders_see_nothing_and_guessed_ids_are_404(api, who):
    award = make_award()
    milestone = Milestone.objects.filter(award=award).first()
    outsider = {
        "other_applicant": lambda: contact_of(make_award()),
        "reviewer": lambda: UserFactory(reviewer=True),
        "other_officer": lambda: officer_of(ProgramFactory()),
    }[who]()
    api.force_authenticate(outsider)
    ids = set(r["award"] for r in api.get(API + "milestones/?page_size=500").json()["results"])
    assert award.pk not in ids
    assert api.get(API + f"milestones/{milestone.pk}/").status_code == 404
    assert api.get(API + "milestones/999999/").status_code == 404
    r = api.post(API + f"milestones/{milestone.pk}/submit/", {"file": pdf()}, format="multipart")
    assert r.status_code == 404
    assert api.post(API + f"milestones/{milestone.pk}/accept/").status_code == 404
    r = api.post(
        API + "kpi-reports/", {"award": award.pk, "indicator": "papers", "year": 1, "value": 1}, format="json"
    )
    assert r.status_code == 404
    if who != "other_officer":
        assert api.get(API + "rollups/").status_code == 403
    else:
        assert api.get(API + "rollups/?level=award").json() == []


def test_anonymous_is_refused(api):
    assert api.get(API + "milestones/").status_code in (401, 403)


def test_milestone_list_queries_are_flat(api, django_assert_max_num_queries):
    awards = [make_award() for _ in range(3)]
    officer = officer_of_award(awards[0])
    for a in awards[1:]:
        a.program.officers.add(officer)
    api.force_authenticate(officer)
    with django_assert_max_num_queries(8):
        r = api.get(API + "milestones/")
    assert r.json()["count"] == Milestone.objects.filter(award__in=awards).count()
