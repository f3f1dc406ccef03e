"""Build the report model from one portfolio in a fixed number of queries.

The queries are the analysis snapshot's twelve, one for the waivers, one for the
library release, one for the patterns' governance risk notes, two for the records
the snapshot leaves out (team details, service descriptions) and, for a whole
portfolio, one for the latest published report: eighteen, whatever the size.
The waivers are applied on the report's date, so the findings are the ones that
count on that day.
"""

from dataclasses import dataclass, replace
from datetime import date

from patterns.models import LibraryRelease, Pattern
from portfolio.analysis.engine import AnalysisResult, analyse, with_waivers
from portfolio.analysis.snapshot import PortfolioSnapshot, load_snapshot
from portfolio.analysis.waivers import load_waivers
from portfolio.models import Portfolio
from portfolio.reports import sections
from portfolio.reports.catalogue import catalogue_version, rule_lines
from portfolio.reports.model import SCHEMA_VERSION, Cover, Report
from portfolio.reports.records import Records, load_records, team_lines
from portfolio.reports.scope import ReportFilter
from portfolio.reports.services import service_sections, waiver_lines
from portfolio.reports.sorting import name_key


@dataclass(frozen=True)
class ReportInputs:
    """Everything a report is made of, read from the database."""

    portfolio_name: str
    snapshot: PortfolioSnapshot
    result: AnalysisResult
    library_version: str
    governance_risks: dict[str, str]
    records: Records


def load_inputs(portfolio: Portfolio, as_of: date) -> ReportInputs:
    snapshot = load_snapshot(portfolio)
    result = with_waivers(analyse(snapshot), load_waivers(portfolio), as_of)
    release = LibraryRelease.objects.order_by("-loaded_at").values_list("version", flat=True).first()
    risks = dict(Pattern.objects.values_list("key", "governance_risk"))
    return ReportInputs(portfolio.name, snapshot, result, release or "", risks, load_records(portfolio))


def build_report(
    portfolio: Portfolio, *, as_of: date, author: str, report_filter: ReportFilter | None = None,
    compare: bool = True,
) -> Report:
    """Build the report of `portfolio` on the date `as_of`, restricted by `report_filter`.

    With `compare`, a report of the whole portfolio says what changed since the
    latest published report.
    """
    report_filter = report_filter or ReportFilter()
    inputs = load_inputs(portfolio, as_of)
    report = assemble(inputs, as_of=as_of, author=author, report_filter=report_filter)
    if compare and report_filter.is_whole:
        from portfolio.reports.publishing import change_since_latest

        change = change_since_latest(portfolio, report)
        if change is not None:
            report = replace(report, summary=replace(report.summary, change=change))
    return report


def assemble(inputs: ReportInputs, *, as_of: date, author: str, report_filter: ReportFilter) -> Report:
    """Make the report from loaded inputs; pure, no queries."""
    snapshot, result = inputs.snapshot, inputs.result
    selected = sorted((service for service in snapshot.services if report_filter.matches(service)),
                      key=lambda service: (name_key(service.name), service.key))
    keys = {service.key for service in selected}
    whole = report_filter.is_whole

    findings = [finding for finding in result.findings if finding.service in keys]
    portfolio_findings = [finding for finding in result.findings if finding.service is None] if whole else []
    waivers = waiver_lines(result, keys, include_portfolio=whole)
    governed = [service for service in selected if service.analysed]

    cover = Cover(
        portfolio_key=snapshot.portfolio_key,
        portfolio_name=inputs.portfolio_name,
        as_of=as_of,
        revision=snapshot.revision,
        author=author,
        library_version=inputs.library_version,
        catalogue_version=catalogue_version(),
        scope=report_filter.scope(snapshot),
    )
    return Report(
        schema_version=SCHEMA_VERSION,
        cover=cover,
        summary=sections.summary(snapshot, selected, governed, findings + portfolio_findings, waivers),
        charts=sections.charts(snapshot, governed, findings + portfolio_findings),
        practices=sections.practices(snapshot, governed),
        risks=sections.risks(snapshot, governed, inputs.governance_risks),
        portfolio_findings=sections.finding_lines(portfolio_findings),
        services=service_sections(snapshot, selected, result, waivers, inputs.records.descriptions),
        waivers=waivers,
        rules=rule_lines(),
        teams=team_lines(snapshot, inputs.records, selected, whole=whole),
    )
