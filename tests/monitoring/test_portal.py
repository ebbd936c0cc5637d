"""Issue 17: the applicant's pages /my/awards/<id>/milestones/ and the KPI report form."""

import pytest

from monitoring.models import KpiReport, Milestone
from tests.factories import UserFactory
from tests.monitoring.helpers import contact_of, make_award, pdf

pytestmark = pytest.mark.django_db


def test_the_contact_submits_a_milestone_and_reports_an_actual(client):
    award = make_award()
    milestone = Milestone.objects.filter(award=award).first()
    client.force_login(contact_of(award))
    page = client.get(f"/my/awards/{award.pk}/milestones/")
    assert page.status_code == 200 and milestone.title in page.content.decode()
    r = client.post(
        f"/my/awards/{award.pk}/milestones/", {"milestone": milestone.pk, "file": pdf(), "note": "n"}
    )
    assert r.status_code == 302
    assert Milestone.objects.get(pk=milestone.pk).state == "submitted"
    r = client.post(
        f"/my/awards/{award.pk}/kpis/", {"indicator": "papers", "year": 1, "value": 2, "note": ""}
    )
    assert r.status_code == 302
    assert KpiReport.objects.get(award=award).value == 2
    r = client.post(
        f"/my/awards/{award.pk}/kpis/", {"indicator": "papers", "year": 1, "value": 2, "note": ""}
    )
    assert r.status_code == 200 and r.context["form"].errors


def test_others_get_404(client):
    award = make_award()
    other = make_award()
    for user in (contact_of(other), UserFactory(reviewer=True)):
        client.force_login(user)
        assert client.get(f"/my/awards/{award.pk}/milestones/").status_code == 404
        assert client.get(f"/my/awards/{award.pk}/kpis/").status_code == 404
    client.force_login(contact_of(award))
    foreign = Milestone.objects.filter(award=other).first()
    r = client.post(f"/my/awards/{award.pk}/milestones/", {"milestone": foreign.pk, "file": pdf()})
    assert r.status_code == 404
    assert Milestone.objects.get(pk=foreign.pk).state == "open"


def test_the_award_page_leads_to_its_milestones_and_kpi_reports(client):
    award = make_award()
    client.force_login(contact_of(award))
    html = client.get(f"/my/awards/{award.pk}/").content.decode()
    assert f"/my/awards/{award.pk}/milestones/" in html and f"/my/awards/{award.pk}/kpis/" in html
