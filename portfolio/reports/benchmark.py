"""Measure the report exports against the performance budget.

`measure_report_exports(services, pairs=..., seed=...)` generates portfolios of
`services` and ten times as many services, plus one of 200 for the PDF, and
measures:

- the streamed CSV export of the RACI table, read and written as the view
  does it (`direct_csv_response`, which builds no report), against a raw
  psycopg fetch of the same rows written with `csv`, in interleaved pairs
  (PostgreSQL only);
- the one-sheet XLSX export of the same table, read and written as the
  view does it (`direct_xlsx_response`, which builds no report either),
  against that CSV export, in pairs;
- the peak memory (tracemalloc) of writing that sheet at both sizes, and of
  the whole XLSX and CSV downloads, reading included;
- the PDF of 200 services, rendered in child processes as the view does.

Every portfolio it generates is deleted again. `manage.py benchmark
--report-services N` prints the result as a Markdown section.
"""

import csv
import gc
import logging
import resource
import tracemalloc
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.utils import timezone

from portfolio.benchmark.environment import Environment, load_average
from portfolio.benchmark.generate import delete_portfolio, generate_portfolio
from portfolio.benchmark.measure import PairedSamples, Samples, count_queries, time_pairs, time_repeated
from portfolio.benchmark.runner import update_statistics
from portfolio.models import Portfolio
from portfolio.reports.build import build_report
from portfolio.reports.direct import direct_reader
from portfolio.reports.downloads import direct_csv_response, direct_xlsx_response
from portfolio.reports.pdf import report_pdf
from portfolio.reports.scope import ReportFilter
from portfolio.reports.tables import TABLES
from portfolio.reports.xlsx_export import xlsx_rows_file

logger = logging.getLogger(__name__)

TABLE = "raci"
PDF_SERVICES = 200
PDF_RUNS = 3
TARGET_CSV_RATIO = 3.0
TARGET_XLSX_RATIO = 10.0
TARGET_MEMORY_RATIO = 1.2
TARGET_PDF_SECONDS = 10.0

# The RACI table's rows, read straight from the tables: one row per cell with the
# names of the patterns that govern its activity, ordered as the report orders them.
RAW_RACI_SQL = """
SELECT s.key, s.name, r.activity_id,
       (SELECT string_agg(p.name, '; ' ORDER BY lower(p.name))
          FROM portfolio_patternassignment pa
          JOIN patterns_pattern p ON p.key = pa.pattern_id
         WHERE pa.service_id = s.id AND pa.activities::jsonb ? r.activity_id) AS governed_by,
       r.role, t.name, t.party_kind
  FROM portfolio_responsibility r
  JOIN portfolio_service s ON s.id = r.service_id
  JOIN portfolio_team t ON t.id = r.team_id
  JOIN patterns_lifecycleactivity a ON a.key = r.activity_id
 WHERE s.portfolio_id = %s
 ORDER BY lower(s.name), s.key, a.position, r.role, lower(t.name)
"""


class _Discard:
    """A file-like sink, so that the CSV timings leave out sending the bytes to a client."""

    def write(self, data):
        return len(data)


def _drain(chunks: Iterable) -> int:
    return sum(len(chunk) for chunk in chunks)


def csv_export(portfolio: Portfolio) -> int:
    """Stream the RACI table as CSV the way the report view does, and return the number of bytes written."""
    response = direct_csv_response(portfolio, TABLE, ReportFilter(), as_of=timezone.localdate())
    return _drain(response.streaming_content)


def raw_csv(portfolio: Portfolio) -> int:
    """Fetch the RACI rows with one SQL query on the psycopg connection and write them with `csv`."""
    connection.ensure_connection()
    writer = csv.writer(_Discard())
    written = 0
    with connection.connection.cursor() as cursor:
        cursor.execute(RAW_RACI_SQL, (portfolio.pk,))
        writer.writerow(["service_key", "service_name", "activity", "governed_by", "role", "team",
                         "party_kind"])
        for row in cursor:
            written += writer.writerow(row)
    return written


def xlsx_export(portfolio: Portfolio, author: str = "benchmark") -> int:
    """Write the RACI sheet the way the report view does, and return the number of bytes sent."""
    response = direct_xlsx_response(portfolio, TABLE, ReportFilter(), as_of=timezone.localdate(),
                                    author=author)
    try:
        return _drain(response.streaming_content)
    finally:
        response.close()


def _traced_peak(operation: Callable[[], object]) -> int:
    """Run `operation` and return the peak of the memory that tracemalloc traced while it ran, in bytes."""
    gc.collect()
    tracemalloc.start()
    try:
        operation()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def xlsx_writer_peak_bytes(portfolio: Portfolio) -> int:
    """Return the peak memory of writing the RACI sheet from rows that were read beforehand.

    The rows are read into a list first and not counted, so the peak is that of the XLSX writer alone.
    """
    rows = list(direct_reader(TABLE)(portfolio, ReportFilter()))

    def write():
        with xlsx_rows_file(TABLES[TABLE], rows, as_of=timezone.localdate(), author="benchmark"):
            pass

    return _traced_peak(write)


@dataclass(frozen=True)
class MemoryPeaks:
    """Peaks traced by tracemalloc, in bytes, for one portfolio size."""

    xlsx_writer: int
    xlsx_download: int
    csv_download: int


def measure_memory(portfolio: Portfolio) -> MemoryPeaks:
    return MemoryPeaks(xlsx_writer=xlsx_writer_peak_bytes(portfolio),
                       xlsx_download=_traced_peak(lambda: xlsx_export(portfolio)),
                       csv_download=_traced_peak(lambda: csv_export(portfolio)))


@dataclass(frozen=True)
class SizeExport:
    services: int
    rows: int
    csv_queries: int
    xlsx_queries: int
    csv_vs_raw: PairedSamples | None
    xlsx_vs_csv: PairedSamples | None
    memory: MemoryPeaks


@dataclass(frozen=True)
class PdfMeasurement:
    services: int
    pages_seconds: Samples
    parent_peak_bytes: int
    child_peak_rss_bytes: int


@dataclass(frozen=True)
class ReportBenchmark:
    small: SizeExport
    large: SizeExport
    pdf: PdfMeasurement
    pairs: int
    started: datetime
    finished: datetime
    # The 1, 5 and 15 minute load averages before and after, as `load_average` formats them.
    load_before: str
    load_after: str
    environment: Environment

    def markdown(self) -> str:
        return render_markdown(self)


def _generate(services: int, seed: int, progress: Callable[[str], None]) -> Portfolio:
    key = f"report-benchmark-{services}-seed-{seed}"
    stale = Portfolio.objects.filter(key=key).first()
    if stale is not None:
        delete_portfolio(stale)
    progress(f"report exports: generating {services} services")
    portfolio = generate_portfolio(services=services, seed=seed, key=key)
    update_statistics()
    return portfolio


def measure_size(portfolio: Portfolio, services: int, pairs: int, *, paired: bool, progress) -> SizeExport:
    rows = sum(1 for _ in direct_reader(TABLE)(portfolio, ReportFilter()))
    csv_vs_raw = xlsx_vs_csv = None
    if paired and connection.vendor == "postgresql":
        progress(f"report exports: {services} services, CSV against raw psycopg, {pairs} pairs")
        csv_vs_raw = time_pairs(lambda: raw_csv(portfolio), lambda: csv_export(portfolio), pairs)
    if paired:
        progress(f"report exports: {services} services, XLSX against CSV, {pairs} pairs")
        xlsx_vs_csv = time_pairs(lambda: csv_export(portfolio), lambda: xlsx_export(portfolio), pairs)
    progress(f"report exports: {services} services, peak memory")
    return SizeExport(services=services, rows=rows, csv_queries=count_queries(lambda: csv_export(portfolio)),
                      xlsx_queries=count_queries(lambda: xlsx_export(portfolio)),
                      csv_vs_raw=csv_vs_raw, xlsx_vs_csv=xlsx_vs_csv, memory=measure_memory(portfolio))


def measure_pdf(portfolio: Portfolio, progress) -> PdfMeasurement:
    progress(f"report exports: PDF of {PDF_SERVICES} services, {PDF_RUNS} runs")
    report = build_report(portfolio, as_of=timezone.localdate(), author="benchmark", compare=False)

    def render():
        with report_pdf(report) as pdf:
            return len(pdf.read())

    gc.collect()
    tracemalloc.start()
    try:
        render()
        parent_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    samples = time_repeated(render, PDF_RUNS, warmup=0)
    # ru_maxrss is in KiB on Linux: the largest resident set of any child process so far.
    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return PdfMeasurement(PDF_SERVICES, samples, parent_peak, child_peak)


def measure_report_exports(services: int, *, pairs: int, seed: int = 1,
                           progress: Callable[[str], None] = logger.info) -> ReportBenchmark:
    """Measure the exports at `services` and ten times as many, and the PDF of 200 services."""
    load_before, started = load_average(), timezone.now()
    portfolios = []
    try:
        small = _generate(services, seed, progress)
        portfolios.append(small)
        small_result = measure_size(small, services, pairs, paired=True, progress=progress)
        large = _generate(services * 10, seed, progress)
        portfolios.append(large)
        large_result = measure_size(large, services * 10, pairs, paired=True, progress=progress)
        pdf_portfolio = _generate(PDF_SERVICES, seed, progress)
        portfolios.append(pdf_portfolio)
        pdf = measure_pdf(pdf_portfolio, progress)
    finally:
        for portfolio in portfolios:
            delete_portfolio(portfolio)
    return ReportBenchmark(small_result, large_result, pdf, pairs, started=started, finished=timezone.now(),
                           load_before=load_before, load_after=load_average(),
                           environment=Environment.current())


def _verdict(passed: bool) -> str:
    return "met" if passed else "**missed**"


def _memory_lines(small: SizeExport, large: SizeExport) -> list[str]:
    """Return the table rows of the peak memory: the budgeted XLSX writer, then both downloads for context."""
    lines = []
    peaks = (("XLSX writer", "xlsx_writer", True),
             ("XLSX download, reading included", "xlsx_download", False),
             ("CSV download, reading included", "csv_download", False))
    for label, field, budgeted in peaks:
        small_peak, large_peak = getattr(small.memory, field), getattr(large.memory, field)
        ratio = large_peak / small_peak
        budget = f"≤ {TARGET_MEMORY_RATIO:g}×" if budgeted else "none"
        verdict = _verdict(ratio <= TARGET_MEMORY_RATIO) if budgeted else "for comparison"
        lines.append(f"| Peak memory of the {label}, {large.services:,} / {small.services:,} services "
                     f"({large_peak / 2**20:,.1f} MiB / {small_peak / 2**20:,.1f} MiB) | "
                     f"{budget} | {ratio:.2f}× | {verdict} |")
    return lines


def render_markdown(result: ReportBenchmark) -> str:
    """Describe the measurement as a Markdown section with one table of results against the budget."""
    small, large, pdf, environment = result.small, result.large, result.pdf, result.environment
    lines = [
        "## Report exports",
        "",
        f"Run of {result.started:%Y-%m-%d %H:%M}–{result.finished:%H:%M} UTC on {environment.database}, "
        f"Python {environment.python} and Django {environment.django}: "
        f"`portfolio.reports.benchmark.measure_report_exports({small.services}, pairs={result.pairs})`, "
        f"the function behind `manage.py benchmark --report-services {small.services} "
        f"--pairs {result.pairs}`. "
        f"Machine: {environment.cpu}, {environment.cores} logical CPUs, {environment.memory} of memory. "
        f"Load average (1, 5, 15 minutes) before the run: {result.load_before}; after: {result.load_after}.",
        "",
        f"Measured on generated portfolios of {small.services:,} and {large.services:,} services, with "
        "planner statistics updated (`ANALYZE`) after each was generated. "
        f"The CSV export streams the RACI table ({small.rows:,} and {large.rows:,} rows) as the "
        "report view does: it reads the table's services, pattern assignments, RACI cells and teams in "
        f"{small.csv_queries} queries, without running the analysis or building the report, and "
        "writes the rows to a sink that discards them. The XLSX export is the one-sheet download of "
        "the same table (`?format=xlsx&table=raci`) as the report view returns it. It reads the same "
        f"rows in {small.xlsx_queries} queries and writes them as one sheet with openpyxl in write-only "
        "mode to a temporary file. The response's chunks are then read from that file and discarded. "
        "The raw baseline fetches the same rows with one SQL query on the psycopg connection and "
        f"writes them with `csv`. Pairs are interleaved after a warm-up ({result.pairs} pairs), and a "
        "ratio is the median of the per-pair ratios. Memory is the tracemalloc peak: the XLSX writer's "
        "is that of writing the sheet from rows read into a list beforehand (the list not counted), and "
        "the downloads' include reading the table.",
        "",
        "| measurement | budget | result | verdict |",
        "|---|---|---:|---|",
    ]
    for size in (small, large):
        if size.csv_vs_raw is not None:
            ratio = size.csv_vs_raw.median_ratio
            lines.append(f"| CSV export / raw psycopg + `csv`, {size.services:,} services "
                         f"(medians {size.csv_vs_raw.second.median * 1000:,.0f} ms / "
                         f"{size.csv_vs_raw.first.median * 1000:,.0f} ms) | ≤ {TARGET_CSV_RATIO:g}× | "
                         f"{ratio:.2f}× | {_verdict(ratio <= TARGET_CSV_RATIO)} |")
        if size.xlsx_vs_csv is not None:
            ratio = size.xlsx_vs_csv.median_ratio
            lines.append(f"| XLSX export / CSV export, {size.services:,} services "
                         f"(medians {size.xlsx_vs_csv.second.median * 1000:,.0f} ms / "
                         f"{size.xlsx_vs_csv.first.median * 1000:,.0f} ms) | ≤ {TARGET_XLSX_RATIO:g}× | "
                         f"{ratio:.2f}× | {_verdict(ratio <= TARGET_XLSX_RATIO)} |")
    lines += _memory_lines(small, large)
    for name, small_count, large_count in (("CSV", small.csv_queries, large.csv_queries),
                                           ("XLSX", small.xlsx_queries, large.xlsx_queries)):
        lines.append(f"| SQL queries of the {name} export, {small.services:,} and "
                     f"{large.services:,} services | constant | {small_count} and {large_count} | "
                     f"{_verdict(small_count == large_count)} |")
    lines.append(f"| PDF of {pdf.services} services, median of {len(pdf.pages_seconds)} runs "
                 f"(low {pdf.pages_seconds.low:.1f} s, high {pdf.pages_seconds.high:.1f} s) | "
                 f"< {TARGET_PDF_SECONDS:g} s | {pdf.pages_seconds.median:.1f} s | "
                 f"{_verdict(pdf.pages_seconds.median < TARGET_PDF_SECONDS)} |")
    lines += [
        "",
        f"The PDF is rendered by WeasyPrint in two child processes at once. The request worker's own "
        f"traced peak while it waits is {pdf.parent_peak_bytes / 2**20:,.1f} MiB; the largest child "
        f"process reached {pdf.child_peak_rss_bytes / 2**20:,.0f} MiB resident and returned it on exit.",
        "",
    ]
    return "\n".join(lines)
