"""Write the demo portfolio, Harbourline Mutual, from its JSON data file.

`demo_load` validates the whole file before it writes anything, then writes
the portfolio inside one transaction and calls `full_clean()` on every object
first. The demo portfolio is the one with the key "demo". A reset deletes its
teams, services, pattern assignments, RACI cells, practice adoptions and
waivers and creates them again from the file, so two loads give the same
content. Memberships are kept, so the people invited to the demo stay in it.

A load is one change set of kind "import" in the history, and every row it
creates gets a historical row there. Without that baseline the history of a
demo service would start at its first edit, and the as-of view and restore
could not tell what the service held before.
"""

import json
import logging
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from portfolio.demo.validation import (
    DemoDataError,
    LibraryFacts,
    assignment_activities,
    team_lookup_key,
    validate_demo_data,
)
from portfolio.history.recording import change_scope, history_kwargs
from portfolio.models import (
    ChangeKind,
    PatternAssignment,
    Portfolio,
    PracticeAdoption,
    Responsibility,
    Service,
    Team,
    Waiver,
)
from portfolio.signals import portfolio_bump_revision

logger = logging.getLogger(__name__)

DATA_FILE = Path(__file__).resolve().parent / "demo_portfolio.json"
DEMO_PORTFOLIO_KEY = "demo"


def demo_read(path: Path = DATA_FILE, library: LibraryFacts | None = None) -> dict:
    """Parse and validate the data file; raise DemoDataError naming each bad entry."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        where = f"{path.name}, line {error.lineno}, column {error.colno}"
        raise DemoDataError([f"{where}: invalid JSON, {error.msg}."]) from error
    validate_demo_data(data, library or LibraryFacts.load())
    return data


def demo_load(*, reset: bool, path: Path = DATA_FILE) -> Portfolio:
    """Write the demo portfolio from `path` and return it.

    Without `reset`, an existing demo portfolio is returned untouched, so that
    edits made while exploring survive a restart of `make run`. With `reset`,
    its data is replaced by the file's.
    """
    library = LibraryFacts.load()
    data = demo_read(path, library)

    with change_scope(kind=ChangeKind.IMPORT, reason=_("Loaded the demo portfolio")), transaction.atomic():
        portfolio = Portfolio.objects.select_for_update().filter(key=DEMO_PORTFOLIO_KEY).first()
        if portfolio is not None and not reset:
            logger.info("Demo portfolio %s exists; kept it without changes", portfolio.pk)
            return portfolio

        portfolio = _portfolio_save(portfolio, data["portfolio"])
        _portfolio_clear(portfolio)
        teams = _teams_create(portfolio, data["teams"])
        services = _services_create(portfolio, data["services"], teams)
        _assignments_create(portfolio, data["services"], services, library)
        cells = _responsibilities_create(portfolio, data["services"], services, teams)
        _adoptions_create(portfolio, data.get("practices", []), teams)
        # bulk_create_with_history sends no post_save signals, so the revision is raised here once.
        portfolio_bump_revision(portfolio.pk)

    portfolio.refresh_from_db()
    logger.info("Demo portfolio %s loaded at revision %s: %d teams, %d services, %d responsibilities",
                portfolio.pk, portfolio.revision, len(teams), len(services), cells)
    return portfolio


def _full_clean(instance, where: str, exclude: tuple[str, ...] = ()) -> None:
    """Run the model's validation; report a failure as a DemoDataError naming `where` and the field."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            lines = [f"{where}, field {field!r}: {' '.join(messages)}"
                     for field, messages in error.message_dict.items()]
        else:
            lines = [f"{where}: {' '.join(error.messages)}"]
        raise DemoDataError(lines) from error


def _bulk_create(model, rows: list, portfolio_id: int) -> None:
    """Insert `rows` and their "created" historical rows into the current change set."""
    bulk_create_with_history(rows, model, **history_kwargs(portfolio_id))


def _portfolio_save(portfolio: Portfolio | None, entry: dict) -> Portfolio:
    if portfolio is None:
        portfolio = Portfolio(key=DEMO_PORTFOLIO_KEY)
    portfolio.name = entry["name"]
    portfolio.description = entry.get("description", "")
    portfolio.min_capability_level = entry.get("min_capability_level", 2)
    portfolio.disabled_rules = []
    _full_clean(portfolio, "Portfolio")
    portfolio.save()
    return portfolio


def _portfolio_clear(portfolio: Portfolio) -> None:
    # Children first: RACI cells, service owners and practice owners protect their teams.
    Responsibility.objects.filter(service__portfolio=portfolio).delete()
    PatternAssignment.objects.filter(service__portfolio=portfolio).delete()
    Waiver.objects.filter(portfolio=portfolio).delete()
    PracticeAdoption.objects.filter(portfolio=portfolio).delete()
    Service.objects.filter(portfolio=portfolio).delete()
    Team.objects.filter(portfolio=portfolio).delete()


def _teams_create(portfolio: Portfolio, entries: list[dict]) -> dict[str, Team]:
    """Create the teams; return them by lookup key of their name."""
    teams = []
    for entry in entries:
        team = Team(portfolio=portfolio, name=entry["name"], party_kind=entry["party_kind"],
                    contact=entry.get("contact", ""), member_count=entry.get("member_count"))
        _full_clean(team, f"Team {entry['name']!r}")
        teams.append(team)
    _bulk_create(Team, teams, portfolio.pk)
    return {team_lookup_key(team.name): team for team in teams}


def _team(teams: dict[str, Team], name: str | None) -> Team | None:
    return None if name is None else teams[team_lookup_key(name)]


def _services_create(portfolio: Portfolio, entries: list[dict], teams: dict[str, Team]) -> dict[str, Service]:
    """Create the services; return them by key as written in the data file."""
    services = {}
    for entry in entries:
        service = Service(portfolio=portfolio, key=entry["key"], name=entry["name"],
                          description=entry.get("description", ""), status=entry["status"],
                          owner=_team(teams, entry.get("owner")), context=entry.get("context", {}))
        _full_clean(service, f"Service {entry['key']!r}")
        services[entry["key"]] = service
    _bulk_create(Service, list(services.values()), portfolio.pk)
    return services


def _assignments_create(portfolio: Portfolio, entries: list[dict], services: dict[str, Service],
                        library: LibraryFacts) -> None:
    assignments = []
    for entry in entries:
        service = services[entry["key"]]
        for assignment_entry in entry.get("patterns", []):
            pattern, activities = assignment_activities(assignment_entry, library.pattern_scopes)
            assignment = PatternAssignment(service=service, pattern_id=pattern, activities=activities)
            _full_clean(assignment, f"Service {entry['key']!r}, pattern {pattern!r}")
            assignments.append(assignment)
    _bulk_create(PatternAssignment, assignments, portfolio.pk)


def _responsibilities_create(portfolio: Portfolio, entries: list[dict], services: dict[str, Service],
                             teams: dict[str, Team]) -> int:
    """Create every RACI cell of every service; return how many."""
    cells = []
    for entry in entries:
        service = services[entry["key"]]
        for activity, roles in entry.get("raci", {}).items():
            for role, names in roles.items():
                for name in names:
                    cell = Responsibility(service=service, activity_id=activity,
                                          team=_team(teams, name), role=role)
                    # The data file's validation has resolved these three references, and
                    # skipping their existence checks saves three queries per RACI cell.
                    _full_clean(cell, f"Service {entry['key']!r}, RACI {activity} {role} {name!r}",
                                exclude=("service", "activity", "team"))
                    cells.append(cell)
    _bulk_create(Responsibility, cells, portfolio.pk)
    return len(cells)


def _adoptions_create(portfolio: Portfolio, entries: list[dict], teams: dict[str, Team]) -> None:
    adoptions = []
    for entry in entries:
        adoption = PracticeAdoption(
            portfolio=portfolio, practice_id=entry["practice"], status=entry["status"],
            capability_level=entry.get("capability_level"), owner=_team(teams, entry.get("owner")),
        )
        _full_clean(adoption, f"Practice {entry['practice']!r}")
        adoptions.append(adoption)
    _bulk_create(PracticeAdoption, adoptions, portfolio.pk)
