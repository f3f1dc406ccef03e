"""The benchmark's measurement plan: what `manage.py benchmark` times at each portfolio size."""

import logging
import random
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.utils import translation

from portfolio.analysis.engine import AnalysisResult, analyse
from portfolio.analysis.incremental import reanalyse_service
from portfolio.analysis.snapshot import load_snapshot
from portfolio.benchmark.generate import delete_portfolio, generate_portfolio
from portfolio.benchmark.measure import (
    PairedSamples,
    Samples,
    count_queries,
    time_once,
    time_pairs,
    time_repeated,
)
from portfolio.benchmark.naive import naive_analyse
from portfolio.models import PatternAssignment, Portfolio, Responsibility, Service, Team

logger = logging.getLogger(__name__)


@dataclass
class Plan:
    sizes: list[int]
    pairs: int
    naive_pairs: int
    seed: int
    keep: bool
    # The naive loop runs `naive_pairs` pairs from this size on, `pairs` below it.
    slow_naive_from: int = 10_000

    def naive_pairs_for(self, size: int) -> int:
        return self.naive_pairs if size >= self.slow_naive_from else self.pairs


@dataclass
class SizeResult:
    services: int
    teams: int
    assignments: int
    cells: int
    findings: int
    generated_seconds: float | None
    engine_queries: int
    naive_queries: int
    versus_naive: PairedSamples
    analysis: Samples | None = None
    reanalysis: Samples | None = None
    reanalysis_queries: int = 0
    reanalysis_equal: bool = False


@dataclass
class BenchmarkRun:
    plan: Plan
    results: list[SizeResult] = field(default_factory=list)
    growth: PairedSamples | None = None


def run_benchmark(plan: Plan, progress=logger.info) -> BenchmarkRun:
    """Prepare one portfolio per size, measure everything, and delete the portfolios unless `plan.keep`."""
    run = BenchmarkRun(plan)
    portfolios = {}
    try:
        with translation.override(settings.LANGUAGE_CODE):
            for size in plan.sizes:
                portfolios[size], generated = prepare_portfolio(size, plan.seed, progress)
                run.results.append(measure_size(portfolios[size], plan, generated, progress))
            measure_analysis_times(run, portfolios, progress)
            for result, size in zip(run.results, plan.sizes, strict=True):
                progress(f"{size} services: re-analysis after one edit")
                measure_reanalysis(result, portfolios[size], plan)
    finally:
        if not plan.keep:
            for portfolio in portfolios.values():
                delete_portfolio(portfolio)
    return run


def prepare_portfolio(size: int, seed: int, progress) -> tuple[Portfolio, float | None]:
    """Return a kept portfolio of this size and seed, or generate one and return its generation time."""
    key = f"benchmark-{size}-seed-{seed}"
    existing = Portfolio.objects.filter(key=key).first()
    if existing is not None:
        if existing.services.count() == size:
            progress(f"{size} services: reusing the kept portfolio {key}")
            return existing, None
        delete_portfolio(existing)
    progress(f"{size} services: generating portfolio {key}")
    start = time.perf_counter()
    portfolio = generate_portfolio(services=size, seed=seed, key=key)
    seconds = time.perf_counter() - start
    update_statistics()
    return portfolio, seconds


def update_statistics() -> None:
    # A bulk load leaves PostgreSQL's planner without statistics until autovacuum
    # runs; ANALYZE gives it what a portfolio in daily use would have.
    if connection.vendor != "postgresql":
        return
    tables = [model._meta.db_table for model in (Team, Service, PatternAssignment, Responsibility)]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def full_analysis(portfolio: Portfolio) -> AnalysisResult:
    """Load a snapshot and run every rule, without the result cache."""
    return analyse(load_snapshot(portfolio))


def measure_size(portfolio: Portfolio, plan: Plan, generated: float | None, progress) -> SizeResult:
    size = portfolio.services.count()
    progress(f"{size} services: full analysis against the naive loop, "
             f"{plan.naive_pairs_for(size)} pairs")
    findings = len(full_analysis(portfolio).findings)
    return SizeResult(
        services=size,
        teams=Team.objects.filter(portfolio=portfolio).count(),
        assignments=PatternAssignment.objects.filter(service__portfolio=portfolio).count(),
        cells=Responsibility.objects.filter(service__portfolio=portfolio).count(),
        findings=findings,
        generated_seconds=generated,
        engine_queries=count_queries(lambda: full_analysis(portfolio)),
        naive_queries=count_queries(lambda: naive_analyse(portfolio)),
        # The runs above, one of each, serve as the warm-up.
        versus_naive=time_pairs(lambda: full_analysis(portfolio), lambda: naive_analyse(portfolio),
                                plan.naive_pairs_for(size), warmup=0),
    )


def measure_analysis_times(run: BenchmarkRun, portfolios: dict[int, Portfolio], progress) -> None:
    """Time the full analysis `pairs` times per size; the smallest and largest sizes in interleaved pairs."""
    sizes = run.plan.sizes
    smallest, largest = min(sizes), max(sizes)
    by_size = dict(zip(sizes, run.results, strict=True))
    if smallest != largest:
        progress(f"full analysis at {smallest} against {largest} services, {run.plan.pairs} pairs")
        run.growth = time_pairs(lambda: full_analysis(portfolios[smallest]),
                                lambda: full_analysis(portfolios[largest]), run.plan.pairs)
        by_size[smallest].analysis = run.growth.first
        by_size[largest].analysis = run.growth.second
    for size in sizes:
        if by_size[size].analysis is None:
            progress(f"{size} services: full analysis, {run.plan.pairs} runs")
            by_size[size].analysis = time_repeated(lambda size=size: full_analysis(portfolios[size]),
                                                   run.plan.pairs)


def measure_reanalysis(result: SizeResult, portfolio: Portfolio, plan: Plan) -> None:
    """Edit one RACI cell at a time and time `reanalyse_service` after each edit.

    Each cell gets a new team and then its old team back, so an even number of
    edits leaves a kept portfolio as it was generated.
    """
    rng = random.Random(plan.seed)
    team_ids = list(Team.objects.filter(portfolio=portfolio).order_by("pk").values_list("pk", flat=True))
    snapshot = load_snapshot(Portfolio.objects.get(pk=portfolio.pk))
    analysis = analyse(snapshot)
    seconds = []
    edits = plan.pairs + plan.pairs % 2
    cell = None
    for index in range(edits):
        if index % 2 == 0:
            cell, original_team = _pick_cell(portfolio, rng, result.cells)
            cell.team_id = _free_team(cell, team_ids, rng)
        else:
            cell.team_id = original_team
        cell.save(update_fields=["team"])
        service_key = cell.service.key
        if index == 0:
            result.reanalysis_queries = count_queries(
                lambda key=service_key: reanalyse_service(snapshot, analysis, key)
            )

        def step(key=service_key):
            nonlocal snapshot, analysis
            snapshot, analysis = reanalyse_service(snapshot, analysis, key)

        seconds.append(time_once(step))
    result.reanalysis = Samples(tuple(seconds))
    expected = full_analysis(Portfolio.objects.get(pk=portfolio.pk))
    result.reanalysis_equal = analysis.findings == expected.findings


def _pick_cell(portfolio: Portfolio, rng: random.Random, cells: int) -> tuple[Responsibility, int]:
    cell = (Responsibility.objects.filter(service__portfolio=portfolio).select_related("service")
            .order_by("pk")[rng.randrange(cells)])
    return cell, cell.team_id


def _free_team(cell: Responsibility, team_ids: list[int], rng: random.Random) -> int:
    """Return a team that does not yet have this cell's role for its service and activity."""
    taken = set(Responsibility.objects.filter(service_id=cell.service_id, activity_id=cell.activity_id,
                                              role=cell.role).values_list("team_id", flat=True))
    return rng.choice([team for team in team_ids if team not in taken])
