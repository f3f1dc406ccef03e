"""Read the change history: change sets with their changes and each field's value before and after.

The feed pages over change sets. For one page it reads at most PARTS_SHOWN
historical rows per change set from each historical table, their previous
versions, and the names of the teams, users and services they refer to. The
number of queries per page is therefore fixed, whatever the size of the history.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from portfolio.history.labels import LibraryNames
from portfolio.history.tracked import (
    HIDDEN_FIELDS,
    OBJECT_TYPE_LABELS,
    OBJECT_TYPES,
    SERVICE_CHILDREN,
    TEAM_FIELDS,
    USER_FIELDS,
)
from portfolio.models import ChangeSet, Portfolio, RaciRole, Service, Team

# Maximum number of changes one feed entry lists. The change set page lists them all.
PARTS_SHOWN = 20
HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass(frozen=True)
class FeedFilter:
    """The feed's filters, where `since` and `until` are dates in the current time zone, both included."""

    user_id: int | None = None
    object_type: str = ""
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class FieldChange:
    """One field's value before and after a change; `before_recorded` is False when no earlier version exists.

    That happens for a row written without history (by a bulk query) and changed later.
    """

    field: str
    label: str
    before: str
    after: str
    before_recorded: bool = True


@dataclass
class Change:
    """One historical row: what happened to which object, and the fields it changed."""

    object_type: str
    object_id: int
    label: str
    action: str
    date: datetime
    fields: list[FieldChange]

    @property
    def type_label(self) -> str:
        return str(OBJECT_TYPE_LABELS[self.object_type])


@dataclass
class FeedEntry:
    change_set: ChangeSet
    changes: list[Change] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.changes)


def change_sets(portfolio: Portfolio, feed_filter: FeedFilter = FeedFilter(), *,
                service: Service | None = None) -> QuerySet[ChangeSet]:
    """Return the portfolio's change sets, newest first, narrowed by `feed_filter` and to `service`."""
    query = ChangeSet.objects.filter(portfolio=portfolio).select_related("user")
    if feed_filter.user_id:
        query = query.filter(user_id=feed_filter.user_id)
    if feed_filter.since:
        query = query.filter(created_at__gte=_start_of(feed_filter.since))
    if feed_filter.until:
        query = query.filter(created_at__lt=_start_of(feed_filter.until + timedelta(days=1)))
    if feed_filter.object_type in OBJECT_TYPES:
        historical = _historical(feed_filter.object_type)
        query = query.filter(Exists(historical.objects.filter(history_change_set=OuterRef("pk"))))
    if service is not None:
        query = query.filter(_touches_service(service.pk))
    return query.order_by("-created_at", "-pk")


def feed_entries(page: list[ChangeSet], *, limit: int | None = PARTS_SHOWN,
                 service: Service | None = None) -> list[FeedEntry]:
    """Return the entries of one page of change sets, each with up to `limit` changes (None: all)."""
    entries = {change_set.pk: FeedEntry(change_set) for change_set in page}
    if not entries:
        return []
    rows = []
    for object_type in OBJECT_TYPES:
        if service is not None and object_type not in ("service", *SERVICE_CHILDREN):
            continue
        rows.extend((object_type, row) for row in _rows(object_type, list(entries), limit, service))
    names = _Names.load(row for _, row in rows)
    counted = set()
    for object_type, row in rows:
        entry = entries[row.history_change_set_id]
        if limit is None:
            entry.total += 1
        elif (entry.change_set.pk, object_type) not in counted:
            # Every row carries the count of its table's rows in the change set.
            counted.add((entry.change_set.pk, object_type))
            entry.total += row.total_in_set
        entry.changes.append(_change(object_type, row, names))
    for entry in entries.values():
        entry.changes.sort(key=lambda change: (change.date, change.object_type, change.object_id))
        if limit is not None:
            entry.changes = entry.changes[:limit]
    return list(entries.values())


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def _historical(object_type: str):
    return OBJECT_TYPES[object_type].history.model


def _touches_service(service_id: int) -> Q:
    match = Q(Exists(_historical("service").objects.filter(history_change_set=OuterRef("pk"), id=service_id)))
    for object_type in SERVICE_CHILDREN:
        match |= Q(Exists(_historical(object_type).objects.filter(history_change_set=OuterRef("pk"),
                                                                  service_id=service_id)))
    return match


def _rows(object_type: str, change_set_ids: list[int], limit: int | None, service: Service | None) -> list:
    """Read the change sets' rows from one historical table, each with its previous version."""
    historical = _historical(object_type)
    previous = (historical.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
                .order_by("-history_id").values("history_id")[:1])
    query = historical.objects.filter(history_change_set_id__in=change_set_ids)
    if service is not None:
        match = {"id": service.pk} if object_type == "service" else {"service_id": service.pk}
        query = query.filter(**match)
    query = query.annotate(previous_id=Subquery(previous))
    if limit is not None:
        by_set = {"partition_by": F("history_change_set_id")}
        query = query.annotate(
            position=Window(RowNumber(), order_by=F("history_id").asc(), **by_set),
            total_in_set=Window(Count("*"), **by_set),
        ).filter(position__lte=limit)
    rows = list(query.order_by("history_id"))
    previous_ids = [row.previous_id for row in rows if row.history_type == "~" and row.previous_id]
    before = historical.objects.in_bulk(previous_ids) if previous_ids else {}
    for row in rows:
        row.previous = before.get(row.previous_id) if row.history_type == "~" else None
    return rows


class _Names:
    """Names of the teams, users, services and library entries that one page of rows refers to.

    Read in six or seven queries: the seventh reads the recorded names of
    deleted teams, when the page refers to any.
    """

    def __init__(self, teams: dict, users: dict, services: dict, library: LibraryNames):
        self.teams, self.users, self.services, self.library = teams, users, services, library

    @classmethod
    def load(cls, rows) -> "_Names":
        team_ids, user_ids, service_ids = set(), set(), set()
        for row in rows:
            for version in (row, row.previous):
                if version is None:
                    continue
                team_ids.update(getattr(version, f"{name}_id", None) for name in TEAM_FIELDS)
                user_ids.update(getattr(version, f"{name}_id", None) for name in USER_FIELDS)
                service_ids.add(getattr(version, "service_id", None))
        return cls(
            _team_names(team_ids),
            _names(get_user_model().objects.all(), user_ids, "username"),
            _names(Service.objects.all(), service_ids, "name"),
            LibraryNames.load(),
        )

    def value(self, row, model_field) -> str:
        raw = getattr(row, model_field.attname)
        if raw is None or raw == "":
            return ""
        if model_field.name in TEAM_FIELDS:
            return self.teams.get(raw, f"#{raw}")
        if model_field.name in USER_FIELDS:
            return self.users.get(raw, f"#{raw}")
        if model_field.name == "service":
            return self.services.get(raw, _("deleted service"))
        if model_field.name == "activity":
            return self.library.activity(raw)
        if model_field.name == "pattern":
            return self.library.pattern(raw)
        if model_field.name == "activities":
            return self.library.activity_list(raw)
        if model_field.name == "context":
            return self.library.context(raw)
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(raw, raw))
        if isinstance(raw, datetime):
            # The active time zone is the user's (TimeZoneMiddleware), or the export's zone.
            return timezone.localtime(raw).strftime("%Y-%m-%d %H:%M")
        if isinstance(raw, list):
            return ", ".join(str(item) for item in raw)
        return str(raw)


def _names(query: QuerySet, ids: set, field_name: str) -> dict:
    ids.discard(None)
    return dict(query.filter(pk__in=ids).values_list("pk", field_name)) if ids else {}


def _team_names(ids: set) -> dict:
    """Map team ids to their names; a deleted team gets the last name that its history recorded."""
    names = _names(Team.objects.all(), ids, "name")
    missing = ids - set(names)
    if missing:
        # Ordered oldest first, so each team's newest recorded name is the one that stays.
        recorded = Team.history.filter(id__in=missing).order_by("history_id").values_list("id", "name")
        names.update(recorded)
    return names


def _change(object_type: str, row, names: _Names) -> Change:
    fields = []
    model = OBJECT_TYPES[object_type]
    for model_field in model._meta.concrete_fields:
        if model_field.name in HIDDEN_FIELDS or not hasattr(row, model_field.attname):
            continue
        after = names.value(row, model_field) if row.history_type != "-" else ""
        recorded = row.history_type != "~" or row.previous is not None
        if row.history_type == "+":
            before = ""
        elif row.history_type == "-":
            before = names.value(row, model_field)
        elif recorded:
            before = names.value(row.previous, model_field)
        else:
            before = _("not recorded")
        if before != after:
            label = str(model_field.verbose_name)
            fields.append(FieldChange(model_field.name, label, before, after, recorded))
    return Change(object_type, row.id, _label(object_type, row, names), HISTORY_TYPES[row.history_type],
                  row.history_date, fields)


def _label(object_type: str, row, names: _Names) -> str:
    if object_type == "membership":
        return names.users.get(row.user_id, f"#{row.user_id}")
    if object_type == "assignment":
        service = names.services.get(row.service_id, _("deleted service"))
        return f"{service} · {names.library.pattern(row.pattern_id)}"
    if object_type == "responsibility":
        team = names.teams.get(row.team_id, f"#{row.team_id}")
        service = names.services.get(row.service_id, _("deleted service"))
        role = RaciRole(row.role).label if row.role in RaciRole.values else row.role
        return f"{service} · {names.library.activity(row.activity_id)} · {team} ({role})"
    if object_type == "practice":
        return row.practice_id
    if object_type == "waiver":
        return f"{row.code} {row.subject}"
    return row.name
