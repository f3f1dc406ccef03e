"""Rows of the tables that need no analysis, read without building the report.

A one-table CSV download of such a table reads only what the table shows,
which skips the analysis and every other section of the report. Each reader
returns exactly the rows that `TABLES[name].rows(build_report(...))` returns
for the same filter, in the same order; tests compare the two.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from patterns.models import LifecycleActivity, Pattern
from portfolio.analysis.snapshot import (
    ServiceInfo,
    TeamInfo,
    gc_paused,
    load_assignments,
    load_roles,
    load_services,
    load_teams,
)
from portfolio.models import PatternAssignment, Portfolio, RaciRole, Responsibility, Service
from portfolio.reports.catalogue import rule_lines
from portfolio.reports.scope import ReportFilter
from portfolio.reports.sorting import name_key
from portfolio.reports.tables import LIST_SEPARATOR, TABLES, rule_table_rows

# The RACI table lists a cell's teams by role in this order, as the report's RACI matrix does.
RACI_ROLE_ORDER = (RaciRole.ACCOUNTABLE.value, RaciRole.RESPONSIBLE.value,
                   RaciRole.CONSULTED.value, RaciRole.INFORMED.value)

Reader = Callable[[Portfolio, ReportFilter], Iterator[list]]


@dataclass(frozen=True)
class RaciInputs:
    """The inputs of the RACI table: the portfolio's services with their patterns and cells, and its teams."""

    activities: list[str]
    pattern_names: dict[str, str]
    teams: dict[int, TeamInfo]
    services: list[ServiceInfo]


def load_raci_inputs(portfolio: Portfolio) -> RaciInputs:
    """Read the RACI table's inputs in six queries, whatever the number of services."""
    activities = list(LifecycleActivity.objects.order_by("position").values_list("key", flat=True))
    pattern_names = dict(Pattern.objects.values_list("key", "name"))
    with gc_paused():
        teams = load_teams(portfolio)
        services = load_services(Service.objects.filter(portfolio=portfolio))
        load_assignments(services, PatternAssignment.objects.filter(service__portfolio=portfolio))
        load_roles(services, Responsibility.objects.filter(service__portfolio=portfolio))
    return RaciInputs(activities, pattern_names, teams, list(services.values()))


def raci_rows(inputs: RaciInputs, report_filter: ReportFilter) -> Iterator[list]:
    """Yield the RACI table's rows for the services that `report_filter` selects, without queries."""
    selected = sorted((service for service in inputs.services if report_filter.matches(service)),
                      key=lambda service: (name_key(service.name), service.key))
    team_keys = {team_id: name_key(team.name) for team_id, team in inputs.teams.items()}
    for service in selected:
        if not service.roles:
            continue
        for activity in inputs.activities:
            by_role = _teams_by_role(service.roles.get(activity, ()), inputs.teams)
            if not by_role:
                continue
            governed = LIST_SEPARATOR.join(sorted(
                (inputs.pattern_names.get(key, key) for key in service.governed.get(activity, ())),
                key=name_key))
            for role in RACI_ROLE_ORDER:
                for team in sorted(by_role.get(role, ()), key=lambda team: team_keys[team.id]):
                    yield [service.key, service.name, activity, governed, role, team.name, team.party_kind]


def _teams_by_role(cells, teams: dict[int, TeamInfo]) -> dict[str, list[TeamInfo]]:
    # Cells of a team outside the portfolio, or with an unknown role, are left out, as the report leaves them.
    by_role: dict[str, list[TeamInfo]] = {}
    for team_id, role in cells:
        team = teams.get(team_id)
        if team is not None and role in RACI_ROLE_ORDER:
            by_role.setdefault(role, []).append(team)
    return by_role


def read_raci(portfolio: Portfolio, report_filter: ReportFilter) -> Iterator[list]:
    """Read the inputs now and return an iterator over the rows, so that no query runs while streaming."""
    return raci_rows(load_raci_inputs(portfolio), report_filter)


def read_rules(portfolio: Portfolio, report_filter: ReportFilter) -> Iterator[list]:
    """Return the rule catalogue's rows: the registered rules, the same for every portfolio and filter."""
    return rule_table_rows(rule_lines())


READERS: dict[str, Reader] = {"raci": read_raci, "rules": read_rules}


def direct_reader(table: str) -> Reader | None:
    """Return the reader of `table` when the table needs no analysis, else None."""
    if TABLES[table].needs_analysis:
        return None
    return READERS[table]
