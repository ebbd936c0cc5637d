"""Issue 13 item 13: logins are throttled, API tokens expire and are stored hashed."""

import datetime as dt

import pytest
from django.utils import timezone
from knox.models import AuthToken

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "/api/token/"
ME = "/api/applications/"


@pytest.fixture
def kim():
    return UserFactory(username="kim", is_staff=True)


def test_token_login_gives_an_expiring_token_stored_only_as_a_digest(api, kim):
    response = api.post(TOKEN, {"username": "kim", "password": "pw"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    token = body["token"]
    expiry = dt.datetime.fromisoformat(body["expiry"])
    assert timezone.now() < expiry <= timezone.now() + dt.timedelta(hours=10, minutes=1)
    stored = AuthToken.objects.get(user=kim)
    assert token not in (stored.digest, stored.token_key) and len(stored.token_key) < len(token)
    assert api.get(ME, HTTP_AUTHORIZATION=f"Token {token}").status_code == 200

    assert api.post("/api/token/logout/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 204
    assert api.get(ME, HTTP_AUTHORIZATION=f"Token {token}").status_code == 401


def test_an_expired_or_invalid_token_gets_401_with_www_authenticate(api, kim):
    token = api.post(TOKEN, {"username": "kim", "password": "pw"}, format="json").json()["token"]
    AuthToken.objects.update(expiry=timezone.now() - dt.timedelta(seconds=1))
    for header in (f"Token {token}", "Token not-a-token", "Token "):
        response = api.get(ME, HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header
        assert response["WWW-Authenticate"] == "Token"
        assert set(response.json()) == {"detail", "code", "fields"}
    anonymous = api.get(ME)
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"] == "Token"


def test_repeated_token_failures_lock_the_account_even_for_the_right_password(api, kim):
    for _ in range(4):
        response = api.post(TOKEN, {"username": "kim", "password": "guess"}, format="json")
        assert response.status_code == 400
    assert api.post(TOKEN, {"username": "kim", "password": "guess"}, format="json").status_code == 429  # 5th
    response = api.post(
        TOKEN, {"username": "kim", "password": "pw"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 429, response.content
    assert set(response.json()) == {"detail", "code", "fields"} and "15 minutes" in response.json()["detail"]
    assert int(response["Retry-After"]) == 15 * 60
    assert "seconds" not in response.json()["detail"]  # said once, in minutes
    assert not AuthToken.objects.exists()


def test_failures_from_one_source_lock_it_for_other_accounts_too(api, kim):
    UserFactory(username="lee")
    for n in range(5):
        api.post(
            TOKEN, {"username": f"nobody{n}", "password": "guess"}, format="json", REMOTE_ADDR="203.0.113.9"
        )
    assert (
        api.post(
            TOKEN, {"username": "lee", "password": "pw"}, format="json", REMOTE_ADDR="203.0.113.9"
        ).status_code
        == 429
    )
    # another source is not affected
    assert (
        api.post(
            TOKEN, {"username": "lee", "password": "pw"}, format="json", REMOTE_ADDR="198.51.100.7"
        ).status_code
        == 200
    )


@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_repeated_page_login_failures_lock_the_account(client, kim, url):
    for _ in range(4):
        response = client.post(url, {"username": "kim", "password": "guess"})
        assert response.status_code == 200  # the form again, with its error
    assert client.post(url, {"username": "kim", "password": "guess"}).status_code == 429  # the 5th
    response = client.post(url, {"username": "kim", "password": "pw"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "로그인" in response.content.decode()  # the lockout notice, in Korean
