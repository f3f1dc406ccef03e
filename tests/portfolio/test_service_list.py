"""The catalogue page: search, filters, sorting, pagination and the URL that carries them."""

import re

import pytest
from django.urls import reverse

from portfolio.catalogue.listing import ListState
from portfolio.models import Role

IPV = "internal-product-vendor"
MSP = "managed-service-provider"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def viewer(portfolio, make_member):
    return make_member(portfolio, Role.VIEWER)


@pytest.fixture
def catalogue(portfolio, make_service, make_team):
    """Five services whose findings differ: see each line for what the analysis reports."""
    ops = make_team(portfolio, "ops Team")
    apps = make_team(portfolio, "Apps team")
    # live, no owner, no pattern: one error (no pattern) and one warning (no owner)
    make_service(portfolio, key="alpha", name="alpha portal", description="Customer self-service")
    # live, owned, no pattern: one error
    make_service(portfolio, key="Bravo", name="Bravo ledger", owner=ops)
    # planned, no owner: one warning
    make_service(portfolio, key="charlie", name="charlie api", status="planned")
    # retired, owned: no findings
    make_service(portfolio, key="delta", name="Delta archive", status="retired", owner=apps)
    # live, owned, internal product vendor without accountable teams: eight errors
    make_service(portfolio, key="echo", name="echo app", owner=apps, patterns=[IPV])
    return {"ops": ops, "apps": apps}


def list_url(portfolio, **params):
    return reverse("service-list", args=[portfolio.key]), params


def keys_on_page(client, portfolio, **params) -> list[str]:
    url, query = list_url(portfolio, **params)
    page = client.get(url, query, **HTMX).content.decode()
    return re.findall(r"<code>([^<]+)</code>", page)


# --- search and filters -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "SELF-SERVICE"}, ["alpha"]),
        ({"q": "bravo"}, ["Bravo"]),
        ({"q": "api"}, ["charlie"]),
        ({"pattern": IPV}, ["echo"]),
        ({"pattern": "none"}, ["alpha", "Bravo", "charlie", "delta"]),
        ({"pattern": MSP}, []),
        ({"status": "planned"}, ["charlie"]),
        ({"owner": "none"}, ["alpha", "charlie"]),
        ({"findings": "error"}, ["alpha", "Bravo", "echo"]),
        ({"findings": "warning"}, ["alpha", "charlie"]),
        ({"findings": "info"}, []),
        ({"status": "live", "owner": "none"}, ["alpha"]),
        ({"findings": "error", "q": "LE"}, ["Bravo"]),
    ],
)
def test_filters_select_services(client, portfolio, viewer, catalogue, params, expected):
    client.force_login(viewer)

    assert keys_on_page(client, portfolio, **params) == expected


def test_owner_filter_selects_team(client, portfolio, viewer, catalogue):
    client.force_login(viewer)

    assert keys_on_page(client, portfolio, owner=catalogue["apps"].pk) == ["delta", "echo"]


@pytest.mark.parametrize(
    "params",
    [{"status": "lost"}, {"owner": "999999"}, {"owner": "ops"}, {"pattern": "nope"}, {"findings": "fatal"},
     {"sort": "colour"}, {"page": "last"}, {"page": "-3"}],
)
def test_invalid_parameters_are_ignored(client, portfolio, viewer, catalogue, params):
    client.force_login(viewer)

    response = client.get(*list_url(portfolio, **params))

    assert response.status_code == 200
    assert keys_on_page(client, portfolio, **params) == ["alpha", "Bravo", "charlie", "delta", "echo"]


def test_search_ignores_nul_characters(client, portfolio, viewer, catalogue):
    # PostgreSQL rejects a NUL character in a query parameter; the search drops it instead.
    client.force_login(viewer)

    response = client.get(*list_url(portfolio, q="br\x00avo"))

    assert response.status_code == 200
    assert keys_on_page(client, portfolio, q="br\x00avo") == ["Bravo"]


def test_no_match_for_filters_offers_clearing(client, portfolio, viewer, catalogue):
    client.force_login(viewer)

    page = client.get(*list_url(portfolio, pattern=MSP)).content.decode()

    assert "No service matches these filters." in page
    assert f'href="{reverse("service-list", args=[portfolio.key])}">Clear filters' in page


# --- sorting ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["alpha", "Bravo", "charlie", "delta", "echo"]),
        ("-name", ["echo", "delta", "charlie", "Bravo", "alpha"]),
        ("key", ["alpha", "Bravo", "charlie", "delta", "echo"]),
        ("-key", ["echo", "delta", "charlie", "Bravo", "alpha"]),
        # planned, live, retired; equal statuses by key
        ("status", ["charlie", "Bravo", "alpha", "echo", "delta"]),
        ("-status", ["delta", "Bravo", "alpha", "echo", "charlie"]),
        # "Apps team" before "ops Team" ignoring case; services without an owner last either way
        ("owner", ["delta", "echo", "Bravo", "alpha", "charlie"]),
        ("-owner", ["Bravo", "delta", "echo", "alpha", "charlie"]),
        # fewest findings first: none, one warning, one error, error and warning, eight errors
        ("findings", ["delta", "charlie", "Bravo", "alpha", "echo"]),
        ("-findings", ["echo", "alpha", "Bravo", "charlie", "delta"]),
    ],
)
def test_sort_orders_rows(client, portfolio, viewer, catalogue, sort, expected):
    client.force_login(viewer)

    assert keys_on_page(client, portfolio, sort=sort) == expected


@pytest.mark.parametrize("sort", ["name", "-name", "owner", "-findings"])
def test_sort_breaks_ties_by_key(client, portfolio, viewer, make_service, sort):
    for key in ("b-2", "a-1", "c-3"):
        make_service(portfolio, key=key, name="Same name", status="retired")
    client.force_login(viewer)

    assert keys_on_page(client, portfolio, sort=sort) == ["a-1", "b-2", "c-3"]


def test_sort_links_toggle_and_keep_filters(client, portfolio, viewer, catalogue):
    client.force_login(viewer)

    page = client.get(*list_url(portfolio, status="live", sort="name")).content.decode()

    assert re.search(r'aria-sort="ascending">\s*<a href="\?status=live&amp;sort=-name"', page)
    assert '<a href="?status=live&amp;sort=key"' in page
    # Findings sort most findings first on the first click.
    assert '<a href="?status=live&amp;sort=-findings"' in page


def test_filter_form_carries_current_sort(client, portfolio, viewer, catalogue):
    client.force_login(viewer)

    page = client.get(*list_url(portfolio, sort="-owner")).content.decode()

    assert '<input type="hidden" name="sort" value="-owner" form="service-filter">' in page


# --- pagination ---------------------------------------------------------------------------------


@pytest.fixture
def many(portfolio, make_service):
    for number in range(120):
        make_service(portfolio, key=f"svc-{number:03d}", name=f"Service {number:03d}",
                     status="planned" if number % 2 else "live")


def test_pages_hold_fifty_in_order(client, portfolio, viewer, many):
    client.force_login(viewer)

    third = keys_on_page(client, portfolio, page=3)

    assert keys_on_page(client, portfolio)[:2] == ["svc-000", "svc-001"]
    assert len(keys_on_page(client, portfolio, page=2)) == 50
    assert third == [f"svc-{number:03d}" for number in range(100, 120)]


def test_page_links_keep_filters_and_sort(client, portfolio, viewer, many):
    client.force_login(viewer)

    page = client.get(*list_url(portfolio, status="live", sort="-key")).content.decode()

    assert 'href="?status=live&amp;sort=-key&amp;page=2"' in page
    assert "Page 1 of 2" in page


def test_page_after_last_shows_last_page(client, portfolio, viewer, many):
    client.force_login(viewer)

    response = client.get(*list_url(portfolio, page=9), **HTMX)

    assert "Page 3 of 3" in response.content.decode()
    assert response["HX-Push-Url"] == reverse("service-list", args=[portfolio.key]) + "?page=3"


def test_first_page_link_is_bare_path(client, portfolio, viewer, many):
    client.force_login(viewer)

    page = client.get(*list_url(portfolio, page=2)).content.decode()

    assert f'href="{reverse("service-list", args=[portfolio.key])}" hx-get' in page


# --- htmx and caching ---------------------------------------------------------------------------


def test_htmx_gets_table_and_tidy_pushed_url(client, portfolio, viewer, catalogue):
    client.force_login(viewer)
    url = reverse("service-list", args=[portfolio.key])

    response = client.get(url, {"q": " echo ", "pattern": "", "status": "", "sort": "name"}, **HTMX)

    assert response.content.decode().lstrip().startswith('<section id="service-table"')
    assert response["HX-Push-Url"] == url + "?q=echo"


@pytest.mark.parametrize("headers", [{}, HTMX, {**HTMX, "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}])
def test_responses_vary_on_htmx_headers(client, portfolio, viewer, headers):
    client.force_login(viewer)

    response = client.get(reverse("service-list", args=[portfolio.key]), **headers)

    vary = [value.strip() for value in response["Vary"].split(",")]
    assert "HX-Request" in vary
    assert "HX-History-Restore-Request" in vary


def test_history_restore_gets_whole_page_with_state(client, portfolio, viewer, catalogue):
    client.force_login(viewer)

    response = client.get(reverse("service-list", args=[portfolio.key]), {"status": "planned"},
                          HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX)

    page = response.content.decode()
    assert "<html" in page
    assert '<option value="planned" selected>' in page
    assert "HX-Push-Url" not in response


def test_full_page_has_no_pushed_url(client, portfolio, viewer):
    client.force_login(viewer)

    response = client.get(reverse("service-list", args=[portfolio.key]))

    assert "HX-Push-Url" not in response


# --- roles --------------------------------------------------------------------------------------


def test_editor_sees_checkboxes_and_bulk_form(client, portfolio, make_member, catalogue):
    client.force_login(make_member(portfolio, Role.EDITOR))

    page = client.get(reverse("service-list", args=[portfolio.key])).content.decode()

    assert 'id="bulk-form"' in page
    assert page.count('name="services"') == 5
    assert "Select all on this page" in page
    assert 'name="list_state" value=""' in page


def test_viewer_sees_no_selection(client, portfolio, viewer, catalogue):
    client.force_login(viewer)

    page = client.get(reverse("service-list", args=[portfolio.key])).content.decode()

    assert 'id="bulk-form"' not in page
    assert 'name="services"' not in page


# --- the state object ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "query"),
    [
        (ListState(), ""),
        (ListState(page=2), "?page=2"),
        (ListState(search="a b", status="live", sort="owner", descending=True),
         "?q=a+b&status=live&sort=-owner"),
        (ListState(pattern="none", owner="7", findings="error"), "?pattern=none&owner=7&findings=error"),
    ],
)
def test_state_query_leaves_out_defaults(state, query):
    assert state.query() == query


def test_state_sorted_by_resets_page():
    state = ListState(sort="name", page=4)

    assert state.sorted_by("name") == ListState(sort="name", descending=True, page=1)
    assert state.sorted_by("status") == ListState(sort="status", page=1)
    assert state.sorted_by("findings") == ListState(sort="findings", descending=True, page=1)
