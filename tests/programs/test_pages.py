import pytest
from django.core.files.base import ContentFile

from programs.models import Call
from tests.factories import CallFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_home_and_open_calls_speak_korean_first(client):
    call = CallFactory(title="2026년 지역혁신 메가프로젝트 공모")
    home = client.get("/")
    assert home.status_code == 200
    text = home.content.decode()
    assert "공모" in text and call.title in text
    page = client.get("/calls/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "초광역협력형" in text and "지역혁신도약형" in text
    assert "18:00" in text  # the deadline in Asia/Seoul
    assert "전북특별자치도" in text and "전남광주통합특별시" in text
    assert "광주광역시" not in text  # ended before this call opened
    assert "서울특별시" not in text  # capital region not eligible
    assert "20억원" in text


def test_english_is_one_switch_away(client):
    CallFactory()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/calls/"})
    assert response.status_code == 302
    text = client.get("/calls/").content.decode()
    assert "Open calls" in text and "Eligible regions" in text


def test_guideline_downloads_for_anyone(client):
    call = CallFactory()
    call.guideline.save("guide.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    response = client.get(f"/calls/{call.pk}/guideline/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client.get(f"/calls/{Call.objects.order_by('-pk').first().pk + 1}/guideline/").status_code == 404


def test_login_page_is_korean_and_logs_in(client):
    UserFactory(username="kim")
    page = client.get("/login/")
    assert "로그인" in page.content.decode()
    response = client.post("/login/", {"username": "kim", "password": "pw"})
    assert response.status_code == 302
    assert "kim" in client.get("/").content.decode() or "홍" in client.get("/").content.decode()


def test_healthz_checks_the_database(client):
    body = client.get("/healthz").json()
    assert body["status"] == "degraded"  # no worker seen yet: tests/security/test_deployment.py
    assert body["database"] in ("sqlite", "postgresql")


def test_api_docs_and_schema_are_served(client):
    client.force_login(UserFactory())
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/calls/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()  # closed networks: assets are local


def test_open_calls_page_queries_are_bounded(client, django_assert_max_num_queries):
    for _ in range(12):
        CallFactory()
    with django_assert_max_num_queries(12):
        assert client.get("/calls/").status_code == 200


def test_korean_first_even_for_an_english_browser(client):
    CallFactory()
    text = client.get("/calls/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "진행 중인 공모" in text


def test_pages_and_assets_load_nothing_from_outside(client):
    """Closed networks: htmx, the font and Swagger UI ship with the app."""
    import re
    from pathlib import Path

    from django.contrib.staticfiles import finders

    CallFactory()
    html = client.get("/calls/").content.decode()
    for tag in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not tag.startswith(("http://", "https://", "//")), tag
    assert finders.find("vendor/htmx-2.0.11.min.js")
    assert finders.find("vendor/pretendard/PretendardVariable.woff2")
    for css in Path(finders.find("css/site.css")).parent.glob("*.css"):
        assert not re.search(r"url\(['\"]?(https?:)?//", css.read_text()), css
