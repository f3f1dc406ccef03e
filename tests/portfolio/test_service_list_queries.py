"""The catalogue page runs the same SQL queries at 10 and at 1,000 services, with any filter and sort."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portfolio.catalogue.lookups import lookup_cache
from portfolio.models import PatternAssignment, Role, Service, Team
from portfolio.services import responsibility_set_role, team_update
from portfolio.signals import portfolio_bump_revision

HTMX = {"HTTP_HX_REQUEST": "true"}
PATTERNS = ["internal-product-vendor", "managed-service-provider", "service-integrator"]
STATUSES = ["live", "planned", "retired"]
VARIANTS = {
    "default": {},
    "search, filters and owner sort": {"q": "service", "status": "live", "pattern": PATTERNS[0],
                                       "sort": "-owner"},
    "status sort, second page": {"sort": "status", "page": "2"},
    "findings filter": {"findings": "error", "sort": "key"},
    "findings sort": {"sort": "-findings", "page": "2"},
    "no pattern, no owner": {"pattern": "none", "owner": "none"},
    "attestation filter": {"attestation": "review", "sort": "status"},
    "attestation and findings": {"attestation": "stale", "findings": "error"},
}


def fill(portfolio, count: int) -> None:
    """Write `count` services, their teams and pattern assignments with a few bulk INSERTs.

    Every variant matches some services even at 10; service 3 has neither a pattern nor an owner.
    By the service's number modulo 4, its attestation is fresh (0), stale (1), needs review (2)
    or missing (3).
    """
    teams = Team.objects.bulk_create(
        [Team(portfolio=portfolio, name=f"Team {number}", party_kind="technology") for number in range(20)]
    )
    services = Service.objects.bulk_create([
        Service(portfolio=portfolio, key=f"svc-{number:04d}", name=f"Service {number % 97}",
                status=STATUSES[number % 3], owner=None if number % 7 == 3 else teams[number % 20])
        for number in range(count)
    ])
    PatternAssignment.objects.bulk_create([
        PatternAssignment(service=service, pattern_id=PATTERNS[number % 4], activities=["operate"])
        for number, service in enumerate(services) if number % 4 < 3
    ])
    now = timezone.now()
    for number, service in enumerate(services):
        if number % 4 != 3:
            service.attested_at = now - timedelta(days=400 if number % 4 == 1 else 1)
            service.mapping_review_needed = number % 4 == 2
    Service.objects.bulk_update(services, ["attested_at", "mapping_review_needed"])
    portfolio_bump_revision(portfolio.pk)


def captured(client, url, params, headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params, **headers)
    assert response.status_code == 200
    return [query["sql"] for query in queries]


@pytest.fixture
def sizes(make_portfolio, make_member, client):
    """A user who is an editor of a portfolio of 10 and one of 1,000 services."""
    small, large = make_portfolio(), make_portfolio()
    fill(small, 10)
    fill(large, 1000)
    user = make_member(small, Role.EDITOR)
    large.memberships.create(user=user, role=Role.EDITOR)
    client.force_login(user)
    return {10: small, 1000: large}


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "partial"])
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_queries_same_at_10_and_1000(client, sizes, variant, headers):
    counts = {}
    for size, portfolio in sizes.items():
        url = reverse("service-list", args=[portfolio.key])
        client.get(url, VARIANTS[variant], **headers)
        counts[size] = len(captured(client, url, VARIANTS[variant], headers))

    assert counts[10] == counts[1000]


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "partial"])
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_queries_at_most_six_once_cached(client, sizes, variant, headers):
    portfolio = sizes[1000]
    url = reverse("service-list", args=[portfolio.key])
    client.get(url, VARIANTS[variant], **headers)

    queries = captured(client, url, VARIANTS[variant], headers)

    # Session, user, access with memberships, then COUNT and rows (or ids and rows), then pattern names.
    assert len(queries) <= 6


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_at_most_one_count(client, sizes, variant):
    portfolio = sizes[1000]

    queries = captured(client, reverse("service-list", args=[portfolio.key]), VARIANTS[variant], {})

    assert sum("COUNT(" in sql.upper() for sql in queries) <= 1


def test_lookups_miss_costs_one_query(client, sizes):
    portfolio = sizes[1000]
    url = reverse("service-list", args=[portfolio.key])
    client.get(url)
    warm = len(captured(client, url, {}, {}))
    lookup_cache.clear()

    cold = len(captured(client, url, {}, {}))

    # The teams; the pattern and activity names come from the analysis's library snapshot.
    assert cold == warm + 1


def test_write_refreshes_lookups(client, sizes):
    portfolio = sizes[10]
    url = reverse("service-list", args=[portfolio.key])
    client.get(url)
    Team.objects.create(portfolio=portfolio, name="Brand new team", party_kind="vendor")

    page = client.get(url).content.decode()

    assert "Brand new team (Vendor)" in page


def test_service_write_keeps_lookups(client, sizes):
    portfolio = sizes[10]
    url = reverse("service-list", args=[portfolio.key])
    client.get(url)
    service = Service.objects.filter(portfolio=portfolio).order_by("key").first()
    team = Team.objects.filter(portfolio=portfolio).order_by("pk").first()
    responsibility_set_role(service=service, activity_key="operate", team=team, role="R", held=True)

    queries = captured(client, url, {}, {})

    assert [sql for sql in queries if 'FROM "portfolio_team"' in sql] == []


def test_team_rename_refreshes_lookups(client, sizes):
    portfolio = sizes[10]
    url = reverse("service-list", args=[portfolio.key])
    client.get(url)
    team = Team.objects.filter(portfolio=portfolio).order_by("pk").first()
    team_update(team=team, name="Renamed platform team")

    page = client.get(url).content.decode()

    assert "Renamed platform team (Technology)" in page
