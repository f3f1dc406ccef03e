"""The per-service sections of the report and the waiver lines."""

from collections import defaultdict

from portfolio.analysis.engine import AnalysisResult
from portfolio.analysis.snapshot import PortfolioSnapshot, ServiceInfo
from portfolio.analysis.waivers import WaiverInfo
from portfolio.models import RaciRole
from portfolio.reports.model import AssignmentLine, RaciLine, ServiceSection, TeamRef, WaiverLine
from portfolio.reports.sections import finding_line
from portfolio.reports.sorting import name_key

ROLE_FIELDS = {
    RaciRole.ACCOUNTABLE.value: "accountable",
    RaciRole.RESPONSIBLE.value: "responsible",
    RaciRole.CONSULTED.value: "consulted",
    RaciRole.INFORMED.value: "informed",
}


def subject_service(subject: str) -> str | None:
    """Return the service key a waiver subject names ("service:key/activity:..."), or None."""
    head = subject.split("/", 1)[0]
    return head.removeprefix("service:") if head.startswith("service:") else None


def waiver_lines(result: AnalysisResult, service_keys: set[str], *,
                 include_portfolio: bool) -> list[WaiverLine]:
    """List the waivers about `service_keys`, and about the portfolio when asked, by code and subject."""
    messages = {(finding.code, finding.subject): finding.message for finding in result.findings}
    lines = [_waiver_line(waived.waiver, "in_force", waived.finding.message) for waived in result.waived]
    lines += [_waiver_line(waiver, "expired", messages.get(waiver.key, ""))
              for waiver in result.expired_waivers]
    lines += [_waiver_line(waiver, "obsolete", "") for waiver in result.obsolete_waivers]
    selected = [line for line in lines
                if (line.service in service_keys) or (line.service is None and include_portfolio)]
    return sorted(selected, key=lambda line: (line.code, line.subject))


def _waiver_line(waiver: WaiverInfo, status: str, message: str) -> WaiverLine:
    return WaiverLine(
        code=waiver.code, subject=waiver.subject, status=status, justification=waiver.justification,
        approver=waiver.approver, expires_on=waiver.expires_on, accepted_by=waiver.accepted_by,
        service=subject_service(waiver.subject), message=message,
    )


def service_sections(snapshot: PortfolioSnapshot, selected: list[ServiceInfo], result: AnalysisResult,
                     waivers: list[WaiverLine], descriptions: dict[int, str]) -> list[ServiceSection]:
    """Make a section per selected service; `descriptions` maps service ids to their descriptions."""
    waivers_by_service = defaultdict(list)
    for waiver in waivers:
        if waiver.service is not None:
            waivers_by_service[waiver.service].append(waiver)
    return [
        ServiceSection(
            key=service.key,
            name=service.name,
            status=service.status,
            owner=_team(snapshot, service.owner_id),
            patterns=_assignments(snapshot, service),
            raci=_raci(snapshot, service),
            findings=[finding_line(finding) for finding in result.for_service(service.key)],
            waivers=waivers_by_service.get(service.key, []),
            description=descriptions.get(service.id, ""),
            context=dict(sorted(service.context.items())),
        )
        for service in selected
    ]


def _team(snapshot: PortfolioSnapshot, team_id: int | None) -> TeamRef | None:
    team = snapshot.teams.get(team_id) if team_id is not None else None
    return TeamRef(team.name, team.party_kind) if team else None


def _assignments(snapshot: PortfolioSnapshot, service: ServiceInfo) -> list[AssignmentLine]:
    lines = []
    for key in service.patterns:
        pattern = snapshot.library.patterns.get(key)
        activities = [activity for activity in snapshot.library.activities
                      if key in service.governed.get(activity, ())]
        lines.append(AssignmentLine(key, pattern.name if pattern else key, activities))
    return sorted(lines, key=lambda line: (name_key(line.pattern_name), line.pattern_key))


def _raci(snapshot: PortfolioSnapshot, service: ServiceInfo) -> list[RaciLine]:
    library = snapshot.library
    rows = []
    for activity in library.activities:
        teams = defaultdict(list)
        for team_id, role in service.roles.get(activity, ()):
            team = snapshot.teams.get(team_id)
            if team is not None and role in ROLE_FIELDS:
                teams[ROLE_FIELDS[role]].append(TeamRef(team.name, team.party_kind))
        governed_by = [library.patterns[key].name if key in library.patterns else key
                       for key in service.governed.get(activity, ())]
        by_role = {name: sorted(teams[name], key=lambda ref: name_key(ref.name))
                   for name in ROLE_FIELDS.values()}
        rows.append(RaciLine(
            activity=activity,
            activity_name=library.activity_names.get(activity, activity),
            governed_by=sorted(governed_by, key=name_key),
            **by_role,
        ))
    return rows
