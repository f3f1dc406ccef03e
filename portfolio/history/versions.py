"""A service's version at a past moment, read from the history, and where the history falls short.

The version at a moment is, for the service and each of its pattern assignments
and RACI cells, the newest historical row at or before the moment, unless that
row records a deletion.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from portfolio.models import PatternAssignment, Responsibility, Service, Team

RESTORED_FIELDS = ("name", "description", "status", "owner_id", "context")


@dataclass(frozen=True)
class ServiceVersion:
    """A service's fields, pattern mix and RACI cells at one moment, with `fields` None before it existed."""

    fields: dict | None
    assignments: dict[str, list[str]]
    cells: frozenset[tuple[str, int, str]]

    def fingerprint(self) -> str:
        """Return a digest that changes whenever the fields, the pattern mix or the RACI cells change."""
        content = [self.fields, sorted(self.assignments.items()), sorted(self.cells)]
        text = json.dumps(content, sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class HistoryGap:
    """The parts of a service's current rows that its history does not record as they are now.

    `fields` names the service fields whose current value differs from the
    newest recorded one (all of them when the service has no history). The
    counts are the pattern assignments and RACI cells that are present now but
    not recorded, recorded but gone without a recorded deletion, or changed
    without a record.
    """

    fields: tuple[str, ...] = ()
    assignments: int = 0
    cells: int = 0

    def __bool__(self) -> bool:
        return bool(self.fields or self.assignments or self.cells)


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


def service_current(service: Service) -> ServiceVersion:
    """Return `service` as its rows hold it now, read in three queries."""
    fields = Service.objects.filter(pk=service.pk).values(*RESTORED_FIELDS).first()
    assignments = dict(PatternAssignment.objects.filter(service_id=service.pk)
                       .values_list("pattern_id", "activities"))
    cells = frozenset(Responsibility.objects.filter(service_id=service.pk)
                      .values_list("activity_id", "team_id", "role"))
    return ServiceVersion(fields, assignments, cells)


def history_gap(current: ServiceVersion, recorded_now: ServiceVersion) -> HistoryGap:
    """Compare a service's current rows with the version its history records for the present moment.

    A row written by a bulk query that recorded no history (an older demo load,
    a shell session) shows up here. Any gap means the history cannot tell what
    the service held in the past, so the as-of view warns and restore rejects.
    """
    current_fields = current.fields or {}
    recorded_fields = recorded_now.fields or {}
    fields = tuple(name for name in RESTORED_FIELDS
                   if current_fields.get(name) != recorded_fields.get(name) or recorded_now.fields is None)
    patterns = current.assignments.keys() | recorded_now.assignments.keys()
    assignments = sum(1 for pattern in patterns
                      if current.assignments.get(pattern) != recorded_now.assignments.get(pattern))
    cells = len(current.cells ^ recorded_now.cells)
    return HistoryGap(fields, assignments, cells)


def service_history_gap(service: Service) -> HistoryGap:
    """Return what the history of `service` leaves out of its current rows, read in six queries."""
    return history_gap(service_current(service), service_as_of(service, timezone.now()))


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


def _alive_at(model, service: Service, moment: datetime) -> list:
    historical = model.history.model
    newest = (historical.objects.filter(id=OuterRef("id"), history_date__lte=moment)
              .order_by("-history_date", "-history_id").values("history_id")[:1])
    rows = historical.objects.filter(service_id=service.pk, history_date__lte=moment,
                                     history_id=Subquery(newest))
    return [row for row in rows if row.history_type != "-"]
