"""Writes to workshops: each function is one transaction and raises the workshop's version.

Changes to the portfolio itself go through `portfolio.services` (via
`Change.apply`); `decision_apply` wraps one such change with its decision record.
"""

import logging
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from portfolio.models import Portfolio, Service, Team
from portfolio.workshops.changes import Change
from portfolio.workshops.findings import (
    FindingsDelta,
    current_findings,
    findings_delta,
    findings_to_list,
)
from portfolio.workshops.models import ActionItem, AgendaItem, Decision, Workshop, WorkshopStatus

logger = logging.getLogger(__name__)


class _Rollback(Exception):
    """Raised inside a preview's atomic block so that everything it wrote is undone."""


def workshop_create(*, portfolio: Portfolio, title: str, date: date, facilitator=None) -> Workshop:
    workshop = Workshop(portfolio=portfolio, title=title.strip(), date=date, facilitator=facilitator)
    with transaction.atomic():
        workshop.full_clean()
        workshop.save()
    logger.info("Created workshop %s in portfolio %s", workshop.pk, portfolio.pk)
    return workshop


def workshop_update(*, workshop: Workshop, title: str, date: date, facilitator=None) -> Workshop:
    with transaction.atomic():
        workshop.title, workshop.date, workshop.facilitator = title.strip(), date, facilitator
        workshop.full_clean()
        workshop.save(update_fields=["title", "date", "facilitator"])
        workshop.bump_version()
    logger.info("Updated workshop %s", workshop.pk)
    return workshop


def agenda_add(*, workshop: Workshop, service: Service, timer_minutes: int | None = None) -> AgendaItem:
    if service.portfolio_id != workshop.portfolio_id:
        raise ValidationError({"service": _("The service “%(service)s” belongs to another portfolio.")
                               % {"service": service}})
    with transaction.atomic():
        if AgendaItem.objects.filter(workshop=workshop, service=service).exists():
            raise ValidationError({"service": _("“%(service)s” is already on the agenda.")
                                   % {"service": service}})
        last = AgendaItem.objects.filter(workshop=workshop).aggregate(last=Max("position"))["last"] or 0
        item = AgendaItem(workshop=workshop, service=service, position=last + 1, timer_minutes=timer_minutes)
        item.full_clean()
        item.save()
        workshop.bump_version()
    logger.info("Added service %s to the agenda of workshop %s", service.pk, workshop.pk)
    return item


def agenda_move(*, item: AgendaItem, offset: int) -> None:
    """Swap `item` with its neighbour `offset` places away (-1 up, +1 down); at either end, do nothing."""
    with transaction.atomic():
        items = list(AgendaItem.objects.select_for_update().filter(workshop_id=item.workshop_id)
                     .order_by("position"))
        index = next(i for i, other in enumerate(items) if other.pk == item.pk)
        target = index + offset
        if not 0 <= target < len(items):
            return
        items[index], items[target] = items[target], items[index]
        _renumber(items)
        item.workshop.bump_version()
    logger.info("Moved agenda item %s of workshop %s by %d", item.pk, item.workshop_id, offset)


def agenda_remove(*, item: AgendaItem) -> None:
    with transaction.atomic():
        item.delete()
        _renumber(list(AgendaItem.objects.select_for_update().filter(workshop_id=item.workshop_id)
                       .order_by("position")))
        item.workshop.bump_version()
    logger.info("Removed agenda item %s from workshop %s", item.pk, item.workshop_id)


def _renumber(items: list[AgendaItem]) -> None:
    changed = []
    for position, item in enumerate(items, start=1):
        if item.position != position:
            item.position = position
            changed.append(item)
    AgendaItem.objects.bulk_update(changed, ["position"])


def workshop_start(*, workshop: Workshop) -> None:
    """Mark the workshop running and record the portfolio's findings as they are at the start."""
    _check_status(workshop, WorkshopStatus.PLANNED)
    with transaction.atomic():
        workshop.findings_before = findings_to_list(current_findings(workshop.portfolio))
        workshop.status, workshop.started_at = WorkshopStatus.RUNNING, timezone.now()
        workshop.save(update_fields=["findings_before", "status", "started_at"])
        workshop.bump_version()
    logger.info("Started workshop %s", workshop.pk)


def workshop_close(*, workshop: Workshop) -> None:
    """Mark the workshop closed and record the findings as they are at the close, for the minutes."""
    _check_status(workshop, WorkshopStatus.RUNNING)
    with transaction.atomic():
        workshop.findings_after = findings_to_list(current_findings(workshop.portfolio))
        workshop.status, workshop.closed_at = WorkshopStatus.CLOSED, timezone.now()
        workshop.save(update_fields=["findings_after", "status", "closed_at"])
        workshop.bump_version()
    logger.info("Closed workshop %s", workshop.pk)


def _check_status(workshop: Workshop, expected: str) -> None:
    if workshop.status != expected:
        raise ValidationError({"status": _("The workshop is %(status)s; this needs it %(expected)s.") % {
            "status": workshop.get_status_display(), "expected": WorkshopStatus(expected).label}})


def change_preview(*, portfolio: Portfolio, change: Change) -> FindingsDelta:
    """Return the findings `change` would add and remove, writing nothing.

    The change is applied in a savepoint, the portfolio analysed from the
    database (not the cache), and everything rolled back. Raises ValidationError
    when the change itself is invalid.
    """
    before = current_findings(portfolio)
    after = None
    try:
        with transaction.atomic():
            change.apply()
            after = current_findings(portfolio)
            raise _Rollback
    except _Rollback:
        pass
    return findings_delta(before, after)


@dataclass(frozen=True)
class AppliedDecision:
    decision: Decision
    delta: FindingsDelta


def decision_apply(*, workshop: Workshop, change: Change, rationale: str, user) -> AppliedDecision:
    """Apply `change` and record it as a decision of `workshop`, with the findings it added and removed."""
    if workshop.status == WorkshopStatus.CLOSED:
        raise ValidationError(_("The workshop is closed; start a new one to make changes."))
    if not rationale.strip():
        raise ValidationError({"rationale": _("Say why: the rationale is recorded with the decision.")})
    with transaction.atomic():
        before = current_findings(workshop.portfolio)
        change.apply()
        delta = findings_delta(before, current_findings(workshop.portfolio))
        decision = Decision(
            workshop=workshop, service=change.service, kind=change.kind, summary=change.describe()[:400],
            change=change.record(), rationale=rationale.strip(), decided_by=user,
            decided_by_name=user.get_username(), findings_added=findings_to_list(delta.added),
            findings_removed=findings_to_list(delta.removed),
        )
        decision.full_clean()
        decision.save()
        workshop.bump_version()
    logger.info("Workshop %s decision %s: %s", workshop.pk, decision.pk, change.kind)
    return AppliedDecision(decision, delta)


def action_add(*, workshop: Workshop, description: str, owner: Team, due_on: date,
               decision: Decision | None = None) -> ActionItem:
    if owner.portfolio_id != workshop.portfolio_id:
        raise ValidationError({"owner": _("The team “%(team)s” belongs to another portfolio.")
                               % {"team": owner}})
    item = ActionItem(workshop=workshop, description=description.strip(), owner=owner, due_on=due_on,
                      decision=decision)
    with transaction.atomic():
        item.full_clean()
        item.save()
        workshop.bump_version()
    logger.info("Added action item %s to workshop %s", item.pk, workshop.pk)
    return item


def action_set_done(*, item: ActionItem, done: bool) -> None:
    with transaction.atomic():
        item.done = done
        item.save(update_fields=["done"])
        item.workshop.bump_version()
    logger.info("Action item %s of workshop %s done: %s", item.pk, item.workshop_id, done)
