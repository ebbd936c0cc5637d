import pytest
from django.core.files.base import ContentFile

from tests.factories import CallFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_reads_open_calls_switches_to_english_and_logs_in(page, shot):
    call = CallFactory(title="2026년 지역혁신 메가프로젝트 공모")
    call.guideline.save("guide.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    UserFactory(username="officer1", name="김민수")

    page.goto("/")
    assert page.locator("h1").first.inner_text() == "지역혁신 메가프로젝트"
    shot(page, "home-ko")
    page.get_by_role("link", name="공모 보기").click()
    page.wait_for_url("**/calls/")
    assert page.get_by_text("초광역협력형").is_visible()
    assert page.locator("a", has_text="공고문").count() == 1
    shot(page, "open-calls-ko")

    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("h1").first.inner_text() == "Open calls"
    shot(page, "open-calls-en")

    page.goto("/login/")
    page.fill("#id_username", "officer1")
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    assert "김민수" in page.content() or "민수" in page.content()
