"""The governance report as plain dataclasses, the single source every renderer reads.

Enumerations (statuses, levels, party kinds) are stored as their keys, so that the
JSON export is the same in every language. Renderers turn keys into labels.
Names of library items (patterns, activities, practices) and of the portfolio's
teams and services are stored as they read. Lists are already sorted: names by
`sorting.name_key`, lifecycle activities in lifecycle order, findings by level.
"""

from dataclasses import dataclass, field
from datetime import date

from portfolio.reports import labels

SCHEMA_VERSION = 2
# Published reports keep the version they were made with; version 2 only added fields to version 1.
READABLE_SCHEMA_VERSIONS = (1, 2)
RACI_ROLE_FIELDS = (("A", "accountable"), ("R", "responsible"), ("C", "consulted"), ("I", "informed"))


@dataclass(frozen=True)
class ReportScope:
    """The part of the portfolio a report covers; None in a field means no restriction."""

    team: str | None = None
    pattern: str | None = None
    status: str | None = None

    @property
    def is_whole(self) -> bool:
        return self.team is None and self.pattern is None and self.status is None


@dataclass(frozen=True)
class Cover:
    portfolio_key: str
    portfolio_name: str
    as_of: date
    revision: int
    author: str
    library_version: str
    catalogue_version: str
    scope: ReportScope = field(default_factory=ReportScope)


@dataclass(frozen=True)
class Count:
    """A count of something named: `key` is stable, `label` is the text shown to a reader."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class Change:
    """The differences from the portfolio's previous published report, counted."""

    previous_id: int
    previous_as_of: date
    previous_revision: int
    previous_hash: str
    services_added: int
    services_removed: int
    pattern_changes: int
    findings_new: int
    findings_resolved: int
    waivers_granted: int
    waivers_expired: int


@dataclass(frozen=True)
class Summary:
    services: int
    services_by_status: list[Count]
    services_by_pattern: list[Count]
    services_by_mix: list[Count]
    findings_by_level: list[Count]
    waivers: list[Count]
    change: Change | None = None


@dataclass(frozen=True)
class Heatmap:
    """Accountable RACI cells per lifecycle activity (rows) and party kind (columns)."""

    activities: list[Count]
    party_kinds: list[str]
    values: list[list[int]]


@dataclass(frozen=True)
class RuleCount:
    code: str
    level: str
    title: str
    count: int

    @property
    def level_label(self) -> str:
        return labels.level(self.level)


@dataclass(frozen=True)
class Charts:
    ownership: Heatmap
    findings_by_rule: list[RuleCount]


@dataclass(frozen=True)
class PracticeLine:
    """A practice with its adoption; `assessment` is missing, planned, immature, adopted or unneeded."""

    key: str
    name: str
    needed_by: list[str]
    status: str
    capability_level: int | None
    owner: str
    assessment: str

    @property
    def status_label(self) -> str:
        return labels.adoption_status(self.status)

    @property
    def assessment_label(self) -> str:
        return labels.assessment(self.assessment)


@dataclass(frozen=True)
class AdoptionLine:
    """A practice adoption as the portfolio records it, whether or not a pattern in use needs the practice."""

    key: str
    name: str
    status: str
    capability_level: int | None
    owner: str


@dataclass(frozen=True)
class Practices:
    min_capability_level: int
    needed: list[PracticeLine]
    unneeded: list[PracticeLine]
    recorded: list[AdoptionLine] = field(default_factory=list)


@dataclass(frozen=True)
class ServiceRef:
    key: str
    name: str


@dataclass(frozen=True)
class RiskLine:
    """A pattern in use with the risk the library's risk profile factor gives it."""

    pattern_key: str
    pattern_name: str
    risk: str
    risk_label: str
    governance_risk: str
    services: list[ServiceRef]


@dataclass(frozen=True)
class FindingLine:
    code: str
    level: str
    message: str
    hint: str
    subject: str
    service: str | None = None
    activity: str | None = None
    practice: str | None = None
    pattern: str | None = None

    @property
    def level_label(self) -> str:
        return labels.level(self.level)


@dataclass(frozen=True)
class WaiverLine:
    """A waiver; `status` is in_force, expired or obsolete (its finding no longer occurs)."""

    code: str
    subject: str
    status: str
    justification: str
    approver: str
    expires_on: date
    accepted_by: str
    service: str | None = None
    message: str = ""

    @property
    def status_label(self) -> str:
        return labels.waiver_status(self.status)


@dataclass(frozen=True)
class TeamRef:
    name: str
    party_kind: str

    @property
    def party_kind_label(self) -> str:
        return labels.party_kind(self.party_kind)


@dataclass(frozen=True)
class TeamLine:
    """A team with its details: the report's record of it, beyond the name and kind a reference carries."""

    name: str
    party_kind: str
    contact: str
    member_count: int | None


@dataclass(frozen=True)
class AssignmentLine:
    pattern_key: str
    pattern_name: str
    activities: list[str]


@dataclass(frozen=True)
class RaciLine:
    """One lifecycle activity of a service: the patterns governing it and the team in each role."""

    activity: str
    activity_name: str
    governed_by: list[str]
    accountable: list[TeamRef]
    responsible: list[TeamRef]
    consulted: list[TeamRef]
    informed: list[TeamRef]

    @property
    def roles(self) -> list[tuple[str, list[TeamRef]]]:
        """Return (translated role letter, teams) for each role that a team holds, in RACI order."""
        return [(labels.raci_letter(key), getattr(self, name)) for key, name in RACI_ROLE_FIELDS
                if getattr(self, name)]


@dataclass(frozen=True)
class ServiceSection:
    key: str
    name: str
    status: str
    owner: TeamRef | None
    patterns: list[AssignmentLine]
    raci: list[RaciLine]
    findings: list[FindingLine]
    waivers: list[WaiverLine]
    description: str = ""
    context: dict[str, str] = field(default_factory=dict)

    @property
    def status_label(self) -> str:
        return labels.service_status(self.status)

    @property
    def mix_label(self) -> str:
        return " + ".join(assignment.pattern_name for assignment in self.patterns)


@dataclass(frozen=True)
class RuleLine:
    code: str
    level: str
    title: str
    scope: str
    description: str

    @property
    def level_label(self) -> str:
        return labels.level(self.level)


@dataclass(frozen=True)
class Report:
    schema_version: int
    cover: Cover
    summary: Summary
    charts: Charts
    practices: Practices
    risks: list[RiskLine]
    portfolio_findings: list[FindingLine]
    services: list[ServiceSection]
    waivers: list[WaiverLine]
    rules: list[RuleLine]
    teams: list[TeamLine] = field(default_factory=list)

    def all_findings(self) -> list[FindingLine]:
        """Return the portfolio's findings followed by each service's, in report order."""
        found = list(self.portfolio_findings)
        for service in self.services:
            found.extend(service.findings)
        return found
