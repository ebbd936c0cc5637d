"""An officer makes an award from a selected application, approves and pays a disbursement,
records a C grade and sees the next year's tranche reduced on the dashboard's chart; the
applicant sees the payment in the portal."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from awards.models import Award
from tests.awards.helpers import assert_ledger_agrees, selected_application
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def test_officer_awards_pays_grades_and_the_applicant_sees_the_payment(browser, live_server, shot):
    app = selected_application()
    officer = UserFactory(username="officer-kim", name="김민수", is_staff=True)
    app.call.program.officers.add(officer)
    contact = app.consortium.contacts.get()
    contact.set_password("pw")
    contact.save()

    context = browser.new_context(
        base_url=live_server.url, locale="ko-KR", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    login(page, "officer-kim")

    # Create the award from the selected application.
    page.goto("/admin/awards/award/create/")
    page.select_option("#id_application", str(app.pk))
    page.fill("#id_notified_on", (timezone.localdate() - dt.timedelta(days=40)).isoformat())
    shot(page, "award-1-create")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/awards/award/\d+/case/$"))
    award = Award.objects.get(application=app)

    # Request, approve and pay 1억원 of year 1's first tranche.
    page.select_option("#request-form select[name=tranche]", index=0)
    page.fill("#request-form input[name=amount_krw]", "100000000")
    page.click("#request-form button[type=submit]")
    page.click("#disbursements button[name=approve]")
    page.fill("#disbursements input[name=reference]", "KB-2026-0001")
    page.click("#disbursements button[name=pay]")
    expect(page.locator("#award-paid")).to_have_text("1억원")

    # Record a C grade for year 1: year 2's tranches drop by 30 %.
    page.fill("#grade-form input[name=year]", "1")
    page.select_option("#grade-form select[name=code]", "C")
    page.fill("#grade-form textarea[name=decision]", "성과지표 미달")
    page.click("#grade-form button[type=submit]")
    expect(page.locator("#years")).to_contain_text("9억 8,000만원")
    shot(page, "award-2-case")

    page.goto("/admin/awards/award/dashboard/")
    page.wait_for_function("window.awardsCharts && window.awardsCharts['chart-year']")
    chart = page.evaluate("window.awardsCharts['chart-year']")
    year1, year2 = award.starts_on.year, award.starts_on.year + 1
    planned = dict(zip(chart["labels"], chart["datasets"][0]["data"], strict=True))
    disbursed = dict(zip(chart["labels"], chart["datasets"][1]["data"], strict=True))
    assert planned[str(year2)] == 1_400_000_000 - 420_000_000 < planned[str(year1)] == 1_400_000_000
    assert disbursed[str(year1)] == 100_000_000
    shot(page, "award-3-dashboard")
    context.close()

    # The applicant sees the payment.
    context = browser.new_context(
        base_url=live_server.url, locale="ko-KR", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    login(page, contact.username)
    page.click("#nav-awards")
    page.click(f"text={award.title}")
    expect(page.locator("[data-testid=paid-total]")).to_have_text("1억원")
    expect(page.locator("[data-testid=disbursements]")).to_contain_text("KB-2026-0001")
    shot(page, "award-4-applicant")
    context.close()
    assert_ledger_agrees(award)
