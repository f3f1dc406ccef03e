"""Checks on the demo data file that run before anything is written.

Each problem becomes one line that names the team, service or practice entry
and the field, so that a broken edit of the data file is found at once.
Field-level limits (lengths, key characters) are left to the models'
`full_clean()`, which the loader calls on every object.
"""

from collections import Counter
from dataclasses import dataclass

from patterns.models import DecisionFactor, Expectation, LifecycleActivity, PartyKind, Practice
from portfolio.models import AdoptionStatus, RaciRole, ServiceStatus
from portfolio.text import normalise_name

TOP_LEVEL_FIELDS = {"about", "portfolio", "teams", "services", "practices"}
PORTFOLIO_FIELDS = {"name", "description", "min_capability_level"}
TEAM_FIELDS = {"name", "party_kind", "contact", "member_count", "demo_note"}
SERVICE_FIELDS = {"key", "name", "description", "status", "owner", "context", "patterns", "raci", "demo_note"}
ASSIGNMENT_FIELDS = {"pattern", "activities"}
ADOPTION_FIELDS = {"practice", "status", "capability_level", "owner", "demo_note"}
RACI_ROLES = {role.value for role in RaciRole}


class DemoDataError(Exception):
    """The demo data file is invalid. `errors` contains one line per problem."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("The demo data file is invalid:\n" + "\n".join(f"- {e}" for e in self.errors))


@dataclass(frozen=True)
class LibraryFacts:
    """The parts of the pattern library that the demo data refers to."""

    activities: tuple[str, ...]
    practices: frozenset[str]
    factor_options: dict[str, frozenset[str]]
    pattern_scopes: dict[str, tuple[str, ...]]

    @classmethod
    def load(cls) -> "LibraryFacts":
        activities = tuple(LifecycleActivity.objects.order_by("position").values_list("key", flat=True))
        scopes: dict[str, list[str]] = {}
        for pattern, activity in Expectation.objects.order_by("pattern__position", "activity__position") \
                .values_list("pattern__key", "activity_id"):
            scopes.setdefault(pattern, []).append(activity)
        factors = {
            key: frozenset(option["key"] for option in options)
            for key, options in DecisionFactor.objects.values_list("key", "options")
        }
        return cls(
            activities=activities,
            practices=frozenset(Practice.objects.values_list("key", flat=True)),
            factor_options=factors,
            pattern_scopes={key: tuple(scope) for key, scope in scopes.items()},
        )


def team_lookup_key(name: str) -> str:
    """Match team names as the database's unique constraint does: NFC, spaces collapsed, lower case."""
    return normalise_name(name).lower()


def assignment_activities(entry, scopes: dict[str, tuple[str, ...]]) -> tuple[str, list[str]]:
    """Return an assignment entry's pattern key and the activities it governs.

    A bare pattern key governs every activity in the pattern's scope.
    """
    if isinstance(entry, str):
        return entry, list(scopes.get(entry, ()))
    return entry["pattern"], list(entry["activities"])


def validate_demo_data(data, library: LibraryFacts) -> None:
    """Raise DemoDataError listing every problem found in the parsed data file."""
    errors: list[str] = []
    if not isinstance(data, dict):
        raise DemoDataError(["The file must contain one JSON object."])
    _check_fields(errors, "The file", data, TOP_LEVEL_FIELDS, required={"portfolio", "teams", "services"})
    _check_portfolio(errors, data.get("portfolio"))
    teams = _check_teams(errors, data.get("teams"))
    _check_services(errors, data.get("services"), teams, library)
    _check_adoptions(errors, data.get("practices", []), teams, library)
    if errors:
        raise DemoDataError(errors)


def _is_whole_number(value, minimum: int, maximum: int | None = None) -> bool:
    # bool is a subclass of int, but `true` is no capability level.
    if isinstance(value, bool) or not isinstance(value, int):
        return False
    return value >= minimum and (maximum is None or value <= maximum)


def _entry_label(kind: str, entry, name_field: str, position: int) -> str:
    """Name an entry by its name or key field, or by its position when it has none."""
    if isinstance(entry, dict) and name_field in entry:
        return f"{kind} {entry[name_field]!r}"
    return f"{kind} #{position}"


def _check_fields(errors, where: str, entry, allowed: set[str], required: set[str]) -> bool:
    if not isinstance(entry, dict):
        errors.append(f"{where}: expected a JSON object, found {type(entry).__name__}.")
        return False
    for name in sorted(set(entry) - allowed):
        errors.append(f"{where}: unknown field {name!r}; allowed fields are {', '.join(sorted(allowed))}.")
    for name in sorted(required - set(entry)):
        errors.append(f"{where}: field {name!r} is missing.")
    return True


def _check_list(errors, where: str, value) -> list:
    if not isinstance(value, list):
        errors.append(f"{where}: expected a JSON list, found {type(value).__name__}.")
        return []
    return value


def _check_portfolio(errors, entry) -> None:
    if not _check_fields(errors, "Portfolio", entry, PORTFOLIO_FIELDS, required={"name"}):
        return
    level = entry.get("min_capability_level", 2)
    if not _is_whole_number(level, 1, 5):
        errors.append(f"Portfolio, field 'min_capability_level': {level!r} is not a whole number "
                      "from 1 to 5.")


def _check_teams(errors, entries) -> set[str]:
    """Check the team entries; return the lookup keys of the valid names."""
    names = Counter()
    for position, entry in enumerate(_check_list(errors, "Field 'teams'", entries), start=1):
        where = _entry_label("Team", entry, "name", position)
        if not _check_fields(errors, where, entry, TEAM_FIELDS, required={"name", "party_kind"}):
            continue
        if isinstance(entry.get("name"), str) and entry["name"].strip():
            names[team_lookup_key(entry["name"])] += 1
        else:
            errors.append(f"{where}, field 'name': enter a non-empty name.")
        if entry.get("party_kind") not in PartyKind.values:
            errors.append(f"{where}, field 'party_kind': {entry.get('party_kind')!r} is not one of "
                          f"{', '.join(PartyKind.values)}.")
        count = entry.get("member_count")
        if count is not None and not _is_whole_number(count, 0):
            errors.append(f"{where}, field 'member_count': {count!r} is not a whole number of 0 or more.")
    for name, count in sorted(names.items()):
        if count > 1:
            errors.append(f"Team {name!r}: the name is used by {count} teams; team names must be unique.")
    return set(names)


def _check_team_name(errors, where: str, name, teams: set[str]) -> None:
    if not isinstance(name, str) or team_lookup_key(name) not in teams:
        errors.append(f"{where}: team {name!r} not found; add it to 'teams' or correct the name.")


def _check_services(errors, entries, teams: set[str], library: LibraryFacts) -> None:
    keys = Counter()
    for position, entry in enumerate(_check_list(errors, "Field 'services'", entries), start=1):
        where = _entry_label("Service", entry, "key", position)
        if not _check_fields(errors, where, entry, SERVICE_FIELDS, required={"key", "name", "status"}):
            continue
        if isinstance(entry.get("key"), str) and entry["key"]:
            keys[entry["key"]] += 1
        else:
            errors.append(f"{where}, field 'key': enter a non-empty key.")
        if entry.get("status") not in ServiceStatus.values:
            errors.append(f"{where}, field 'status': {entry.get('status')!r} is not one of "
                          f"{', '.join(ServiceStatus.values)}.")
        if entry.get("owner") is not None:
            _check_team_name(errors, f"{where}, field 'owner'", entry["owner"], teams)
        _check_context(errors, where, entry.get("context", {}), library)
        _check_assignments(errors, where, entry.get("patterns", []), library)
        _check_raci(errors, where, entry.get("raci", {}), teams, library)
    for key, count in sorted(keys.items()):
        if count > 1:
            errors.append(f"Service {key!r}: the key is used by {count} services; "
                          "service keys must be unique.")


def _check_context(errors, where: str, context, library: LibraryFacts) -> None:
    if not isinstance(context, dict):
        errors.append(f"{where}, field 'context': expected a JSON object of decision factor answers.")
        return
    for factor, answer in context.items():
        options = library.factor_options.get(factor)
        if options is None:
            errors.append(f"{where}, field 'context': unknown decision factor {factor!r}; known factors are "
                          f"{', '.join(sorted(library.factor_options))}.")
        elif answer not in options:
            errors.append(f"{where}, field 'context', factor {factor!r}: {answer!r} is not one of "
                          f"{', '.join(sorted(options))}.")


def _check_assignments(errors, where: str, entries, library: LibraryFacts) -> None:
    entries = _check_list(errors, f"{where}, field 'patterns'", entries)
    seen = set()
    for entry in entries:
        if isinstance(entry, dict):
            if not _check_fields(errors, f"{where}, field 'patterns'", entry, ASSIGNMENT_FIELDS,
                                 required={"pattern", "activities"}):
                continue
        elif not isinstance(entry, str):
            errors.append(f"{where}, field 'patterns': {entry!r} is neither a pattern key nor an object.")
            continue
        elif len(entries) > 1:
            errors.append(f"{where}, field 'patterns': {entry!r} is part of a mix, so list the activities "
                          "it governs: {\"pattern\": ..., \"activities\": [...]}.")
            continue
        pattern, activities = assignment_activities(entry, library.pattern_scopes)
        scope = library.pattern_scopes.get(pattern)
        if scope is None:
            errors.append(f"{where}, field 'patterns': pattern {pattern!r} not found in the library.")
            continue
        if pattern in seen:
            errors.append(f"{where}, field 'patterns': pattern {pattern!r} is assigned twice.")
        seen.add(pattern)
        outside = [activity for activity in activities if activity not in scope]
        if outside:
            errors.append(f"{where}, field 'patterns', pattern {pattern!r}: {', '.join(map(str, outside))} "
                          f"is outside the pattern's scope ({', '.join(scope)}).")
        if not activities or len(set(activities)) != len(activities):
            errors.append(f"{where}, field 'patterns', pattern {pattern!r}: "
                          "list each governed activity once.")


def _check_raci(errors, where: str, raci, teams: set[str], library: LibraryFacts) -> None:
    if not isinstance(raci, dict):
        errors.append(f"{where}, field 'raci': expected an object of activity to roles.")
        return
    for activity, roles in raci.items():
        cell = f"{where}, field 'raci', activity {activity!r}"
        if activity not in library.activities:
            errors.append(f"{cell}: unknown activity; known activities are {', '.join(library.activities)}.")
            continue
        if not isinstance(roles, dict):
            errors.append(f"{cell}: expected an object of RACI role to team names.")
            continue
        for role, names in roles.items():
            if role not in RACI_ROLES:
                errors.append(f"{cell}: unknown role {role!r}; use A, R, C or I.")
                continue
            names = _check_list(errors, f"{cell}, role {role!r}", names)
            for name in names:
                _check_team_name(errors, f"{cell}, role {role!r}", name, teams)
            text_names = [team_lookup_key(name) for name in names if isinstance(name, str)]
            if len(set(text_names)) != len(text_names):
                errors.append(f"{cell}, role {role!r}: a team is listed twice.")


def _check_adoptions(errors, entries, teams: set[str], library: LibraryFacts) -> None:
    practices = Counter()
    for position, entry in enumerate(_check_list(errors, "Field 'practices'", entries), start=1):
        where = _entry_label("Practice", entry, "practice", position)
        if not _check_fields(errors, where, entry, ADOPTION_FIELDS, required={"practice", "status"}):
            continue
        if entry.get("practice") in library.practices:
            practices[entry["practice"]] += 1
        else:
            errors.append(f"{where}, field 'practice': practice not found in the library.")
        if entry.get("status") not in AdoptionStatus.values:
            errors.append(f"{where}, field 'status': {entry.get('status')!r} is not one of "
                          f"{', '.join(AdoptionStatus.values)}.")
        level = entry.get("capability_level")
        if level is not None and not _is_whole_number(level, 1, 5):
            errors.append(f"{where}, field 'capability_level': {level!r} is not a whole number from 1 to 5.")
        if entry.get("owner") is not None:
            _check_team_name(errors, f"{where}, field 'owner'", entry["owner"], teams)
    for practice, count in sorted(practices.items()):
        if count > 1:
            errors.append(f"Practice {practice!r}: listed {count} times; list each practice once.")
