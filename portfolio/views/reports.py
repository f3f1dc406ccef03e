"""Report pages: the live report with its downloads, publishing, published reports and their diff.

Any member may read and download a report; only an owner may publish one.
Every view runs a fixed number of queries whatever the portfolio's size.
"""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from patterns.models import Pattern
from portfolio.access import portfolio_for_request
from portfolio.models import PublishedReport, Role, Team
from portfolio.reports.build import build_report
from portfolio.reports.diff import diff_reports
from portfolio.reports.downloads import direct_download_response, download_response
from portfolio.reports.forms import ReportFilterForm, requested_format, requested_table
from portfolio.reports.html import report_context
from portfolio.reports.pdf import PdfRenderError
from portfolio.reports.publishing import earlier_published, published_report, report_publish
from portfolio.reports.sorting import name_key
from portfolio.reports.tables import TABLES

logger = logging.getLogger(__name__)

PUBLISHED_PER_PAGE = 50
FILTER_FIELDS = ("team", "pattern", "status")
# Service Unavailable: the PDF renderer failed or timed out; the other formats still work.
PDF_FAILED_STATUS = 503


def author_name(user) -> str:
    return user.get_full_name() or user.get_username()


def _download(report, fmt, table=None, publication=None):
    try:
        return download_response(report, fmt, table=table, publication=publication)
    except PdfRenderError:
        message = _("The PDF could not be rendered. Try again, or download another format.")
        return HttpResponse(message, status=PDF_FAILED_STATUS, content_type="text/plain; charset=utf-8")


def _team_choices(portfolio) -> list[tuple[int, str]]:
    teams = Team.objects.filter(portfolio=portfolio).values_list("pk", "name")
    return sorted(teams, key=lambda team: (name_key(team[1]), team[0]))


def _pattern_choices() -> list[tuple[str, str]]:
    return sorted(Pattern.objects.values_list("key", "name"), key=lambda pattern: name_key(pattern[1]))


@login_required
@require_safe
def report_page(request, key):
    access = portfolio_for_request(request, key)
    portfolio = access.portfolio
    form = ReportFilterForm(request.GET, teams=_team_choices(portfolio), patterns=_pattern_choices())
    try:
        fmt, table = requested_format(request.GET), requested_table(request.GET)
    except ValidationError as error:
        return HttpResponseBadRequest(error.messages[0], content_type="text/plain; charset=utf-8")
    as_of, author, report_filter = timezone.localdate(), author_name(request.user), form.report_filter()
    if table is not None:
        # A table that needs no analysis is read on its own, without building the report.
        response = direct_download_response(portfolio, fmt, table, report_filter, as_of=as_of, author=author)
        if response is not None:
            return response
    report = build_report(portfolio, as_of=as_of, author=author, report_filter=report_filter)
    if fmt != "html":
        return _download(report, fmt, table)

    # TODO: page the service sections on screen once portfolios of thousands of services read the
    # report in the browser; today the page shows every service, as the PDF does.
    filters = urlencode({name: request.GET[name] for name in FILTER_FIELDS if request.GET.get(name)})
    context = {
        **report_context(report),
        "access": access,
        "portfolio": portfolio,
        "form": form,
        "filters": filters,
        "tables": list(TABLES),
    }
    return render(request, "reports/report.html", context)


@login_required
@require_POST
def publish(request, key):
    access = portfolio_for_request(request, key, min_role=Role.OWNER)
    published = report_publish(portfolio=access.portfolio, user=request.user)
    messages.success(request, _("Report #%(id)s published.") % {"id": published.pk})
    return redirect("report-published", key, published.pk)


@login_required
@require_safe
def published_list(request, key):
    access = portfolio_for_request(request, key)
    rows = (PublishedReport.objects.filter(portfolio=access.portfolio).defer("content")
            .order_by("-created_at", "-pk"))
    page = Paginator(rows, PUBLISHED_PER_PAGE).get_page(request.GET.get("page"))
    context = {"access": access, "portfolio": access.portfolio, "page": page}
    return render(request, "reports/published_list.html", context)


@login_required
@require_safe
def published_detail(request, key, report_id):
    access = portfolio_for_request(request, key)
    publication = get_object_or_404(PublishedReport, portfolio=access.portfolio, pk=report_id)
    try:
        fmt, table = requested_format(request.GET), requested_table(request.GET)
    except ValidationError as error:
        return HttpResponseBadRequest(error.messages[0], content_type="text/plain; charset=utf-8")
    report = published_report(publication)
    if fmt != "html":
        return _download(report, fmt, table, publication)
    context = {**report_context(report, publication), "access": access, "portfolio": access.portfolio,
               "tables": list(TABLES), "has_earlier": earlier_published(publication).exists()}
    return render(request, "reports/published_detail.html", context)


@login_required
@require_safe
def published_diff(request, key):
    """Compare two published reports given as `old` and `new` ids; `old` defaults to the one before `new`."""
    access = portfolio_for_request(request, key)
    reports = PublishedReport.objects.filter(portfolio=access.portfolio)
    new = get_object_or_404(reports, pk=_report_id(request.GET.get("new")))
    old_id = _report_id(request.GET.get("old"))
    if old_id is None:
        old = earlier_published(new).first()
        if old is None:
            messages.info(request, _("Report #%(id)s is the first published report; there is nothing "
                                     "to compare it with.") % {"id": new.pk})
            return redirect("report-published", key, new.pk)
    else:
        old = get_object_or_404(reports, pk=old_id)
    context = {
        "access": access,
        "portfolio": access.portfolio,
        "old": old,
        "new": new,
        "diff": diff_reports(published_report(old), published_report(new)),
    }
    return render(request, "reports/diff.html", context)


def _report_id(value) -> int | None:
    """Return `value` as a report id; None when it is missing or not a positive number."""
    if value and value.isdigit():
        return int(value)
    return None
