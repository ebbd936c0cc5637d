import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=False)
def test_not_found_is_a_korean_page_in_the_house_style(client):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 404
    body = response.content.decode()
    assert 'data-testid="error-page"' in body and 'data-status="404"' in body
    assert "페이지를 찾을 수 없습니다" in body


def test_server_error_page_renders_without_a_request_context():
    from django.template.loader import render_to_string

    assert 'data-status="500"' in render_to_string("500.html")
