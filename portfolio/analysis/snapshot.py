"""An in-memory copy of one portfolio, loaded in a fixed number of queries.

Rules read only this snapshot. Loading costs five queries for the portfolio's
rows plus seven for the library, whatever the number of services.
"""

from collections import defaultdict
from dataclasses import dataclass, field

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

    @property
    def analysed(self) -> bool:
        """Retired services are kept for the record but no longer governed."""
        return self.status != ServiceStatus.RETIRED

    def accountable(self, activity: str) -> list[int]:
        return [team for team, role in self.roles.get(activity, ()) if role == RaciRole.ACCOUNTABLE]

    def teams_taking_part(self, activity: str) -> set[int]:
        return {team for team, _ in self.roles.get(activity, ())}


@dataclass
class PortfolioSnapshot:
    portfolio_id: int
    portfolio_key: str
    revision: int
    min_capability_level: int
    disabled_rules: frozenset[str]
    library: LibrarySnapshot
    teams: dict[int, TeamInfo]
    services: list[ServiceInfo]
    adoptions: dict[str, AdoptionInfo]

    def patterns_in_use(self) -> dict[str, list[str]]:
        """Map each pattern assigned to an analysed service to those services' keys."""
        in_use = defaultdict(list)
        for service in self.services:
            if service.analysed:
                for pattern in service.patterns:
                    in_use[pattern].append(service.key)
        return dict(in_use)


def load_snapshot(portfolio: Portfolio, library: LibrarySnapshot | None = None) -> PortfolioSnapshot:
    """Read one portfolio into memory: five queries, plus seven when `library` is not given."""
    if library is None:
        library = load_library()
    teams = {
        pk: TeamInfo(pk, name, kind)
        for pk, name, kind in Team.objects.filter(portfolio=portfolio).values_list("pk", "name", "party_kind")
    }
    services = {
        pk: ServiceInfo(pk, key, name, status, owner_id, context or {})
        for pk, key, name, status, owner_id, context in Service.objects.filter(portfolio=portfolio)
        .order_by("key")
        .values_list("pk", "key", "name", "status", "owner_id", "context")
    }

    assignments = (
        PatternAssignment.objects.filter(service__portfolio=portfolio)
        .order_by("service_id", "pattern__position")
        .values_list("service_id", "pattern_id", "activities")
    )
    for service_id, pattern, activities in assignments:
        service = services[service_id]
        service.patterns.append(pattern)
        for activity in activities:
            service.governed.setdefault(activity, []).append(pattern)

    cells = Responsibility.objects.filter(service__portfolio=portfolio).values_list(
        "service_id", "activity_id", "team_id", "role"
    )
    for service_id, activity, team_id, role in cells:
        services[service_id].roles.setdefault(activity, []).append((team_id, role))

    adoptions = {
        practice: AdoptionInfo(practice, status, level, owner_id)
        for practice, status, level, owner_id in PracticeAdoption.objects.filter(
            portfolio=portfolio
        ).values_list("practice_id", "status", "capability_level", "owner_id")
    }

    return PortfolioSnapshot(
        portfolio_id=portfolio.pk,
        portfolio_key=portfolio.key,
        revision=portfolio.revision,
        min_capability_level=portfolio.min_capability_level,
        disabled_rules=frozenset(portfolio.disabled_rules or ()),
        library=library,
        teams=teams,
        services=list(services.values()),
        adoptions=adoptions,
    )
