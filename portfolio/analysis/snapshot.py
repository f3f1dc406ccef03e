"""An in-memory copy of one portfolio, loaded in a fixed number of queries.

Rules read only this snapshot. Loading costs five queries for the portfolio's
rows plus seven for the library, whatever the number of services.
"""

import bisect
import dataclasses
import gc
import json
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db.models import TextField
from django.db.models.functions import Cast

from portfolio.analysis.library import LibrarySnapshot, load_library
from portfolio.models import (
    PatternAssignment,
    Portfolio,
    PracticeAdoption,
    RaciRole,
    Responsibility,
    Service,
    ServiceStatus,
    Team,
)

# Plain strings: reading a member of a Django choices enum costs a descriptor call,
# which adds up in methods that rules call hundreds of thousands of times.
_ACCOUNTABLE = RaciRole.ACCOUNTABLE.value
_RETIRED = ServiceStatus.RETIRED.value


@dataclass(frozen=True, slots=True)
class TeamInfo:
    id: int
    name: str
    party_kind: str


@dataclass(frozen=True, slots=True)
class AdoptionInfo:
    practice: str
    status: str
    capability_level: int | None
    owner_id: int | None


@dataclass(slots=True)
class ServiceInfo:
    """One service with its pattern mix and RACI cells.

    `governed` maps an activity key to the keys of the assigned patterns that
    govern it; `roles` maps an activity key to its (team id, RACI role) cells.
    """

    id: int
    key: str
    name: str
    status: str
    owner_id: int | None
    context: dict
    patterns: list[str] = field(default_factory=list)
    governed: dict[str, list[str]] = field(default_factory=dict)
    roles: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    # Filled by the first call of `accountable`, once the loader has added every cell to `roles`.
    _accountable: dict[str, tuple[int, ...]] | None = field(
        default=None, init=False, repr=False, compare=False)

    @property
    def analysed(self) -> bool:
        """Retired services are kept for the record but no longer governed."""
        return self.status != _RETIRED

    def accountable(self, activity: str) -> tuple[int, ...]:
        """Return the ids of the teams accountable for `activity`, in the order of `roles`.

        The rules call this about two dozen times per service, so the result is
        computed once per service; do not change `roles` afterwards.
        """
        by_activity = self._accountable
        if by_activity is None:
            by_activity = self._accountable = {
                key: tuple(team for team, role in cells if role == _ACCOUNTABLE)
                for key, cells in self.roles.items()
            }
        return by_activity.get(activity, ())

    def teams_taking_part(self, activity: str) -> set[int]:
        return {team for team, _ in self.roles.get(activity, ())}


@dataclass
class PortfolioSnapshot:
    """One portfolio in memory. Treat it as read-only once built: derived values are computed once.

    `services` is sorted by key in Python's string order, whatever the
    database's collation, so that a service is found by binary search.
    """

    portfolio_id: int
    portfolio_key: str
    revision: int
    min_capability_level: int
    disabled_rules: frozenset[str]
    library: LibrarySnapshot
    teams: dict[int, TeamInfo]
    services: list[ServiceInfo]
    adoptions: dict[str, AdoptionInfo]
    _patterns_in_use: dict[str, list[str]] | None = field(default=None, init=False, repr=False, compare=False)

    def patterns_in_use(self) -> dict[str, list[str]]:
        """Map each pattern assigned to an analysed service to those services' keys."""
        # Three portfolio rules ask for this; one pass over 10,000 services takes milliseconds.
        if self._patterns_in_use is None:
            in_use = defaultdict(list)
            for service in self.services:
                if service.status != _RETIRED:
                    for pattern in service.patterns:
                        in_use[pattern].append(service.key)
            self._patterns_in_use = dict(in_use)
        return dict(self._patterns_in_use)

    def find_service(self, key: str) -> ServiceInfo | None:
        index = bisect.bisect_left(self.services, key, key=_service_key)
        if index < len(self.services) and self.services[index].key == key:
            return self.services[index]
        return None

    def with_services(self, removed: list[ServiceInfo], added: list[ServiceInfo],
                      **changes) -> "PortfolioSnapshot":
        """Return a copy without the `removed` services, with the `added` ones, and with `changes`.

        The copy shares every other ServiceInfo with this snapshot, and derives
        its patterns in use from this snapshot's instead of walking every service.
        """
        services = list(self.services)
        for service in removed:
            index = bisect.bisect_left(services, service.key, key=_service_key)
            if index == len(services) or services[index] is not service:
                index = services.index(service)
            del services[index]
        for service in added:
            bisect.insort(services, service, key=_service_key)
        copy = dataclasses.replace(self, services=services, **changes)
        if self._patterns_in_use is not None:
            copy._patterns_in_use = _patterns_in_use_after(self._patterns_in_use, removed, added)
        return copy


def _service_key(service: ServiceInfo) -> str:
    return service.key


def _patterns_in_use_after(in_use: dict[str, list[str]], removed: list[ServiceInfo],
                           added: list[ServiceInfo]) -> dict[str, list[str]]:
    updated = {pattern: list(keys) for pattern, keys in in_use.items()}
    for service in removed:
        if service.analysed:
            for pattern in service.patterns:
                updated[pattern].remove(service.key)
                if not updated[pattern]:
                    del updated[pattern]
    for service in added:
        if service.analysed:
            for pattern in service.patterns:
                bisect.insort(updated.setdefault(pattern, []), service.key)
    return updated


def load_snapshot(portfolio: Portfolio, library: LibrarySnapshot | None = None) -> PortfolioSnapshot:
    """Read one portfolio into memory: five queries, plus seven when `library` is not given."""
    if library is None:
        library = load_library()
    with gc_paused():
        teams = load_teams(portfolio)
        services = load_services(Service.objects.filter(portfolio=portfolio))
        load_assignments(services, PatternAssignment.objects.filter(service__portfolio=portfolio))
        load_roles(services, Responsibility.objects.filter(service__portfolio=portfolio))
    # The database sorted the rows by its collation; this sort costs one pass when that agrees with Python.
    ordered = sorted(services.values(), key=_service_key)
    return PortfolioSnapshot(
        portfolio_id=portfolio.pk,
        portfolio_key=portfolio.key,
        revision=portfolio.revision,
        min_capability_level=portfolio.min_capability_level,
        disabled_rules=frozenset(portfolio.disabled_rules or ()),
        library=library,
        teams=teams,
        services=ordered,
        adoptions=load_adoptions(portfolio),
    )


@contextmanager
def gc_paused():
    """Pause Python's cyclic garbage collector for a block that builds many long-lived objects.

    Each collection of the oldest generation walks every tracked object, and
    building a snapshot of 10,000 services (about 200,000 tuples, lists and
    dicts) set off enough of them to take most of the load time. The objects
    built here form no reference cycles, so nothing is left for the collector
    to find. A collector that was already off stays off.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# The loaders below read JSON columns as text and decode them here: Django's
# JSONField converter costs several microseconds a row, and most rows repeat
# one of a few values (an empty context, a pattern's full scope).

def load_services(queryset) -> dict[int, ServiceInfo]:
    """Map service ids to ServiceInfo in the database's key order, without patterns or RACI cells yet."""
    rows = (
        queryset.order_by("key")
        .annotate(context_text=Cast("context", TextField()))
        .values_list("pk", "key", "name", "status", "owner_id", "context_text")
    )
    return {
        pk: ServiceInfo(pk, key, name, status, owner_id, _decode_context(context))
        for pk, key, name, status, owner_id, context in rows
    }


def load_assignments(services: dict[int, ServiceInfo], queryset) -> None:
    """Add the pattern assignments in `queryset` to `services`, patterns in library order."""
    rows = (
        queryset.order_by("service_id", "pattern__position")
        .annotate(activities_text=Cast("activities", TextField()))
        .values_list("service_id", "pattern_id", "activities_text")
    )
    decoded: dict[str, list[str]] = {}
    for service_id, pattern, activities_text in rows:
        activities = decoded.get(activities_text)
        if activities is None:
            activities = decoded[activities_text] = json.loads(activities_text) if activities_text else []
        service = services[service_id]
        service.patterns.append(pattern)
        governed = service.governed
        for activity in activities:
            if activity in governed:
                governed[activity].append(pattern)
            else:
                governed[activity] = [pattern]


def load_roles(services: dict[int, ServiceInfo], queryset) -> None:
    """Add the RACI cells in `queryset` to `services`."""
    rows = queryset.values_list("service_id", "activity_id", "team_id", "role")
    for service_id, activity, team_id, role in rows:
        roles = services[service_id].roles
        if activity in roles:
            roles[activity].append((team_id, role))
        else:
            roles[activity] = [(team_id, role)]


def load_teams(portfolio: Portfolio) -> dict[int, TeamInfo]:
    return {
        pk: TeamInfo(pk, name, kind)
        for pk, name, kind in Team.objects.filter(portfolio=portfolio).values_list("pk", "name", "party_kind")
    }


def load_adoptions(portfolio: Portfolio) -> dict[str, AdoptionInfo]:
    return {
        practice: AdoptionInfo(practice, status, level, owner_id)
        for practice, status, level, owner_id in PracticeAdoption.objects.filter(
            portfolio=portfolio
        ).values_list("practice_id", "status", "capability_level", "owner_id")
    }


def _decode_context(text: str | None) -> dict:
    if not text or text == "{}":
        return {}
    return json.loads(text)
