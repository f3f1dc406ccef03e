"""Each page runs the same number of SQL queries at 5 and at 60 services.

The analysis result is primed before each measured request, so the counts
cover the page's own reads and not the engine's snapshot.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portfolio.analysis import analyse_portfolio
from portfolio.models import Portfolio, Role, Service

PATTERN_MIX = ["internal-product-vendor", "managed-service-provider"]
HTMX = {"HTTP_HX_REQUEST": "true"}


def fill(portfolio, count, make_service, make_team, make_responsibility):
    teams = [make_team(portfolio, party_kind=kind) for kind in ("technology", "vendor", "business")]
    for number in range(count):
        service = make_service(portfolio, key=f"svc-{number:03d}", owner=teams[number % 3],
                               patterns=PATTERN_MIX[: number % 3])
        make_responsibility(service, "operate", teams[number % 3])
        make_responsibility(service, "support", teams[(number + 1) % 3], role="C")
    # Attested services in every state: fresh, needing review and stale.
    now = timezone.now()
    services = Service.objects.filter(portfolio=portfolio)
    services.filter(key__endswith="0").update(attested_at=now)
    services.filter(key__endswith="1").update(attested_at=now, mapping_review_needed=True)
    services.filter(key__endswith="2").update(attested_at=now - timedelta(days=365))


def count_queries(client, portfolio, url, **headers) -> int:
    analyse_portfolio(Portfolio.objects.get(pk=portfolio.pk))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(queries)


def page_urls(key):
    return {
        "dashboard": (reverse("dashboard", args=[key]), {}),
        "service list": (reverse("service-list", args=[key]), {}),
        "service list partial": (reverse("service-list", args=[key]) + "?q=svc", HTMX),
        "service list by attestation": (reverse("service-list", args=[key]) + "?attestation=review", {}),
        "service page": (reverse("service-detail", args=[key, "svc-002"]), {}),
        "findings partial": (reverse("service-detail", args=[key, "svc-002"]), HTMX),
    }


@pytest.mark.parametrize("page", list(page_urls("x")))
def test_query_count_is_constant(
    client, make_portfolio, make_member, make_service, make_team, make_responsibility, page
):
    small = make_portfolio()
    large = make_portfolio()
    fill(small, 5, make_service, make_team, make_responsibility)
    fill(large, 60, make_service, make_team, make_responsibility)
    user = make_member(small, Role.EDITOR)
    large.memberships.create(user=user, role=Role.EDITOR)
    client.force_login(user)

    small_url, headers = page_urls(small.key)[page]
    large_url, _ = page_urls(large.key)[page]
    small_count = count_queries(client, small, small_url, **headers)
    large_count = count_queries(client, large, large_url, **headers)

    assert small_count == large_count


@pytest.mark.parametrize(
    ("page", "limit"),
    [
        ("dashboard", 6),
        # Both read the catalogue lookups on a miss (four queries); see test_service_list_queries.py.
        ("service list", 9),
        ("service list partial", 9),
        ("service list by attestation", 9),
        # The context answers of the details form read the decision factors (one query).
        ("service page", 11),
        ("findings partial", 4),
    ],
)
def test_query_count_stays_within_limit(
    client, portfolio, make_member, make_service, make_team, make_responsibility,
    django_assert_max_num_queries, page, limit,
):
    fill(portfolio, 60, make_service, make_team, make_responsibility)
    client.force_login(make_member(portfolio, Role.EDITOR))
    url, headers = page_urls(portfolio.key)[page]
    analyse_portfolio(Portfolio.objects.get(pk=portfolio.pk))

    with django_assert_max_num_queries(limit):
        client.get(url, **headers)


def test_service_list_counts_rows_once(client, portfolio, make_member, make_service, make_team,
                                       make_responsibility):
    fill(portfolio, 60, make_service, make_team, make_responsibility)
    client.force_login(make_member(portfolio, Role.VIEWER))
    analyse_portfolio(Portfolio.objects.get(pk=portfolio.pk))

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("service-list", args=[portfolio.key]), {"page": 2})

    assert sum("COUNT(" in query["sql"].upper() for query in queries) == 1


def count_write_queries(client, portfolio, url, data) -> int:
    analyse_portfolio(Portfolio.objects.get(pk=portfolio.pk))
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data, **HTMX)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("write", ["assign pattern", "set accountable"])
def test_write_query_count_is_constant(
    client, make_portfolio, make_member, make_service, make_team, make_responsibility, write
):
    # The write raises the revision, so each response also reloads the engine's snapshot,
    # whose query count is constant as well.
    counts = []
    user = make_member(None)
    client.force_login(user)
    for size in (5, 60):
        portfolio = make_portfolio()
        fill(portfolio, size, make_service, make_team, make_responsibility)
        portfolio.memberships.create(user=user, role=Role.EDITOR)
        team = portfolio.teams.order_by("pk").first()
        if write == "assign pattern":
            url = reverse("service-assign-pattern", args=[portfolio.key, "svc-000"])
            data = {"pattern": "service-integrator"}
        else:
            url = reverse("service-set-accountable", args=[portfolio.key, "svc-002", "build"])
            data = {"team": team.pk}
        counts.append(count_write_queries(client, portfolio, url, data))

    assert counts[0] == counts[1]
