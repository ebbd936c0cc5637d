"""An applicant builds a consortium and a two-year budget, meets a matching error, fixes it, submits.

Elements are found by id, name and data-testid: the page speaks Korean once translated.
"""

import re

import pytest
from playwright.sync_api import expect

from consortia.choices import OrganisationType
from consortia.models import Application
from tests.factories import (
    CallFactory,
    OrganisationFactory,
    TrackFactory,
    UserFactory,
    _brns,
    province,
    verified_staff,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def money(page, year: int, row: int, field: str):
    block = page.locator(f'[data-testid=year-block][data-year="{year}"]')
    return block.locator("tr[data-row]").nth(row).locator(f"input[name$='-{field}']")


def ratio(page, year: int):
    return page.locator(f'[data-testid=year-block][data-year="{year}"] [data-testid=ratio]').first


def test_applicant_builds_a_consortium_and_submits_a_two_year_budget(page, shot):
    call = CallFactory(title="2026년 지역혁신 메가프로젝트 공모", tracks=False)
    track = TrackFactory(call=call, code="leap", name="지역혁신도약형", duration_years=2)
    gov = OrganisationFactory(
        name="경상북도", type=OrganisationType.LOCAL_GOVERNMENT, province=province("47")
    )
    uni = OrganisationFactory(name="경북대학교 산학협력단", type=OrganisationType.UNIVERSITY)
    applicant = UserFactory(username="applicant", name="박지원")
    verified_staff(gov, applicant)  # the applicant works for the local government that leads
    number = next(_brns)

    # Sign in through the login page, then open the portal from the navigation.
    page.goto("/login/")
    page.fill("#id_username", "applicant")
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    page.click("#nav-my")
    page.wait_for_url("**/my/")
    shot(page, "portal-1-empty")

    # A consortium led by the province's local government.
    page.click("[data-testid=new-consortium]")
    page.wait_for_url("**/my/consortia/new/")
    page.fill("#id_name", "경북 이차전지 메가프로젝트 사업단")
    page.select_option("#id_representative", str(gov.pk))
    shot(page, "portal-2-new-consortium")
    page.click("#create-consortium")
    page.wait_for_url(re.compile(r".*/my/consortia/\d+/$"))
    expect(page.locator("[data-testid=member-row]")).to_have_count(1)

    # The university is found by search (htmx) and joins as the lead institution.
    page.fill("#org-search", "경북대")
    option = page.locator(f'[data-testid=org-option][value="{uni.pk}"]')
    expect(option).to_be_visible()
    option.check()
    page.select_option("#id_existing-role", "lead")
    shot(page, "portal-3-search-member")
    page.click("#add-existing-submit")
    expect(page.locator("[data-testid=member-row]")).to_have_count(2)

    # The SME is registered here, with a valid business registration number.
    page.fill("#id_new-name", "(주)그린배터리")
    page.select_option("#id_new-type", "sme")
    page.select_option("#id_new-province", str(province("47").pk))
    page.fill("#id_new-business_number", f"{number[:3]}-{number[3:5]}-{number[5:]}")
    page.select_option("#id_new-role", "partner")
    page.click("#add-new-submit")
    expect(page.locator("[data-testid=member-row]")).to_have_count(3)
    assert page.locator("[data-testid=member-row][data-role=lead]").count() == 1
    shot(page, "portal-4-consortium")

    # A draft to the two-year track.
    page.click("[data-testid=start-application]")
    page.select_option("#id_track", str(track.pk))
    page.fill("#id_title", "전고체 이차전지 실증 메가프로젝트")
    page.click("#create-application")
    page.wait_for_url(re.compile(r".*/my/applications/\d+/basics/$"))
    application = Application.objects.get(title="전고체 이차전지 실증 메가프로젝트")
    page.fill("#id_future_technology", "전고체 전지")
    page.fill("#id_key_industry", "이차전지 소재")
    page.fill("#id_summary", "경북의 양극재 산업과 전고체 전지 기술을 잇는다.")
    shot(page, "portal-5-basics")
    page.click("#save-continue")
    page.wait_for_url("**/members/")
    page.click("#save-continue")
    page.wait_for_url("**/budget/")

    # Both plan years are there; removing a year and adding it back works.
    expect(page.locator("[data-years] [data-testid=year-block]")).to_have_count(2)
    page.locator('[data-testid=year-block][data-year="2"] [data-testid=remove-year]').click()
    expect(page.locator("[data-years] [data-testid=year-block]")).to_have_count(1)
    expect(page.locator("#add-year")).to_be_enabled()
    page.click("#add-year")
    expect(page.locator('[data-years] [data-testid=year-block][data-year="2"] tr[data-row]')).to_have_count(3)
    expect(page.locator("#add-year")).to_be_disabled()

    # Rows: 0 lead local government, 1 university, 2 SME. Year 1's local cash is short of 20%.
    for year, local in ((1, "200,000,000"), (2, "250,000,000")):
        money(page, year, 0, "local_cash_krw").fill(local)
        money(page, year, 1, "national_krw").fill("800000000")
        money(page, year, 2, "national_krw").fill("200,000,000")
        money(page, year, 2, "private_cash_krw").fill("100,000,000")
        money(page, year, 2, "private_in_kind_krw").fill("50,000,000")
    money(page, 2, 2, "private_in_kind_krw").fill("5천만")  # not whole won: the server says so
    expect(ratio(page, 1)).to_have_attribute("data-ok", "false")
    expect(ratio(page, 1).locator("[data-percent]")).to_have_text("16.66%")
    expect(ratio(page, 2)).to_have_attribute("data-ok", "true")
    expect(page.locator('[data-year="1"] [data-total="all"]')).to_have_text("13억 5,000만원")
    shot(page, "portal-6-budget-live-ratio")

    with page.expect_navigation():
        page.click("#save")
    error = page.locator('[data-testid=field-error][data-for$="-private_in_kind_krw"]')
    expect(error).to_have_count(1)
    expect(money(page, 2, 2, "private_in_kind_krw")).to_have_value("5천만")
    expect(money(page, 1, 0, "local_cash_krw")).to_have_value("200,000,000")  # nothing typed is lost
    shot(page, "portal-7-budget-server-error")
    money(page, 2, 2, "private_in_kind_krw").fill("50,000,000")
    with page.expect_navigation():
        page.click("#save")
    expect(page.locator("[data-testid=field-error]")).to_have_count(0)
    assert application.budget_lines.count() == 6

    # The rule check puts the matching failure beside budget year 1.
    page.click("[data-step=review]")
    page.wait_for_url("**/review/")
    page.click("#check-rules")
    page.wait_for_url("**/review/?check=1")
    failure = page.locator('#budget-year-1 [data-testid=failure][data-rule="matching.local_share"]')
    expect(failure).to_have_count(1)
    expect(page.locator("#budget-year-2 [data-testid=failure]")).to_have_count(0)
    expect(page.locator("[data-testid=check-result]")).to_have_attribute("data-failures", "1")
    shot(page, "portal-8-review-failures")

    # Fix it; on the way, KPI rows are added and removed without losing typed data.
    page.click("[data-step=budget]")
    page.wait_for_url("**/budget/")
    money(page, 1, 0, "local_cash_krw").fill("249,999,999")  # 1 won short: exact, not rounded
    expect(ratio(page, 1)).to_have_attribute("data-ok", "false")
    expect(ratio(page, 1).locator("[data-percent]")).to_have_text("19.99%")
    money(page, 1, 0, "local_cash_krw").fill("250,000,000")
    expect(ratio(page, 1)).to_have_attribute("data-ok", "true")
    expect(ratio(page, 1).locator("[data-percent]")).to_have_text("20.00%")
    page.click("#save-continue")
    page.wait_for_url("**/kpis/")
    page.click("[data-testid=add-row]")
    page.click("[data-testid=add-row]")
    rows = page.locator("[data-testid=kpi-row]")
    rows.nth(0).locator("select[name$='-indicator']").select_option("patents_filed")
    rows.nth(0).locator("input[name$='-value']").fill("3")
    rows.nth(1).locator("select[name$='-indicator']").select_option("new_jobs")
    rows.nth(1).locator("select[name$='-year']").select_option("2")
    rows.nth(1).locator("input[name$='-value']").fill("40")
    rows.nth(0).locator("[data-testid=remove-row]").click()
    expect(rows).to_have_count(1)
    expect(rows.nth(0).locator("input[name$='-value']")).to_have_value("40")
    assert rows.nth(0).locator("input[name$='-value']").get_attribute("name") == "rows-0-value"
    shot(page, "portal-9-kpis")
    page.click("#save-continue")
    page.wait_for_url("**/milestones/")
    assert list(application.kpi_targets.values_list("indicator", "year", "value")) == [("new_jobs", 2, 40)]
    page.click("[data-testid=add-row]")
    page.locator("[data-testid=milestone-row] input[name$='-title']").fill("전고체 셀 시제품")
    page.click("#save-continue")
    page.wait_for_url("**/documents/")
    page.select_option("#id_kind", "proposal")
    page.set_input_files("#id_file", {"name": "사업계획서.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.click("#upload")
    expect(page.locator("[data-testid=document-row]")).to_have_count(1)
    shot(page, "portal-10-documents")

    page.click("#save-continue")
    page.wait_for_url("**/review/")
    page.click("#check-rules")
    expect(page.locator("[data-testid=check-result]")).to_have_attribute("data-failures", "0")
    page.click("#submit-application")
    page.wait_for_url(re.compile(rf".*/my/applications/{application.pk}/$"))
    expect(page.locator("[data-testid=state]").first).to_have_attribute("data-state", "submitted")
    event = page.locator("[data-testid=timeline] [data-testid=event]")
    expect(event).to_have_count(1)
    expect(event).to_have_attribute("data-to", "submitted")
    expect(event).to_contain_text("박지원")
    shot(page, "portal-11-submitted-timeline")
    assert Application.objects.get(pk=application.pk).state == "submitted"

    page.click("#nav-my")
    expect(page.locator("[data-testid=application-row]")).to_have_count(1)
    shot(page, "portal-12-my-applications")
