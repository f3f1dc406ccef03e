"""Time the import of a generated services CSV: preview, apply, and the preview of the same file again.

`measure_import` creates a throwaway portfolio with teams, generates a CSV of
services owned by them, times each step once with its query count, and
deletes the portfolio again. Run it on the database to be measured, with
DEBUG off; `manage.py benchmark --import-rows N` prints its numbers.
"""

import csv
import io
import random
import secrets
import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from portfolio.imports.apply import import_apply
from portfolio.imports.parse import UploadedFile
from portfolio.imports.plan import Action
from portfolio.imports.preview import import_preview
from portfolio.models import PatternAssignment, Portfolio, PracticeAdoption, Responsibility, Service, Team

STATUSES = ("live", "live", "live", "planned", "retired")


@dataclass(frozen=True)
class Step:
    seconds: float
    queries: int


@dataclass(frozen=True)
class ImportMeasurement:
    rows: int
    file_bytes: int
    teams: int
    preview: Step
    apply: Step
    preview_again: Step

    def markdown(self) -> str:
        """Describe the measurement as a Markdown section with a table of the three steps."""
        steps = (
            ("preview (read and validate)", self.preview),
            ("apply (validate again, then write in one transaction)", self.apply),
            ("preview of the same file again (every row unchanged)", self.preview_again),
        )
        lines = [
            "## Bulk import",
            "",
            f"A generated services CSV of {self.rows:,} rows ({self.file_bytes / 1024:,.0f} KiB, owners "
            f"among {self.teams} teams) imported into an empty portfolio; each step timed once, in seconds, "
            "with its SQL queries. Measured by `portfolio.imports.benchmark.measure_import`.",
            "",
            "| step | seconds | rows per second | queries |",
            "|---|---:|---:|---:|",
        ]
        for name, step in steps:
            rate = self.rows / step.seconds if step.seconds else 0
            lines.append(f"| {name} | {step.seconds:.2f} | {rate:,.0f} | {step.queries} |")
        return "\n".join(lines) + "\n"


def services_csv(rows: int, team_names: list[str], seed: int = 1) -> bytes:
    """Return a CSV of `rows` services, each owned by one of `team_names`, with a description."""
    chooser = random.Random(seed)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["Key", "Name", "Status", "Owner", "Description"])
    for number in range(1, rows + 1):
        writer.writerow([f"svc-{number:05d}", f"Service {number:05d}", chooser.choice(STATUSES),
                         chooser.choice(team_names), f"Generated service number {number} for the benchmark."])
    return buffer.getvalue().encode("utf-8")


def measure_import(rows: int = 10_000, *, teams: int = 200, seed: int = 1) -> ImportMeasurement:
    """Time preview, apply and a second preview of a `rows`-row services CSV in a new portfolio."""
    portfolio = Portfolio.objects.create(key=f"import-benchmark-{secrets.token_hex(4)}",
                                         name="Import benchmark (deleted after the run)")
    try:
        names = [f"Benchmark team {number:03d}" for number in range(1, teams + 1)]
        Team.objects.bulk_create([Team(portfolio=portfolio, name=name, party_kind="technology")
                                  for name in names])
        data = services_csv(rows, names, seed)
        files = [UploadedFile("services.csv", data)]

        preview, plan = _timed(lambda: import_preview(files, portfolio))
        _expect(plan, Action.CREATE, rows)
        applied, plan = _timed(lambda: import_apply(files, portfolio))
        _expect(plan, Action.CREATE, rows)
        again, plan = _timed(lambda: import_preview(files, portfolio))
        _expect(plan, Action.UNCHANGED, rows)
        return ImportMeasurement(rows, len(data), teams, preview, applied, again)
    finally:
        _delete(portfolio)


def _timed(work) -> tuple[Step, object]:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - started
    return Step(seconds, len(queries)), result


def _expect(plan, action: Action, rows: int) -> None:
    counted = plan.totals()[action]
    if plan.has_errors or counted != rows:
        raise AssertionError(f"The generated file should give {rows} rows to {action}, not {counted} "
                             f"({plan.error_count} errors).")


def _delete(portfolio: Portfolio) -> None:
    # Services protect their owning teams, so children go first.
    with transaction.atomic():
        Responsibility.objects.filter(service__portfolio=portfolio).delete()
        PatternAssignment.objects.filter(service__portfolio=portfolio).delete()
        PracticeAdoption.objects.filter(portfolio=portfolio).delete()
        Service.objects.filter(portfolio=portfolio).delete()
        Team.objects.filter(portfolio=portfolio).delete()
        portfolio.delete()
