"""An officer works a case file in the back office; an applicant uses the portal on a phone.

Screenshots of every officer page at 1366 px and of /my/ and the budget editor at 390 px go to
var/screenshots/.
"""

import re

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from consortia.models import Application, ApplicationDocument
from tests.browser.conftest import ARTIFACTS
from tests.factories import complete_application, officer_of, submitted

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def login(page, username: str, path: str) -> None:
    page.goto(f"/login/?next={path}")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")
    page.wait_for_url(f"**{path}")


def no_sideways_scroll(page) -> bool:
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
             .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
             .filter(e => !e.closest('.table-scroll, .plan-total, .stepper, .cf-scroll'))
             .slice(0, 5).map(e => e.tagName + '.' + e.className)"""
    )
    assert not wide, wide
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def officer_case():
    app = submitted(complete_application(title="경북 이차전지 메가프로젝트"))
    Application.objects.filter(pk=app.pk).update(receipt_number="2026-LEAP-0001")
    for code in ("48", "43"):
        submitted(complete_application(call=app.call, province_code=code))
    doc = ApplicationDocument(
        application=app,
        kind="proposal",
        original_name="사업계획서.pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=app.consortium.contacts.get(),
    )
    doc.file.save("plan.pdf", ContentFile(PDF), save=False)
    doc.save()
    officer = officer_of(app.call.program, username="officer")
    return app, officer


def test_officer_reads_a_case_file_moves_it_to_screening_and_exports_the_list(page, shot, officer_case):
    app, _officer = officer_case
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, "officer", "/admin/consortia/application/")
    expect(page.locator("#result_list")).to_be_visible()
    assert no_sideways_scroll(page), "the application list must fit 1366 px"
    shot(page, "officer-1-application-list")

    # The case file: receipt number, the budget table with totals and ratios against their rules.
    page.click("text=경북 이차전지 메가프로젝트")
    page.wait_for_url(re.compile(rf".*/admin/consortia/application/{app.pk}/change/$"))
    expect(page.locator("[data-testid=receipt-number]")).to_have_text("2026-LEAP-0001")
    budget = page.locator("[data-testid=budget-table]")
    expect(budget).to_contain_text("42억원")
    expect(page.locator("[data-testid=ratio-table]")).to_contain_text("20.00%")
    assert no_sideways_scroll(page)
    shot(page, "officer-2-case-file")

    # The plan PDF opens in a new tab, through the permission-checked view.
    with page.context.expect_page() as popup:
        page.click("[data-testid=document-link]")
    pdf = popup.value
    pdf.wait_for_load_state()
    assert f"/admin/consortia/application/{app.pk}/documents/" in pdf.url
    pdf.close()

    # One step: the button, then its confirmation dialog.
    page.click("text=요건 검토 시작")
    dialog = page.locator("#dialog")
    expect(dialog).to_be_visible()
    shot(page, "officer-3-screening-dialog")
    dialog.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=state]")).to_have_text("요건 검토")
    assert Application.objects.get(pk=app.pk).state == "screening"
    shot(page, "officer-4-after-screening")

    # The export runs as a task; its page shows the progress and then the file.
    page.goto("/admin/consortia/application/")
    page.click("[data-testid=export]")
    page.wait_for_url(re.compile(r".*/admin/consortia/export/\d+/$"))
    expect(page.locator("[data-testid=export-progress] progress")).to_be_visible()
    link = page.locator("[data-testid=export-download]")
    expect(link).to_be_visible(timeout=20_000)
    shot(page, "officer-5-export-ready")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".xlsx")


def test_officer_sees_frozen_rules_on_the_call_page(page, shot, officer_case):
    app, _officer = officer_case
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, "officer", f"/admin/programs/call/{app.call_id}/change/")
    expect(page.locator("[data-testid=frozen-rules]")).to_be_visible()
    expect(page.locator("text=마감 연장").first).to_be_visible()
    shot(page, "officer-6-call-frozen-rules")
    page.goto("/admin/")
    shot(page, "officer-7-dashboard-sidebar")


def test_applicant_portal_and_budget_editor_fit_a_phone(page, shot):
    app = complete_application(title="충남 수소 메가프로젝트")
    contact = app.consortium.contacts.get()
    contact.username = "phone"
    contact.save()
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "phone", "/my/")
    expect(page.locator("[data-testid=applications]")).to_be_visible()
    assert no_sideways_scroll(page), "/my/ must fit 390 px"
    shot(page, "phone-1-my")
    page.goto(f"/my/applications/{app.pk}/budget/")
    expect(page.locator("[data-testid=year-block]").first).to_be_visible()
    assert no_sideways_scroll(page), "the page scrolls inside the budget table, not sideways as a whole"
    # Labels stay readable: the member column is visible at the left edge of its scroller.
    first_label = page.locator("[data-testid=year-block] tbody tr[data-row] td").first
    box = first_label.bounding_box()
    assert box is not None and box["x"] >= 0 and box["width"] >= 90
    shot(page, "phone-2-budget-editor")
    page.locator("[data-testid=year-block]").first.screenshot(path=str(ARTIFACTS / "phone-3-budget-year.png"))
