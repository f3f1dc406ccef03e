"""Report pages and exports run the same number of SQL queries at 5 and at 40 services."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portfolio.models import Role
from portfolio.reports.publishing import report_publish
from tests.portfolio.reports.conftest import fill

# Session, user, membership, team and pattern choices, the snapshot's 12, waivers, library
# release, governance risks, team details, service descriptions, latest published report, plus
# a savepoint or two around a stream.
MAX_QUERIES = 24

LIVE = {
    "page": {},
    "filtered page": {"status": "live", "pattern": "internal-product-vendor"},
    "json": {"format": "json"},
    "csv table": {"format": "csv", "table": "raci"},
    "csv zip": {"format": "csv"},
    "xlsx": {"format": "xlsx"},
}


@pytest.fixture
def sized(make_portfolio, make_member, make_service, make_team, make_responsibility):
    """Portfolios of 5 and 40 services with one owner in both and one published report each."""
    owner = make_member(None, username="owner")
    portfolios = {}
    for size in (5, 40):
        portfolio = make_portfolio(key=f"size-{size}")
        portfolio.memberships.create(user=owner, role=Role.OWNER)
        portfolios[size] = fill(portfolio, size, owner, make_service, make_team, make_responsibility)
        report_publish(portfolio=portfolios[size], user=owner)
    return owner, portfolios


def count_queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", list(LIVE))
def test_live_report_queries_are_constant(client, sized, name):
    owner, portfolios = sized
    client.force_login(owner)

    counts = {size: count_queries(client, reverse("report", args=[portfolio.key]), LIVE[name])
              for size, portfolio in portfolios.items()}

    assert counts[5] == counts[40]
    assert counts[40] <= MAX_QUERIES


@pytest.mark.parametrize("page", ["list", "detail", "detail json", "detail xlsx", "diff"])
def test_published_report_queries_are_constant(client, sized, page):
    owner, portfolios = sized
    client.force_login(owner)
    counts = {}
    for size, portfolio in portfolios.items():
        report_publish(portfolio=portfolio, user=owner)
        latest = portfolio.published_reports.order_by("-pk").first()
        url, params = {
            "list": (reverse("report-published-list", args=[portfolio.key]), {}),
            "detail": (reverse("report-published", args=[portfolio.key, latest.pk]), {}),
            "detail json": (reverse("report-published", args=[portfolio.key, latest.pk]), {"format": "json"}),
            "detail xlsx": (reverse("report-published", args=[portfolio.key, latest.pk]), {"format": "xlsx"}),
            "diff": (reverse("report-diff", args=[portfolio.key]), {"new": latest.pk}),
        }[page]
        counts[size] = count_queries(client, url, params)

    assert counts[5] == counts[40]
    assert counts[40] <= 8


def test_build_report_query_count_is_bounded(sized, django_assert_max_num_queries):
    from django.utils import timezone

    from portfolio.reports.build import build_report

    _, portfolios = sized
    with django_assert_max_num_queries(18):
        build_report(portfolios[40], as_of=timezone.localdate(), author="x")
