"""Reads for the portfolio pages, each in a fixed number of queries whatever the portfolio's size.

Lists are ordered case-insensitively by name, except lifecycle activities,
which keep their lifecycle order (discover to support).
"""

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, When
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404

from patterns.models import LifecycleActivity, PartyKind, Pattern
from patterns.reference import ReferenceTables
from portfolio.analysis.snapshot import PortfolioSnapshot
from portfolio.attestation import state_counts
from portfolio.catalogue.lookups import catalogue_lookups
from portfolio.models import (
    Membership,
    PatternAssignment,
    Portfolio,
    RaciRole,
    Responsibility,
    Role,
    Service,
    ServiceStatus,
    Team,
)


def memberships_for_user(user) -> list[Membership]:
    """Return the user's memberships with their portfolios, ordered by portfolio name."""
    return list(
        Membership.objects.filter(user=user)
        .select_related("portfolio")
        .order_by(Lower("portfolio__name"), "portfolio__key")
    )


def portfolio_members(portfolio: Portfolio) -> list[Membership]:
    """Return the memberships with users and teams: owners, then editors, then viewers, each by username."""
    username = f"user__{get_user_model().USERNAME_FIELD}"
    rank = Case(*(When(role=role, then=position) for position, role in enumerate(reversed(Role.values))))
    return list(
        Membership.objects.filter(portfolio=portfolio)
        .select_related("user", "team")
        .order_by(rank, Lower(username), "pk")
    )


# --- dashboard ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PatternUse:
    key: str
    name: str
    services: int


@dataclass(frozen=True)
class DashboardCounts:
    services_by_status: dict[str, int]
    teams: int
    patterns: list[PatternUse]
    # Services per attestation state, keyed by AttestationState value.
    attestation: dict[str, int]

    @property
    def services(self) -> int:
        return sum(self.services_by_status.values())


def dashboard_counts(portfolio: Portfolio, snapshot: PortfolioSnapshot) -> DashboardCounts:
    """Count services by status and attestation state in one query, teams and pattern uses in `snapshot`.

    `snapshot` is the analysis's copy of the portfolio (`portfolio_snapshot`).
    Counting pattern uses in the database joined every assignment with its
    service: about 10 ms of PostgreSQL time at 10,000 services.
    """
    per_state = state_counts(portfolio)
    rows = (Service.objects.filter(portfolio=portfolio).order_by().values("status")
            .annotate(n=Count("id"), **per_state))
    by_status = {status: 0 for status in ServiceStatus.values}
    by_state = dict.fromkeys(per_state, 0)
    for row in rows:
        by_status[row["status"]] = row["n"]
        for state in per_state:
            by_state[state] += row[state]
    uses = Counter(pattern for service in snapshot.services for pattern in service.patterns)
    names = {key: snapshot.library.pattern_name(key) for key in uses}
    by_name = sorted(uses, key=lambda key: (names[key].lower(), key))
    return DashboardCounts(
        services_by_status=by_status,
        teams=len(snapshot.teams),
        patterns=[PatternUse(key, names[key], uses[key]) for key in by_name],
        attestation=by_state,
    )


def service_names(portfolio: Portfolio, keys) -> dict[str, str]:
    """Map the given service keys to service names, in one query."""
    keys = set(keys)
    if not keys:
        return {}
    return dict(Service.objects.filter(portfolio=portfolio, key__in=keys).values_list("key", "name"))


def portfolio_teams(portfolio: Portfolio) -> list[Team]:
    return list(Team.objects.filter(portfolio=portfolio).order_by(Lower("name"), "pk"))


@dataclass(frozen=True)
class TeamColumn:
    """A team as the RACI matrix shows it: a column heading and an entry of its team lists."""

    pk: int
    name: str
    party_kind: str

    def get_party_kind_display(self) -> str:
        return str(PartyKind(self.party_kind).label)


def team_columns(portfolio: Portfolio) -> list[TeamColumn]:
    """Return the portfolio's teams by name, from the cached lookups (`catalogue_lookups`).

    The list is shared by the requests that find the same lookups: read it, never change it.
    """
    lookups = catalogue_lookups(portfolio)
    columns = lookups.memo.get("team columns")
    if columns is None:
        columns = lookups.memo["team columns"] = [TeamColumn(team.pk, team.name, team.party_kind)
                                                  for team in lookups.teams]
    return columns


# --- service page ------------------------------------------------------------------------------------------


@dataclass
class RaciRow:
    """One lifecycle activity of a service: scope, what the patterns expect and which team has which role."""

    activity: LifecycleActivity
    governed_by: list[Pattern] = field(default_factory=list)
    expected_kinds: list[str] = field(default_factory=list)
    participating_kinds: list[str] = field(default_factory=list)
    accountable: list[Team] = field(default_factory=list)
    participants: dict[str, list[Team]] = field(default_factory=dict)
    # Team id to the RACI role letters it holds for this activity.
    roles_by_team: dict[int, set[str]] = field(default_factory=dict)

    @property
    def in_scope(self) -> bool:
        return bool(self.governed_by)

    @property
    def expected_kind_labels(self) -> list[str]:
        return [PartyKind(kind).label for kind in self.expected_kinds]

    @property
    def participating_kind_labels(self) -> list[str]:
        return [PartyKind(kind).label for kind in self.participating_kinds]

    @property
    def accountable_team(self) -> Team | None:
        """The one accountable team, or None when there is none or there are several."""
        return self.accountable[0] if len(self.accountable) == 1 else None


@dataclass
class ServicePage:
    service: Service
    assignments: list[PatternAssignment]
    raci: list[RaciRow]
    teams: list[TeamColumn]
    # The teams that hold at least one RACI cell on the service, ordered by name.
    cell_teams: list[TeamColumn] = field(default_factory=list)
    # Assigned pattern key to the activity keys in that pattern's scope, in lifecycle order.
    scopes: dict[str, list[str]] = field(default_factory=dict)
    reference: ReferenceTables | None = None

    @cached_property
    def unassigned_patterns(self) -> list[Pattern]:
        """The library's patterns not assigned to the service, by name."""
        assigned = {assignment.pattern_id for assignment in self.assignments}
        return [pattern for pattern in self.reference.patterns if pattern.key not in assigned]


def service_for_page(portfolio: Portfolio, service_key: str) -> Service:
    """Return the service with its owner and attesting user, or raise Http404 for an unknown key."""
    service = get_object_or_404(Service.objects.select_related("owner", "attested_by"), portfolio=portfolio,
                                key=service_key)
    # The caller has the portfolio already, and the writes and checks that follow read it.
    service.portfolio = portfolio
    return service


def service_page(service: Service, reference: ReferenceTables) -> ServicePage:
    """Read everything the service page shows about `service`, in two queries.

    `reference` holds the library's tables (`reference_tables`), and the teams
    come from the cached lookups (`team_columns`).
    """
    assignments = list(
        PatternAssignment.objects.filter(service=service)
        .select_related("pattern")
        .order_by(Lower("pattern__name"))
    )
    scopes: dict[str, list[str]] = {assignment.pattern_id: [] for assignment in assignments}
    raci = _raci_rows(service, assignments, scopes, reference)
    teams = team_columns(service.portfolio)
    holding = {team_id for row in raci for team_id in row.roles_by_team}
    return ServicePage(
        service=service,
        assignments=assignments,
        raci=raci,
        teams=teams,
        cell_teams=[team for team in teams if team.pk in holding],
        scopes=scopes,
        reference=reference,
    )


def _raci_rows(service: Service, assignments: list[PatternAssignment], scopes: dict[str, list[str]],
               reference: ReferenceTables) -> list[RaciRow]:
    """Build the RACI rows; fill `scopes` (assigned pattern key to list) with each pattern's scope."""
    rows = {activity.key: RaciRow(activity) for activity in reference.activities}
    for assignment in assignments:
        for key in assignment.activities:
            if key in rows:
                rows[key].governed_by.append(assignment.pattern)

    # Only the activities an assignment governs count; the rest of a pattern's scope is left out.
    governed = {(a.pattern_id, key) for a in assignments for key in a.activities}
    expectations = ((pattern_key, expected) for pattern_key in scopes
                    for expected in reference.expectations.get(pattern_key, ()))
    for pattern_key, (activity_key, kinds, participating) in expectations:
        scopes[pattern_key].append(activity_key)
        row = rows.get(activity_key)
        if row is None or (pattern_key, activity_key) not in governed:
            continue
        for kind in kinds:
            if kind not in row.expected_kinds:
                row.expected_kinds.append(kind)
        for kind in participating:
            if kind not in row.participating_kinds:
                row.participating_kinds.append(kind)
    kind_order = {kind: position for position, kind in enumerate(PartyKind.values)}
    for row in rows.values():
        row.expected_kinds.sort(key=lambda kind: kind_order.get(kind, len(kind_order)))
        row.participating_kinds.sort(key=lambda kind: kind_order.get(kind, len(kind_order)))

    # Roles in RACI order (R, C, I after the accountable A), teams by name within a role.
    role_order = Case(*(When(role=role, then=position) for position, role in enumerate("RACI")))
    cells = (
        Responsibility.objects.filter(service=service)
        .select_related("team")
        .order_by(role_order, Lower("team__name"))
    )
    for cell in cells:
        row = rows.get(cell.activity_id)
        if row is None:
            continue
        row.roles_by_team.setdefault(cell.team_id, set()).add(cell.role)
        if cell.role == RaciRole.ACCOUNTABLE:
            row.accountable.append(cell.team)
        else:
            row.participants.setdefault(cell.get_role_display(), []).append(cell.team)
    return list(rows.values())
