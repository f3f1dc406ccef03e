"""Teams in two reports: which were added, removed, renamed or changed.

A report names teams but carries no team ids, so a rename shows as one name
that left and one that arrived. The two are taken for one renamed team when
they have the same footprint (the services they own, the RACI cells they hold,
the practices they own) and no other team that left or arrived has it. Teams
named nowhere match by their details instead: party kind, contact and member
count, with a contact recorded. Any other pair stays a removal and an addition.
"""

from dataclasses import dataclass, field

from portfolio.reports.diff_model import TEAM_FIELDS, TeamChange
from portfolio.reports.model import RACI_ROLE_FIELDS, Report
from portfolio.reports.sorting import name_key

# A team's footprint entries: ("owner", service key), ("raci", service key, activity, role key)
# and ("practice", practice key).
Footprint = frozenset[tuple[str, ...]]


@dataclass
class TeamInfo:
    name: str
    party_kind: str | None = None
    contact: str | None = None
    member_count: int | None = None
    footprint: set[tuple[str, ...]] = field(default_factory=set)


def has_records(report: Report) -> bool:
    """Return whether the report carries the records (team details, descriptions, every adoption)."""
    return report.schema_version >= 2


def team_index(report: Report, *, records: bool) -> dict[str, TeamInfo]:
    """Return the teams the report names, and with `records` also those it only lists, by name.

    A version 1 report lists no teams, so comparing it with a later one uses the named teams alone.
    """
    teams: dict[str, TeamInfo] = {}

    def note(name: str, party_kind: str | None = None) -> TeamInfo:
        info = teams.setdefault(name, TeamInfo(name))
        if party_kind and info.party_kind is None:
            info.party_kind = party_kind
        return info

    for line in report.teams if records else []:
        info = note(line.name, line.party_kind)
        info.contact, info.member_count = line.contact, line.member_count
    for service in report.services:
        if service.owner is not None:
            note(service.owner.name, service.owner.party_kind).footprint.add(("owner", service.key))
        for line in service.raci:
            for role, name in RACI_ROLE_FIELDS:
                for ref in getattr(line, name):
                    note(ref.name, ref.party_kind).footprint.add(("raci", service.key, line.activity, role))
    practice_lines = [*report.practices.needed, *report.practices.unneeded, *report.practices.recorded]
    for line in practice_lines:
        if line.owner:
            note(line.owner).footprint.add(("practice", line.key))
    return teams


def match_renames(old: dict[str, TeamInfo], new: dict[str, TeamInfo], *, records: bool) -> dict[str, str]:
    """Return {old name: new name} for the teams that left and arrived which are taken for one team."""
    left = [old[name] for name in old.keys() - new.keys()]
    arrived = [new[name] for name in new.keys() - old.keys()]
    renames = _unique_pairs(left, arrived, lambda team: frozenset(team.footprint) or None)
    if records:
        left = [team for team in left if team.name not in renames]
        matched = set(renames.values())
        arrived = [team for team in arrived if team.name not in matched]
        renames |= _unique_pairs(left, arrived, _details)
    return renames


def _details(team: TeamInfo):
    if team.footprint or not team.contact:
        return None
    return (team.party_kind, team.contact, team.member_count)


def _unique_pairs(left: list[TeamInfo], arrived: list[TeamInfo], signature) -> dict[str, str]:
    """Pair teams whose signature is not None and occurs exactly once on each side."""
    def by_signature(teams):
        found: dict = {}
        for team in teams:
            value = signature(team)
            if value is not None:
                found.setdefault(value, []).append(team.name)
        return found

    before, after = by_signature(left), by_signature(arrived)
    return {names[0]: after[value][0] for value, names in before.items()
            if len(names) == 1 and len(after.get(value, ())) == 1}


def team_changes(old: dict[str, TeamInfo], new: dict[str, TeamInfo], renames: dict[str, str], *,
                 records: bool) -> tuple[list[str], list[str], list[TeamChange]]:
    """Return the names of the teams added, those removed, and the field changes of the others."""
    added = sorted(new.keys() - old.keys() - set(renames.values()), key=name_key)
    removed = sorted(old.keys() - new.keys() - renames.keys(), key=name_key)
    changes = []
    for old_name in old.keys() & new.keys() | renames.keys():
        before, after = old[old_name], new[renames.get(old_name, old_name)]
        if before.name != after.name:
            changes.append(TeamChange(after.name, "name", before.name, after.name))
        if before.party_kind and after.party_kind and before.party_kind != after.party_kind:
            changes.append(TeamChange(after.name, "party_kind", before.party_kind, after.party_kind))
        if records:
            for name in ("contact", "member_count"):
                if getattr(before, name) != getattr(after, name):
                    changes.append(TeamChange(after.name, name, getattr(before, name), getattr(after, name)))
    order = list(TEAM_FIELDS)
    changes.sort(key=lambda change: (name_key(change.team), order.index(change.field)))
    return added, removed, changes
