"""Render a benchmark run as the Markdown page docs/benchmarks.md, with each target beside its value."""

from dataclasses import dataclass
from datetime import datetime

from portfolio.benchmark.environment import Environment
from portfolio.benchmark.measure import Samples
from portfolio.benchmark.runner import BenchmarkRun, SizeResult

# The performance budget of the analysis engine, per portfolio size where it depends on it.
SPEEDUP_TARGETS = {1_000: 20.0, 10_000: 50.0}
FULL_ANALYSIS_TARGETS = {10_000: 1.0}
REANALYSIS_TARGET = 0.020
# Time may grow by at most 1.2 times the growth of the data: 12x for 10x the services.
GROWTH_ALLOWANCE = 1.2


ANALYSIS_HEADING = "## Analysis engine"
SECTION_PREFIX = "## "


def merge_pages(existing: str, new: str) -> str:
    """Return `new` followed by the sections of `existing` that `new` does not contain.

    A section runs from a line that starts with "## " to the next one. The text
    before the first section (title and introduction) comes from `new`.
    """
    new_preamble, new_sections = _split_sections(new)
    _, old_sections = _split_sections(existing)
    merged = dict(new_sections)
    for heading, text in old_sections.items():
        merged.setdefault(heading, text)
    return new_preamble + "".join(merged.values())


def _split_sections(page: str) -> tuple[str, dict[str, str]]:
    preamble, sections, heading = [], {}, None
    for line in page.splitlines(keepends=True):
        if line.startswith(SECTION_PREFIX):
            heading = line.strip()
            sections[heading] = ""
        if heading is None:
            preamble.append(line)
        else:
            sections[heading] += line
    for heading, text in sections.items():
        # Sections are separated by one blank line, whichever page they come from.
        sections[heading] = text.rstrip("\n") + "\n\n"
    return "".join(preamble), sections


@dataclass(frozen=True)
class Check:
    what: str
    services: str
    measured: str
    target: str
    passed: bool | None

    @property
    def verdict(self) -> str:
        if self.passed is None:
            return "no target at this size"
        return "pass" if self.passed else "**fail**"


@dataclass(frozen=True)
class RunContext:
    command: str
    started: datetime
    finished: datetime
    load_before: str
    load_after: str
    environment: Environment


def render(run: BenchmarkRun, context: RunContext) -> str:
    lines = [
        "# Benchmarks",
        "",
        "The performance budget, measured by `manage.py benchmark` (code in `portfolio/benchmark/`).",
        "A run with `--write` replaces the sections it measured and keeps the others: the analysis",
        "engine always, and each further section when its option is given (`manage.py benchmark --help`).",
        "",
        ANALYSIS_HEADING,
        "",
        f"Run of {context.started:%Y-%m-%d %H:%M} UTC.",
        "",
        *_setting_lines(context),
        "",
        "| what | services | measured | target | result |",
        "|---|---|---|---|---|",
        *(_check_row(check) for check in checks(run)),
        "",
        "### Details",
        "",
        "| services | teams | pattern assignments | RACI cells | findings | generated in "
        "| full analysis, median (min–max) | naive loop, median (min–max) "
        "| re-analysis after one edit, median (min–max) |",
        "|---|---|---|---|---|---|---|---|---|",
        *(_detail_row(result) for result in run.results),
        "",
        *_method_lines(run),
    ]
    return "\n".join(lines) + "\n"


def checks(run: BenchmarkRun) -> list[Check]:
    found = []
    for result in run.results:
        target = SPEEDUP_TARGETS.get(result.services)
        ratio = result.versus_naive.median_ratio
        found.append(Check(
            f"full analysis vs the naive per-service ORM loop, median of {len(result.versus_naive)} "
            "per-pair ratios",
            _count(result.services), f"{ratio:.1f}× faster",
            f"≥ {target:.0f}×" if target else "—", ratio >= target if target else None,
        ))
    for result in run.results:
        limit = FULL_ANALYSIS_TARGETS.get(result.services)
        median = result.analysis.median
        found.append(Check(
            f"full analysis (snapshot load and rules, no cache), median of {len(result.analysis)} runs",
            _count(result.services), _duration(median),
            f"< {_duration(limit)}" if limit else "—", median < limit if limit else None,
        ))
    if run.growth is not None:
        found.append(_growth_check(run))
    for result in run.results:
        median = result.reanalysis.median
        found.append(Check(
            f"re-analysis after one RACI cell edit, median of {len(result.reanalysis)} edits",
            _count(result.services), _duration(median), f"< {_duration(REANALYSIS_TARGET)}",
            median < REANALYSIS_TARGET,
        ))
    found += _query_checks(run)
    found.append(Check(
        "re-analysis result equals a full analysis after the last edit",
        " / ".join(_count(result.services) for result in run.results),
        " / ".join("equal" if result.reanalysis_equal else "different" for result in run.results),
        "equal", all(result.reanalysis_equal for result in run.results),
    ))
    return found


def _growth_check(run: BenchmarkRun) -> Check:
    smallest, largest = min(run.plan.sizes), max(run.plan.sizes)
    allowed = GROWTH_ALLOWANCE * largest / smallest
    ratio = run.growth.median_ratio
    return Check(
        f"growth: full analysis time at {_count(largest)} / at {_count(smallest)} services, "
        f"median of {len(run.growth)} per-pair ratios",
        f"{_count(smallest)} → {_count(largest)}", f"{ratio:.1f}×", f"≤ {allowed:.0f}×", ratio <= allowed,
    )


def _query_checks(run: BenchmarkRun) -> list[Check]:
    sizes = " / ".join(_count(result.services) for result in run.results)
    engine = [result.engine_queries for result in run.results]
    reanalysis = [result.reanalysis_queries for result in run.results]
    return [
        Check("SQL queries of one full analysis", sizes, " / ".join(map(str, engine)),
              "the same at every size", len(set(engine)) == 1),
        Check("SQL queries of one re-analysis after an edit", sizes, " / ".join(map(str, reanalysis)),
              "the same at every size", len(set(reanalysis)) == 1),
        Check("SQL queries of the naive loop (for comparison)", sizes,
              " / ".join(f"{result.naive_queries:,}" for result in run.results), "—", None),
    ]


def _check_row(check: Check) -> str:
    return f"| {check.what} | {check.services} | {check.measured} | {check.target} | {check.verdict} |"


def _detail_row(result: SizeResult) -> str:
    generated = "kept from an earlier run" if result.generated_seconds is None \
        else _duration(result.generated_seconds)
    return (
        f"| {_count(result.services)} | {result.teams} | {_count(result.assignments)} "
        f"| {_count(result.cells)} | {_count(result.findings)} | {generated} | {_spread(result.analysis)} "
        f"| {_spread(result.versus_naive.second)} | {_spread(result.reanalysis)} |"
    )


def _setting_lines(context: RunContext) -> list[str]:
    environment = context.environment
    return [
        f"- Command: `{context.command}`, with `DEBUG=false`.",
        f"- Machine: {environment.cpu}, {environment.cores} logical CPUs, {environment.memory} of memory.",
        f"- Load average (1, 5, 15 minutes) before the run: {context.load_before}; "
        f"after: {context.load_after}. A load above the number of CPUs means other processes shared them.",
        f"- Database: {environment.database}. Python {environment.python}, Django {environment.django}.",
        f"- Duration of the whole run: {_duration((context.finished - context.started).total_seconds())}.",
    ]


def _method_lines(run: BenchmarkRun) -> list[str]:
    plan = run.plan
    return [
        "### Method",
        "",
        f"- Each size gets a generated portfolio (seed {plan.seed}, about 200 teams of every party kind, "
        "the six patterns with about a quarter of the services on a mix of two and a few on a mix of three, "
        "about eight RACI cells per service, deliberate mismatches); see `portfolio/benchmark/generate.py`.",
        "- Full analysis: `analyse(load_snapshot(portfolio))`, which loads the reference library and the "
        "portfolio and runs every rule; waivers and the result cache are left out.",
        "- Naive loop: `portfolio/benchmark/naive.py`, the same rules with ORM queries per service; "
        "a test checks that it reports the same codes and subjects as the engine.",
        f"- Comparisons run in interleaved pairs after a warm-up, the order alternating within pairs; "
        f"{plan.pairs} pairs, except the naive loop at {plan.slow_naive_from:,} services or more, "
        f"which takes {plan.naive_pairs} pairs because one naive run takes tens of seconds there. "
        "A ratio is the median of the per-pair ratios; a garbage collection runs before every sample.",
        "- Re-analysis after one edit: a RACI cell gets another team (and then its old team back) through "
        "the ORM, then `reanalyse_service` brings the previous snapshot and result up to date; only that "
        "call is timed.",
        "- Query counts come from one run each, counted with an execute wrapper on the connection.",
    ]


def _duration(seconds: float) -> str:
    if seconds >= 120:
        return f"{seconds / 60:.1f} min"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 0.1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds * 1000:.1f} ms"


def _spread(samples: Samples) -> str:
    return f"{_duration(samples.median)} ({_duration(samples.low)}–{_duration(samples.high)})"


def _count(value: int) -> str:
    return f"{value:,}"
