"""Each kind of change between two published reports, made by the service functions, shows alone in the diff.

Every case changes one thing, publishes, and compares the two published reports.
`expected` lists every non-empty part of the diff. A part it leaves out must be
empty, so a change that also shows up elsewhere by mistake fails the case.
"""

import json
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from portfolio import services
from portfolio.models import Portfolio, PublishedReport, Role, Service, Team, Waiver
from portfolio.reports import publishing
from portfolio.reports.diff import diff_reports
from portfolio.reports.diff_model import ReportDiff
from portfolio.reports.publishing import published_report, report_publish
from portfolio.reports.serialise import report_from_json, report_to_data
from portfolio.views.portfolio_settings import PortfolioSettingsForm
from portfolio.waivers import waiver_accept, waiver_revoke
from tests.portfolio.reports.conftest import ACCENTED, ARABIC, EMOJI, JAPANESE, today

# The bound every published report page keeps (see test_report_queries.py). The diff itself is
# pure Python, so the page's count does not grow with the number of changes.
DIFF_PAGE_MAX_QUERIES = 8
IPV = "internal-product-vendor"
DPV = "digital-product-vendor"
ALL_ACTIVITIES = ["discover", "design", "acquire", "build", "transition", "operate", "deliver", "support"]
IPV_PRACTICES = ["software-and-development-management", "architecture-management", "release-management",
                 "service-configuration-management"]
DPV_PRACTICES = ["monitoring-and-event-management", "service-design"]
DPV_ACTIVITIES = ["discover", "design", "build", "transition", "operate", "deliver", "support"]
DPV_ACTIVITY_NAMES = ("Discover", "Design", "Build", "Transition", "Operate", "Deliver", "Support")
WORKFORCE = "workforce-and-talent-management"
RENAMED_SERVICE = "بوابة الوكلاء 🌐"
RENAMED_TEAM = "Équipe Émeraude 💎"
NEW_TEAM = "Nouvelle équipe 🌱 فريق جديد"
SPARE = "Réserve ☕ احتياط"


@dataclass
class World:
    portfolio: Portfolio
    owner: object
    teams: dict[str, Team]
    services: dict[str, Service]
    clock_days: int = 0

    def service(self, key: str) -> Service:
        return Service.objects.get(portfolio=self.portfolio, key=key)

    def team(self, key: str) -> Team:
        return Team.objects.get(pk=self.teams[key].pk)


@pytest.fixture
def world(portfolio, make_member, make_team, make_service, make_responsibility, make_adoption):
    """A portfolio in order but for a few findings, some of them waived, with names in several scripts."""
    owner = make_member(portfolio, Role.OWNER, username="olivia")
    teams = {
        "platform": make_team(portfolio, "Équipe Plateforme", "technology"),
        "data": make_team(portfolio, ARABIC, "business"),
        "emoji": make_team(portfolio, EMOJI, "technology"),
        "vendor": make_team(portfolio, "Nimbus Cloud", "vendor"),
        "spare": services.team_create(portfolio=portfolio, name=SPARE, party_kind="technology",
                                      contact="reserve@example.org", member_count=3),
    }
    claims = make_service(portfolio, "claims", name=ACCENTED, owner=teams["platform"], patterns=[IPV])
    for activity in ALL_ACTIVITIES:
        make_responsibility(claims, activity, teams["platform"], "A")
    # Two accountable teams for discover: a finding the board accepted.
    make_responsibility(claims, "discover", teams["data"], "A")
    make_responsibility(claims, "support", teams["vendor"], "C")

    portal = make_service(portfolio, "portal", name=JAPANESE, owner=teams["data"], patterns=[DPV])
    for activity in DPV_ACTIVITIES:
        make_responsibility(portal, activity, teams["emoji"], "A")
    launch = make_service(portfolio, "launch", name=EMOJI, owner=teams["emoji"])

    for practice in IPV_PRACTICES + DPV_PRACTICES:
        make_adoption(portfolio, practice, "adopted", 3, owner=teams["platform"])
    make_adoption(portfolio, "deployment-management", "adopted", 1, owner=teams["platform"])
    make_adoption(portfolio, WORKFORCE, "adopted", 2, owner=teams["data"])
    make_adoption(portfolio, "knowledge-management", "planned", None, owner=teams["emoji"])

    def waive(code, subject, days=30):
        Waiver.objects.create(portfolio=portfolio, code=code, subject=subject, approver="CIO",
                              justification="Board decision.", expires_on=today() + timedelta(days=days),
                              accepted_by=owner)

    waive("VCP-E003", "service:claims/activity:discover")
    waive("VCP-E001", "service:launch")
    # A waiver of a finding that does not occur today: obsolete until portal's build loses its A.
    waive("VCP-E002", "service:portal/activity:build")
    services_by_key = {"claims": claims, "portal": portal, "launch": launch}
    return World(Portfolio.objects.get(pk=portfolio.pk), owner, teams, services_by_key)


def _set_min_level(world: World, level: int) -> None:
    portfolio = Portfolio.objects.get(pk=world.portfolio.pk)
    data = {"min_capability_level": level, "review_period_days": portfolio.review_period_days,
            "disabled_rules": portfolio.disabled_rules}
    form = PortfolioSettingsForm(data, instance=portfolio)
    assert form.is_valid(), form.errors
    form.save()


def _advance_clock(world: World, days: int) -> None:
    world.clock_days = days


def adopt(practice: str, status: str, level: int | None, owner: str | None):
    """Return a change that records an adoption through practice_adoption_set."""
    def change(world: World) -> None:
        team = world.team(owner) if owner else None
        services.practice_adoption_set(portfolio=world.portfolio, practice_key=practice, status=status,
                                       capability_level=level, owner=team)
    return change


def _toggle_twice(world: World) -> None:
    for _ in range(2):
        services.responsibility_toggle(service=world.service("portal"), activity_key="operate",
                                       team=world.team("vendor"), role="I")


CASES = {
    "nothing": (lambda w: None, {}),
    "revision moved, content same": (_toggle_twice, {}),
    "service added": (
        lambda w: services.service_create(portfolio=w.portfolio, key="new", name="Nouveau ✨ جديد",
                                          owner=w.team("platform")),
        {"services_added": ["new"], "findings_new": [("VCP-E001", "service:new")]},
    ),
    "service removed": (
        lambda w: services.service_delete(service=w.service("launch")),
        {"services_removed": ["launch"], "waivers_removed": [("VCP-E001", "service:launch")]},
    ),
    "service renamed": (
        lambda w: services.service_update(service=w.service("portal"), name=RENAMED_SERVICE),
        {"service_changes": [("portal", "name", JAPANESE, RENAMED_SERVICE)]},
    ),
    "service status": (
        lambda w: services.service_update(service=w.service("portal"), status="planned"),
        {"service_changes": [("portal", "status", "live", "planned")]},
    ),
    "service owner": (
        lambda w: services.service_update(service=w.service("portal"), owner=w.team("platform")),
        {"service_changes": [("portal", "owner", ARABIC, "Équipe Plateforme")]},
    ),
    "service description": (
        lambda w: services.service_update(service=w.service("claims"), description="Décrit 📝 موصوف"),
        {"service_changes": [("claims", "description", "", "Décrit 📝 موصوف")]},
    ),
    "service context": (
        lambda w: services.service_update(service=w.service("claims"),
                                          context={"engineering_capability": "strong"}),
        {"service_changes": [("claims", "context", None, "strong")]},
    ),
    "pattern removed": (
        lambda w: services.service_remove_pattern(service=w.service("portal"), pattern_key=DPV),
        # The practices only this pattern needed become unneeded, which is a finding of its own.
        {"pattern_changes": [("portal", ("Digital Product Vendor",), (), ())],
         "findings_new": [("VCP-I001", "practice:monitoring-and-event-management"),
                          ("VCP-I001", "practice:service-design"), ("VCP-E001", "service:portal")]},
    ),
    "governed activities": (
        lambda w: services.service_set_pattern_activities(service=w.service("portal"), pattern_key=DPV,
                                                          activities=DPV_ACTIVITIES[:-1]),
        {"pattern_changes": [("portal", ("Digital Product Vendor",), ("Digital Product Vendor",),
                              (("Digital Product Vendor", DPV_ACTIVITY_NAMES, DPV_ACTIVITY_NAMES[:-1]),))],
         "findings_new": [("VCP-W003", "service:portal/activity:support")]},
    ),
    "RACI role gained": (
        lambda w: services.responsibility_toggle(service=w.service("portal"), activity_key="operate",
                                                 team=w.team("vendor"), role="C"),
        {"raci_changes": [("portal", "operate", "C", "Nimbus Cloud", True)]},
    ),
    "RACI accountable lost, waiver obsolete": (
        lambda w: services.responsibility_set_role(service=w.service("claims"), activity_key="discover",
                                                   team=w.team("data"), role="A", held=False),
        {"raci_changes": [("claims", "discover", "A", ARABIC, False)],
         "waivers_obsolete": [("VCP-E003", "service:claims/activity:discover")]},
    ),
    "RACI accountable lost, finding new": (
        lambda w: services.responsibility_set_role(service=w.service("portal"), activity_key="operate",
                                                   team=w.team("emoji"), role="A", held=False),
        {"raci_changes": [("portal", "operate", "A", EMOJI, False)],
         "findings_new": [("VCP-E002", "service:portal/activity:operate")]},
    ),
    "waiver in force again": (
        lambda w: services.responsibility_set_role(service=w.service("portal"), activity_key="build",
                                                   team=w.team("emoji"), role="A", held=False),
        {"raci_changes": [("portal", "build", "A", EMOJI, False)],
         "waivers_in_force_again": [("VCP-E002", "service:portal/activity:build")]},
    ),
    "finding resolved by adoption": (
        adopt("deployment-management", "adopted", 3, "platform"),
        {"adoption_changes": [("deployment-management", ("adopted", 1, "Équipe Plateforme"),
                               ("adopted", 3, "Équipe Plateforme"))],
         "findings_resolved": [("VCP-W001", "practice:deployment-management")]},
    ),
    "waiver granted": (
        lambda w: waiver_accept(portfolio=w.portfolio, user=w.owner, code="VCP-W001",
                                subject="practice:deployment-management", justification="Training booked.",
                                approver="CIO", expires_on=today() + timedelta(days=10)),
        {"waivers_granted": [("VCP-W001", "practice:deployment-management")]},
    ),
    "waiver expired": (
        lambda w: _advance_clock(w, 31),
        # The obsolete waiver stays obsolete past its date, because its finding still does not occur.
        {"waivers_expired": [("VCP-E001", "service:launch"),
                             ("VCP-E003", "service:claims/activity:discover")]},
    ),
    "waiver revoked": (
        lambda w: waiver_revoke(portfolio=w.portfolio, user=w.owner,
                                waiver=Waiver.objects.get(code="VCP-E003")),
        {"waivers_removed": [("VCP-E003", "service:claims/activity:discover")]},
    ),
    "adoption level": (
        adopt(WORKFORCE, "adopted", 4, "data"),
        {"adoption_changes": [(WORKFORCE, ("adopted", 2, ARABIC), ("adopted", 4, ARABIC))]},
    ),
    "adoption owner": (
        adopt(WORKFORCE, "adopted", 2, "emoji"),
        {"adoption_changes": [(WORKFORCE, ("adopted", 2, ARABIC), ("adopted", 2, EMOJI))]},
    ),
    "adoption status": (
        adopt("knowledge-management", "not_adopted", None, "emoji"),
        {"adoption_changes": [("knowledge-management", ("planned", None, EMOJI),
                               ("not_adopted", None, EMOJI))]},
    ),
    "adoption added": (
        adopt("project-management", "planned", None, None),
        {"adoption_changes": [("project-management", None, ("planned", None, ""))]},
    ),
    "team added": (
        lambda w: services.team_create(portfolio=w.portfolio, name=NEW_TEAM, party_kind="business"),
        {"teams_added": [NEW_TEAM]},
    ),
    "team removed": (
        lambda w: services.team_delete(team=w.team("spare")),
        {"teams_removed": [SPARE]},
    ),
    "team renamed": (
        lambda w: services.team_update(team=w.team("emoji"), name=RENAMED_TEAM),
        {"team_changes": [(RENAMED_TEAM, "name", EMOJI, RENAMED_TEAM)]},
    ),
    "team named nowhere renamed": (
        lambda w: services.team_update(team=w.team("spare"), name=NEW_TEAM),
        {"team_changes": [(NEW_TEAM, "name", SPARE, NEW_TEAM)]},
    ),
    "team party kind": (
        lambda w: services.team_update(team=w.team("vendor"), party_kind="service_provider"),
        {"team_changes": [("Nimbus Cloud", "party_kind", "vendor", "service_provider")]},
    ),
    "team contact": (
        lambda w: services.team_update(team=w.team("spare"), contact="desk@example.org", member_count=5),
        {"team_changes": [(SPARE, "contact", "reserve@example.org", "desk@example.org"),
                          (SPARE, "member_count", 3, 5)]},
    ),
    "minimum capability level": (
        lambda w: _set_min_level(w, 3),
        {"report_changes": [("min_capability_level", 2, 3)]},
    ),
}


def describe(diff: ReportDiff) -> dict[str, list]:
    """Return every non-empty part of `diff` as plain values that a table entry can spell out."""
    def subjects(items):
        return [(item.code, item.subject) for item in items]

    def adoption(state):
        return None if state is None else (state.status, state.capability_level, state.owner)

    parts = {
        "report_changes": [(c.field, c.before, c.after) for c in diff.report_changes],
        "services_added": [ref.key for ref in diff.services_added],
        "services_removed": [ref.key for ref in diff.services_removed],
        "service_changes": [(c.service.key, c.field, c.before, c.after) for c in diff.service_changes],
        "pattern_changes": [
            (c.service.key, tuple(c.before), tuple(c.after),
             tuple((g.pattern_name, tuple(g.before), tuple(g.after)) for g in c.governed))
            for c in diff.pattern_changes
        ],
        "raci_changes": [(c.service.key, c.activity, c.role, c.team, c.gained) for c in diff.raci_changes],
        "findings_new": subjects(diff.findings_new),
        "findings_resolved": subjects(diff.findings_resolved),
        "waivers_granted": subjects(diff.waivers_granted),
        "waivers_expired": subjects(diff.waivers_expired),
        "waivers_obsolete": subjects(diff.waivers_obsolete),
        "waivers_in_force_again": subjects(diff.waivers_in_force_again),
        "waivers_removed": subjects(diff.waivers_removed),
        "adoption_changes": [(c.key, adoption(c.before), adoption(c.after)) for c in diff.adoption_changes],
        "teams_added": list(diff.teams_added),
        "teams_removed": list(diff.teams_removed),
        "team_changes": [(c.team, c.field, c.before, c.after) for c in diff.team_changes],
    }
    return {name: items for name, items in parts.items() if items}


def publish(world: World, monkeypatch) -> PublishedReport:
    shifted = timezone.localdate() + timedelta(days=world.clock_days)
    monkeypatch.setattr(publishing, "timezone", SimpleNamespace(localdate=lambda: shifted))
    return report_publish(portfolio=Portfolio.objects.get(pk=world.portfolio.pk), user=world.owner)


@pytest.mark.parametrize("case", list(CASES))
def test_each_change_shows_alone(case, world, monkeypatch, client, django_assert_max_num_queries):
    change, expected = CASES[case]
    first = publish(world, monkeypatch)
    change(world)
    second = publish(world, monkeypatch)

    diff = diff_reports(published_report(first), published_report(second))
    found = describe(diff)

    assert found == expected
    assert diff.is_empty == (not expected)
    if expected:
        assert not diff.same_content
    else:
        assert diff.same_content

    client.force_login(world.owner)
    with django_assert_max_num_queries(DIFF_PAGE_MAX_QUERIES):
        page = client.get(reverse("report-diff", args=[world.portfolio.key]),
                          {"old": first.pk, "new": second.pk})
    assert page.status_code == 200
    content = page.content.decode()
    assert "Nothing changed" not in content
    assert ('id="diff-same"' in content) == (not expected)


def test_report_diffed_with_itself_is_empty(world, monkeypatch):
    report = published_report(publish(world, monkeypatch))

    diff = diff_reports(report, report)

    assert describe(diff) == {}
    assert diff.same_content


def test_version_1_report_still_diffs(world, monkeypatch):
    """A version 1 report lacks the records, so only what both versions carry is compared."""
    first = published_report(publish(world, monkeypatch))
    services.responsibility_set_role(service=world.service("claims"), activity_key="discover",
                                     team=world.team("data"), role="A", held=False)
    services.team_update(team=world.team("spare"), contact="desk@example.org")
    second = published_report(publish(world, monkeypatch))
    data = report_to_data(first)
    data["schema_version"] = 1
    data.pop("teams")
    data["practices"].pop("recorded")
    for service in data["services"]:
        service.pop("description")
        service.pop("context")
    version_1 = report_from_json(json.dumps(data, default=str))

    found = describe(diff_reports(version_1, second))

    assert version_1.schema_version == 1
    assert found == {"raci_changes": [("claims", "discover", "A", ARABIC, False)],
                     "waivers_obsolete": [("VCP-E003", "service:claims/activity:discover")]}


def test_accountable_removal_page_lists_changes(world, monkeypatch, client):
    """Removing a second accountable team, which makes its waiver obsolete, is no "nothing changed"."""
    client.force_login(world.owner)
    first = publish(world, monkeypatch)
    services.responsibility_set_role(service=world.service("claims"), activity_key="discover",
                                     team=world.team("data"), role="A", held=False)
    second = publish(world, monkeypatch)

    url = reverse("report-diff", args=[world.portfolio.key])
    content = client.get(url, {"new": second.pk}).content.decode()

    assert second.revision > first.revision
    assert 'id="diff-same"' not in content
    assert 'id="diff-raci-changes"' in content
    assert ARABIC in content
    assert "1 waiver obsolete" in content


def test_first_report_offers_no_comparison(world, monkeypatch, client):
    client.force_login(world.owner)
    first = publish(world, monkeypatch)
    second = publish(world, monkeypatch)
    link = "Compare with the report before it"

    first_page = client.get(reverse("report-published", args=[world.portfolio.key, first.pk]))
    second_page = client.get(reverse("report-published", args=[world.portfolio.key, second.pk]))

    assert link not in first_page.content.decode()
    assert link in second_page.content.decode()


def test_same_content_page_names_both_revisions(world, monkeypatch, client):
    client.force_login(world.owner)
    first = publish(world, monkeypatch)
    _toggle_twice(world)
    second = publish(world, monkeypatch)

    url = reverse("report-diff", args=[world.portfolio.key])
    content = client.get(url, {"new": second.pk}).content.decode()

    assert second.revision == first.revision + 2
    assert f"revision {first.revision} and revision {second.revision}" in content
