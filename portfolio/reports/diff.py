"""Compare two reports: every change to services, patterns, RACI, findings, waivers, practices and teams.

Services are matched by key, practice adoptions by practice key, teams by name
(see `diff_teams` for renames), findings and waivers by code and subject, the key
a waiver uses. A finding that a waiver now accepts is not "resolved": it shows
as a granted waiver, and one whose waiver expired shows as an expired waiver,
not as new. Records that only schema version 2 carries (team details,
descriptions, context, adoptions that no pattern needs) are compared only when
both reports have them.
"""

from portfolio.reports import diff_services, diff_teams
from portfolio.reports.diff_model import (
    AdoptionChange,
    AdoptionState,
    PatternChange,
    RaciChange,
    ReportDiff,
    ReportFieldChange,
    ServiceChange,
)
from portfolio.reports.model import Change, Report, ServiceRef
from portfolio.reports.serialise import report_to_data
from portfolio.reports.sorting import name_key

__all__ = ["PatternChange", "RaciChange", "ReportDiff", "ServiceChange", "change_summary", "diff_reports"]


def _key(item) -> tuple[str, str]:
    return (item.code, item.subject)


def diff_reports(old: Report, new: Report) -> ReportDiff:
    """Return what changed from `old` to `new`; each list is sorted like the reports."""
    records = diff_teams.has_records(old) and diff_teams.has_records(new)
    old_teams = diff_teams.team_index(old, records=records)
    new_teams = diff_teams.team_index(new, records=records)
    renames = diff_teams.match_renames(old_teams, new_teams, records=records)
    teams_added, teams_removed, team_changes = diff_teams.team_changes(old_teams, new_teams, renames,
                                                                       records=records)

    old_services = {service.key: service for service in old.services}
    new_services = {service.key: service for service in new.services}
    common = sorted(old_services.keys() & new_services.keys(),
                    key=lambda key: (name_key(new_services[key].name), key))
    pairs = [(old_services[key], new_services[key]) for key in common]

    def refs(services, keys):
        found = [ServiceRef(key, services[key].name) for key in keys]
        return sorted(found, key=lambda ref: (name_key(ref.name), ref.key))

    return ReportDiff(
        same_content=_content(old) == _content(new),
        report_changes=_report_changes(old, new),
        services_added=refs(new_services, new_services.keys() - old_services.keys()),
        services_removed=refs(old_services, old_services.keys() - new_services.keys()),
        service_changes=diff_services.service_changes(pairs, renames, records=records),
        pattern_changes=diff_services.pattern_changes(pairs),
        raci_changes=diff_services.raci_changes(pairs, renames),
        **_finding_changes(old, new),
        **_waiver_changes(old, new),
        adoption_changes=_adoption_changes(old, new, renames, records=records),
        teams_added=teams_added,
        teams_removed=teams_removed,
        team_changes=team_changes,
    )


def _content(report: Report) -> dict:
    """Return the report's data without what differs between two publications of the same content."""
    data = report_to_data(report)
    data["summary"].pop("change")
    for name in ("as_of", "revision", "author"):
        data["cover"].pop(name)
    return data


def _report_changes(old: Report, new: Report) -> list[ReportFieldChange]:
    values = [
        ("portfolio_name", old.cover.portfolio_name, new.cover.portfolio_name),
        ("min_capability_level", old.practices.min_capability_level, new.practices.min_capability_level),
        ("library_version", old.cover.library_version, new.cover.library_version),
        ("catalogue_version", old.cover.catalogue_version, new.cover.catalogue_version),
    ]
    return [ReportFieldChange(name, before, after) for name, before, after in values if before != after]


def _finding_changes(old: Report, new: Report) -> dict:
    old_found = {_key(finding): finding for finding in old.all_findings()}
    new_found = {_key(finding): finding for finding in new.all_findings()}
    old_waived = {_key(waiver) for waiver in old.waivers if waiver.status == "in_force"}
    new_waived = {_key(waiver) for waiver in new.waivers if waiver.status == "in_force"}
    return {
        "findings_new": [finding for key, finding in new_found.items()
                         if key not in old_found and key not in old_waived],
        "findings_resolved": [finding for key, finding in old_found.items()
                              if key not in new_found and key not in new_waived],
    }


def _waiver_changes(old: Report, new: Report) -> dict:
    """Sort each waiver whose state changed into one list.

    Granted: in force and new, or its terms (expiry, justification, approver)
    changed, as when an expired waiver is renewed. In force again: the same
    terms, in force once more because its finding came back. Expired and
    obsolete: newly in that state. Removed: revoked, or its service is gone.
    """
    old_waivers = {_key(waiver): waiver for waiver in old.waivers}
    new_waivers = {_key(waiver): waiver for waiver in new.waivers}
    changes = {"waivers_granted": [], "waivers_in_force_again": [], "waivers_expired": [],
               "waivers_obsolete": []}
    for key, waiver in new_waivers.items():
        before = old_waivers.get(key)
        if waiver.status == "in_force":
            if before is None or _terms(before) != _terms(waiver):
                changes["waivers_granted"].append(waiver)
            elif before.status != "in_force":
                changes["waivers_in_force_again"].append(waiver)
        elif waiver.status in ("expired", "obsolete") and (before is None or before.status != waiver.status):
            changes[f"waivers_{waiver.status}"].append(waiver)
    changes["waivers_removed"] = [waiver for key, waiver in old_waivers.items() if key not in new_waivers]
    return changes


def _terms(waiver) -> tuple:
    return (waiver.expires_on, waiver.justification, waiver.approver, waiver.accepted_by)


def _adoption_changes(old: Report, new: Report, renames: dict[str, str], *,
                      records: bool) -> list[AdoptionChange]:
    """Compare practice adoptions; without `records` only the practices both reports list."""
    old_lines, new_lines = _adoption_lines(old, records), _adoption_lines(new, records)
    keys = old_lines.keys() | new_lines.keys() if records else old_lines.keys() & new_lines.keys()
    changes = []
    for key in keys:
        before, after = old_lines.get(key), new_lines.get(key)
        if before is not None and after is not None:
            compared = AdoptionState(before.status, before.capability_level,
                                     renames.get(before.owner, before.owner))
            if compared == _state(after):
                continue
        name = (after or before).name
        changes.append(AdoptionChange(key, name, _state(before), _state(after)))
    return sorted(changes, key=lambda change: (name_key(change.name), change.key))


def _adoption_lines(report: Report, records: bool) -> dict:
    lines = report.practices.recorded if records else [*report.practices.needed, *report.practices.unneeded]
    return {line.key: line for line in lines}


def _state(line) -> AdoptionState | None:
    return AdoptionState(line.status, line.capability_level, line.owner) if line is not None else None


def change_summary(diff: ReportDiff, previous_id: int, previous: Report, previous_hash: str) -> Change:
    return Change(
        previous_id=previous_id,
        previous_as_of=previous.cover.as_of,
        previous_revision=previous.cover.revision,
        previous_hash=previous_hash,
        services_added=len(diff.services_added),
        services_removed=len(diff.services_removed),
        pattern_changes=len(diff.pattern_changes),
        findings_new=len(diff.findings_new),
        findings_resolved=len(diff.findings_resolved),
        waivers_granted=len(diff.waivers_granted),
        waivers_expired=len(diff.waivers_expired),
    )
