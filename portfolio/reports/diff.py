"""Compare two reports: services, pattern mixes, findings and waivers that changed.

Findings and waivers are matched by code and subject, the key a waiver uses. A
finding that a waiver now accepts is not "resolved": it shows as a granted
waiver, and one whose waiver expired shows as an expired waiver, not as new.
"""

from dataclasses import dataclass

from portfolio.reports.model import Change, FindingLine, Report, ServiceRef, WaiverLine
from portfolio.reports.sorting import name_key


@dataclass(frozen=True)
class PatternChange:
    service: ServiceRef
    before: list[str]
    after: list[str]


@dataclass(frozen=True)
class ReportDiff:
    services_added: list[ServiceRef]
    services_removed: list[ServiceRef]
    pattern_changes: list[PatternChange]
    findings_new: list[FindingLine]
    findings_resolved: list[FindingLine]
    waivers_granted: list[WaiverLine]
    waivers_expired: list[WaiverLine]
    waivers_removed: list[WaiverLine]

    @property
    def is_empty(self) -> bool:
        return not any((self.services_added, self.services_removed, self.pattern_changes, self.findings_new,
                        self.findings_resolved, self.waivers_granted, self.waivers_expired,
                        self.waivers_removed))


def _key(item) -> tuple[str, str]:
    return (item.code, item.subject)


def diff_reports(old: Report, new: Report) -> ReportDiff:
    """Return what changed from `old` to `new`; each list is sorted like the reports."""
    old_services = {service.key: service for service in old.services}
    new_services = {service.key: service for service in new.services}

    def refs(services, keys):
        found = [ServiceRef(key, services[key].name) for key in keys]
        return sorted(found, key=lambda ref: (name_key(ref.name), ref.key))

    changes = []
    for key in old_services.keys() & new_services.keys():
        before = sorted((line.pattern_name for line in old_services[key].patterns), key=name_key)
        after = sorted((line.pattern_name for line in new_services[key].patterns), key=name_key)
        if before != after:
            changes.append(PatternChange(ServiceRef(key, new_services[key].name), before, after))
    changes.sort(key=lambda change: (name_key(change.service.name), change.service.key))

    return ReportDiff(
        services_added=refs(new_services, new_services.keys() - old_services.keys()),
        services_removed=refs(old_services, old_services.keys() - new_services.keys()),
        pattern_changes=changes,
        **_finding_changes(old, new),
        **_waiver_changes(old, new),
    )


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
    """Granted: a waiver in force that is new or renewed (its expiry moved); expired: newly past its date."""
    old_waivers = {_key(waiver): waiver for waiver in old.waivers}
    new_waivers = {_key(waiver): waiver for waiver in new.waivers}
    granted, expired = [], []
    for key, waiver in new_waivers.items():
        before = old_waivers.get(key)
        if waiver.status == "in_force" and (before is None or before.expires_on != waiver.expires_on):
            granted.append(waiver)
        elif waiver.status == "expired" and (before is None or before.status != "expired"):
            expired.append(waiver)
    removed = [waiver for key, waiver in old_waivers.items() if key not in new_waivers]
    return {"waivers_granted": granted, "waivers_expired": expired, "waivers_removed": removed}


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
