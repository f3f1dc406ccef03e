"""The history shows names and formatted values, never database ids, keys or Python reprs."""

from datetime import UTC, datetime

from django.utils import timezone

from portfolio.history.feed import FeedFilter, change_sets, feed_entries
from portfolio.models import Service
from portfolio.services import service_update


def only_change(portfolio, object_type):
    (entry,) = feed_entries(list(change_sets(portfolio, FeedFilter(object_type=object_type))[:1]))
    return entry.changes[0]


def field_values(change):
    return {field.field: (field.before, field.after) for field in change.fields}


def test_raci_entry_names_service_and_activity(portfolio, make_service, make_team, make_responsibility):
    service = make_service(portfolio, name="Claims")
    make_responsibility(service, "discover", make_team(portfolio, "Platform"), "R")

    change = only_change(portfolio, "responsibility")

    assert change.label == "Claims · Discover · Platform (Responsible)"
    assert field_values(change)["service"] == ("", "Claims")
    assert field_values(change)["activity"] == ("", "Discover")


def test_assignment_entry_names_pattern_and_activities(portfolio, make_service):
    make_service(portfolio, name="Claims", patterns=["managed-service-provider"])

    change = only_change(portfolio, "assignment")

    assert change.label == "Claims · Managed Service Provider"
    assert field_values(change)["pattern"] == ("", "Managed Service Provider")
    assert "Operate" in field_values(change)["activities"][1]


def test_context_shows_factor_names(portfolio, make_service):
    make_service(portfolio, context={"vendor_dependency": "low", "engineering_capability": "strong"})

    change = only_change(portfolio, "service")

    assert field_values(change)["context"][1] == "Engineering capability: Strong; Vendor dependency: Low"


def test_datetime_shown_in_users_time_zone(portfolio, make_service):
    service = make_service(portfolio)
    service.attested_at = datetime(2026, 12, 4, 23, 45, 6, 717167, tzinfo=UTC)
    service.save()

    with timezone.override("Asia/Tokyo"):
        change = only_change(portfolio, "service")

    assert field_values(change)["attested_at"] == ("", "2026-12-05 08:45")


def test_change_without_earlier_version_says_so(portfolio):
    (service,) = Service.objects.bulk_create([Service(portfolio=portfolio, key="bulk", name="Bulk")])
    service_update(service=service, name="Bulk desk")

    change = only_change(portfolio, "service")

    name = next(field for field in change.fields if field.field == "name")
    assert (name.before, name.after, name.before_recorded) == ("not recorded", "Bulk desk", False)
