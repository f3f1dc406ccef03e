"""The portfolio-wide sections of the report: summary, charts, practice investment and risks.

`governed` is the list of services the report covers that are not retired: the
analysis governs only those, so pattern counts, charts, practices and risks read them.
"""

from collections import Counter

from django.utils.translation import gettext as _

from patterns.models import PartyKind
from portfolio.analysis.findings import Finding, Level
from portfolio.analysis.registry import all_rules
from portfolio.analysis.snapshot import PortfolioSnapshot, ServiceInfo
from portfolio.models import AdoptionStatus, RaciRole, ServiceStatus
from portfolio.reports import labels
from portfolio.reports.model import (
    Charts,
    Count,
    FindingLine,
    Heatmap,
    PracticeLine,
    Practices,
    RiskLine,
    RuleCount,
    ServiceRef,
    Summary,
    WaiverLine,
)
from portfolio.reports.records import adoption_lines
from portfolio.reports.sorting import name_key

RISK_FACTOR = "risk_profile"
WAIVER_STATUSES = ("in_force", "expired", "obsolete")
_ACCOUNTABLE = RaciRole.ACCOUNTABLE.value


def _by_count(counts: list[Count]) -> list[Count]:
    return sorted(counts, key=lambda count: (-count.count, name_key(count.label), count.key))


def summary(snapshot: PortfolioSnapshot, selected: list[ServiceInfo], governed: list[ServiceInfo],
            findings: list[Finding], waivers: list[WaiverLine]) -> Summary:
    statuses = Counter(service.status for service in selected)
    patterns = Counter(pattern for service in governed for pattern in service.patterns)
    mixes = Counter(tuple(service.patterns) for service in governed)
    levels = Counter(finding.level.label for finding in findings)
    waiver_counts = Counter(waiver.status for waiver in waivers)
    return Summary(
        services=len(selected),
        services_by_status=[Count(status, str(ServiceStatus(status).label), statuses[status])
                            for status in ServiceStatus.values],
        services_by_pattern=_by_count([Count(key, _pattern_name(snapshot, key), count)
                                       for key, count in patterns.items()]),
        services_by_mix=_by_count([Count("+".join(mix), _mix_label(snapshot, mix), count)
                                   for mix, count in mixes.items()]),
        findings_by_level=[Count(level.label, level.display, levels[level.label])
                           for level in sorted(Level, reverse=True)],
        waivers=[Count(status, labels.waiver_status(status), waiver_counts[status])
                 for status in WAIVER_STATUSES],
    )


def _pattern_name(snapshot: PortfolioSnapshot, key: str) -> str:
    pattern = snapshot.library.patterns.get(key)
    return pattern.name if pattern else key


def _mix_label(snapshot: PortfolioSnapshot, mix: tuple[str, ...]) -> str:
    if not mix:
        return _("No pattern")
    return " + ".join(sorted((_pattern_name(snapshot, key) for key in mix), key=name_key))


def charts(snapshot: PortfolioSnapshot, governed: list[ServiceInfo], findings: list[Finding]) -> Charts:
    kinds = list(PartyKind.values)
    activities = snapshot.library.activities
    cells = Counter()
    for service in governed:
        for activity, roles in service.roles.items():
            for team_id, role in roles:
                team = snapshot.teams.get(team_id)
                if role == _ACCOUNTABLE and team is not None:
                    cells[activity, team.party_kind] += 1
    heatmap = Heatmap(
        activities=[Count(activity, snapshot.library.activity_names.get(activity, activity),
                          sum(cells[activity, kind] for kind in kinds))
                    for activity in activities],
        party_kinds=kinds,
        values=[[cells[activity, kind] for kind in kinds] for activity in activities],
    )
    by_code = Counter(finding.code for finding in findings)
    rules = [RuleCount(rule.code, rule.level.label, str(rule.title), by_code[rule.code])
             for rule in all_rules() if by_code[rule.code]]
    rules.sort(key=lambda rule: (-rule.count, rule.code))
    return Charts(ownership=heatmap, findings_by_rule=rules)


def practices(snapshot: PortfolioSnapshot, governed: list[ServiceInfo]) -> Practices:
    """List the key practices of the patterns in use, adopted practices none needs, and every adoption."""
    in_use = {pattern for service in governed for pattern in service.patterns}
    needed: dict[str, list[str]] = {}
    for key in in_use:
        pattern = snapshot.library.patterns.get(key)
        for practice in pattern.key_practices if pattern else ():
            needed.setdefault(practice, []).append(pattern.name)

    minimum = snapshot.min_capability_level
    needed_lines = [_practice_line(snapshot, practice, sorted(patterns, key=name_key), minimum)
                    for practice, patterns in needed.items()]
    unneeded_lines = [
        _practice_line(snapshot, practice, [], minimum)
        for practice, adoption in snapshot.adoptions.items()
        if practice not in needed and adoption.status == AdoptionStatus.ADOPTED
    ]
    return Practices(
        min_capability_level=minimum,
        needed=sorted(needed_lines, key=lambda line: (name_key(line.name), line.key)),
        unneeded=sorted(unneeded_lines, key=lambda line: (name_key(line.name), line.key)),
        recorded=adoption_lines(snapshot),
    )


def _practice_line(snapshot: PortfolioSnapshot, practice: str, needed_by: list[str], minimum: int):
    adoption = snapshot.adoptions.get(practice)
    status = adoption.status if adoption else AdoptionStatus.NOT_ADOPTED.value
    level = adoption.capability_level if adoption else None
    owner = snapshot.teams.get(adoption.owner_id) if adoption and adoption.owner_id else None
    return PracticeLine(
        key=practice,
        name=snapshot.library.practice_names.get(practice, practice),
        needed_by=needed_by,
        status=status,
        capability_level=level,
        owner=owner.name if owner else "",
        assessment=_assessment(status, level, minimum, needed=bool(needed_by)),
    )


def _assessment(status: str, level: int | None, minimum: int, *, needed: bool) -> str:
    if not needed:
        return "unneeded"
    if status == AdoptionStatus.NOT_ADOPTED:
        return "missing"
    if status == AdoptionStatus.PLANNED:
        return "planned"
    if (level or 0) < minimum:
        return "immature"
    return "adopted"


def risks(snapshot: PortfolioSnapshot, governed: list[ServiceInfo],
          governance_risks: dict[str, str]) -> list[RiskLine]:
    """List each pattern in use with its risk profile and the services it exposes."""
    exposed: dict[str, list[ServiceRef]] = {}
    for service in governed:
        for pattern in service.patterns:
            exposed.setdefault(pattern, []).append(ServiceRef(service.key, service.name))
    lines = []
    for key, services in exposed.items():
        pattern = snapshot.library.patterns.get(key)
        factor = pattern.factors.get(RISK_FACTOR) if pattern else None
        lines.append(RiskLine(
            pattern_key=key,
            pattern_name=pattern.name if pattern else key,
            risk=factor.option if factor else "",
            risk_label=factor.label if factor else "",
            governance_risk=governance_risks.get(key, ""),
            services=sorted(services, key=lambda ref: (name_key(ref.name), ref.key)),
        ))
    return sorted(lines, key=lambda line: (name_key(line.pattern_name), line.pattern_key))


def finding_lines(findings) -> list[FindingLine]:
    return [finding_line(finding) for finding in findings]


def finding_line(finding: Finding) -> FindingLine:
    return FindingLine(
        code=finding.code, level=finding.level.label, message=finding.message, hint=finding.hint,
        subject=finding.subject, service=finding.service, activity=finding.activity,
        practice=finding.practice, pattern=finding.pattern,
    )
