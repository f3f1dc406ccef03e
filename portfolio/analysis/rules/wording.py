"""Names and lists that rule messages share."""

import functools

from django.utils import translation
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from patterns.models import PartyKind
from portfolio.analysis.snapshot import PortfolioSnapshot

_PARTY_KINDS = frozenset(PartyKind.values)


def kinds_text(kinds) -> str:
    """Join party kinds as readable labels: "business or technology"."""
    return _kinds_text(tuple(sorted(kinds)), translation.get_language())


@functools.lru_cache(maxsize=512)
def _kinds_text(kinds: tuple[str, ...], language: str | None) -> str:
    # Cached per language because a large portfolio repeats the same few kind lists thousands of times.
    return get_text_list([_kind_label(kind) for kind in kinds], _("or"))


def _kind_label(kind: str) -> str:
    # A kind outside PartyKind can only come from a raw write; show its key rather than fail.
    if kind in _PARTY_KINDS:
        return str(PartyKind(kind).label).lower()
    return kind


def names_text(names) -> str:
    quoted = [f"“{name}”" for name in names]
    if len(quoted) == 1:
        return quoted[0]
    return get_text_list(quoted, _("and"))


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
