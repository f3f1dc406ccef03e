"""The login page: the throttle on failed attempts, the client address behind proxies, and `next`."""

import pytest
from django.core.cache import caches
from django.test import RequestFactory

from compass import login

LOGIN_URL = "/accounts/login/"
PASSWORD = "pw-for-tests"


@pytest.fixture(autouse=True)
def empty_throttle_cache(db):
    caches[login.THROTTLE_CACHE].clear()


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Hash with MD5: these tests send dozens of logins, and the default PBKDF2 hasher is slow by design."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clock(monkeypatch):
    """A clock that the test moves by adding to `clock.now`."""

    class Clock:
        now = 1_000_000.0

    monkeypatch.setattr(login, "current_time", lambda: Clock.now)
    return Clock


@pytest.fixture
def user(make_member, portfolio):
    return make_member(portfolio, username="ada")


def attempt(client, username="ada", password="wrong password", address="192.0.2.10", **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=address, **extra)


def fail_until_throttled(client, **extra):
    for _ in range(5):
        assert attempt(client, **extra).status_code == 200


def test_five_failures_throttle_the_correct_password(client, user, clock):
    fail_until_throttled(client)

    response = attempt(client, password=PASSWORD)

    assert response.status_code == 429
    assert "Too many failed login attempts. Try again in 15 minutes." in response.content.decode()
    assert response["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session


def test_four_failures_still_allow_login(client, user):
    for _ in range(4):
        attempt(client)

    response = attempt(client, password=PASSWORD)

    assert response.status_code == 302


def test_throttle_holds_for_the_same_name_in_other_case(client, user):
    fail_until_throttled(client)

    response = attempt(client, username="ADA", password=PASSWORD)

    assert response.status_code == 429


def test_throttle_spares_other_addresses(client, user):
    fail_until_throttled(client)

    response = attempt(client, password=PASSWORD, address="198.51.100.4")

    assert response.status_code == 302


def test_throttle_spares_other_user_names(client, user, make_member, portfolio):
    make_member(portfolio, username="grace")
    fail_until_throttled(client)

    response = attempt(client, username="grace", password=PASSWORD)

    assert response.status_code == 302


def test_successful_login_clears_the_failures(client, user):
    for _ in range(4):
        attempt(client)
    assert attempt(client, password=PASSWORD).status_code == 302
    client.logout()

    for _ in range(4):
        assert attempt(client).status_code == 200
    response = attempt(client, password=PASSWORD)

    assert response.status_code == 302


def test_throttle_ends_when_the_window_has_passed(client, user, clock):
    fail_until_throttled(client)

    clock.now += 14 * 60
    assert attempt(client, password=PASSWORD).status_code == 429
    clock.now += 60 + 1
    response = attempt(client, password=PASSWORD)

    assert response.status_code == 302


def test_message_counts_the_remaining_minutes(client, user, clock):
    fail_until_throttled(client)
    clock.now += 13 * 60 + 30

    response = attempt(client, password=PASSWORD)

    assert "Try again in 2 minutes." in response.content.decode()
    assert response["Retry-After"] == "90"


def test_last_minute_is_singular(client, user, clock):
    fail_until_throttled(client)
    clock.now += 14 * 60 + 30

    response = attempt(client, password=PASSWORD)

    assert "Try again in 1 minute." in response.content.decode()


def test_limits_come_from_settings(client, user, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    settings.LOGIN_FAILURE_WINDOW_MINUTES = 3
    attempt(client)
    attempt(client)

    response = attempt(client, password=PASSWORD)

    assert response.status_code == 429
    assert "Try again in 3 minutes." in response.content.decode()


def test_admin_login_is_throttled_too(client, user):
    for _ in range(5):
        client.post("/admin/login/", {"username": "ada", "password": "wrong"}, REMOTE_ADDR="192.0.2.10")

    response = client.post("/admin/login/", {"username": "ada", "password": PASSWORD},
                           REMOTE_ADDR="192.0.2.10")

    assert "Too many failed login attempts." in response.content.decode()


def test_failures_are_logged_without_the_password(client, user, caplog):
    caplog.set_level("INFO", logger="compass.login")
    fail_until_throttled(client)

    assert "Failed login for user name 'ada' from 192.0.2.10 (5 of 5)" in caplog.text
    assert "Throttled logins for user name 'ada' from 192.0.2.10 for 15 minutes" in caplog.text
    assert "wrong password" not in caplog.text


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "203.0.113.9", "192.0.2.10"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),
        (2, "198.51.100.1, 203.0.113.9", "198.51.100.1"),
        (2, "203.0.113.9", "192.0.2.10"),
        (1, "", "192.0.2.10"),
    ],
)
def test_client_address_reads_past_trusted_proxies(settings, proxies, forwarded_for, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=forwarded_for)

    assert login.client_address(request) == expected


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/",
        "http://evil.example/p/acme/",
        "https:evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http://testserver.evil.example/",
    ],
)
def test_login_never_redirects_off_site(client, user, next_url):
    response = client.post(f"{LOGIN_URL}?next={next_url}",
                           {"username": "ada", "password": PASSWORD, "next": next_url})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_login_follows_a_next_on_this_site(client, user, portfolio):
    form = {"username": "ada", "password": PASSWORD, "next": f"/p/{portfolio.key}/"}
    response = client.post(LOGIN_URL, form)

    assert response.status_code == 302
    assert response["Location"] == f"/p/{portfolio.key}/"


def test_login_page_does_not_echo_an_off_site_next(client, db):
    response = client.get(LOGIN_URL, {"next": "https://evil.example/"})

    assert response.status_code == 200
    assert "evil.example" not in response.content.decode()
