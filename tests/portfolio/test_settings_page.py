"""The settings page: owners set the analysis settings, and the findings follow at once."""

import pytest
from django.urls import reverse

from portfolio.analysis import analyse_portfolio
from portfolio.models import Portfolio, Role


@pytest.fixture
def owner(portfolio, make_member):
    return make_member(portfolio, Role.OWNER, username="owner")


@pytest.fixture
def unowned(portfolio, make_service):
    """A live service with a pattern and no owning team, so VCP-W008 reports it."""
    return make_service(portfolio, key="claims", name="Claims", patterns=["internal-product-vendor"])


def _codes(portfolio):
    return {finding.code for finding in analyse_portfolio(Portfolio.objects.get(pk=portfolio.pk)).findings}


def _settings(**changes):
    return {"min_capability_level": "2", "review_period_days": "180", **changes}


def test_switching_off_rule_hides_findings(client, portfolio, owner, unowned):
    assert "VCP-W008" in _codes(portfolio)
    client.force_login(owner)

    response = client.post(reverse("portfolio-settings", args=[portfolio.key]),
                           _settings(disabled_rules=["VCP-W008", "VCP-I001"]))

    assert response.status_code == 302
    assert Portfolio.objects.get(pk=portfolio.pk).disabled_rules == ["VCP-I001", "VCP-W008"]
    assert "VCP-W008" not in _codes(portfolio)


def test_saving_keeps_unknown_rule_codes(client, portfolio, owner):
    Portfolio.objects.filter(pk=portfolio.pk).update(disabled_rules=["VCP-X999"])
    client.force_login(owner)

    client.post(reverse("portfolio-settings", args=[portfolio.key]), _settings(disabled_rules=["VCP-W001"]))

    assert Portfolio.objects.get(pk=portfolio.pk).disabled_rules == ["VCP-W001", "VCP-X999"]


@pytest.mark.parametrize(("data", "field"), [
    (_settings(min_capability_level="6"), "min_capability_level"),
    (_settings(min_capability_level=""), "min_capability_level"),
    (_settings(disabled_rules=["VCP-NOPE"]), "disabled_rules"),
    (_settings(review_period_days="0"), "review_period_days"),
])
def test_invalid_settings_rejected(client, portfolio, owner, data, field):
    client.force_login(owner)
    before = Portfolio.objects.get(pk=portfolio.pk)

    response = client.post(reverse("portfolio-settings", args=[portfolio.key]), data)

    assert response.status_code == 422
    assert field in response.context["form"].errors
    after = Portfolio.objects.get(pk=portfolio.pk)
    assert (after.min_capability_level, after.disabled_rules, after.review_period_days) == (
        before.min_capability_level, before.disabled_rules, before.review_period_days)


def test_minimum_level_changes_findings(client, portfolio, owner, unowned, make_team):
    from portfolio.models import AdoptionStatus, PracticeAdoption

    team = make_team(portfolio, "Service desk team")
    PracticeAdoption.objects.create(portfolio=portfolio, practice_id="architecture-management",
                                    status=AdoptionStatus.ADOPTED, capability_level=3, owner=team)
    client.force_login(owner)
    url = reverse("portfolio-settings", args=[portfolio.key])

    client.post(url, _settings(min_capability_level="4"))
    raised = analyse_portfolio(Portfolio.objects.get(pk=portfolio.pk)).findings
    client.post(url, _settings(min_capability_level="3"))
    lowered = analyse_portfolio(Portfolio.objects.get(pk=portfolio.pk)).findings

    assert Portfolio.objects.get(pk=portfolio.pk).min_capability_level == 3
    assert [f.practice for f in raised if f.code == "VCP-W001"] == ["architecture-management"]
    assert [f.practice for f in lowered if f.code == "VCP-W001"] == []


def test_viewer_sees_settings_read_only(client, portfolio, make_member):
    Portfolio.objects.filter(pk=portfolio.pk).update(disabled_rules=["VCP-I001"])
    client.force_login(make_member(portfolio, Role.VIEWER, username="viewer"))

    response = client.get(reverse("portfolio-settings", args=[portfolio.key]))

    assert response.context["form"] is None
    assert "VCP-I001" in response.content.decode()


def test_settings_labels_have_no_colon(client, portfolio, owner):
    client.force_login(owner)

    page = client.get(reverse("portfolio-settings", args=[portfolio.key])).content.decode()

    assert '<label for="id_min_capability_level">Minimum capability level</label>' in page
    assert '<label for="id_review_period_days">Review period (days)</label>' in page
    assert ":</label>" not in page
