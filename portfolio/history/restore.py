"""Restoring a service to the version its history records at a past moment.

Restoring writes through the models inside one change scope of kind "restore",
so the restore is itself in the history. It rejects a service whose current
rows the history does not fully record (see `versions.history_gap`), rather
than treating unrecorded rows as older than the first recorded change. A row
that a bulk query wrote without history could be from any date, so either
choice about its past could delete data that existed on the chosen day.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portfolio.history.recording import change_scope
from portfolio.history.versions import (
    HistoryGap,
    ServiceVersion,
    history_gap,
    service_as_of,
    service_current,
)
from portfolio.models import ChangeKind, PatternAssignment, Responsibility, Service, Team
from portfolio.signals import portfolio_bump_revision


class RestoreRejected(Exception):
    """The restore would lose or invent data; the message states why and what to do instead."""


class RestoreConflict(RestoreRejected):
    """The service changed after the confirmation page showed what the restore would do."""


@dataclass(frozen=True)
class RestorePreview:
    """The effect of a restore: the current version and the one the restore would write."""

    current: ServiceVersion
    target: ServiceVersion
    gap: HistoryGap

    @property
    def changed_fields(self) -> list[str]:
        if self.target.fields is None:
            return []
        return [name for name, value in self.target.fields.items() if self.current.fields.get(name) != value]

    @property
    def changes_anything(self) -> bool:
        return bool(self.changed_fields or self.current.assignments != self.target.assignments
                    or self.current.cells != self.target.cells)

    def rejection(self) -> str | None:
        """Return why the restore is refused, or None when it may go ahead."""
        if self.gap:
            return _("The history of this service is incomplete: %(assignments)d pattern assignments, "
                     "%(cells)d RACI cells and %(fields)d fields differ from what it records, so it cannot "
                     "tell what the service held in the past. Nothing was restored. Change the service "
                     "through the editor or reload its data so that every row is recorded.") % {
                "assignments": self.gap.assignments, "cells": self.gap.cells, "fields": len(self.gap.fields)}
        if self.target.fields is None:
            return _("The service did not exist yet on this date, so there is no version to restore. "
                     "Nothing was restored.")
        return None


def restore_preview(service: Service, moment: datetime) -> RestorePreview:
    """Describe what restoring `service` to `moment` would change, read in ten queries.

    RACI cells of teams deleted since are left out of the target, as the restore leaves them out.
    """
    current = service_current(service)
    target = service_as_of(service, moment)
    gap = history_gap(current, service_as_of(service, timezone.now()))
    teams = set(Team.objects.filter(portfolio_id=service.portfolio_id).values_list("pk", flat=True))
    fields = target.fields
    if fields is not None and fields["owner_id"] not in teams:
        fields = {**fields, "owner_id": None}
    cells = frozenset(cell for cell in target.cells if cell[1] in teams)
    return RestorePreview(current, ServiceVersion(fields, target.assignments, cells), gap)


def service_restore(*, service: Service, moment: datetime, user_id: int | None = None,
                    expected: str | None = None) -> ServiceVersion:
    """Make `service`'s fields, pattern mix and RACI what they were at `moment`, and return that version.

    Raises RestoreRejected when the history of the service is incomplete or the
    service did not exist at `moment`. Raises RestoreConflict when `expected` is
    given and differs from the fingerprint of the current version, because
    someone changed the service after the confirmation was shown. Either way
    nothing is written.
    """
    reason = f"restore to {moment.isoformat()}"
    with change_scope(kind=ChangeKind.RESTORE, reason=reason, user_id=user_id), transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service.pk)
        preview = restore_preview(service, moment)
        if expected is not None and expected != preview.current.fingerprint():
            raise RestoreConflict(_("The service changed after this page was shown. Check the changes "
                                    "below and confirm again."))
        rejection = preview.rejection()
        if rejection:
            raise RestoreRejected(rejection)
        target = preview.target
        _restore_fields(service, target.fields)
        _restore_assignments(service, dict(target.assignments))
        _restore_cells(service, set(target.cells))
        portfolio_bump_revision(service.portfolio_id)
    return target


def _restore_fields(service: Service, fields: dict) -> None:
    changed = False
    for name, value in fields.items():
        if getattr(service, name) != value:
            setattr(service, name, value)
            changed = True
    if changed:
        service.save()


def _restore_assignments(service: Service, wanted: dict[str, list[str]]) -> None:
    for row in PatternAssignment.objects.filter(service=service):
        if row.pattern_id not in wanted:
            row.service = service
            row.delete()
        elif row.activities != wanted[row.pattern_id]:
            row.activities = wanted[row.pattern_id]
            row.service = service
            row.save()
        wanted = {key: value for key, value in wanted.items() if key != row.pattern_id}
    for pattern_key, activities in wanted.items():
        PatternAssignment.objects.create(service=service, pattern_id=pattern_key, activities=activities)


def _restore_cells(service: Service, wanted: set[tuple[str, int, str]]) -> None:
    for row in Responsibility.objects.filter(service=service):
        cell = (row.activity_id, row.team_id, row.role)
        if cell in wanted:
            wanted.discard(cell)
        else:
            row.service = service
            row.delete()
    for activity_key, team_id, role in sorted(wanted):
        Responsibility.objects.create(service=service, activity_id=activity_key, team_id=team_id, role=role)
