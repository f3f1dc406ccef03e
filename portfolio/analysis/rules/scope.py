"""Helpers for the rules: the assigned patterns that govern an activity, and a team's party kind."""

from portfolio.analysis.snapshot import PortfolioSnapshot, ServiceInfo


def governing(service: ServiceInfo, snapshot: PortfolioSnapshot, activity: str) -> list[str]:
    """Return the keys of the assigned patterns that govern `activity`, in library order.

    A pattern counts only where it has an expectation: an assignment that lists
    an activity outside the pattern's scope (possible through a raw import)
    does not govern it, so the rules never look up an expectation that is missing.
    """
    patterns = snapshot.library.patterns
    return [
        key for key in service.governed.get(activity, ())
        if key in patterns and activity in patterns[key].expectations
    ]


def expected_accountable(snapshot: PortfolioSnapshot, patterns: list[str], activity: str) -> frozenset[str]:
    """Return the party kinds that any of `patterns` expects to be accountable for `activity`."""
    if len(patterns) == 1:
        return snapshot.library.patterns[patterns[0]].expectations[activity].accountable
    kinds: frozenset[str] = frozenset()
    for key in patterns:
        kinds |= snapshot.library.patterns[key].expectations[activity].accountable
    return kinds


def party_kind(snapshot: PortfolioSnapshot, team_id: int) -> str | None:
    """Return the team's party kind, or None for a team outside the portfolio's snapshot."""
    team = snapshot.teams.get(team_id)
    return team.party_kind if team else None
