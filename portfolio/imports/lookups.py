"""The portfolio's current rows and the pattern library, loaded once per validation.

Validation compares every row against these dictionaries, so it issues the same
number of queries (ten) whatever the size of the file or the portfolio.
"""

from dataclasses import dataclass, field

from patterns.models import DecisionFactor, Expectation, LifecycleActivity, Pattern, Practice
from portfolio.imports.columns import header_key
from portfolio.models import PatternAssignment, Portfolio, PracticeAdoption, Responsibility, Service, Team
from portfolio.text import normalise_name


def team_lookup_key(name: str) -> str:
    """Match team names as the database's unique constraint does: NFC, spaces collapsed, lower case."""
    return normalise_name(name).lower()


@dataclass
class TeamRow:
    id: int
    name: str
    party_kind: str
    contact: str
    member_count: int | None


@dataclass
class ServiceRow:
    id: int
    key: str
    name: str
    description: str
    status: str
    owner_id: int | None
    context: dict


@dataclass
class AdoptionRow:
    id: int
    status: str
    capability_level: int | None
    owner_id: int | None


@dataclass
class Library:
    """The pattern library: keys to display names, each pattern's scope and each factor's options."""

    activities: dict[str, str]
    patterns: dict[str, str]
    scopes: dict[str, tuple[str, ...]]
    practices: dict[str, str]
    factors: dict[str, str]
    factor_options: dict[str, dict[str, str]]

    @classmethod
    def load(cls) -> "Library":
        scopes: dict[str, list[str]] = {}
        expectations = Expectation.objects.order_by("pattern__position", "activity__position")
        for pattern, activity in expectations.values_list("pattern_id", "activity_id"):
            scopes.setdefault(pattern, []).append(activity)
        factors, options = {}, {}
        for key, name, factor_options in DecisionFactor.objects.values_list("key", "name", "options"):
            factors[key] = name
            options[key] = {option["key"]: option["label"] for option in factor_options}
        pattern_rows = Pattern.objects.order_by("position").values_list("pk", "key", "name")
        pattern_keys = {pk: key for pk, key, _name in pattern_rows}
        return cls(
            activities=dict(LifecycleActivity.objects.order_by("position").values_list("key", "name")),
            patterns={key: name for _pk, key, name in pattern_rows},
            scopes={pattern_keys[pk]: tuple(scope) for pk, scope in scopes.items()},
            practices=dict(Practice.objects.values_list("key", "name")),
            factors=factors,
            factor_options=options,
        )

    def factor_headers(self) -> dict[str, str]:
        """Map the header keys of each factor's key and name to the factor's key."""
        headers = {}
        for key, name in self.factors.items():
            headers[header_key(key)] = key
            headers[header_key(name)] = key
        return headers


@dataclass
class Existing:
    """The portfolio's rows that an import may match, keyed as import rows name them."""

    teams: dict[str, TeamRow] = field(default_factory=dict)          # team lookup key -> team
    services: dict[str, ServiceRow] = field(default_factory=dict)    # service key -> service
    assignments: dict[tuple[int, str], tuple[int, list[str]]] = field(default_factory=dict)
    cells: set[tuple[int, str, int, str]] = field(default_factory=set)  # service, activity, team, role
    adoptions: dict[str, AdoptionRow] = field(default_factory=dict)  # practice key -> adoption

    @classmethod
    def load(cls, portfolio: Portfolio) -> "Existing":
        existing = cls()
        for row in Team.objects.filter(portfolio=portfolio).values_list(
                "id", "name", "party_kind", "contact", "member_count"):
            team = TeamRow(*row)
            existing.teams[team_lookup_key(team.name)] = team
        for row in Service.objects.filter(portfolio=portfolio).values_list(
                "id", "key", "name", "description", "status", "owner_id", "context"):
            service = ServiceRow(*row)
            existing.services[service.key] = service
        for pk, service_id, pattern, activities in PatternAssignment.objects.filter(
                service__portfolio=portfolio).values_list("id", "service_id", "pattern_id", "activities"):
            existing.assignments[service_id, pattern] = (pk, list(activities))
        existing.cells = set(Responsibility.objects.filter(service__portfolio=portfolio).values_list(
            "service_id", "activity_id", "team_id", "role"))
        adoptions = PracticeAdoption.objects.filter(portfolio=portfolio)
        for pk, practice, status, level, owner_id in adoptions.values_list(
                "id", "practice_id", "status", "capability_level", "owner_id"):
            existing.adoptions[practice] = AdoptionRow(pk, status, level, owner_id)
        return existing
