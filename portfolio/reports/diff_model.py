"""The changes between two reports as plain dataclasses, which the diff page renders.

Values are stored as the reports store them (enumeration keys, names as they read);
the `*_text` properties turn keys into translated labels for display.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from portfolio.reports import labels
from portfolio.reports.model import FindingLine, ServiceRef, WaiverLine

SERVICE_FIELDS = {
    "name": _("Name"),
    "status": _("Status"),
    "owner": _("Owner"),
    "description": _("Description"),
    "context": _("Context"),
}
TEAM_FIELDS = {
    "name": _("Name"),
    "party_kind": _("Party kind"),
    "contact": _("Contact"),
    "member_count": _("Members"),
}
REPORT_FIELDS = {
    "portfolio_name": _("Portfolio name"),
    "min_capability_level": _("Minimum capability level"),
    "library_version": _("Pattern library version"),
    "catalogue_version": _("Rule catalogue version"),
}


def _value_text(field: str, value) -> str:
    if value is None or value == "":
        return "—"
    if field == "status":
        return labels.service_status(value)
    if field == "party_kind":
        return labels.party_kind(value)
    return str(value)


@dataclass(frozen=True)
class ServiceChange:
    """One field of a service in both reports; `factor` names the decision factor of a context change."""

    service: ServiceRef
    field: str
    before: str | None
    after: str | None
    factor: str = ""

    @property
    def field_text(self) -> str:
        label = str(SERVICE_FIELDS.get(self.field, self.field))
        return f"{label}: {self.factor}" if self.factor else label

    @property
    def before_text(self) -> str:
        return _value_text(self.field, self.before)

    @property
    def after_text(self) -> str:
        return _value_text(self.field, self.after)


@dataclass(frozen=True)
class GovernedChange:
    """The lifecycle activities (names) one pattern governs on a service, before and after."""

    pattern_name: str
    before: list[str]
    after: list[str]


@dataclass(frozen=True)
class PatternChange:
    """A service's pattern mix (pattern names) before and after, and the governed activities that moved."""

    service: ServiceRef
    before: list[str]
    after: list[str]
    governed: list[GovernedChange]


@dataclass(frozen=True)
class RaciChange:
    """A team that gained (`gained` True) or lost one RACI role for one activity of a service."""

    service: ServiceRef
    activity: str
    activity_name: str
    role: str
    team: str
    gained: bool

    @property
    def role_text(self) -> str:
        return labels.raci_role(self.role)


@dataclass(frozen=True)
class AdoptionState:
    status: str
    capability_level: int | None
    owner: str

    @property
    def status_text(self) -> str:
        return labels.adoption_status(self.status)


@dataclass(frozen=True)
class AdoptionChange:
    """A practice adoption before and after; None where the portfolio records none."""

    key: str
    name: str
    before: AdoptionState | None
    after: AdoptionState | None


@dataclass(frozen=True)
class TeamChange:
    """One field of a team in both reports; `team` is its name in the newer report."""

    team: str
    field: str
    before: str | int | None
    after: str | int | None

    @property
    def field_text(self) -> str:
        return str(TEAM_FIELDS.get(self.field, self.field))

    @property
    def before_text(self) -> str:
        return _value_text(self.field, self.before)

    @property
    def after_text(self) -> str:
        return _value_text(self.field, self.after)


@dataclass(frozen=True)
class ReportFieldChange:
    """A portfolio-wide value: its name, the minimum capability level, library or catalogue version."""

    field: str
    before: str | int
    after: str | int

    @property
    def field_text(self) -> str:
        return str(REPORT_FIELDS.get(self.field, self.field))


@dataclass(frozen=True)
class ReportDiff:
    """The changes from one report to another, by kind.

    `same_content` is True when the reports agree in everything but their date,
    revision, author and comparison with an earlier report.
    """

    same_content: bool
    report_changes: list[ReportFieldChange]
    services_added: list[ServiceRef]
    services_removed: list[ServiceRef]
    service_changes: list[ServiceChange]
    pattern_changes: list[PatternChange]
    raci_changes: list[RaciChange]
    findings_new: list[FindingLine]
    findings_resolved: list[FindingLine]
    waivers_granted: list[WaiverLine]
    waivers_expired: list[WaiverLine]
    waivers_obsolete: list[WaiverLine]
    waivers_in_force_again: list[WaiverLine]
    waivers_removed: list[WaiverLine]
    adoption_changes: list[AdoptionChange]
    teams_added: list[str]
    teams_removed: list[str]
    team_changes: list[TeamChange]

    @property
    def is_empty(self) -> bool:
        return not any((
            self.report_changes, self.services_added, self.services_removed, self.service_changes,
            self.pattern_changes, self.raci_changes, self.findings_new, self.findings_resolved,
            self.waivers_granted, self.waivers_expired, self.waivers_obsolete, self.waivers_in_force_again,
            self.waivers_removed, self.adoption_changes, self.teams_added, self.teams_removed,
            self.team_changes,
        ))

    @property
    def teams_renamed(self) -> list[TeamChange]:
        return [change for change in self.team_changes if change.field == "name"]
