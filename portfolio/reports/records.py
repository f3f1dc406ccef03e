"""The portfolio's own records in the report: team details, service descriptions, every adoption.

The governance sections leave out what a reader of the report does not need.
That is a team's contact and size, a team that no service names, a service's
description, and a practice adoption that is neither adopted nor key to a
pattern in use. An import of the JSON needs them to rebuild the portfolio, so
the report carries them as records.
"""

from dataclasses import dataclass

from portfolio.analysis.snapshot import PortfolioSnapshot, ServiceInfo
from portfolio.models import Portfolio, Service, Team
from portfolio.reports.model import AdoptionLine, TeamLine
from portfolio.reports.sorting import name_key


@dataclass(frozen=True)
class Records:
    """Rows the analysis snapshot does not load, by id."""

    team_details: dict[int, tuple[str, int | None]]  # team id -> (contact, member count)
    descriptions: dict[int, str]  # service id -> description; services without one are left out


def load_records(portfolio: Portfolio) -> Records:
    """Read the team details and service descriptions: two queries, whatever the size."""
    details = {
        pk: (contact, member_count)
        for pk, contact, member_count in Team.objects.filter(portfolio=portfolio)
        .values_list("pk", "contact", "member_count")
    }
    descriptions = dict(Service.objects.filter(portfolio=portfolio).exclude(description="")
                        .values_list("pk", "description"))
    return Records(details, descriptions)


def team_lines(snapshot: PortfolioSnapshot, records: Records, selected: list[ServiceInfo], *,
               whole: bool) -> list[TeamLine]:
    """List every team of a whole portfolio, or the teams that a filtered report names, by name."""
    if whole:
        team_ids = set(snapshot.teams)
    else:
        team_ids = {adoption.owner_id for adoption in snapshot.adoptions.values()}
        for service in selected:
            team_ids.add(service.owner_id)
            team_ids.update(team for cells in service.roles.values() for team, _role in cells)
    lines = []
    for team_id in team_ids:
        team = snapshot.teams.get(team_id) if team_id is not None else None
        if team is None:
            continue
        contact, member_count = records.team_details.get(team_id, ("", None))
        lines.append(TeamLine(team.name, team.party_kind, contact, member_count))
    return sorted(lines, key=lambda line: name_key(line.name))


def adoption_lines(snapshot: PortfolioSnapshot) -> list[AdoptionLine]:
    """List every practice adoption the portfolio records, by practice name."""
    lines = []
    for adoption in snapshot.adoptions.values():
        owner = snapshot.teams.get(adoption.owner_id) if adoption.owner_id is not None else None
        lines.append(AdoptionLine(
            key=adoption.practice,
            name=snapshot.library.practice_names.get(adoption.practice, adoption.practice),
            status=adoption.status,
            capability_level=adoption.capability_level,
            owner=owner.name if owner else "",
        ))
    return sorted(lines, key=lambda line: (name_key(line.name), line.key))
