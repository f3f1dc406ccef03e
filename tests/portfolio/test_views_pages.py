"""The read pages: home, dashboard, service list and service page, as full pages and htmx partials."""

import json

import pytest
from django.db.models import Count
from django.urls import reverse

from patterns.library import DATA_FILE, sync_library
from patterns.models import Expectation, LifecycleActivity, Pattern
from portfolio.analysis.engine import portfolio_snapshot
from portfolio.models import PatternAssignment, Role, Team
from portfolio.selectors import dashboard_counts
from portfolio.services import service_assign_pattern
from tests.conftest import assign_pattern

IPV = "internal-product-vendor"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def viewer(portfolio, make_member):
    return make_member(portfolio, Role.VIEWER)


@pytest.fixture
def editor(portfolio, make_member):
    return make_member(portfolio, Role.EDITOR)


def html(response) -> str:
    return response.content.decode()


# --- home ---------------------------------------------------------------------------------------


def test_home_redirects_to_only_portfolio(client, portfolio, viewer):
    client.force_login(viewer)

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard", args=[portfolio.key])


def test_home_lists_portfolios_by_name(client, make_portfolio, make_member):
    user = make_member(make_portfolio(name="zeta"), Role.VIEWER)
    for name in ("Beta", "alpha"):
        portfolio = make_portfolio(name=name)
        portfolio.memberships.create(user=user, role=Role.EDITOR)
    client.force_login(user)

    page = html(client.get(reverse("home")))

    assert page.index("alpha") < page.index("Beta") < page.index("zeta")


def test_home_without_portfolios_says_what_to_do(client, make_member):
    client.force_login(make_member(None))

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert "You are not a member of any portfolio yet." in html(response)


# --- dashboard ----------------------------------------------------------------------------------


def test_dashboard_shows_counts_and_top_findings(client, portfolio, viewer, make_service, make_team):
    make_team(portfolio)
    make_service(portfolio, key="claims", name="Claims portal")
    make_service(portfolio, key="ledger", name="Ledger", status="planned", patterns=[IPV])
    client.force_login(viewer)

    response = client.get(reverse("dashboard", args=[portfolio.key]))

    page = html(response)
    assert response.status_code == 200
    assert "1 live, 1 planned, 0 retired" in page
    assert "Internal Product Vendor" in page
    assert "VCP-E001" in page
    assert reverse("service-detail", args=[portfolio.key, "claims"]) in page
    assert "Claims portal" in page


@pytest.mark.parametrize("write_after_first_read", [False, True])
def test_dashboard_pattern_counts_match_database(portfolio, make_service, make_team, write_after_first_read):
    make_team(portfolio)
    make_team(portfolio)
    make_service(portfolio, patterns=[IPV, "service-integrator"])
    make_service(portfolio, patterns=[IPV])
    make_service(portfolio, status="retired", patterns=["managed-service-provider"])
    make_service(portfolio)
    portfolio.refresh_revision()
    dashboard_counts(portfolio, portfolio_snapshot(portfolio))
    if write_after_first_read:
        # The analysis brings its snapshot forward after this write; the counts must follow.
        assign_pattern(make_service(portfolio), "digital-product-vendor")
        make_team(portfolio)
        portfolio.refresh_revision()

    counts = dashboard_counts(portfolio, portfolio_snapshot(portfolio))

    in_database = dict(PatternAssignment.objects.filter(service__portfolio=portfolio)
                       .values_list("pattern_id").annotate(Count("service_id")))
    assert {use.key: use.services for use in counts.patterns} == in_database
    names = [use.name for use in counts.patterns]
    assert names == sorted(names, key=str.lower)
    assert counts.teams == Team.objects.filter(portfolio=portfolio).count()


def test_dashboard_empty_portfolio_says_what_to_do(client, portfolio, editor):
    client.force_login(editor)

    page = html(client.get(reverse("dashboard", args=[portfolio.key])))

    assert "This portfolio has no services yet." in page
    assert "Add the first service" in page


# --- service list -------------------------------------------------------------------------------


def test_service_list_shows_row_details(client, portfolio, viewer, make_service, make_team):
    owner = make_team(portfolio, "Claims team")
    make_service(portfolio, key="claims", name="Claims portal", owner=owner, patterns=[IPV])
    client.force_login(viewer)

    page = html(client.get(reverse("service-list", args=[portfolio.key])))

    assert "Claims portal" in page
    assert "<code>claims</code>" in page
    assert "Claims team" in page
    assert "Internal Product Vendor" in page
    assert "error" in page


def test_service_list_patterns_follow_service_edit(client, portfolio, viewer, make_service):
    service = make_service(portfolio, key="claims", patterns=["service-integrator"])
    client.force_login(viewer)
    url = reverse("service-list", args=[portfolio.key])
    client.get(url)
    # A write to one service: the analysis brings its snapshot forward, which the rows' pattern names read.
    service_assign_pattern(service=service, pattern_key=IPV)

    page = html(client.get(url, HTTP_HX_REQUEST="true"))

    row = page[page.index("<code>claims</code>"):]
    assert row.index("Internal Product Vendor") < row.index("Service Integrator")


def test_service_list_orders_by_name_ignoring_case(client, portfolio, viewer, make_service):
    for name in ("beta", "Alpha", "Gamma"):
        make_service(portfolio, name=name)
    client.force_login(viewer)

    page = html(client.get(reverse("service-list", args=[portfolio.key])))

    assert page.index("Alpha") < page.index("beta") < page.index("Gamma")


def test_service_list_search_matches_name_or_key(client, portfolio, viewer, make_service):
    make_service(portfolio, key="claims", name="Claims portal")
    make_service(portfolio, key="ledger-api", name="General ledger")
    make_service(portfolio, key="hr", name="People")
    client.force_login(viewer)

    page = html(client.get(reverse("service-list", args=[portfolio.key]), {"q": "LEDGER"}))

    assert "General ledger" in page
    assert "Claims portal" not in page
    assert "People" not in page


def test_service_list_search_without_match_says_so(client, portfolio, viewer, make_service):
    make_service(portfolio)
    client.force_login(viewer)

    page = html(client.get(reverse("service-list", args=[portfolio.key]), {"q": "nothing"}))

    assert "No service matches “nothing”." in page


def test_service_list_htmx_returns_table_only(client, portfolio, viewer, make_service):
    make_service(portfolio, name="Claims portal")
    client.force_login(viewer)

    response = client.get(reverse("service-list", args=[portfolio.key]), {"q": "claims"}, **HTMX)

    page = html(response)
    assert page.lstrip().startswith('<section id="service-table"')
    assert "Claims portal" in page
    assert "<html" not in page
    assert "HX-Request" in response["Vary"]


def test_service_list_history_restore_returns_full_page(client, portfolio, viewer):
    client.force_login(viewer)

    response = client.get(
        reverse("service-list", args=[portfolio.key]), HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX
    )

    assert "<html" in html(response)


def test_service_list_paginates_by_fifty(client, portfolio, viewer, make_service):
    for number in range(51):
        make_service(portfolio, key=f"svc-{number:02d}", name=f"Service {number:02d}")
    client.force_login(viewer)

    first = html(client.get(reverse("service-list", args=[portfolio.key])))
    second = html(client.get(reverse("service-list", args=[portfolio.key]), {"page": 2}))

    assert "Service 49" in first
    assert "Service 50" not in first
    assert "Page 1 of 2" in first
    assert 'href="?page=2"' in first
    assert "Service 50" in second


def test_service_list_pagination_keeps_search(client, portfolio, viewer, make_service):
    for number in range(51):
        make_service(portfolio, key=f"match-{number:02d}")
    client.force_login(viewer)

    page = html(client.get(reverse("service-list", args=[portfolio.key]), {"q": "match"}))

    assert 'href="?q=match&amp;page=2"' in page


def test_service_list_form_for_editor_only(client, portfolio, viewer, editor):
    url = reverse("service-list", args=[portfolio.key])

    client.force_login(editor)
    editor_page = html(client.get(url))
    client.force_login(viewer)
    viewer_page = html(client.get(url))

    assert 'id="new-service"' in editor_page
    assert 'id="new-service"' not in viewer_page


def test_service_list_empty_says_what_to_do(client, portfolio, editor):
    client.force_login(editor)

    page = html(client.get(reverse("service-list", args=[portfolio.key])))

    assert "This portfolio has no services yet. Add the first one with the form below." in page


# --- service page -------------------------------------------------------------------------------


def test_service_page_shows_details_mix_and_raci(client, portfolio, viewer, make_service, make_team):
    owner = make_team(portfolio, "Claims team")
    make_service(portfolio, key="claims", name="Claims portal", owner=owner,
                 patterns=["managed-service-provider"])
    client.force_login(viewer)

    page = html(client.get(reverse("service-detail", args=[portfolio.key, "claims"])))

    assert ">Claims portal</h1>" in page
    assert "Managed Service Provider" in page
    assert 'id="raci-discover"' in page
    assert 'id="raci-support"' in page
    assert 'id="findings-panel"' in page


def test_service_page_lists_findings_with_library_link(client, portfolio, viewer, make_service):
    make_service(portfolio, key="claims", patterns=[IPV])
    client.force_login(viewer)

    page = html(client.get(reverse("service-detail", args=[portfolio.key, "claims"])))

    assert "VCP-E002" in page
    assert reverse("patterns:pattern", args=[IPV]) + "#activity-discover" in page


def test_service_page_marks_activities_out_of_scope(client, portfolio, viewer, make_service):
    make_service(portfolio, key="claims", patterns=["managed-service-provider"])
    client.force_login(viewer)

    page = html(client.get(reverse("service-detail", args=[portfolio.key, "claims"])))

    assert '<tr id="raci-build" class="raci__row--out">' in page
    assert '<tr id="raci-operate" class="">' in page


def test_service_page_shows_expected_accountable_kinds(client, portfolio, viewer, make_service):
    make_service(portfolio, key="claims", patterns=["service-integrator"])
    client.force_login(viewer)

    page = html(client.get(reverse("service-detail", args=[portfolio.key, "claims"])))
    design_row = page[page.index('id="raci-design"'):page.index('id="raci-acquire"')]

    assert "Vendor" in design_row
    assert "Service provider" in design_row


def test_service_page_viewer_sees_no_forms(client, portfolio, viewer, make_service, make_team):
    make_team(portfolio)
    make_service(portfolio, key="claims", patterns=[IPV])
    client.force_login(viewer)

    page = html(client.get(reverse("service-detail", args=[portfolio.key, "claims"])))

    assert "<form method=\"post\" action=\"/p/" not in page
    assert "<select" not in page


def test_service_page_editor_sees_assign_and_raci_forms(client, portfolio, editor, make_service, make_team):
    make_team(portfolio, "Platform team")
    make_service(portfolio, key="claims")
    client.force_login(editor)

    page = html(client.get(reverse("service-detail", args=[portfolio.key, "claims"])))

    assert reverse("service-assign-pattern", args=[portfolio.key, "claims"]) in page
    assert reverse("service-set-accountable", args=[portfolio.key, "claims", "build"]) in page
    assert 'hx-trigger="change, submit"' in page
    assert "Platform team (Technology)" in page


def test_service_page_htmx_returns_findings_panel(client, portfolio, viewer, make_service):
    make_service(portfolio, key="claims")
    client.force_login(viewer)

    response = client.get(reverse("service-detail", args=[portfolio.key, "claims"]), **HTMX)

    page = html(response)
    assert page.lstrip().startswith('<section id="findings-panel"')
    assert "VCP-E001" in page
    assert "hx-swap-oob" not in page


def test_service_page_unknown_service_is_404(client, portfolio, viewer):
    client.force_login(viewer)

    response = client.get(reverse("service-detail", args=[portfolio.key, "nope"]))

    assert response.status_code == 404


def test_service_page_of_other_portfolio_is_404(client, portfolio, viewer, make_portfolio, make_service):
    other = make_portfolio()
    make_service(other, key="secret")
    client.force_login(viewer)

    response = client.get(reverse("service-detail", args=[portfolio.key, "secret"]))

    assert response.status_code == 404


def test_service_page_follows_library_change(client, portfolio, viewer, make_service, tmp_path):
    make_service(portfolio, key="claims", patterns=[IPV])
    client.force_login(viewer)
    url = reverse("service-detail", args=[portfolio.key, "claims"])
    assert "Discover" in html(client.get(url))
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    data["activities"][0]["name"] = "Discover and frame"
    changed = tmp_path / "library.json"
    changed.write_text(json.dumps(data), encoding="utf-8")

    sync_library(path=changed)

    assert "Discover and frame" in html(client.get(url))


def test_pages_follow_library_rows_saved_one_by_one(client, portfolio, viewer, make_service):
    service = make_service(portfolio, key="claims", patterns=[IPV])
    client.force_login(viewer)
    pages = [reverse(name, args=args) for name, args in (
        ("dashboard", [portfolio.key]), ("service-list", [portfolio.key]),
        ("service-detail", [portfolio.key, "claims"]))]
    for url in pages:
        client.get(url)
    # As the Django admin saves them: one row at a time, without sync_library.
    activity = LifecycleActivity.objects.get(key="discover")
    activity.name = "Discover and frame"
    activity.save()
    pattern = Pattern.objects.create(key="admin-made", name="Admin-made pattern", category="internal_it",
                                     position=99)
    Expectation.objects.create(pattern=pattern, activity=activity, accountable_kinds=["technology"])
    service_assign_pattern(service=service, pattern_key="admin-made")

    responses = [client.get(url) for url in pages]

    assert [response.status_code for response in responses] == [200, 200, 200]
    assert all("Admin-made pattern" in html(response) for response in responses)
    assert "Discover and frame" in html(responses[2])
