"""Restoring a service brings back its pattern mix and RACI exactly, and is itself recorded."""

from django.urls import reverse
from django.utils import timezone

from portfolio.history.restore import service_as_of, service_restore
from portfolio.models import ChangeKind, ChangeSet, PatternAssignment, Responsibility, Service
from portfolio.services import service_update

IPV = "internal-product-vendor"
MSP = "managed-service-provider"


def mix(service):
    return {row.pattern_id: row.activities for row in PatternAssignment.objects.filter(service=service)}


def raci(service):
    rows = Responsibility.objects.filter(service=service)
    return {(row.activity_id, row.team_id, row.role) for row in rows}


def test_restore_brings_back_mix_and_raci(portfolio, make_service, make_team, make_responsibility):
    platform, vendor = make_team(portfolio, "Platform"), make_team(portfolio, "Vendor", "vendor")
    service = make_service(portfolio, name="Claims", patterns=[IPV])
    PatternAssignment.objects.filter(service=service).update(activities=["build", "operate"])
    assignment = PatternAssignment.objects.get(service=service)
    assignment.save()
    make_responsibility(service, "operate", platform, "A")
    make_responsibility(service, "build", vendor, "R")
    before_mix, before_raci = mix(service), raci(service)
    moment = timezone.now()

    service_update(service=service, name="Claims desk")
    PatternAssignment.objects.get(service=service).delete()
    PatternAssignment.objects.create(service=service, pattern_id=MSP, activities=["operate"])
    Responsibility.objects.filter(service=service, team=platform).delete()
    make_responsibility(service, "operate", vendor, "A")

    service_restore(service=service, moment=moment)

    service.refresh_from_db()
    assert mix(service) == before_mix
    assert raci(service) == before_raci
    assert service.name == "Claims"


def test_restore_is_recorded_as_a_change(portfolio, make_service, make_team, make_responsibility):
    service = make_service(portfolio, patterns=[IPV])
    moment = timezone.now()
    make_responsibility(service, "operate", make_team(portfolio), "A")

    service_restore(service=service, moment=moment)

    deleted = Responsibility.history.filter(history_type="-").get()
    assert ChangeSet.objects.get(pk=deleted.history_change_set_id).kind == ChangeKind.RESTORE


def test_as_of_before_creation_has_no_fields(portfolio, make_service):
    moment = timezone.now()
    service = make_service(portfolio)

    version = service_as_of(service, moment)

    assert version.fields is None
    assert version.assignments == {}


def test_as_of_page_and_restore_by_editor(client, portfolio, make_service, make_member):
    editor = make_member(portfolio)
    service = make_service(portfolio, key="claims", name="Claims")
    client.force_login(editor)
    url = reverse("service-as-of", args=[portfolio.key, "claims"])
    today = timezone.localdate().isoformat()
    service_update(service=service, name="Claims desk")

    page = client.get(url, {"date": today})
    restored = client.post(url, {"date": "2000-01-01"})

    assert page.status_code == 200
    assert b"Claims desk" in page.content
    assert restored.status_code == 302
    assert Service.objects.get(pk=service.pk).name == "Claims desk"
