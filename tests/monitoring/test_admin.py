"""Issue 17 item 5: the monitoring dashboard (admin) and its formula-safe xlsx export."""

import datetime as dt

import pytest
from django.utils import timezone

from monitoring import rollups, services
from monitoring.models import Milestone
from tests.export_helpers import export_workbook
from tests.factories import ProgramFactory, officer_of
from tests.monitoring.helpers import contact_of, make_award, officer_of_award

pytestmark = pytest.mark.django_db
URL = "/admin/monitoring/milestone/dashboard/"


def _award_with_data(django_capture_on_commit_callbacks):
    award = make_award()
    Milestone.objects.filter(award=award, kind="annual", sequence=1).update(
        due_on=timezone.localdate() - dt.timedelta(days=3), title='=HYPERLINK("x")'
    )
    with django_capture_on_commit_callbacks(execute=True):
        r = services.report_kpi(
            actor=contact_of(award), award_id=award.pk, indicator="researchers", year=1, value=12
        )
        services.validate_kpi(actor=officer_of_award(award), report_id=r.pk)
    return award


def test_the_officer_sees_rollups_beside_2030_and_overdue_milestones(
    client, django_capture_on_commit_callbacks
):
    award = _award_with_data(django_capture_on_commit_callbacks)
    client.force_login(officer_of_award(award))
    page = client.get(URL + "?indicator=researchers")
    assert page.status_code == 200
    html = page.content.decode()
    assert "220,000" in html and "chart-region-data" in html
    assert 'id="overdue"' in html and award.title in html
    assert page.context["national"][1]["contribution"] == 12


def test_another_programs_officer_sees_none_of_it(client, django_capture_on_commit_callbacks):
    award = _award_with_data(django_capture_on_commit_callbacks)
    client.force_login(officer_of(ProgramFactory()))
    page = client.get(URL)
    assert page.status_code == 200
    assert award.title not in page.content.decode()
    assert page.context["national"][1]["contribution"] == 0


def test_applicants_do_not_get_the_dashboard(client, django_capture_on_commit_callbacks):
    award = _award_with_data(django_capture_on_commit_callbacks)
    client.force_login(contact_of(award))
    assert client.get(URL).status_code in (302, 403)


def test_the_export_is_formula_safe(client, django_capture_on_commit_callbacks):
    award = _award_with_data(django_capture_on_commit_callbacks)
    client.force_login(officer_of_award(award))
    book = export_workbook(client, django_capture_on_commit_callbacks, URL + "export/")
    overdue = book.worksheets[-1]
    cell = next(c for row in overdue.iter_rows() for c in row if c.value == '=HYPERLINK("x")')
    assert cell.data_type == "s" and cell.quotePrefix


def test_a_full_rebuild_reports_progress_and_its_result(api, django_capture_on_commit_callbacks):
    award = _award_with_data(django_capture_on_commit_callbacks)
    api.force_authenticate(officer_of_award(award))
    started = api.post("/api/monitoring/rollups/rebuild/")
    assert started.status_code == 202
    assert api.get(f"/api/monitoring/tasks/{started.json()['task_id']}/").json()["state"] in (
        "SUCCESS",
        "PENDING",
    )
    seen = []
    rollups.rebuild_all(progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 1)]
    api.force_authenticate(contact_of(award))
    assert api.post("/api/monitoring/rollups/rebuild/").status_code == 403
