"""The findings page: filters, grouping, links, waiver sections, htmx partials, access and queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portfolio.analysis.engine import base_store, result_cache
from portfolio.models import Role, Waiver

IPV = "internal-product-vendor"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def empty_result_cache():
    """Rolled-back tests reuse portfolio ids and revisions, so a result cached by one must not leak."""
    result_cache.clear()


@pytest.fixture
def teams(portfolio, make_team):
    return {
        "platform": make_team(portfolio, name="Platform", party_kind="technology"),
        "acme": make_team(portfolio, name="Acme Cloud", party_kind="vendor"),
        "idle": make_team(portfolio, name="Idle team", party_kind="business"),
    }


@pytest.fixture
def services(portfolio, teams, make_service, make_responsibility):
    """Create three services. crm runs IPV, Platform owns it and Acme Cloud is accountable for its build.
    erp has no pattern and no owner. hr has no pattern and Acme Cloud owns it."""
    crm = make_service(portfolio, key="crm", name="Customer relations", owner=teams["platform"],
                       patterns=[IPV])
    make_responsibility(crm, "build", teams["acme"])
    erp = make_service(portfolio, key="erp", name="Enterprise planning")
    hr = make_service(portfolio, key="hr", name="Human resources", owner=teams["acme"])
    return {"crm": crm, "erp": erp, "hr": hr}


@pytest.fixture
def owner(portfolio, make_member):
    return make_member(portfolio, Role.OWNER)


@pytest.fixture
def viewer(portfolio, make_member):
    return make_member(portfolio, Role.VIEWER)


def page_url(portfolio, query=""):
    url = reverse("findings", args=[portfolio.key])
    return f"{url}?{query}" if query else url


def listed(response):
    """Return (code, service) of every unwaived finding the page lists, in page order."""
    rows = [row for group in response.context["groups"] for row in group.rows]
    return [(row.finding.code, row.finding.service) for row in rows]


def html(response):
    return response.content.decode()


def waive(portfolio, user, code, subject, days=30):
    return Waiver.objects.create(
        portfolio=portfolio, code=code, subject=subject, justification="Replaced next quarter.",
        approver="Dana Whitfield", expires_on=timezone.localdate() + timedelta(days=days), accepted_by=user,
    )


# --- filters ----------------------------------------------------------------------------------------------


def test_page_lists_every_finding_unfiltered(client, portfolio, services, viewer):
    client.force_login(viewer)

    response = client.get(page_url(portfolio))

    assert response.status_code == 200
    found = listed(response)
    assert ("VCP-E001", "erp") in found
    assert ("VCP-E001", "hr") in found
    assert ("VCP-W008", "erp") in found
    assert ("VCP-W002", "crm") in found
    assert any(service is None for _, service in found)
    assert len(found) == response.context["total"]


@pytest.mark.parametrize("level", ["error", "warning"])
def test_level_filter_keeps_that_level(client, portfolio, services, viewer, level):
    client.force_login(viewer)

    response = client.get(page_url(portfolio, f"level={level}"))

    rows = [row for group in response.context["groups"] for row in group.rows]
    assert rows
    assert {row.level_name for row in rows} == {level}


def test_code_filter_keeps_that_rule(client, portfolio, services, viewer):
    client.force_login(viewer)

    response = client.get(page_url(portfolio, "code=VCP-E001"))

    assert sorted(listed(response)) == [("VCP-E001", "erp"), ("VCP-E001", "hr")]


def test_pattern_filter_keeps_its_services_and_findings(client, portfolio, services, viewer):
    client.force_login(viewer)

    response = client.get(page_url(portfolio, f"pattern={IPV}"))

    found = listed(response)
    assert found
    assert {service for _, service in found} <= {"crm", None}
    assert ("VCP-W002", "crm") in found
    assert ("VCP-E004", None) in found


@pytest.mark.parametrize(
    ("team", "expected_services"),
    [
        ("platform", {"crm"}),  # owner of crm
        ("acme", {"crm", "hr"}),  # RACI cell on crm, owner of hr
        ("idle", set()),
    ],
)
def test_team_filter_keeps_services_it_owns_or_serves(client, portfolio, services, teams, viewer,
                                                      team, expected_services):
    client.force_login(viewer)

    response = client.get(page_url(portfolio, f"team={teams[team].pk}"))

    assert {service for _, service in listed(response)} == expected_services


def test_filters_combine(client, portfolio, services, teams, viewer):
    client.force_login(viewer)

    response = client.get(page_url(portfolio, f"team={teams['acme'].pk}&level=error&code=VCP-E001"))

    assert listed(response) == [("VCP-E001", "hr")]


def test_filters_stay_selected_in_form(client, portfolio, services, teams, viewer):
    client.force_login(viewer)

    page = html(client.get(page_url(portfolio, f"level=warning&team={teams['acme'].pk}&group=rule")))

    assert '<option value="warning" selected>' in page
    assert f'<option value="{teams["acme"].pk}" selected>' in page
    assert '<option value="rule" selected>' in page


@pytest.mark.parametrize("query", ["level=fatal", "code=VCP-X999", "pattern=nope", "team=999999", "team=abc"])
def test_invalid_filter_is_ignored_and_reported(client, portfolio, services, viewer, query):
    client.force_login(viewer)

    response = client.get(page_url(portfolio, query))

    assert response.status_code == 200
    assert len(listed(response)) == response.context["total"]
    assert "This filter is ignored." in html(response)


def test_team_of_other_portfolio_is_rejected(client, portfolio, services, viewer, make_portfolio, make_team):
    stranger = make_team(make_portfolio(), name="Elsewhere")
    client.force_login(viewer)

    response = client.get(page_url(portfolio, f"team={stranger.pk}"))

    assert len(listed(response)) == response.context["total"]
    assert response.context["form"].errors["team"]


# --- grouping ---------------------------------------------------------------------------------------------


def test_group_by_service_puts_portfolio_first_then_names(client, portfolio, services, viewer):
    client.force_login(viewer)

    response = client.get(page_url(portfolio, "group=service"))

    titles = [group.title for group in response.context["groups"]]
    assert titles == ["The whole portfolio", "Customer relations", "Enterprise planning", "Human resources"]
    crm = response.context["groups"][1]
    assert crm.url == reverse("service-detail", args=[portfolio.key, "crm"])
    assert {row.finding.service for row in crm.rows} == {"crm"}
    # The group's heading names the service, so its findings do not repeat the link.
    assert html(response).count(f'class="finding__service" href="{crm.url}"') == 0


def test_group_by_rule_orders_by_level_then_code(client, portfolio, services, viewer):
    client.force_login(viewer)

    response = client.get(page_url(portfolio, "group=rule"))

    groups = response.context["groups"]
    codes = [group.title.split()[0] for group in groups]
    assert codes[0] == "VCP-E001"
    assert groups[0].title == "VCP-E001 No pattern"
    assert codes.index("VCP-E002") < codes.index("VCP-W002") < codes.index("VCP-W008")
    for group in groups:
        assert {row.finding.code for row in group.rows} == {group.title.split()[0]}
    crm_url = reverse("service-detail", args=[portfolio.key, "crm"])
    assert f'class="finding__service" href="{crm_url}"' in html(response)


def test_default_grouping_is_by_service(client, portfolio, services, viewer):
    client.force_login(viewer)

    response = client.get(page_url(portfolio))

    assert response.context["group_by"] == "service"


# --- links ------------------------------------------------------------------------------------------------


def test_findings_link_where_they_are_fixed(client, portfolio, services, viewer):
    client.force_login(viewer)

    page = html(client.get(page_url(portfolio)))

    service_url = reverse("service-detail", args=[portfolio.key, "crm"])
    assert f'href="{service_url}#raci-build"' in page
    assert f'href="{reverse("service-detail", args=[portfolio.key, "erp"])}#pattern-mix"' in page
    assert f'href="{reverse("service-detail", args=[portfolio.key, "erp"])}#details-title"' in page
    assert f'href="{reverse("patterns:pattern", args=[IPV])}#activity-build"' in page
    assert f'href="{reverse("patterns:pattern", args=[IPV])}#key-practices"' in page


# --- waived, expired and obsolete -------------------------------------------------------------------------


def test_waived_finding_shows_in_own_section(client, portfolio, services, owner):
    client.force_login(owner)
    before = client.get(page_url(portfolio)).context["counts"]
    waive(portfolio, owner, "VCP-E001", "service:erp")

    response = client.get(page_url(portfolio))

    assert ("VCP-E001", "erp") not in listed(response)
    waived = response.context["waived"]
    assert [(row.finding.code, row.finding.service) for row in waived] == [("VCP-E001", "erp")]
    page = html(response)
    assert "Replaced next quarter." in page
    assert "Dana Whitfield" in page
    assert (timezone.localdate() + timedelta(days=30)).isoformat() in page
    assert response.context["counts"]["error"] == before["error"] - 1
    assert response.context["counts"]["warning"] == before["warning"]


def test_waived_section_follows_filters(client, portfolio, services, owner):
    waive(portfolio, owner, "VCP-E001", "service:erp")
    client.force_login(owner)

    response = client.get(page_url(portfolio, "level=warning"))

    assert response.context["waived"] == []


def test_expired_and_obsolete_waivers_are_listed(client, portfolio, services, owner):
    expired = waive(portfolio, owner, "VCP-E001", "service:hr", days=-3)
    obsolete = waive(portfolio, owner, "VCP-E001", "service:crm")
    client.force_login(owner)

    response = client.get(page_url(portfolio))

    assert [waiver.id for waiver in response.context["expired_waivers"]] == [expired.pk]
    assert [waiver.id for waiver in response.context["obsolete_waivers"]] == [obsolete.pk]
    assert ("VCP-E001", "hr") in listed(response)
    page = html(response)
    assert "Waivers that no longer apply" in page
    assert "so this finding counts again" in page
    assert reverse("waiver-revoke", args=[portfolio.key, obsolete.pk]) in page


# --- owners and viewers -----------------------------------------------------------------------------------


def test_owner_sees_accept_and_revoke_forms(client, portfolio, services, owner):
    waiver = waive(portfolio, owner, "VCP-E001", "service:erp")
    client.force_login(owner)

    page = html(client.get(page_url(portfolio)))

    assert f'action="{reverse("waiver-accept", args=[portfolio.key])}"' in page
    assert "Accept this finding" in page
    assert f'action="{reverse("waiver-revoke", args=[portfolio.key, waiver.pk])}"' in page


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR])
def test_non_owner_sees_no_waiver_forms(client, portfolio, services, owner, make_member, role):
    waive(portfolio, owner, "VCP-E001", "service:erp")
    client.force_login(make_member(portfolio, role))

    response = client.get(page_url(portfolio))

    page = html(response)
    assert response.status_code == 200
    assert "Replaced next quarter." in page
    assert reverse("waiver-accept", args=[portfolio.key]) not in page
    assert "/revoke/" not in page


def test_anonymous_is_sent_to_login(client, portfolio, services):
    response = client.get(page_url(portfolio))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_non_member_gets_404(client, portfolio, services, make_portfolio, make_member):
    client.force_login(make_member(make_portfolio(), Role.OWNER))

    response = client.get(page_url(portfolio))

    assert response.status_code == 404


def test_page_rejects_post(client, portfolio, services, owner):
    client.force_login(owner)

    response = client.post(page_url(portfolio))

    assert response.status_code == 405


# --- htmx -------------------------------------------------------------------------------------------------


def test_htmx_filter_gets_results_partial(client, portfolio, services, viewer):
    client.force_login(viewer)

    response = client.get(page_url(portfolio, "code=VCP-E001"), **HTMX)

    page = html(response)
    assert page.lstrip().startswith('<div id="findings-results"')
    assert "role=\"search\"" not in page
    assert "<html" not in page
    assert "HX-Request" in response["Vary"]
    assert sorted(listed(response)) == [("VCP-E001", "erp"), ("VCP-E001", "hr")]


def test_filter_form_uses_htmx_with_url_push(client, portfolio, services, viewer):
    client.force_login(viewer)

    page = html(client.get(page_url(portfolio)))

    assert f'hx-get="{page_url(portfolio)}"' in page
    assert 'hx-push-url="true"' in page
    assert f'action="{page_url(portfolio)}"' in page
    assert 'method="get"' in page


def test_htmx_accept_swaps_results_with_finding_waived(client, portfolio, services, owner):
    client.force_login(owner)
    expires_on = timezone.localdate() + timedelta(days=60)

    response = client.post(reverse("waiver-accept", args=[portfolio.key]), {
        "code": "VCP-E001", "subject": "service:erp", "justification": "Retired in March.",
        "approver": "Dana Whitfield", "expires_on": expires_on.isoformat(), "filters": "code=VCP-E001",
    }, **HTMX)

    assert response.status_code == 200
    assert html(response).lstrip().startswith('<div id="findings-results"')
    assert listed(response) == [("VCP-E001", "hr")]
    assert [row.finding.service for row in response.context["waived"]] == ["erp"]
    assert "Accepted VCP-E001" in response.context["notice"]


def test_htmx_accept_errors_beside_finding(client, portfolio, services, owner):
    client.force_login(owner)

    response = client.post(reverse("waiver-accept", args=[portfolio.key]), {
        "code": "VCP-E001", "subject": "service:erp", "justification": "", "approver": "Dana",
        "expires_on": (timezone.localdate() + timedelta(days=1000)).isoformat(),
    }, **HTMX)

    assert response.status_code == 422
    row = next(row for group in response.context["groups"] for row in group.rows if row.accept_form)
    assert (row.finding.code, row.finding.service) == ("VCP-E001", "erp")
    page = html(response)
    assert "Enter a justification" in page
    assert "at most 2 years ahead" in page
    assert "<details open>" in page
    assert not Waiver.objects.exists()


def test_accept_of_vanished_finding_reports_at_top(client, portfolio, services, owner):
    client.force_login(owner)

    response = client.post(reverse("waiver-accept", args=[portfolio.key]), {
        "code": "VCP-E001", "subject": "service:gone", "justification": "j", "approver": "a",
        "expires_on": (timezone.localdate() + timedelta(days=10)).isoformat(),
    })

    assert response.status_code == 422
    assert "<html" in html(response)
    assert any("no finding VCP-E001" in error for error in response.context["accept_errors"])


def test_htmx_revoke_swaps_results(client, portfolio, services, owner):
    waiver = waive(portfolio, owner, "VCP-E001", "service:erp")
    client.force_login(owner)

    response = client.post(reverse("waiver-revoke", args=[portfolio.key, waiver.pk]), {"filters": ""}, **HTMX)

    assert response.status_code == 200
    assert ("VCP-E001", "erp") in listed(response)
    assert response.context["waived"] == []


def test_accept_without_js_redirects_with_filters(client, portfolio, services, owner):
    client.force_login(owner)

    response = client.post(reverse("waiver-accept", args=[portfolio.key]), {
        "code": "VCP-E001", "subject": "service:erp", "justification": "Retired in March.",
        "approver": "Dana", "expires_on": (timezone.localdate() + timedelta(days=10)).isoformat(),
        "filters": "level=error&next=https://example.invalid/",
    })

    assert response.status_code == 302
    assert response["Location"] == page_url(portfolio, "level=error")


# --- queries ----------------------------------------------------------------------------------------------


def build_portfolio(portfolio, teams, make_service, make_responsibility, count, prefix="svc"):
    for n in range(count):
        owner = teams["platform"] if n % 2 else teams["acme"]
        service = make_service(portfolio, key=f"{prefix}-{n:03d}", owner=owner, patterns=[IPV])
        make_responsibility(service, "build", teams["acme"])
        make_responsibility(service, "operate", teams["platform"])


def count_page_queries(client, url, **headers):
    result_cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_query_count_is_constant(client, portfolio, teams, owner, make_service, make_responsibility,
                                 django_assert_max_num_queries, headers):
    client.force_login(owner)
    url = page_url(portfolio, f"team={teams['acme'].pk}&pattern={IPV}&level=error&group=rule")

    build_portfolio(portfolio, teams, make_service, make_responsibility, 5)
    small = count_page_queries(client, url, **headers)
    build_portfolio(portfolio, teams, make_service, make_responsibility, 55, prefix="more")
    # Both counts start without a kept analysis: with one, the page first tries to bring it forward.
    base_store.clear()
    large = count_page_queries(client, url, **headers)

    assert small == large
    result_cache.clear()
    base_store.clear()
    # Session, user, membership; the analysis (5 snapshot, 7 library, 1 waivers); pattern and team
    # choices, both filters and the service names.
    with django_assert_max_num_queries(21):
        client.get(url, **headers)


def test_cached_analysis_saves_its_queries(client, portfolio, teams, owner, make_service,
                                           make_responsibility):
    client.force_login(owner)
    build_portfolio(portfolio, teams, make_service, make_responsibility, 5)
    url = page_url(portfolio)

    cold = count_page_queries(client, url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)

    assert len(queries) == cold - 13
