"""Restore never loses data: it needs a confirmation, and rejects a service whose history is incomplete."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portfolio.history.restore import RestoreConflict, RestoreRejected, restore_preview, service_restore
from portfolio.history.versions import service_current, service_history_gap
from portfolio.models import ChangeKind, ChangeSet, PatternAssignment, Responsibility, Service
from portfolio.services import service_update

IPV = "internal-product-vendor"
MSP = "managed-service-provider"


@pytest.fixture
def editor(client, portfolio, make_member):
    user = make_member(portfolio, role="editor")
    client.force_login(user)
    return user


@pytest.fixture
def changed_service(portfolio, make_service, make_team, make_responsibility):
    """A service with one pattern and one RACI cell yesterday, and a second pattern and cell added today."""
    platform = make_team(portfolio, "Platform")
    service = make_service(portfolio, key="claims", name="Claims", patterns=[IPV])
    make_responsibility(service, "operate", platform, "A")
    yesterday = timezone.now() - timedelta(days=1)
    for model in (Service, PatternAssignment, Responsibility):
        model.history.update(history_date=yesterday)
    PatternAssignment.objects.create(service=service, pattern_id=MSP, activities=["deliver"])
    make_responsibility(service, "deliver", platform, "R")
    return service


def restore_url(portfolio):
    return reverse("service-restore", args=[portfolio.key, "claims"])


def mapping(service):
    return service_current(service)


def yesterday_iso():
    return (timezone.localdate() - timedelta(days=1)).isoformat()


def test_confirmation_page_states_changes(client, portfolio, changed_service, editor):
    page = client.get(restore_url(portfolio), {"date": yesterday_iso()}).content.decode()

    assert "Internal Product Vendor (" in page
    assert "Managed Service Provider (Deliver)" in page
    assert "<td>2</td><td>1</td>" in page
    assert 'name="confirm" value="yes"' in page


def test_restore_without_confirmation_changes_nothing(client, portfolio, changed_service, editor):
    before = mapping(changed_service)

    response = client.post(restore_url(portfolio), {"date": yesterday_iso()})

    assert response.status_code == 200
    assert b"What the restore changes" in response.content
    assert mapping(changed_service) == before


def test_confirmed_restore_writes_version(client, portfolio, changed_service, editor):
    url = restore_url(portfolio)
    fingerprint = client.get(url, {"date": yesterday_iso()}).context["fingerprint"]

    response = client.post(url, {"date": yesterday_iso(), "confirm": "yes", "expected": fingerprint})

    assert response.status_code == 302
    restored = mapping(changed_service)
    assert list(restored.assignments) == [IPV]
    assert [cell[0] for cell in restored.cells] == ["operate"]


def test_restore_after_other_change_conflicts(client, portfolio, changed_service, editor):
    url = restore_url(portfolio)
    fingerprint = client.get(url, {"date": yesterday_iso()}).context["fingerprint"]
    service_update(service=changed_service, name="Claims desk")
    before = mapping(changed_service)

    response = client.post(url, {"date": yesterday_iso(), "confirm": "yes", "expected": fingerprint})

    assert response.status_code == 409
    assert b"changed after this page was shown" in response.content
    assert mapping(changed_service) == before


def test_restore_rejects_unrecorded_rows(client, portfolio, make_service, make_team, editor):
    service = make_service(portfolio, key="claims", name="Claims")
    # bulk_create records no history, as the demo loader did before it recorded a baseline.
    PatternAssignment.objects.bulk_create([PatternAssignment(service=service, pattern_id=IPV,
                                                             activities=["operate"])])
    Responsibility.objects.bulk_create([Responsibility(service=service, activity_id="operate",
                                                       team=make_team(portfolio), role="A")])
    before = mapping(service)

    with pytest.raises(RestoreRejected, match="history of this service is incomplete"):
        service_restore(service=service, moment=timezone.now())
    page = client.get(reverse("service-as-of", args=[portfolio.key, "claims"]))
    confirmed = {"date": timezone.localdate().isoformat(), "confirm": "yes", "expected": before.fingerprint()}
    response = client.post(restore_url(portfolio), confirmed)

    assert mapping(service) == before
    assert b"The history of this service is incomplete." in page.content
    assert b"Restore this version" not in page.content
    assert response.status_code == 400
    assert b"Nothing was restored" in response.content
    assert not ChangeSet.objects.filter(kind=ChangeKind.RESTORE).exists()


def test_history_gap_counts_unrecorded_rows(portfolio, make_service):
    service = make_service(portfolio, patterns=[IPV])
    PatternAssignment.objects.filter(service=service).update(activities=["operate"])
    (unrecorded,) = Service.objects.bulk_create([Service(portfolio=portfolio, key="bulk", name="Bulk")])

    assert service_history_gap(service).assignments == 1
    assert service_history_gap(unrecorded).fields == ("name", "description", "status", "owner_id", "context")


def test_restore_before_creation_is_rejected(portfolio, make_service):
    long_ago = timezone.now() - timedelta(days=3650)
    service = make_service(portfolio, patterns=[IPV])
    before = mapping(service)

    with pytest.raises(RestoreRejected, match="did not exist yet"):
        service_restore(service=service, moment=long_ago)

    assert mapping(service) == before


def test_restore_with_stale_fingerprint_raises(portfolio, changed_service):
    moment = timezone.now() - timedelta(hours=12)

    with pytest.raises(RestoreConflict):
        service_restore(service=changed_service, moment=moment, expected="stale")


def test_preview_of_today_changes_nothing(portfolio, changed_service):
    preview = restore_preview(changed_service, timezone.now())

    assert not preview.changes_anything
    assert preview.rejection() is None


@pytest.mark.parametrize("page", ["service-as-of", "service-restore"])
def test_version_pages_read_fixed_queries(client, portfolio, changed_service, editor, page,
                                          django_assert_max_num_queries):
    url = reverse(page, args=[portfolio.key, "claims"])

    with django_assert_max_num_queries(20):
        response = client.get(url, {"date": yesterday_iso()})

    assert response.status_code == 200
