"""A service as it was at a past moment, and restoring it to that version.

The version at a moment is, for the service and each of its pattern assignments
and RACI cells, the newest historical row at or before the moment, unless that
row records a deletion. Restoring writes through the models inside one change
scope of kind "restore", so the restore is itself in the history.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import OuterRef, Subquery

from portfolio.history.recording import change_scope
from portfolio.models import ChangeKind, PatternAssignment, Responsibility, Service, Team
from portfolio.signals import portfolio_bump_revision

RESTORED_FIELDS = ("name", "description", "status", "owner_id", "context")


@dataclass(frozen=True)
class ServiceVersion:
    """A service's fields, pattern mix and RACI cells at one moment, with `fields` None before it existed."""

    fields: dict | None
    assignments: dict[str, list[str]]
    cells: frozenset[tuple[str, int, str]]


def service_as_of(service: Service, moment: datetime) -> ServiceVersion:
    """Return `service` as recorded at `moment`, read in three queries."""
    fields_row = (Service.history.filter(id=service.pk, history_date__lte=moment)
                  .order_by("-history_date", "-history_id").first())
    fields = None
    if fields_row is not None and fields_row.history_type != "-":
        fields = {name: getattr(fields_row, name) for name in RESTORED_FIELDS}
    assignments = {row.pattern_id: list(row.activities)
                   for row in _alive_at(PatternAssignment, service, moment)}
    cells = frozenset((row.activity_id, row.team_id, row.role) for row in _alive_at(Responsibility, service,
                                                                                      moment))
    return ServiceVersion(fields, assignments, cells)


def team_names_as_of(team_ids, moment: datetime) -> dict[int, str]:
    """Map `team_ids` to each team's name at `moment`, read in at most three queries.

    A team that the history did not record by then gets its current name, and a
    team deleted since gets the last name that its history recorded.
    """
    ids = {team_id for team_id in team_ids if team_id is not None}
    if not ids:
        return {}
    # Ordered oldest first, so that each team's newest name up to the moment is the one that stays.
    names = dict(Team.history.filter(id__in=ids, history_date__lte=moment)
                 .order_by("history_date", "history_id").values_list("id", "name"))
    missing = ids - set(names)
    if missing:
        names |= dict(Team.objects.filter(pk__in=missing).values_list("pk", "name"))
        missing -= set(names)
    if missing:
        names |= dict(Team.history.filter(id__in=missing).order_by("history_id").values_list("id", "name"))
    return names


def service_restore(*, service: Service, moment: datetime, user_id: int | None = None) -> ServiceVersion:
    """Make `service`'s fields, pattern mix and RACI what they were at `moment`, and return that version.

    RACI cells of teams deleted since are left out, because the rows they pointed at are gone.
    """
    version = service_as_of(service, moment)
    reason = f"restore to {moment.isoformat()}"
    with change_scope(kind=ChangeKind.RESTORE, reason=reason, user_id=user_id), transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service.pk)
        teams = set(Team.objects.filter(portfolio_id=service.portfolio_id).values_list("pk", flat=True))
        if version.fields is not None:
            _restore_fields(service, version.fields, teams)
        _restore_assignments(service, version.assignments)
        _restore_cells(service, {cell for cell in version.cells if cell[1] in teams})
        portfolio_bump_revision(service.portfolio_id)
    return version


def _alive_at(model, service: Service, moment: datetime) -> list:
    historical = model.history.model
    newest = (historical.objects.filter(id=OuterRef("id"), history_date__lte=moment)
              .order_by("-history_date", "-history_id").values("history_id")[:1])
    rows = historical.objects.filter(service_id=service.pk, history_date__lte=moment,
                                     history_id=Subquery(newest))
    return [row for row in rows if row.history_type != "-"]


def _restore_fields(service: Service, fields: dict, teams: set[int]) -> None:
    changed = False
    for name, value in fields.items():
        if name == "owner_id" and value not in teams:
            value = None
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
