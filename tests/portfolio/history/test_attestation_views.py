"""The attestation on the pages: the service page's button, the list's column and filter, the dashboard,
the members' teams and the review period setting."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portfolio.attestation import service_attest
from portfolio.models import Membership, Portfolio, Role, Service

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world(portfolio, make_service, make_team, make_member):
    """Three services owned by the platform team, and a member of each role, the editor in that team."""
    team = make_team(portfolio, "Platform team")
    services = [make_service(portfolio, key=key, name=key.title(), owner=team)
                for key in ("claims", "billing", "portal", "intranet")]
    users = {role: make_member(portfolio, role) for role in Role.values}
    Membership.objects.filter(user=users[Role.EDITOR]).update(team=team)
    claims, billing, portal, _intranet = services
    for service in (claims, billing, portal):
        service_attest(service=service, user=users[Role.EDITOR])
    Service.objects.filter(pk=billing.pk).update(mapping_review_needed=True)
    Service.objects.filter(pk=portal.pk).update(attested_at=timezone.now() - timedelta(days=200))
    return {"portfolio": portfolio, "team": team, "users": users}


def attest_url(portfolio, service_key="claims"):
    return reverse("service-attest", args=[portfolio.key, service_key])


def test_service_page_offers_attest_to_owning_team(client, world):
    client.force_login(world["users"][Role.EDITOR])

    page = client.get(reverse("service-detail", args=[world["portfolio"].key, "intranet"])).content.decode()

    assert "Attest mapping" in page
    assert "Not attested" in page
    assert ("On behalf of “Platform team”, you confirm that the pattern mix and the RACI matrix of "
            "“Intranet”, as this page shows them, are right.") in page
    assert f'hx-post="{attest_url(world["portfolio"], "intranet")}"' in page


def test_service_page_explains_missing_team(client, world):
    client.force_login(world["users"][Role.OWNER])

    page = client.get(reverse("service-detail", args=[world["portfolio"].key, "claims"])).content.decode()

    assert "Attest mapping" not in page
    assert "Only members of “Platform team” attest this mapping." in page


def test_service_page_shows_review_needed(client, world):
    client.force_login(world["users"][Role.VIEWER])

    page = client.get(reverse("service-detail", args=[world["portfolio"].key, "billing"])).content.decode()

    assert "Review needed" in page
    assert "Attest mapping" not in page


def test_attest_by_htmx_returns_panel(client, world):
    client.force_login(world["users"][Role.EDITOR])
    Service.objects.filter(key="billing").update(mapping_review_needed=False, attested_at=None)

    response = client.post(attest_url(world["portfolio"], "billing"), **HTMX)

    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="attestation"')
    assert "Attested the mapping of “Billing” for “Platform team”." in page
    assert Service.objects.get(key="billing").attested_by_id == world["users"][Role.EDITOR].pk


def test_attest_without_htmx_redirects(client, world):
    client.force_login(world["users"][Role.EDITOR])

    response = client.post(attest_url(world["portfolio"], "intranet"))

    assert response.status_code == 302
    assert response["Location"] == reverse("service-detail", args=[world["portfolio"].key, "intranet"])
    assert Service.objects.get(key="intranet").attested_at is not None


def test_attest_by_other_team_is_rejected(client, world):
    client.force_login(world["users"][Role.OWNER])

    response = client.post(attest_url(world["portfolio"], "intranet"), **HTMX)

    assert response.status_code == 422
    assert "Only members of “Platform team”" in response.content.decode()
    assert Service.objects.get(key="intranet").attested_at is None


def test_viewer_cannot_attest(client, world):
    viewer = world["users"][Role.VIEWER]
    Membership.objects.filter(user=viewer).update(team=world["team"])
    client.force_login(viewer)

    response = client.post(attest_url(world["portfolio"], "intranet"))

    assert response.status_code == 403
    assert Service.objects.get(key="intranet").attested_at is None


def test_attest_needs_post(client, world):
    client.force_login(world["users"][Role.EDITOR])

    assert client.get(attest_url(world["portfolio"])).status_code == 405


def test_raci_edit_updates_panel(client, world):
    outsider = world["users"][Role.OWNER]
    client.force_login(outsider)
    url = reverse("service-set-accountable", args=[world["portfolio"].key, "claims", "build"])

    response = client.post(url, {"team": world["team"].pk}, **HTMX)

    page = response.content.decode()
    assert response.status_code == 200
    assert '<section id="attestation" class="panel attestation-panel"' in page
    assert 'hx-swap-oob="true"' in page
    assert "Review needed" in page


@pytest.mark.parametrize(("state", "expected"), [
    ("attested", ["Claims"]), ("review", ["Billing"]), ("stale", ["Portal"]), ("none", ["Intranet"]),
])
def test_service_list_filters_by_attestation(client, world, state, expected):
    client.force_login(world["users"][Role.VIEWER])

    url = reverse("service-list", args=[world["portfolio"].key])

    page = client.get(url, {"attestation": state})
    partial = client.get(url, {"attestation": state}, **HTMX)

    assert [row.service.name for row in page.context["rows"]] == expected
    assert partial["HX-Push-Url"] == f"{url}?attestation={state}"


def test_service_list_shows_attestation_column(client, world):
    client.force_login(world["users"][Role.VIEWER])

    page = client.get(reverse("service-list", args=[world["portfolio"].key])).content.decode()

    assert '<th scope="col">Attestation</th>' in page
    assert '<span class="attestation attestation--review">Review needed</span>' in page
    assert '<span class="attestation attestation--stale">Stale</span>' in page
    assert '<select id="filter-attestation" name="attestation">' in page


def test_service_list_ignores_unknown_attestation(client, world):
    client.force_login(world["users"][Role.VIEWER])

    response = client.get(reverse("service-list", args=[world["portfolio"].key]), {"attestation": "maybe"})

    assert len(response.context["rows"]) == 4


def test_dashboard_counts_attestation(client, world):
    client.force_login(world["users"][Role.VIEWER])

    response = client.get(reverse("dashboard", args=[world["portfolio"].key]))

    assert response.context["counts"].attestation == {"none": 1, "attested": 1, "review": 1, "stale": 1}
    page = response.content.decode()
    list_url = reverse("service-list", args=[world["portfolio"].key])
    assert f'<a href="{list_url}?attestation=review">1 review needed</a>' in page


def test_owner_links_member_to_team(client, world):
    owner = world["users"][Role.OWNER]
    membership = Membership.objects.get(user=owner)
    client.force_login(owner)
    url = reverse("member-team", args=[world["portfolio"].key, membership.pk])

    response = client.post(url, {"team": world["team"].pk}, **HTMX)

    assert response.status_code == 200
    assert "now works in “Platform team”" in response.content.decode()
    membership.refresh_from_db()
    assert membership.team_id == world["team"].pk
    assert Membership.history.filter(id=membership.pk).first().team_id == world["team"].pk


def test_member_team_rejects_other_portfolio(client, world, make_portfolio, make_team):
    stranger = make_team(make_portfolio(), "Elsewhere")
    owner = world["users"][Role.OWNER]
    membership = Membership.objects.get(user=owner)
    client.force_login(owner)

    response = client.post(reverse("member-team", args=[world["portfolio"].key, membership.pk]),
                           {"team": stranger.pk}, **HTMX)

    assert response.status_code == 422
    membership.refresh_from_db()
    assert membership.team_id is None


@pytest.mark.parametrize("value", ["²", "٣", "99999999999999999999999", "abc", "-1"])
def test_member_team_rejects_garbage(client, world, value):
    owner = world["users"][Role.OWNER]
    membership = Membership.objects.get(user=owner)
    client.force_login(owner)

    response = client.post(reverse("member-team", args=[world["portfolio"].key, membership.pk]),
                           {"team": value}, **HTMX)

    assert response.status_code == 422
    assert "Choose a team of this portfolio." in response.content.decode()
    membership.refresh_from_db()
    assert membership.team_id is None


def test_owner_sets_review_period(client, world):
    client.force_login(world["users"][Role.OWNER])
    url = reverse("portfolio-settings", args=[world["portfolio"].key])

    response = client.post(url, {"min_capability_level": "2", "review_period_days": "365"})

    assert response.status_code == 302
    assert Portfolio.objects.get(pk=world["portfolio"].pk).review_period_days == 365
    list_url = reverse("service-list", args=[world["portfolio"].key])
    stale = client.get(list_url, {"attestation": "stale"}).context["rows"]
    assert stale == []


def test_review_period_must_be_positive(client, world):
    client.force_login(world["users"][Role.OWNER])

    response = client.post(reverse("portfolio-settings", args=[world["portfolio"].key]),
                           {"min_capability_level": "2", "review_period_days": "0"})

    assert response.status_code == 422
    assert Portfolio.objects.get(pk=world["portfolio"].pk).review_period_days == 180


def test_editor_reads_review_period(client, world):
    client.force_login(world["users"][Role.EDITOR])

    response = client.get(reverse("portfolio-settings", args=[world["portfolio"].key]))

    assert response.status_code == 200
    assert "180 days" in response.content.decode()
    assert response.context["form"] is None
