"""Login throttling: failures per username and per address lock sign-in out for a while, on every server."""

import time

import pytest
from django.test import RequestFactory

from editor.throttling import client_address
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.PALIMPSEST_LOGIN_FAILURES_PER_USERNAME = 3
    settings.PALIMPSEST_LOGIN_FAILURES_PER_ADDRESS = 5
    settings.PALIMPSEST_LOGIN_WINDOW_SECONDS = 600
    settings.PALIMPSEST_LOGIN_LOCKOUT_SECONDS = 900


def sign_in(client, username, password, address="203.0.113.7", url="/accounts/login/"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_a_username_is_locked_out_after_repeated_failures_even_with_the_right_password(client):
    make_user("alice")
    for _ in range(3):
        assert sign_in(client, "alice", "wrong").status_code == 200
    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 429 and not signed_in(client)
    html = response.content.decode()
    assert "Too many failed sign-in attempts" in html and "try again in 15 minutes" in html
    assert "did not match" not in html
    assert sign_in(client, "ALICE ", PASSWORD, address="198.51.100.1").status_code == 429  # any address, any case


def test_other_usernames_can_still_sign_in_while_one_is_locked(client):
    make_user("alice"), make_user("bob")
    for _ in range(3):
        sign_in(client, "alice", "wrong")
    assert sign_in(client, "bob", PASSWORD).status_code == 302 and signed_in(client)


def test_an_address_guessing_across_usernames_is_locked_out(client):
    make_user("carol")
    for n in range(5):
        sign_in(client, f"nobody-{n}", "wrong")
    assert sign_in(client, "carol", PASSWORD).status_code == 429
    assert sign_in(client, "carol", PASSWORD, address="198.51.100.1").status_code == 302


def test_the_lockout_ends_by_itself(client, monkeypatch):
    make_user("dave")
    for _ in range(3):
        sign_in(client, "dave", "wrong")
    assert sign_in(client, "dave", PASSWORD).status_code == 429
    later = time.time() + 901
    monkeypatch.setattr(time, "time", lambda: later)
    assert sign_in(client, "dave", PASSWORD).status_code == 302 and signed_in(client)


def test_a_correct_sign_in_forgets_the_usernames_failures_but_an_empty_password_does_not(client):
    make_user("erin")
    sign_in(client, "erin", "wrong"), sign_in(client, "erin", "wrong")
    assert sign_in(client, "erin", PASSWORD, address="198.51.100.2").status_code == 302
    client.logout()
    sign_in(client, "erin", "wrong", address="198.51.100.3"), sign_in(client, "erin", "wrong", address="198.51.100.3")
    sign_in(client, "erin", "", address="198.51.100.3")
    assert sign_in(client, "erin", "wrong", address="198.51.100.3").status_code == 200
    assert sign_in(client, "erin", PASSWORD, address="198.51.100.4").status_code == 429


def test_the_admin_sign_in_is_throttled_too(client):
    make_user("root", staff=True)
    for _ in range(3):
        sign_in(client, "root", "wrong", url="/admin/login/")
    response = sign_in(client, "root", PASSWORD, url="/admin/login/")
    assert "Too many failed sign-in attempts" in response.content.decode() and not signed_in(client)


def test_the_client_address_is_read_through_trusted_proxies_only(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert client_address(request) == "10.0.0.2"
    settings.PALIMPSEST_TRUSTED_PROXIES = 1
    assert client_address(request) == "203.0.113.9"  # what our proxy saw; 6.6.6.6 is the client's claim
    settings.PALIMPSEST_TRUSTED_PROXIES = 2
    assert client_address(request) == "6.6.6.6"
    settings.PALIMPSEST_TRUSTED_PROXIES = 3
    assert client_address(request) == "10.0.0.2"


def test_lockouts_live_in_redis_for_every_server(client, live_redis):
    make_user("frank")
    for _ in range(3):
        sign_in(client, "frank", "wrong")
    assert sign_in(client, "frank", PASSWORD).status_code == 429


def test_with_the_cache_down_sign_in_still_works(client, dead_redis):
    make_user("grace")
    assert sign_in(client, "grace", "wrong").status_code == 200
    assert sign_in(client, "grace", PASSWORD).status_code == 302 and signed_in(client)
