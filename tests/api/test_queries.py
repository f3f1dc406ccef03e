"""Every list operation runs the same number of SQL queries at 10 and at 1,000 services."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portfolio.analysis.engine import result_cache
from portfolio.api.main import api
from portfolio.api.pagination import MAX_LIMIT
from portfolio.models import PatternAssignment, Responsibility, Role, Service, Team, Waiver
from portfolio.signals import portfolio_bump_revision

# Token and membership (2), a cold analysis with waivers (13 when measured), a page with its
# prefetches and COUNT (4).
MAX_QUERIES = 20


def _list_paths() -> list[str]:
    """Return the path of every GET operation whose response is a page of items."""
    schema = api.get_openapi_schema(path_prefix="")
    paths = []
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None:
            continue
        ref = get["responses"][200]["content"]["application/json"]["schema"]["$ref"]
        component = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
        if "items" in component["properties"]:
            paths.append(path)
    return paths


LIST_PATHS = _list_paths()


def _grow(portfolio, services: int) -> None:
    """Add teams, services, pattern assignments, RACI cells and waivers until `services` exist."""
    start = Service.objects.filter(portfolio=portfolio).count()
    numbers = range(start, services)
    Team.objects.bulk_create([
        Team(portfolio=portfolio, name=f"Bulk team {n}", party_kind="technology")
        for n in numbers if n % 10 == 0
    ])
    team = Team.objects.filter(portfolio=portfolio).first()
    Service.objects.bulk_create([
        Service(portfolio=portfolio, key=f"bulk-{n:05d}", name=f"Bulk service {n}", owner=team)
        for n in numbers
    ])
    rows = list(Service.objects.filter(portfolio=portfolio, key__gte=f"bulk-{start:05d}",
                                       key__startswith="bulk-"))
    PatternAssignment.objects.bulk_create([
        PatternAssignment(service=row, pattern_id="internal-service-delivery",
                          activities=["operate", "deliver", "support"]) for row in rows
    ])
    Responsibility.objects.bulk_create([
        Responsibility(service=row, activity_id=activity, team=team, role=role)
        for row in rows for activity, role in (("operate", "A"), ("support", "C"))
    ])
    approver = get_user_model().objects.get_or_create(username="bulk-approver")[0]
    Waiver.objects.bulk_create([
        Waiver(portfolio=portfolio, code="VCP-W998", subject=f"service:{row.key}", justification="Bulk.",
               approver="CIO", expires_on=timezone.localdate(), accepted_by=approver) for row in rows
    ])
    portfolio_bump_revision(portfolio.pk)


def _count_queries(client, path: str) -> int:
    client.get(path, limit=MAX_LIMIT)
    # A cold analysis both times, so that the two counts compare like with like.
    result_cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, limit=MAX_LIMIT)
    assert response.status_code == 200, response.content
    return len(queries)


def test_every_list_operation_is_measured():
    assert len(LIST_PATHS) == 10


@pytest.mark.parametrize("path", LIST_PATHS)
def test_list_queries_constant_from_10_to_1000_services(path, world, api_as):
    client = api_as(world.portfolio, Role.VIEWER)
    url = path.format(key=world.portfolio.key)
    _grow(world.portfolio, 10)
    small = _count_queries(client, url)
    _grow(world.portfolio, 1000)
    large = _count_queries(client, url)
    assert small == large
    assert large <= MAX_QUERIES
