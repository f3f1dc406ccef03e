"""The service page's writes: htmx fragments with out-of-band updates, redirects and errors."""

import pytest
from django.urls import reverse

from portfolio.models import PatternAssignment, RaciRole, Responsibility, Role

IPV = "internal-product-vendor"
MSP = "managed-service-provider"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def editor_client(client, portfolio, make_member):
    client.force_login(make_member(portfolio, Role.EDITOR))
    return client


def html(response) -> str:
    return response.content.decode()


def assign_url(portfolio, service_key="claims"):
    return reverse("service-assign-pattern", args=[portfolio.key, service_key])


def remove_url(portfolio, pattern_key, service_key="claims"):
    return reverse("service-remove-pattern", args=[portfolio.key, service_key, pattern_key])


def accountable_url(portfolio, activity, service_key="claims"):
    return reverse("service-set-accountable", args=[portfolio.key, service_key, activity])


# --- assign pattern -----------------------------------------------------------------------------


def test_assign_htmx_returns_mix_with_oob_sections(editor_client, portfolio, make_service):
    service = make_service(portfolio, key="claims")

    response = editor_client.post(assign_url(portfolio), {"pattern": IPV}, **HTMX)

    page = html(response)
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="pattern-mix"')
    assert '<section id="raci" class="panel" aria-labelledby="raci-title" hx-swap-oob="true">' in page
    assert 'id="findings-panel"' in page
    assert page.count('hx-swap-oob="true"') == 3
    assert "<html" not in page
    assert service.assignments.get().pattern_id == IPV


def test_assign_htmx_updates_findings(editor_client, portfolio, make_service):
    make_service(portfolio, key="claims")

    page = html(editor_client.post(assign_url(portfolio), {"pattern": IPV}, **HTMX))
    findings = page[page.index('id="findings-panel"'):]

    assert "VCP-E001" not in findings
    assert "VCP-E002" in findings


def test_assign_without_htmx_redirects_to_service(editor_client, portfolio, make_service):
    make_service(portfolio, key="claims")

    response = editor_client.post(assign_url(portfolio), {"pattern": IPV})

    assert response.status_code == 302
    assert response["Location"] == reverse("service-detail", args=[portfolio.key, "claims"])
    assert PatternAssignment.objects.count() == 1


def test_assign_unknown_pattern_htmx_shows_error(editor_client, portfolio, make_service):
    make_service(portfolio, key="claims")

    response = editor_client.post(assign_url(portfolio), {"pattern": "x"}, **HTMX)

    assert response.status_code == 422
    assert "Unknown pattern “x”." in html(response)
    assert PatternAssignment.objects.count() == 0


def test_assign_twice_without_htmx_renders_page_with_error(editor_client, portfolio, make_service):
    make_service(portfolio, key="claims", name="Claims", patterns=[IPV])

    response = editor_client.post(assign_url(portfolio), {"pattern": IPV})

    page = html(response)
    assert response.status_code == 422
    assert "<html" in page
    assert "is already assigned to “Claims”" in page
    assert PatternAssignment.objects.count() == 1


def test_assign_without_pattern_asks_for_one(editor_client, portfolio, make_service):
    make_service(portfolio, key="claims")

    response = editor_client.post(assign_url(portfolio), {}, **HTMX)

    assert response.status_code == 422
    assert "Choose a pattern to assign." in html(response)


def test_assign_offers_only_unassigned_patterns(editor_client, portfolio, make_service):
    make_service(portfolio, key="claims")

    page = html(editor_client.post(assign_url(portfolio), {"pattern": IPV}, **HTMX))
    select = page[page.index('<select id="assign-pattern"'):page.index("</select>")]

    assert f'value="{IPV}"' not in select
    assert f'value="{MSP}"' in select


def test_assign_get_is_not_allowed(editor_client, portfolio, make_service):
    make_service(portfolio, key="claims")

    response = editor_client.get(assign_url(portfolio))

    assert response.status_code == 405


# --- remove pattern -----------------------------------------------------------------------------


def test_remove_htmx_returns_mix_and_findings(editor_client, portfolio, make_service):
    make_service(portfolio, key="claims", patterns=[IPV])

    response = editor_client.post(remove_url(portfolio, IPV), **HTMX)

    page = html(response)
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="pattern-mix"')
    assert "VCP-E001" in page[page.index('id="findings-panel"'):]
    assert PatternAssignment.objects.count() == 0


def test_remove_without_htmx_redirects(editor_client, portfolio, make_service):
    make_service(portfolio, key="claims", patterns=[IPV])

    response = editor_client.post(remove_url(portfolio, IPV))

    assert response.status_code == 302
    assert PatternAssignment.objects.count() == 0


def test_remove_unassigned_pattern_shows_error(editor_client, portfolio, make_service):
    make_service(portfolio, key="claims", name="Claims", patterns=[MSP])

    response = editor_client.post(remove_url(portfolio, IPV), **HTMX)

    assert response.status_code == 422
    assert "is not assigned to “Claims”" in html(response)
    assert PatternAssignment.objects.count() == 1


# --- accountable team ---------------------------------------------------------------------------


def test_set_accountable_htmx_returns_raci_and_oob(editor_client, portfolio, make_service, make_team):
    service = make_service(portfolio, key="claims", patterns=[IPV])
    team = make_team(portfolio, "Platform team")

    response = editor_client.post(accountable_url(portfolio, "build"), {"team": team.pk}, **HTMX)

    page = html(response)
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="raci"')
    assert '<section id="findings-panel" class="panel findings-panel"' in page
    assert page.count('hx-swap-oob="true"') == 2
    assert f'<option value="{team.pk}" selected>' in page
    assert Responsibility.objects.get(service=service, role=RaciRole.ACCOUNTABLE).activity_id == "build"


def test_set_accountable_removes_unowned_finding(editor_client, portfolio, make_service, make_team):
    make_service(portfolio, key="claims", patterns=[IPV])
    team = make_team(portfolio)

    page = html(editor_client.post(accountable_url(portfolio, "build"), {"team": team.pk}, **HTMX))
    findings = page[page.index('id="findings-panel"'):]

    assert "#activity-build" not in findings
    assert "#activity-design" in findings


def test_set_accountable_empty_clears(editor_client, portfolio, make_service, make_team, make_responsibility):
    service = make_service(portfolio, key="claims", patterns=[IPV])
    make_responsibility(service, "build", make_team(portfolio))

    response = editor_client.post(accountable_url(portfolio, "build"), {"team": ""})

    assert response.status_code == 302
    assert Responsibility.objects.count() == 0


def test_set_accountable_rejects_team_of_other_portfolio(
    editor_client, portfolio, make_portfolio, make_service, make_team
):
    make_service(portfolio, key="claims", patterns=[IPV])
    stranger = make_team(make_portfolio(), "Hidden team")

    response = editor_client.post(accountable_url(portfolio, "build"), {"team": stranger.pk}, **HTMX)

    page = html(response)
    assert response.status_code == 422
    assert "Select a valid choice" in page
    assert "Hidden team" not in page
    assert Responsibility.objects.count() == 0


def test_set_accountable_unknown_activity_is_404(editor_client, portfolio, make_service, make_team):
    make_service(portfolio, key="claims")
    team = make_team(portfolio)

    response = editor_client.post(accountable_url(portfolio, "dream"), {"team": team.pk}, **HTMX)

    assert response.status_code == 404
    assert Responsibility.objects.count() == 0


# --- new service --------------------------------------------------------------------------------


def test_create_service_redirects_to_it(editor_client, portfolio, make_team):
    team = make_team(portfolio)

    response = editor_client.post(
        reverse("service-list", args=[portfolio.key]),
        {"key": "claims", "name": "Claims portal", "status": "live", "owner": team.pk},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("service-detail", args=[portfolio.key, "claims"])
    assert portfolio.services.get().owner == team


def test_create_service_duplicate_key_shows_clear_error(editor_client, portfolio, make_service):
    make_service(portfolio, key="claims")

    response = editor_client.post(
        reverse("service-list", args=[portfolio.key]), {"key": "claims", "name": "Other", "status": "live"}
    )

    page = html(response)
    assert response.status_code == 422
    assert "A service with the key “claims” already exists in “Acme Insurance”; choose another key." in page
    assert portfolio.services.count() == 1


def test_create_service_invalid_key_shows_field_error(editor_client, portfolio):
    response = editor_client.post(
        reverse("service-list", args=[portfolio.key]), {"key": "a/b", "name": "Claims", "status": "live"}
    )

    assert response.status_code == 422
    assert "contains “/”" in html(response)
    assert portfolio.services.count() == 0
