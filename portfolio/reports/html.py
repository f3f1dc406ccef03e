"""The report as HTML: the context both the page and the PDF documents render from."""

from django.template.loader import render_to_string

from portfolio.models import PublishedReport
from portfolio.reports import charts
from portfolio.reports.model import Report

DOCUMENT_TEMPLATE = "reports/document.html"


def report_context(report: Report, publication: PublishedReport | None = None) -> dict:
    """Return what templates/reports/includes/body.html needs to show the whole report."""
    return {
        "report": report,
        "publication": publication,
        "pattern_chart": charts.pattern_distribution(report.summary.services_by_pattern),
        "ownership_chart": charts.heatmap_chart(report.charts.ownership),
        "rules_chart": charts.findings_by_rule(report.charts.findings_by_rule),
        "services": report.services,
        "front": True,
        "back": True,
    }


def render_documents(report: Report, publication: PublishedReport | None = None, parts: int = 1) -> list[str]:
    """Render the report as `parts` standalone HTML documents that together make the whole report.

    The first part has the sections before the services, the last one those after them, and
    the services are shared out evenly. One part is the whole report.
    """
    context = report_context(report, publication)
    services = report.services
    parts = max(1, min(parts, len(services)))
    size = -(-len(services) // parts) if services else 0
    documents = []
    for index in range(parts):
        part = {
            **context,
            "services": services[index * size:(index + 1) * size],
            "front": index == 0,
            "back": index == parts - 1,
        }
        documents.append(render_to_string(DOCUMENT_TEMPLATE, part))
    return documents


def render_document(report: Report, publication: PublishedReport | None = None) -> str:
    """Render the whole report as one standalone HTML document."""
    return render_documents(report, publication)[0]
