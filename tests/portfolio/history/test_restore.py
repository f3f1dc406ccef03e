"""Restoring a service brings back its pattern mix and RACI exactly, and is itself recorded."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from portfolio.history.restore import service_restore
from portfolio.history.versions import service_as_of, team_names_as_of
from portfolio.models import ChangeKind, ChangeSet, PatternAssignment, Responsibility, Service, Team
from portfolio.services import service_update, team_update

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


def test_as_of_page_shows_version_of_day(client, portfolio, make_service, make_member):
    client.force_login(make_member(portfolio))
    service = make_service(portfolio, key="claims", name="Claims")
    url = reverse("service-as-of", args=[portfolio.key, "claims"])
    today = timezone.localdate().isoformat()
    service_update(service=service, name="Claims desk")

    page = client.get(url, {"date": today})
    long_ago = client.get(url, {"date": "2000-01-01"})

    assert page.status_code == 200
    assert b"Claims desk" in page.content
    assert b"did not exist yet" in long_ago.content
    assert b"Restore this version" not in long_ago.content


def test_as_of_page_names_teams_as_they_were(client, portfolio, make_service, make_team, make_member):
    client.force_login(make_member(portfolio))
    platform = make_team(portfolio, "Platform")
    service = make_service(portfolio, key="claims", name="Claims", owner=platform)
    Responsibility.objects.create(service=service, activity_id="operate", team=platform, role="A")
    # Recorded yesterday: the team's name then, and the service with its RACI cell.
    yesterday = timezone.now() - timedelta(days=1)
    for model in (Team, Service, Responsibility):
        model.history.update(history_date=yesterday)
    team_update(team=platform, name="Cloud platform")
    url = reverse("service-as-of", args=[portfolio.key, "claims"])

    past = client.get(url, {"date": yesterday.date().isoformat()}).content.decode()
    today = client.get(url, {"date": timezone.localdate().isoformat()}).content.decode()

    assert "Operate · <span dir=\"auto\">Platform</span> · Accountable" in past
    assert "<dd dir=\"auto\">Platform</dd>" in past
    assert "#" + str(platform.pk) not in past
    assert "Operate · <span dir=\"auto\">Cloud platform</span> · Accountable" in today


def test_team_names_as_of_falls_back(portfolio, make_team):
    # bulk_create records no history, as when the demo loader wrote the team.
    (unrecorded,) = Team.objects.bulk_create([Team(portfolio=portfolio, name="Imported",
                                                   party_kind="vendor")])
    deleted = make_team(portfolio, "Gone")
    deleted_id = deleted.pk
    deleted.delete()
    long_ago = timezone.now() - timedelta(days=3650)

    names = team_names_as_of([unrecorded.pk, deleted_id, None], long_ago)

    assert names == {unrecorded.pk: "Imported", deleted_id: "Gone"}
