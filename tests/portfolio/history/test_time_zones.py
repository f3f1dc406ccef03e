"""Times are stored in UTC and shown in the user's time zone: profile first, then the browser's."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from portfolio.models import ChangeSet, UserPreference

LATE_EVENING_UTC = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)


@pytest.fixture
def late_change(portfolio, make_service):
    make_service(portfolio, name="Claims")
    ChangeSet.objects.update(created_at=LATE_EVENING_UTC)


def feed(client, portfolio):
    return client.get(reverse("history", args=[portfolio.key])).content.decode()


def test_browser_cookie_shows_next_day_in_tokyo(client, portfolio, make_member, late_change):
    client.force_login(make_member(portfolio))
    client.cookies["tz"] = "Asia%2FTokyo"

    assert "2026-03-02 08:30" in feed(client, portfolio)


def test_without_time_zone_times_are_utc(client, portfolio, make_member, late_change):
    client.force_login(make_member(portfolio))

    assert "2026-03-01 23:30" in feed(client, portfolio)


def test_unknown_cookie_zone_is_ignored(client, portfolio, make_member, late_change):
    client.force_login(make_member(portfolio))
    client.cookies["tz"] = "Mars/Olympus"

    assert "2026-03-01 23:30" in feed(client, portfolio)


def test_profile_zone_wins_over_browser(client, portfolio, make_member, late_change):
    user = make_member(portfolio)
    client.force_login(user)
    client.cookies["tz"] = "America/New_York"

    response = client.post(reverse("account-time-zone"), {"time_zone": "Asia/Tokyo"})

    assert response.status_code == 302
    assert UserPreference.objects.get(user=user).time_zone == "Asia/Tokyo"
    assert "2026-03-02 08:30" in feed(client, portfolio)


def test_profile_zone_is_restored_at_login(client, portfolio, make_member, late_change):
    user = make_member(portfolio)
    UserPreference.objects.create(user=user, time_zone="Asia/Tokyo")

    client.login(username=user.username, password="pw-for-tests")

    assert "2026-03-02 08:30" in feed(client, portfolio)


def test_time_zone_form_rejects_unknown_name(client, make_member):
    client.force_login(make_member(None))

    response = client.post(reverse("account-time-zone"), {"time_zone": "Mars/Olympus"})

    assert response.status_code == 200
    assert not UserPreference.objects.exists()
