"""Names and lists that rule messages share."""

from patterns.models import PartyKind
from portfolio.analysis.rules.i18n import gettext as _
from portfolio.analysis.rules.i18n import remembered, text_list
from portfolio.analysis.snapshot import PortfolioSnapshot

_PARTY_KINDS = frozenset(PartyKind.values)


def kinds_text(kinds) -> str:
    """Join party kinds as readable labels: "business or technology"."""
    ordered = tuple(sorted(kinds))
    return remembered(("kinds", *ordered), lambda: _kinds_list(ordered))


def _kinds_list(kinds: tuple[str, ...]) -> str:
    return text_list([_kind_label(kind) for kind in kinds], _("or"))


def _kind_label(kind: str) -> str:
    # A kind outside PartyKind can only come from a raw write; show its key rather than fail.
    if kind in _PARTY_KINDS:
        return str(PartyKind(kind).label).lower()
    return kind


def names_text(names) -> str:
    quoted = [f"“{name}”" for name in names]
    if len(quoted) == 1:
        return quoted[0]
    return text_list(quoted, _("and"))


def patterns_text(snapshot: PortfolioSnapshot, keys) -> str:
    """Join pattern names in quotes: "“Service Integrator” and “Internal Service Delivery”"."""
    return names_text(pattern_name(snapshot, key) for key in keys)


def activity_name(snapshot: PortfolioSnapshot, key: str) -> str:
    return snapshot.library.activity_names.get(key, key)


def pattern_name(snapshot: PortfolioSnapshot, key: str) -> str:
    pattern = snapshot.library.patterns.get(key)
    return pattern.name if pattern else key


def practice_name(snapshot: PortfolioSnapshot, key: str) -> str:
    return snapshot.library.practice_names.get(key, key)


def team_name(snapshot: PortfolioSnapshot, team_id: int) -> str:
    team = snapshot.teams.get(team_id)
    return team.name if team else str(team_id)
