"""The activity feed, a service's timeline and the CSV export of the history."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from portfolio.history.feed import FeedFilter, change_sets, feed_entries
from portfolio.history.recording import change_scope
from portfolio.models import ChangeKind, ChangeSet
from portfolio.services import service_update


@pytest.fixture
def viewer(portfolio, make_member, client):
    user = make_member(portfolio, role="viewer")
    client.force_login(user)
    return user


def test_entry_lists_field_before_and_after(portfolio, make_service):
    service = make_service(portfolio, name="Claims")
    service_update(service=service, name="Claims desk")

    (entry,) = feed_entries(list(change_sets(portfolio)[:1]))

    (change,) = entry.changes
    name = next(field for field in change.fields if field.field == "name")
    assert (change.action, name.before, name.after) == ("changed", "Claims", "Claims desk")


def test_feed_filters_by_object_type_and_user(portfolio, make_service, make_team, make_member):
    user = make_member(portfolio)
    with change_scope(kind=ChangeKind.EDIT, user_id=user.pk):
        make_team(portfolio, "Platform")
    make_service(portfolio)

    teams = change_sets(portfolio, FeedFilter(object_type="team"))
    by_user = change_sets(portfolio, FeedFilter(user_id=user.pk))

    assert [entry.changes[0].object_type for entry in feed_entries(list(teams))] == ["team"]
    assert [change_set.user_id for change_set in by_user] == [user.pk]


def test_bulk_entry_shows_first_parts_and_count(portfolio, make_service, monkeypatch):
    monkeypatch.setattr("portfolio.history.feed.PARTS_SHOWN", 2)
    with change_scope(kind=ChangeKind.BULK):
        for _ in range(5):
            make_service(portfolio)

    (entry,) = feed_entries(list(change_sets(portfolio, FeedFilter(object_type="service"))), limit=2)

    assert (len(entry.changes), entry.total, entry.more) == (2, 5, 3)


@pytest.mark.parametrize("changes", [10, 100])
def test_feed_page_queries_are_constant(client, portfolio, make_service, make_team, viewer,
                                        django_assert_max_num_queries, changes):
    team = make_team(portfolio)
    for number in range(changes):
        service = make_service(portfolio, owner=team)
        service_update(service=service, name=f"Renamed {number}")

    with django_assert_max_num_queries(24):
        response = client.get(reverse("history", args=[portfolio.key]))

    assert response.status_code == 200
    assert b"Renamed" in response.content


def test_feed_shows_times_in_users_time_zone(client, portfolio, make_service, viewer):
    make_service(portfolio)
    ChangeSet.objects.update(created_at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC))

    with timezone.override("Asia/Tokyo"):
        services = FeedFilter(object_type="service")
        (entry,) = feed_entries(list(change_sets(portfolio, services)))
        shown = timezone.localtime(entry.change_set.created_at)
        same_day = change_sets(portfolio, FeedFilter(since=date(2026, 3, 2), until=date(2026, 3, 2)))
        day_before = change_sets(portfolio, FeedFilter(until=date(2026, 3, 1)))

    assert shown.date().isoformat() == "2026-03-02"
    assert same_day.exists()
    assert not day_before.exists()


def test_service_timeline_lists_its_raci_changes(client, portfolio, make_service, make_team,
                                                 make_responsibility, viewer):
    service = make_service(portfolio, key="claims", name="Claims")
    other = make_service(portfolio, key="web", name="Web shop")
    make_responsibility(service, "operate", make_team(portfolio, "Platform"))
    make_responsibility(other, "operate", make_team(portfolio, "Web team"))

    response = client.get(reverse("service-history", args=[portfolio.key, "claims"]))

    assert "Claims · Operate · Platform (Accountable)" in response.content.decode()
    assert b"Web team" not in response.content


def test_export_neutralises_formulas_and_writes_offsets(client, portfolio, make_service, viewer):
    make_service(portfolio, name="=HYPERLINK(1)")

    client.cookies["tz"] = "Asia/Tokyo"

    response = client.get(reverse("history-export", args=[portfolio.key]))
    text = b"".join(response.streaming_content).decode()

    rows = list(csv.reader(io.StringIO(text)))
    name_row = next(row for row in rows if row[8] == "name")
    assert name_row[10] == "'=HYPERLINK(1)"
    assert name_row[0].endswith("+09:00")
