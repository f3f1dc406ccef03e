"""The report filter: the services a report covers, chosen by team, pattern and status."""

from dataclasses import dataclass

from portfolio.analysis.snapshot import PortfolioSnapshot, ServiceInfo
from portfolio.reports.model import ReportScope


@dataclass(frozen=True)
class ReportFilter:
    """Services whose owner or any RACI cell is `team_id`, with `pattern` assigned, in `status`."""

    team_id: int | None = None
    pattern: str | None = None
    status: str | None = None

    @property
    def is_whole(self) -> bool:
        return self.team_id is None and self.pattern is None and self.status is None

    def matches(self, service: ServiceInfo) -> bool:
        if self.status is not None and service.status != self.status:
            return False
        if self.pattern is not None and self.pattern not in service.patterns:
            return False
        if self.team_id is None or service.owner_id == self.team_id:
            return True
        return any(team == self.team_id for cells in service.roles.values() for team, _ in cells)

    def scope(self, snapshot: PortfolioSnapshot) -> ReportScope:
        """Describe the filter by names, as the report's cover shows it."""
        team = snapshot.teams.get(self.team_id) if self.team_id is not None else None
        return ReportScope(
            team=team.name if team else None,
            pattern=self.pattern,
            status=self.status,
        )
