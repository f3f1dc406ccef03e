"""Findings as stored in a workshop's records, and the difference between two sets of them."""

from dataclasses import asdict, dataclass

from portfolio.analysis import Finding, Level, analyse
from portfolio.analysis.snapshot import load_snapshot
from portfolio.models import Portfolio


@dataclass(frozen=True)
class FindingsDelta:
    """Findings that a change adds and removes, each in the engine's sort order."""

    added: tuple[Finding, ...]
    removed: tuple[Finding, ...]

    @property
    def empty(self) -> bool:
        return not self.added and not self.removed


def current_findings(portfolio: Portfolio) -> frozenset[Finding]:
    """Analyse the data as it is now in this transaction, without the cache and without waivers.

    Waivers are left out so that a finding a change removes counts as removed
    even when a waiver accepted it.
    """
    return frozenset(analyse(load_snapshot(portfolio)).findings)


def findings_delta(before: frozenset[Finding], after: frozenset[Finding]) -> FindingsDelta:
    return FindingsDelta(
        added=tuple(sorted(after - before, key=lambda finding: finding.sort_key)),
        removed=tuple(sorted(before - after, key=lambda finding: finding.sort_key)),
    )


def finding_to_dict(finding: Finding) -> dict:
    data = asdict(finding)
    data["level"] = finding.level.label
    return data


def finding_from_dict(data: dict) -> Finding:
    return Finding(**(data | {"level": Level.from_label(data["level"])}))


def findings_to_list(findings) -> list[dict]:
    return [finding_to_dict(finding) for finding in sorted(findings, key=lambda finding: finding.sort_key)]


def findings_from_list(items) -> frozenset[Finding]:
    return frozenset(finding_from_dict(item) for item in items)
