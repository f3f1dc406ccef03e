import pytest
from django.urls import reverse

from portfolio.workshops import services
from portfolio.workshops.changes import Change
from portfolio.workshops.findings import current_findings, findings_delta
from portfolio.workshops.models import ChangeKind


@pytest.fixture
def platform(portfolio, make_team):
    return make_team(portfolio, "Platform team", party_kind="technology")


def change_cases(claims, platform):
    return [
        Change(kind=ChangeKind.ASSIGN_PATTERN, service=claims, pattern_key="internal-product-vendor"),
        Change(kind=ChangeKind.REMOVE_PATTERN, service=claims, pattern_key="internal-service-delivery"),
        Change(kind=ChangeKind.SET_ACTIVITIES, service=claims, pattern_key="internal-service-delivery",
               activities=("transition", "operate", "deliver", "support")),
        Change(kind=ChangeKind.SET_ACCOUNTABLE, service=claims, activity_key="operate", team=platform),
    ]


@pytest.mark.parametrize("index", range(4))
def test_preview_delta_equals_applied_delta(workshop, claims, platform, editor, portfolio, index):
    from tests.conftest import assign_pattern
    assign_pattern(claims, "internal-service-delivery")
    change = change_cases(claims, platform)[index]
    before = current_findings(portfolio)

    preview = services.change_preview(portfolio=portfolio, change=change)
    assert current_findings(portfolio) == before
    applied = services.decision_apply(workshop=workshop, change=change, rationale="because", user=editor)

    assert applied.delta == preview
    assert findings_delta(before, current_findings(portfolio)) == preview
    assert not preview.empty


def test_preview_writes_nothing(workshop, claims, portfolio):
    portfolio.refresh_revision()
    token = portfolio.revision_token
    services.change_preview(portfolio=portfolio, change=Change(
        kind=ChangeKind.ASSIGN_PATTERN, service=claims, pattern_key="internal-product-vendor"))
    portfolio.refresh_revision()
    assert portfolio.revision_token == token
    assert not claims.assignments.exists()


def test_preview_view_shows_delta_and_apply_form(client, workshop, editor, portfolio):
    client.force_login(editor)
    url = reverse("workshops:preview", args=[portfolio.key, workshop.pk, 1])
    response = client.post(url, {"kind": "assign_pattern", "pattern": "internal-product-vendor"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Findings it removes" in response.text
    assert "VCP-E001" in response.text
    assert 'name="rationale"' in response.text
    assert not workshop.portfolio.services.get(key="claims").assignments.exists()


def test_preview_view_reports_invalid_change(client, workshop, editor, portfolio):
    client.force_login(editor)
    url = reverse("workshops:preview", args=[portfolio.key, workshop.pk, 1])
    response = client.post(url, {"kind": "remove_pattern", "pattern": "internal-product-vendor"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "is not assigned" in response.text
