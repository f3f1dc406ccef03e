"""Small portfolio descriptions for rule tests, written to the database or built in memory.

A test describes a portfolio as a `PortfolioSpec`: services with their pattern
mix, RACI cells (by team name) and context, plus practice adoptions. `build`
writes it as real rows; `snapshot_in_memory` builds the `PortfolioSnapshot`
the engine reads without touching the database.
"""

from dataclasses import dataclass, field

import pytest

from patterns.library import read_data_file
from patterns.models import Expectation
from portfolio.analysis.engine import analyse
from portfolio.analysis.findings import Finding
from portfolio.analysis.library import LibrarySnapshot
from portfolio.analysis.registry import get_rule
from portfolio.analysis.snapshot import AdoptionInfo, PortfolioSnapshot, ServiceInfo, TeamInfo
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

# One team of each party kind; a spec names teams by these names.
TEAMS = {
    "Sales": "business",
    "Platform": "technology",
    "Acme Cloud": "vendor",
    "Globex Services": "service_provider",
    "Client Co": "customer",
}
TEAM_OF_KIND = {kind: name for name, kind in TEAMS.items()}

# Pattern key to the activities it governs; None means its whole scope.
Mix = dict[str, tuple[str, ...] | None]
# Activity key to (team name, RACI role) cells.
Raci = dict[str, list[tuple[str, str]]]


@dataclass
class ServiceSpec:
    key: str = "crm"
    name: str = "CRM"
    status: str = ServiceStatus.LIVE
    owner: str | None = "Platform"
    patterns: Mix = field(default_factory=dict)
    raci: Raci = field(default_factory=dict)
    context: dict = field(default_factory=dict)


@dataclass
class PortfolioSpec:
    services: list[ServiceSpec] = field(default_factory=list)
    teams: dict[str, str] = field(default_factory=lambda: dict(TEAMS))
    # Practice key to (adoption status, capability level or None).
    adoptions: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    min_capability_level: int = 2
    disabled_rules: tuple[str, ...] = ()


DATA, _CHECKSUM = read_data_file()


def _scope_cases() -> list:
    """Every (pattern, activity in its scope) pair of the shipped data file, as pytest params."""
    return [
        pytest.param(pattern["key"], activity, id=f"{pattern['key']}-{activity}")
        for pattern in DATA["patterns"]
        for activity in pattern["expectations"]
    ]


SCOPE = _scope_cases()
PATTERN_KEYS = tuple(pattern["key"] for pattern in DATA["patterns"])


def key_practices(pattern_key: str) -> list[str]:
    """Return the key practices of a shipped pattern, read from the data file."""
    return next(pattern["key_practices"] for pattern in DATA["patterns"] if pattern["key"] == pattern_key)


def adopt_key_practices(patterns, level: int | None = 3, *, skip=()) -> dict:
    """Return adoptions, at `level`, of every key practice of `patterns` except those in `skip`."""
    return {
        practice: ("adopted", level)
        for pattern in patterns
        for practice in key_practices(pattern)
        if practice not in skip
    }


def governed_activities(library: LibrarySnapshot, mix: Mix) -> dict[str, list[str]]:
    """Map each activity to the patterns of `mix` that govern it, in library order."""
    governed: dict[str, list[str]] = {}
    for pattern in library.patterns:
        if pattern not in mix:
            continue
        activities = mix[pattern]
        scope = library.patterns[pattern].scope
        for activity in library.activities:
            if activity in scope and (activities is None or activity in activities):
                governed.setdefault(activity, []).append(pattern)
    return governed


def conforming_raci(library: LibrarySnapshot, mix: Mix) -> Raci:
    """Return RACI cells that meet what the first governing pattern expects for every activity.

    The accountable team is of the first expected kind in alphabetical order, and
    a team of every other participating kind is consulted.
    """
    raci: Raci = {}
    for activity, patterns in governed_activities(library, mix).items():
        expectation = library.patterns[patterns[0]].expectations[activity]
        accountable_kind = sorted(expectation.accountable)[0]
        cells = [(TEAM_OF_KIND[accountable_kind], RaciRole.ACCOUNTABLE.value)]
        for kind in sorted(expectation.participating - {accountable_kind}):
            cells.append((TEAM_OF_KIND[kind], RaciRole.CONSULTED.value))
        raci[activity] = cells
    return raci


def build(spec: PortfolioSpec, key: str = "acme") -> Portfolio:
    """Write `spec` as rows of a new portfolio and return it, read back with its final revision."""
    portfolio = Portfolio.objects.create(
        key=key, name=key.title(), min_capability_level=spec.min_capability_level,
        disabled_rules=list(spec.disabled_rules),
    )
    teams = {name: Team.objects.create(portfolio=portfolio, name=name, party_kind=kind)
             for name, kind in spec.teams.items()}
    for service_spec in spec.services:
        service = Service.objects.create(
            portfolio=portfolio, key=service_spec.key, name=service_spec.name, status=service_spec.status,
            owner=teams[service_spec.owner] if service_spec.owner else None, context=service_spec.context,
        )
        for pattern, activities in service_spec.patterns.items():
            PatternAssignment.objects.create(service=service, pattern_id=pattern,
                                             activities=_activities_of(pattern, activities))
        for activity, cells in service_spec.raci.items():
            for team, role in cells:
                Responsibility.objects.create(service=service, activity_id=activity, team=teams[team],
                                              role=role)
    for practice, (status, level) in spec.adoptions.items():
        PracticeAdoption.objects.create(portfolio=portfolio, practice_id=practice, status=status,
                                        capability_level=level)
    return Portfolio.objects.get(pk=portfolio.pk)


def _activities_of(pattern: str, activities) -> list[str]:
    scope = list(Expectation.objects.filter(pattern__key=pattern).order_by("activity__position")
                 .values_list("activity_id", flat=True))
    if activities is None:
        return scope
    return [activity for activity in scope if activity in activities]


def snapshot_in_memory(spec: PortfolioSpec, library: LibrarySnapshot) -> PortfolioSnapshot:
    """Build the snapshot of `spec` directly, as `load_snapshot` would read it after `build`."""
    team_ids = {name: number for number, name in enumerate(spec.teams, start=1)}
    teams = {team_ids[name]: TeamInfo(team_ids[name], name, kind) for name, kind in spec.teams.items()}
    services = []
    for number, service_spec in enumerate(sorted(spec.services, key=lambda s: s.key), start=1):
        governed = governed_activities(library, service_spec.patterns)
        patterns = [key for key in library.patterns if key in service_spec.patterns]
        roles = {activity: [(team_ids[team], role) for team, role in cells]
                 for activity, cells in service_spec.raci.items() if cells}
        services.append(ServiceInfo(
            id=number, key=service_spec.key, name=service_spec.name, status=service_spec.status,
            owner_id=team_ids[service_spec.owner] if service_spec.owner else None,
            context=service_spec.context, patterns=patterns, governed=governed, roles=roles,
        ))
    adoptions = {practice: AdoptionInfo(practice, status, level, None)
                 for practice, (status, level) in spec.adoptions.items()}
    return PortfolioSnapshot(
        portfolio_id=1, portfolio_key="acme", revision=1, min_capability_level=spec.min_capability_level,
        disabled_rules=frozenset(spec.disabled_rules), library=library, teams=teams, services=services,
        adoptions=adoptions,
    )


def findings_of(code: str, snapshot: PortfolioSnapshot) -> list[Finding]:
    """Run the whole engine and keep the findings of rule `code`, in the engine's order."""
    return [finding for finding in analyse(snapshot).findings if finding.code == code]


def expected(code: str, message: str, hint: str, **subject) -> Finding:
    """Build the finding that rule `code` should report, with the level the registry gives it."""
    return get_rule(code).finding(message, hint, **subject)
