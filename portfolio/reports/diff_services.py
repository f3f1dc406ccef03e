"""Services in both reports, matched by key: field, pattern mix and RACI changes.

Team names in the older report are read through `renames` first, so that a
renamed team shows once, as a team change, and not on every cell it holds.
"""

from portfolio.reports.diff_model import GovernedChange, PatternChange, RaciChange, ServiceChange
from portfolio.reports.model import RACI_ROLE_FIELDS, ServiceRef, ServiceSection
from portfolio.reports.sorting import name_key


def service_changes(pairs: list[tuple[ServiceSection, ServiceSection]], renames: dict[str, str], *,
                    records: bool) -> list[ServiceChange]:
    """Return the changed fields of each (before, after) pair; description and context only with `records`."""
    changes = []
    for before, after in pairs:
        ref = ServiceRef(after.key, after.name)
        if before.name != after.name:
            changes.append(ServiceChange(ref, "name", before.name, after.name))
        if before.status != after.status:
            changes.append(ServiceChange(ref, "status", before.status, after.status))
        old_owner = before.owner.name if before.owner else None
        new_owner = after.owner.name if after.owner else None
        if renames.get(old_owner, old_owner) != new_owner:
            changes.append(ServiceChange(ref, "owner", old_owner, new_owner))
        if records:
            changes.extend(_record_changes(ref, before, after))
    return changes


def _record_changes(ref: ServiceRef, before: ServiceSection, after: ServiceSection) -> list[ServiceChange]:
    changes = []
    if before.description != after.description:
        changes.append(ServiceChange(ref, "description", before.description, after.description))
    for factor in sorted(before.context.keys() | after.context.keys()):
        old_option, new_option = before.context.get(factor), after.context.get(factor)
        if old_option != new_option:
            changes.append(ServiceChange(ref, "context", old_option, new_option, factor=factor))
    return changes


def pattern_changes(pairs: list[tuple[ServiceSection, ServiceSection]]) -> list[PatternChange]:
    """Return the services whose patterns, or the activities a pattern governs, changed."""
    changes = []
    for before, after in pairs:
        old_mix = {line.pattern_key: line for line in before.patterns}
        new_mix = {line.pattern_key: line for line in after.patterns}
        names = _activity_names(before, after)
        governed = [
            GovernedChange(new_mix[key].pattern_name, [names.get(a, a) for a in old_mix[key].activities],
                           [names.get(a, a) for a in new_mix[key].activities])
            for key in new_mix if key in old_mix and old_mix[key].activities != new_mix[key].activities
        ]
        if old_mix.keys() != new_mix.keys() or governed:
            changes.append(PatternChange(
                ServiceRef(after.key, after.name),
                [line.pattern_name for line in before.patterns],
                [line.pattern_name for line in after.patterns],
                governed,
            ))
    return changes


def raci_changes(pairs: list[tuple[ServiceSection, ServiceSection]],
                 renames: dict[str, str]) -> list[RaciChange]:
    """Return each team that gained or lost a role, by service, activity in lifecycle order, and role."""
    changes = []
    for before, after in pairs:
        ref = ServiceRef(after.key, after.name)
        old_cells = _cells(before, renames)
        new_cells = _cells(after, {})
        names = _activity_names(before, after)
        order = [line.activity for line in after.raci] + [line.activity for line in before.raci]
        for activity in dict.fromkeys(order):
            for role, _name in RACI_ROLE_FIELDS:
                old_teams = old_cells.get((activity, role), set())
                new_teams = new_cells.get((activity, role), set())
                changes.extend(RaciChange(ref, activity, names[activity], role, team, False)
                               for team in sorted(old_teams - new_teams, key=name_key))
                changes.extend(RaciChange(ref, activity, names[activity], role, team, True)
                               for team in sorted(new_teams - old_teams, key=name_key))
    return changes


def _cells(service: ServiceSection, renames: dict[str, str]) -> dict[tuple[str, str], set[str]]:
    cells = {}
    for line in service.raci:
        for role, name in RACI_ROLE_FIELDS:
            cells[(line.activity, role)] = {renames.get(ref.name, ref.name) for ref in getattr(line, name)}
    return cells


def _activity_names(before: ServiceSection, after: ServiceSection) -> dict[str, str]:
    return {line.activity: line.activity_name for line in [*before.raci, *after.raci]}
