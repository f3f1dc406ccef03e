"""The demo loader records a baseline, so the history of a demo service is complete from the start."""

import pytest
from django.urls import reverse
from django.utils import timezone

from portfolio.attestation import service_attest
from portfolio.demo.loader import demo_load
from portfolio.history.feed import FeedFilter, change_sets, feed_entries
from portfolio.history.versions import service_as_of, service_current, service_history_gap
from portfolio.models import ChangeKind, ChangeSet, Membership, Responsibility, Role, Service


@pytest.fixture
def demo(db):
    return demo_load(reset=True)


@pytest.fixture
def demo_editor(client, demo, django_user_model):
    user = django_user_model.objects.create_user(username="demo-editor")
    Membership.objects.create(portfolio=demo, user=user, role=Role.EDITOR)
    client.force_login(user)
    return user


def test_load_is_one_change_set(demo):
    (change_set,) = ChangeSet.objects.filter(portfolio=demo)

    assert change_set.kind == ChangeKind.IMPORT
    assert change_set.reason == "Loaded the demo portfolio"
    recorded = Responsibility.history.filter(history_change_set_id=change_set.pk, history_type="+")
    assert recorded.count() == Responsibility.objects.filter(service__portfolio=demo).count()


def test_reset_records_deletions_and_baseline(demo):
    demo_load(reset=True)

    latest = ChangeSet.objects.filter(portfolio=demo).first()
    assert Service.history.filter(history_change_set_id=latest.pk, history_type="-").exists()
    assert Service.history.filter(history_change_set_id=latest.pk, history_type="+").exists()


def test_demo_services_as_of_today_match_current(demo):
    services = list(Service.objects.filter(portfolio=demo))

    for service in services:
        assert service_as_of(service, timezone.now()) == service_current(service), service.key
        assert not service_history_gap(service), service.key


def test_as_of_page_of_demo_service_shows_mix(client, demo, demo_editor):
    service = Service.objects.filter(portfolio=demo, assignments__isnull=False).first()
    url = reverse("service-as-of", args=[demo.key, service.key])

    page = client.get(url, {"date": timezone.localdate().isoformat()}).content.decode()

    assert "No pattern" not in page
    assert "history of this service is incomplete" not in page
    assert "Restore this version" in page


def test_restore_of_demo_service_to_today_changes_nothing(client, demo, demo_editor):
    service = Service.objects.filter(portfolio=demo, assignments__isnull=False).first()
    before = service_current(service)
    url = reverse("service-restore", args=[demo.key, service.key])
    today = timezone.localdate().isoformat()
    sets_before = ChangeSet.objects.count()

    page = client.get(url, {"date": today})
    response = client.post(url, {"date": today, "confirm": "yes", "expected": before.fingerprint()})

    assert b"restoring it changes nothing" in page.content
    assert response.status_code == 302
    assert service_current(service) == before
    assert ChangeSet.objects.count() == sets_before


def test_attesting_demo_service_logs_only_attestation(demo, demo_editor):
    service = Service.objects.filter(portfolio=demo, owner__isnull=False).first()
    Membership.objects.filter(user=demo_editor).update(team=service.owner)
    service_attest(service=service, user=demo_editor)

    (entry,) = feed_entries(list(change_sets(demo, FeedFilter(object_type="service"))[:1]))
    assert {field.field for field in entry.changes[0].fields} == {"attested_at", "attested_by"}
