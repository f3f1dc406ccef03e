"""Membership and role checks on every portfolio URL, and the access helper itself."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse

from portfolio.access import portfolio_for_request, role_allows
from portfolio.models import Role

IPV = "internal-product-vendor"

READ_URLS = [
    ("dashboard", []),
    ("service-list", []),
    ("service-detail", ["claims"]),
]

# (url name, extra args, POST data builder taking the team)
WRITE_URLS = [
    ("service-list", [], lambda team: {"key": "new", "name": "New", "status": "live"}),
    ("service-assign-pattern", ["claims"], lambda team: {"pattern": "managed-service-provider"}),
    ("service-remove-pattern", ["claims", IPV], lambda team: {}),
    ("service-set-accountable", ["claims", "build"], lambda team: {"team": team.pk}),
]


@pytest.fixture
def team(portfolio, make_service, make_team):
    make_service(portfolio, key="claims", patterns=[IPV])
    return make_team(portfolio)


def url_for(portfolio, name, args):
    return reverse(name, args=[portfolio.key, *args])


@pytest.mark.parametrize(("name", "args"), READ_URLS)
def test_anonymous_read_is_sent_to_login(client, portfolio, team, name, args):
    response = client.get(url_for(portfolio, name, args))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.parametrize(("name", "args", "data"), WRITE_URLS)
def test_anonymous_write_is_sent_to_login(client, portfolio, team, name, args, data):
    revision = type(portfolio).objects.get(pk=portfolio.pk).revision

    response = client.post(url_for(portfolio, name, args), data(team))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    assert type(portfolio).objects.get(pk=portfolio.pk).revision == revision


@pytest.mark.parametrize(("name", "args"), READ_URLS)
def test_anonymous_htmx_gets_client_redirect(client, portfolio, team, name, args):
    response = client.get(url_for(portfolio, name, args), HTTP_HX_REQUEST="true")

    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "args"), READ_URLS)
def test_non_member_read_is_404(client, portfolio, team, make_member, make_portfolio, name, args):
    client.force_login(make_member(make_portfolio(), Role.OWNER))

    response = client.get(url_for(portfolio, name, args))

    assert response.status_code == 404


@pytest.mark.parametrize(("name", "args", "data"), WRITE_URLS)
def test_non_member_write_is_404(client, portfolio, team, make_member, make_portfolio, name, args, data):
    client.force_login(make_member(make_portfolio(), Role.OWNER))

    response = client.post(url_for(portfolio, name, args), data(team))

    assert response.status_code == 404


def test_unknown_portfolio_is_404_like_foreign_one(client, make_member):
    client.force_login(make_member(None))

    response = client.get(reverse("dashboard", args=["does-not-exist"]))

    assert response.status_code == 404


@pytest.mark.parametrize(("name", "args"), READ_URLS)
@pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR, Role.OWNER])
def test_member_can_read(client, portfolio, team, make_member, role, name, args):
    client.force_login(make_member(portfolio, role))

    response = client.get(url_for(portfolio, name, args))

    assert response.status_code == 200


@pytest.mark.parametrize(("name", "args", "data"), WRITE_URLS)
def test_viewer_write_is_403_and_writes_nothing(client, portfolio, team, make_member, name, args, data):
    client.force_login(make_member(portfolio, Role.VIEWER))
    revision = type(portfolio).objects.get(pk=portfolio.pk).revision

    response = client.post(url_for(portfolio, name, args), data(team))

    assert response.status_code == 403
    assert type(portfolio).objects.get(pk=portfolio.pk).revision == revision


@pytest.mark.parametrize(("name", "args", "data"), WRITE_URLS)
@pytest.mark.parametrize("role", [Role.EDITOR, Role.OWNER])
def test_editor_and_owner_can_write(client, portfolio, team, make_member, role, name, args, data):
    client.force_login(make_member(portfolio, role))
    revision = type(portfolio).objects.get(pk=portfolio.pk).revision

    response = client.post(url_for(portfolio, name, args), data(team))

    assert response.status_code == 302
    assert type(portfolio).objects.get(pk=portfolio.pk).revision > revision


@pytest.mark.parametrize(
    ("role", "min_role", "allowed"),
    [
        (Role.VIEWER, Role.VIEWER, True),
        (Role.VIEWER, Role.EDITOR, False),
        (Role.EDITOR, Role.EDITOR, True),
        (Role.EDITOR, Role.OWNER, False),
        (Role.OWNER, Role.EDITOR, True),
        (Role.OWNER, Role.OWNER, True),
    ],
)
def test_role_allows_by_rank(role, min_role, allowed):
    assert role_allows(role, min_role) is allowed


def test_portfolio_for_request_returns_role(portfolio, make_member):
    request = RequestFactory().get("/")
    request.user = make_member(portfolio, Role.EDITOR)

    access = portfolio_for_request(request, portfolio.key)

    assert access.portfolio == portfolio
    assert access.role == Role.EDITOR
    assert access.can_edit is True
    assert access.is_owner is False


def test_portfolio_for_request_rejects_low_role(portfolio, make_member):
    request = RequestFactory().get("/")
    request.user = make_member(portfolio, Role.VIEWER)

    with pytest.raises(PermissionDenied):
        portfolio_for_request(request, portfolio.key, Role.EDITOR)


def test_portfolio_for_request_hides_foreign_portfolio(portfolio, make_member, make_portfolio):
    request = RequestFactory().get("/")
    request.user = make_member(make_portfolio(), Role.OWNER)

    with pytest.raises(Http404):
        portfolio_for_request(request, portfolio.key)


def test_portfolio_for_request_uses_one_query(portfolio, make_member, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = make_member(portfolio, Role.VIEWER)

    with django_assert_num_queries(1):
        portfolio_for_request(request, portfolio.key)


@pytest.mark.parametrize(("current_url", "expected_next"), [
    ("http://testserver/p/acme/services/?q=claims", "/p/acme/services/?q=claims"),
    ("https://elsewhere.example/p/acme/", None),
    (None, None),
])
def test_expired_htmx_post_returns_to_page(client, portfolio, team, current_url, expected_next):
    """After the login the user lands on the page they were on, not on the POST-only endpoint."""
    url = url_for(portfolio, "service-set-accountable", ("claims", "build"))
    headers = {"HTTP_HX_REQUEST": "true"}
    if current_url is not None:
        headers["HTTP_HX_CURRENT_URL"] = current_url

    response = client.post(url, {}, **headers)

    assert response.status_code == 204
    target = urlsplit(response["HX-Redirect"])
    assert target.path == reverse("login")
    next_url = parse_qs(target.query)["next"][0]
    assert next_url == (expected_next or url)
