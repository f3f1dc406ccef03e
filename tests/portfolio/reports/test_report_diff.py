"""Comparing two reports: every kind of change between two states of a portfolio."""

from datetime import timedelta

import pytest

from portfolio.models import Portfolio, Service, Waiver
from portfolio.reports.build import build_report
from portfolio.reports.diff import diff_reports
from tests.conftest import assign_pattern
from tests.portfolio.reports.conftest import today


def subjects(items):
    return {(item.code, item.subject) for item in items}


@pytest.fixture
def states(portfolio, make_member, make_service, make_team):
    """Build the report before and after a set of changes; the second one six days later."""
    user = make_member(portfolio)
    team = make_team(portfolio, "Core", "technology")
    make_service(portfolio, "alpha", name="Alpha", owner=team, patterns=["internal-product-vendor"])
    make_service(portfolio, "bravo", name="Bravo", owner=team, patterns=["internal-service-delivery"])
    for key in ("charlie", "echo", "foxtrot", "golf"):
        make_service(portfolio, key, name=key.title(), owner=team)

    def waive(key, days):
        return Waiver.objects.create(portfolio=portfolio, code="VCP-E001", subject=f"service:{key}",
                                     justification="Board decision.", approver="CIO",
                                     expires_on=today() + timedelta(days=days), accepted_by=user)

    waive("charlie", 5)
    revoked = waive("golf", 30)
    old = build_report(Portfolio.objects.get(pk=portfolio.pk), as_of=today(), author="a")

    make_service(portfolio, "delta", name="Delta", owner=team)
    Service.objects.get(key="bravo").delete()
    assign_pattern(Service.objects.get(key="alpha"), "internal-service-delivery")
    assign_pattern(Service.objects.get(key="echo"), "internal-product-vendor")
    waive("foxtrot", 60)
    revoked.delete()
    new = build_report(Portfolio.objects.get(pk=portfolio.pk), as_of=today() + timedelta(days=6), author="a")
    return old, new


def test_diff_lists_added_and_removed_services(states):
    diff = diff_reports(*states)

    assert [ref.key for ref in diff.services_added] == ["delta"]
    assert [ref.key for ref in diff.services_removed] == ["bravo"]


def test_diff_lists_pattern_changes(states):
    changes = {change.service.key: change for change in diff_reports(*states).pattern_changes}

    assert set(changes) == {"alpha", "echo"}
    assert changes["alpha"].before == ["Internal Product Vendor"]
    assert changes["alpha"].after == ["Internal Product Vendor", "Internal Service Delivery"]
    assert changes["echo"].before == []


def test_diff_lists_new_and_resolved_findings(states):
    diff = diff_reports(*states)
    new, resolved = subjects(diff.findings_new), subjects(diff.findings_resolved)

    assert ("VCP-E001", "service:delta") in new
    assert ("VCP-E001", "service:echo") in resolved
    assert ("VCP-E002", "service:bravo/activity:operate") in resolved
    # A finding whose waiver expired is not new, and a newly waived one is not resolved.
    assert ("VCP-E001", "service:charlie") not in new
    assert ("VCP-E001", "service:foxtrot") not in resolved


def test_diff_lists_granted_expired_and_revoked_waivers(states):
    diff = diff_reports(*states)

    assert subjects(diff.waivers_granted) == {("VCP-E001", "service:foxtrot")}
    assert subjects(diff.waivers_expired) == {("VCP-E001", "service:charlie")}
    assert subjects(diff.waivers_removed) == {("VCP-E001", "service:golf")}


def test_diff_of_a_report_with_itself_is_empty(states):
    old, _ = states

    assert diff_reports(old, old).is_empty
