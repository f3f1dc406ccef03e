"""Publish a report as an immutable snapshot, and read published reports back."""

import logging

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from portfolio.models import Portfolio, PublishedReport
from portfolio.reports.build import build_report
from portfolio.reports.diff import change_summary, diff_reports
from portfolio.reports.model import Change, Report
from portfolio.reports.serialise import content_hash, report_from_json, report_to_json

logger = logging.getLogger(__name__)


def report_publish(*, portfolio: Portfolio, user) -> PublishedReport:
    """Build the whole portfolio's report as of today and store its JSON with its SHA-256."""
    # First and last name may have 150 characters each, more than the stored author name holds.
    author_length = PublishedReport._meta.get_field("author_name").max_length
    author = (user.get_full_name() or user.get_username())[:author_length]
    report = build_report(portfolio, as_of=timezone.localdate(), author=author)
    content = report_to_json(report)
    with transaction.atomic():
        published = PublishedReport.objects.create(
            portfolio=portfolio,
            revision=report.cover.revision,
            library_version=report.cover.library_version,
            catalogue_version=report.cover.catalogue_version,
            author=user,
            author_name=author,
            content=content,
            content_hash=content_hash(content),
        )
    logger.info("Published report %s of portfolio %s at revision %s", published.pk, portfolio.pk,
                published.revision)
    return published


def published_report(published: PublishedReport) -> Report:
    return report_from_json(published.content)


def latest_published(portfolio: Portfolio) -> PublishedReport | None:
    return PublishedReport.objects.filter(portfolio=portfolio).order_by("-created_at", "-pk").first()


def earlier_published(publication: PublishedReport) -> QuerySet:
    """Return the reports of the same portfolio published before `publication`, newest first.

    Reports are ordered by creation time, and by id among those created at the same time.
    """
    created = publication.created_at
    earlier = Q(created_at__lt=created) | Q(created_at=created, pk__lt=publication.pk)
    return (PublishedReport.objects.filter(earlier, portfolio_id=publication.portfolio_id)
            .order_by("-created_at", "-pk"))


def change_since_latest(portfolio: Portfolio, report: Report) -> Change | None:
    """Summarise what changed since the latest published report, in one query; None if there is none."""
    latest = latest_published(portfolio)
    if latest is None:
        return None
    previous = published_report(latest)
    return change_summary(diff_reports(previous, report), latest.pk, previous, latest.content_hash)
