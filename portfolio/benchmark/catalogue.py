"""Time the catalogue page against the Django admin changelist of the same services.

`measure_catalogue` uses the benchmark's portfolios of 1,000 and 10,000
services (kept ones when `manage.py benchmark --keep` left them, else new
ones) and a superuser who owns both. With `django.test.Client` it requests,
in interleaved pairs: the catalogue page and the admin changelist of the same
services at 10,000, 50 rows a page each; the catalogue's htmx partial and that
changelist; and the catalogue page at 1,000 and at 10,000 services. It counts
the SQL queries of one request of each. The requests go through the whole
middleware stack, but not through HTTP parsing or a socket.
"""

import secrets
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from portfolio.analysis import analyse_portfolio
from portfolio.benchmark.generate import delete_portfolio
from portfolio.benchmark.measure import PairedSamples, time_pairs
from portfolio.benchmark.runner import prepare_portfolio
from portfolio.catalogue.listing import PAGE_SIZE
from portfolio.models import Membership, Portfolio, Role, Service

SIZES = (1_000, 10_000)
# The performance budget of the catalogue page.
PAGE_VS_ADMIN_TARGET = 1.0
PARTIAL_VS_ADMIN_TARGET = 0.5
GROWTH_TARGET = 1.3
HTMX = {"HTTP_HX_REQUEST": "true"}


@dataclass(frozen=True)
class RequestCost:
    queries: int
    counts: int


@dataclass(frozen=True)
class CatalogueCheck:
    what: str
    measured: str
    target: str
    passed: bool

    @property
    def verdict(self) -> str:
        return "pass" if self.passed else "**fail**"


@dataclass(frozen=True)
class CatalogueMeasurement:
    pairs: int
    page_vs_admin: PairedSamples
    partial_vs_admin: PairedSamples
    growth: PairedSamples
    costs: dict[str, RequestCost]

    def checks(self) -> list[CatalogueCheck]:
        small, large = (f"{size:,}" for size in SIZES)
        page, admin_cost = self.costs[f"page at {large}"], self.costs[f"admin at {large}"]
        ratio = self.page_vs_admin.median_ratio
        partial = self.partial_vs_admin.median_ratio
        growth = self.growth.median_ratio
        most_counts = max(cost.counts for name, cost in self.costs.items() if not name.startswith("admin"))
        return [
            CatalogueCheck(f"catalogue page / admin changelist at {large} services", f"{ratio:.2f}×",
                           f"≤ {PAGE_VS_ADMIN_TARGET:.1f}×", ratio <= PAGE_VS_ADMIN_TARGET),
            CatalogueCheck(f"queries: catalogue page / admin changelist at {large} services",
                           f"{page.queries} / {admin_cost.queries}", "no more than the admin",
                           page.queries <= admin_cost.queries),
            CatalogueCheck(f"catalogue htmx partial / admin changelist at {large} services",
                           f"{partial:.2f}×", f"≤ {PARTIAL_VS_ADMIN_TARGET:.1f}×",
                           partial <= PARTIAL_VS_ADMIN_TARGET),
            CatalogueCheck(f"catalogue page at {large} / at {small} services", f"{growth:.2f}×",
                           f"≤ {GROWTH_TARGET:.1f}×", growth <= GROWTH_TARGET),
            CatalogueCheck("COUNT queries per catalogue request", str(most_counts), "≤ 1", most_counts <= 1),
        ]

    def markdown(self) -> str:
        """Describe the measurement as a Markdown section: the checks, then the times and queries."""
        lines = [
            "## Catalogue page",
            "",
            f"The catalogue page (`/p/<key>/services/`, {PAGE_SIZE} services a page, sorted by name) against "
            "the Django admin changelist of the same services with the same page size. Both are requested "
            "with `django.test.Client` as a superuser who owns the portfolio, after a warm-up that fills the "
            f"analysis and lookup caches. {self.pairs} interleaved pairs per comparison; a ratio is the "
            "median of the per-pair ratios. Measured by `portfolio.benchmark.catalogue.measure_catalogue`.",
            "",
            "| what | measured | target | result |",
            "|---|---|---|---|",
            *(f"| {check.what} | {check.measured} | {check.target} | {check.verdict} |"
              for check in self.checks()),
            "",
            "| request | median (min–max) | SQL queries | of them COUNT |",
            "|---|---|---|---|",
            *self._request_rows(),
        ]
        return "\n".join(lines) + "\n"

    def _request_rows(self) -> list[str]:
        small, large = (f"{size:,}" for size in SIZES)
        timed = {
            f"page at {large}": self.page_vs_admin.second,
            f"admin at {large}": self.page_vs_admin.first,
            f"partial at {large}": self.partial_vs_admin.second,
            f"page at {small}": self.growth.first,
        }
        rows = []
        for name, samples in timed.items():
            cost = self.costs[name]
            spread = f"{_ms(samples.median)} ({_ms(samples.low)}–{_ms(samples.high)})"
            rows.append(f"| {_label(name)} | {spread} | {cost.queries} | {cost.counts} |")
        return rows


def measure_catalogue(*, pairs: int, seed: int, keep: bool, progress) -> CatalogueMeasurement:
    """Time the catalogue page, its partial and the admin changelist; see the module docstring."""
    portfolios, generated = {}, []
    user = None
    try:
        for size in SIZES:
            portfolios[size], seconds = prepare_portfolio(size, seed, progress)
            if seconds is not None:
                generated.append(portfolios[size])
        user = _owner(portfolios.values())
        with _benchmark_settings(), _admin_page_size(PAGE_SIZE):
            return _measure(portfolios, user, pairs, progress)
    finally:
        if user is not None:
            user.delete()
        if not keep:
            for portfolio in generated:
                delete_portfolio(portfolio)


def _measure(portfolios: dict[int, Portfolio], user, pairs: int, progress) -> CatalogueMeasurement:
    small, large = SIZES
    client = Client()
    client.force_login(user)
    page_url = {size: reverse("service-list", args=[portfolios[size].key]) for size in SIZES}
    admin_url = {large: reverse("admin:portfolio_service_changelist")
                 + f"?portfolio__id__exact={portfolios[large].pk}"}
    requests = {
        f"page at {large:,}": lambda: _get(client, page_url[large]),
        f"page at {small:,}": lambda: _get(client, page_url[small]),
        f"partial at {large:,}": lambda: _get(client, page_url[large], HTMX),
        f"admin at {large:,}": lambda: _get(client, admin_url[large]),
    }
    for portfolio in portfolios.values():
        analyse_portfolio(Portfolio.objects.get(pk=portfolio.pk))
    costs = {name: _cost(request) for name, request in requests.items()}

    progress(f"catalogue page against the admin changelist at {large:,} services, {pairs} pairs")
    page_vs_admin = time_pairs(requests[f"admin at {large:,}"], requests[f"page at {large:,}"], pairs)
    progress(f"catalogue partial against the admin changelist at {large:,} services, {pairs} pairs")
    partial_vs_admin = time_pairs(requests[f"admin at {large:,}"], requests[f"partial at {large:,}"], pairs)
    progress(f"catalogue page at {small:,} against {large:,} services, {pairs} pairs")
    growth = time_pairs(requests[f"page at {small:,}"], requests[f"page at {large:,}"], pairs)
    client.logout()
    return CatalogueMeasurement(pairs, page_vs_admin, partial_vs_admin, growth, costs)


def _get(client: Client, url: str, headers=None) -> None:
    response = client.get(url, **(headers or {}))
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} returned {response.status_code}, not 200")


def _cost(request) -> RequestCost:
    """Run `request` once after a warm-up; return its SQL statements and how many of them are COUNTs."""
    request()
    statements = []

    def recording(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(recording):
        request()
    return RequestCost(len(statements), sum("COUNT(" in sql.upper() for sql in statements))


def _owner(portfolios) -> object:
    """Create a superuser who owns every portfolio in `portfolios`, so both sides show the same rows."""
    user = get_user_model().objects.create_user(
        username=f"catalogue-benchmark-{secrets.token_hex(4)}", is_staff=True, is_superuser=True,
    )
    Membership.objects.bulk_create([Membership(portfolio=portfolio, user=user, role=Role.OWNER)
                                    for portfolio in portfolios])
    return user


def _benchmark_settings():
    # The test client's host is "testserver". Plain static storage needs no collectstatic
    # manifest, and both pages pay the same for their stylesheet links.
    storages = {**settings.STORAGES,
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    return override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"], STORAGES=storages)


@contextmanager
def _admin_page_size(size: int):
    """Give the services changelist `size` rows a page while the block runs."""
    model_admin = admin.site._registry[Service]
    previous = model_admin.list_per_page
    model_admin.list_per_page = size
    try:
        yield
    finally:
        model_admin.list_per_page = previous


def _label(name: str) -> str:
    what, _at, size = name.partition(" at ")
    labels = {"page": "catalogue page", "partial": "catalogue htmx partial", "admin": "admin changelist"}
    return f"{labels[what]}, {size} services"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"
