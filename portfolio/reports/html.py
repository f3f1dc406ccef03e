"""The report as HTML: the context both the page and the PDF document render from."""

from django.template.loader import render_to_string

from portfolio.models import PublishedReport
from portfolio.reports import charts
from portfolio.reports.model import Report

DOCUMENT_TEMPLATE = "reports/document.html"


def report_context(report: Report, publication: PublishedReport | None = None) -> dict:
    """Return what templates/reports/includes/body.html needs: the report, its charts and publication."""
    return {
        "report": report,
        "publication": publication,
        "pattern_chart": charts.pattern_distribution(report.summary.services_by_pattern),
        "ownership_chart": charts.heatmap_chart(report.charts.ownership),
        "rules_chart": charts.findings_by_rule(report.charts.findings_by_rule),
        "services_by_key": {service.key: service.name for service in report.services},
    }


def render_document(report: Report, publication: PublishedReport | None = None) -> str:
    """Render the standalone HTML document that the PDF is made from."""
    return render_to_string(DOCUMENT_TEMPLATE, report_context(report, publication))
