"""Issue 13 item 18: the pages work under the Content-Security-Policy and Chromium reports no violation."""

import pytest

from tests.factories import complete_application

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_run_under_the_policy_without_violations(page):
    violations: list[str] = []
    page.on(
        "console",
        lambda m: (
            violations.append(m.text)
            if "Content Security Policy" in m.text or "Refused to" in m.text
            else None
        ),
    )
    app = complete_application()

    page.goto("/calls/")
    with page.expect_navigation():  # the language switch submits from static/js/site.js
        page.select_option("select[name=language]", "en")
    assert page.locator("h1").first.inner_text() == "Open calls"

    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .info", timeout=15_000)  # Swagger UI rendered from static files

    page.goto("/login/")
    page.fill("#id_username", app.consortium.contacts.first().username)
    page.fill("#id_password", "pw")
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.goto(f"/my/applications/{app.pk}/budget/")
    page.wait_for_selector("[data-grand=all]")
    page.goto(f"/my/applications/{app.pk}/review/")

    assert violations == []
