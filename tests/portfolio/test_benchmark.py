"""The benchmark: its portfolio generator, its naive baseline and the `benchmark` command."""

from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portfolio.analysis.engine import analyse
from portfolio.analysis.snapshot import load_snapshot
from portfolio.benchmark.generate import delete_portfolio, generate_portfolio
from portfolio.benchmark.measure import count_queries
from portfolio.benchmark.naive import naive_analyse
from portfolio.benchmark.report import merge_pages
from portfolio.models import PatternAssignment, Portfolio, PracticeAdoption, Responsibility, Service, Team

ALL_CODES = {
    "VCP-E001", "VCP-E002", "VCP-E003", "VCP-E004", "VCP-W001", "VCP-W002", "VCP-W003", "VCP-W004",
    "VCP-W005", "VCP-W006", "VCP-W007", "VCP-W008", "VCP-I001",
}


def engine_findings(portfolio):
    return analyse(load_snapshot(Portfolio.objects.get(pk=portfolio.pk))).findings


def code_and_subject(findings):
    return Counter((finding.code, finding.subject) for finding in findings)


def test_generator_creates_requested_counts(db):
    portfolio = generate_portfolio(services=120, seed=3, teams=30)

    services = Service.objects.filter(portfolio=portfolio)
    cells = Responsibility.objects.filter(service__portfolio=portfolio).count()
    patterns_per_service = Counter(
        PatternAssignment.objects.filter(service__portfolio=portfolio).values_list("service", flat=True)
    )
    assert services.count() == 120
    assert Team.objects.filter(portfolio=portfolio).count() == 30
    assert set(Team.objects.filter(portfolio=portfolio).values_list("party_kind", flat=True)) == {
        "business", "technology", "vendor", "service_provider", "customer",
    }
    assert 7.5 <= cells / 120 <= 9
    assert 1 in patterns_per_service.values()
    assert 2 in patterns_per_service.values()
    patterns = PatternAssignment.objects.filter(service__portfolio=portfolio).values_list("pattern")
    assert len(set(patterns)) == 6
    assert PracticeAdoption.objects.filter(portfolio=portfolio).exists()
    assert portfolio.revision > 0


def test_generator_mix_patterns_share_activities(db):
    portfolio = generate_portfolio(services=200, seed=5)

    by_service = {}
    for service_id, activities in PatternAssignment.objects.filter(
        service__portfolio=portfolio
    ).values_list("service", "activities"):
        by_service.setdefault(service_id, []).append(activities)
    mixes = [assignments for assignments in by_service.values() if len(assignments) > 1]
    assert len(mixes) >= 200 * 0.15
    assert all(activities for assignments in mixes for activities in assignments)
    # In a mix each pattern governs part of the activities, not its whole scope.
    assert sum(len(activities) for assignments in mixes for activities in assignments) < 8 * 1.5 * len(mixes)


def test_generator_queries_bounded(db, django_assert_max_num_queries):
    # SQLite takes at most 999 parameters a statement, so Django splits the 3,300
    # RACI cells into about 14 INSERTs there; PostgreSQL needs one.
    with django_assert_max_num_queries(40):
        portfolio = generate_portfolio(services=400, seed=1)

    assert Responsibility.objects.filter(service__portfolio=portfolio).count() > 400 * 7


def test_generator_deterministic_for_seed(db):
    first = generate_portfolio(services=60, seed=11, key="first")
    second = generate_portfolio(services=60, seed=11, key="second")
    other_seed = generate_portfolio(services=60, seed=12, key="third")

    assert portfolio_content(first) == portfolio_content(second)
    assert portfolio_content(first) != portfolio_content(other_seed)


def portfolio_content(portfolio):
    services = list(Service.objects.filter(portfolio=portfolio).order_by("key")
                    .values_list("key", "name", "status", "owner__name", "context"))
    assignments = sorted(PatternAssignment.objects.filter(service__portfolio=portfolio)
                         .values_list("service__key", "pattern", "activities"))
    cells = sorted(Responsibility.objects.filter(service__portfolio=portfolio)
                   .values_list("service__key", "activity", "team__name", "role"))
    adoptions = sorted(PracticeAdoption.objects.filter(portfolio=portfolio)
                       .values_list("practice", "status", "capability_level", "owner__name"))
    return services, assignments, cells, adoptions


def test_generated_portfolio_fires_every_rule(db):
    portfolio = generate_portfolio(services=400, seed=1)

    codes = {finding.code for finding in engine_findings(portfolio)}

    assert codes == ALL_CODES


@pytest.mark.parametrize(("services", "seed", "disabled_rules"), [
    (80, 1, []),
    (150, 2, []),
    (150, 3, ["VCP-W005"]),
    (100, 4, ["VCP-E002", "VCP-W007", "VCP-I001"]),
])
def test_naive_loop_matches_engine(db, services, seed, disabled_rules):
    portfolio = generate_portfolio(services=services, seed=seed)
    Portfolio.objects.filter(pk=portfolio.pk).update(disabled_rules=disabled_rules)
    portfolio.refresh_from_db()

    expected = code_and_subject(engine_findings(portfolio))
    actual = code_and_subject(naive_analyse(portfolio))

    assert actual == expected
    assert len(expected) > services / 2


def test_naive_loop_queries_grow_with_services(db):
    small = generate_portfolio(services=20, seed=1, key="small")
    large = generate_portfolio(services=60, seed=1, key="large")

    assert count_queries(lambda: naive_analyse(large)) > 2 * count_queries(lambda: naive_analyse(small))


def test_count_queries_agrees_with_capture(db):
    portfolio = generate_portfolio(services=30, seed=1)

    with CaptureQueriesContext(connection) as captured:
        load_snapshot(portfolio)
    counted = count_queries(lambda: load_snapshot(portfolio))

    assert counted == len(captured)
    assert counted == 12


def test_delete_portfolio_removes_rows(db):
    portfolio = generate_portfolio(services=30, seed=1)
    other = generate_portfolio(services=10, seed=1, key="other")

    delete_portfolio(portfolio)

    assert not Portfolio.objects.filter(pk=portfolio.pk).exists()
    assert not Service.objects.filter(portfolio_id=portfolio.pk).exists()
    assert not Team.objects.filter(portfolio_id=portfolio.pk).exists()
    assert not PracticeAdoption.objects.filter(portfolio_id=portfolio.pk).exists()
    assert Responsibility.objects.filter(service__portfolio=other).count() > 0
    assert Responsibility.objects.count() == Responsibility.objects.filter(service__portfolio=other).count()


def test_benchmark_command_writes_table(db, tmp_path):
    page = tmp_path / "benchmarks.md"

    call_command("benchmark", services="50", pairs=3, write=str(page), stderr=open_null(tmp_path))

    text = page.read_text()
    assert text.startswith("# Benchmarks")
    assert "| what | services | measured | target | result |" in text
    assert "full analysis vs the naive per-service ORM loop, median of 3 per-pair ratios" in text
    assert "re-analysis after one RACI cell edit" in text
    assert "| SQL queries of one full analysis | 50 | 12 |" in text
    assert "manage.py benchmark --services 50 --pairs 3" in text
    assert connection.vendor in text.lower() or "postgresql" in text.lower()
    assert "| equal |" in text
    assert not Portfolio.objects.filter(key__startswith="benchmark-").exists()


def test_benchmark_command_keeps_other_sections(db, tmp_path):
    page = tmp_path / "benchmarks.md"
    page.write_text("# Benchmarks\n\nOld introduction.\n\n## Analysis engine\n\nOld numbers.\n\n"
                    "## Bulk import\n\nImport numbers.\n")

    call_command("benchmark", services="20", pairs=2, write=str(page), stderr=open_null(tmp_path))

    text = page.read_text()
    assert "Old introduction." not in text
    assert "Old numbers." not in text
    assert text.count("## Analysis engine") == 1
    assert text.endswith("## Bulk import\n\nImport numbers.\n\n")


def test_merge_pages_replaces_measured_sections():
    existing = "# Title\n\nold intro\n\n## A\n\nold a\n## B\n\nold b\n\n\n## C\nold c"
    new = "# Title\n\nnew intro\n\n## A\n\nnew a\n\n## C\n\nnew c\n"

    merged = merge_pages(existing, new)

    assert merged == "# Title\n\nnew intro\n\n## A\n\nnew a\n\n## C\n\nnew c\n\n## B\n\nold b\n\n"


def test_benchmark_command_keep_reuses_portfolio(db, tmp_path, capsys):
    call_command("benchmark", services="30", pairs=2, keep=True, stderr=open_null(tmp_path))
    kept = Portfolio.objects.get(key="benchmark-30-seed-1")

    call_command("benchmark", services="30", pairs=2, stderr=open_null(tmp_path))

    output = capsys.readouterr().out
    assert "kept from an earlier run" in output
    assert not Portfolio.objects.filter(pk=kept.pk).exists()


def test_benchmark_command_rejects_debug(db, settings):
    settings.DEBUG = True

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("benchmark", services="10", pairs=1)

    assert not Portfolio.objects.exists()


@pytest.mark.parametrize("services", ["", "ten", "0,100"])
def test_benchmark_command_rejects_bad_sizes(db, services):
    with pytest.raises(CommandError, match="--services"):
        call_command("benchmark", services=services, pairs=1)


def open_null(tmp_path):
    """Return a file for the command's progress lines, which the tests do not read."""
    return (tmp_path / "progress.txt").open("w")
