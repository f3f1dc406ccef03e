"""The catalogue page's choice lists and the portfolio's teams, cached per version of the teams.

An entry is kept for the teams and library objects of the analysis's
snapshot (`portfolio_snapshot`). A write to one service keeps those objects.
Any other write, and a full load (as after a change to the pattern library),
replaces them. So a RACI edit or a change to a service keeps the entry, and
an entry never describes older teams than the analysis. A hit costs no
query. A miss reads the teams in one query and takes the pattern and
activity names from the library snapshot.
"""

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models.functions import Lower
from django.utils.translation import get_language

from patterns.models import PartyKind
from portfolio.analysis.engine import portfolio_snapshot
from portfolio.analysis.library import LibrarySnapshot
from portfolio.models import Portfolio, Team

logger = logging.getLogger(__name__)

# Entries kept per process. An entry contains a portfolio's teams and the library's pattern and
# activity names.
CACHE_SIZE = 16


@dataclass(frozen=True)
class TeamChoice:
    pk: int
    name: str
    party_kind: str

    @property
    def label(self) -> str:
        """The name with the party kind, as the other team choices in the app show it."""
        return f"{self.name} ({PartyKind(self.party_kind).label})"


@dataclass(frozen=True)
class CatalogueLookups:
    """The choice lists that the catalogue page's filters and forms offer."""

    teams: tuple[TeamChoice, ...]
    patterns: tuple[tuple[str, str], ...]
    activities: tuple[tuple[str, str], ...]
    # Values derived from the ones above (team choices, rendered option lists), kept as long as the entry.
    memo: dict = field(default_factory=dict, compare=False, repr=False)
    # The snapshot objects that the entry was read for.
    versions: tuple = field(default=(), compare=False, repr=False)

    @cached_property
    def team_ids(self) -> frozenset[str]:
        return frozenset(str(team.pk) for team in self.teams)

    @cached_property
    def pattern_keys(self) -> frozenset[str]:
        return frozenset(key for key, _name in self.patterns)

    def team_choices(self) -> list[tuple[str, str]]:
        """Return (team id as text, "name (party kind)") pairs, by name, in the active language."""
        key = ("team choices", get_language())
        choices = self.memo.get(key)
        if choices is None:
            choices = [(str(team.pk), team.label) for team in self.teams]
            self.memo[key] = choices
        return choices


class _LookupCache:
    """A small per-process LRU of lookups keyed by portfolio id and the ids of the snapshot's objects."""

    def __init__(self, size: int = CACHE_SIZE):
        self.size = size
        self._entries: OrderedDict[tuple, CatalogueLookups] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> CatalogueLookups | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple, entry: CatalogueLookups) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


lookup_cache = _LookupCache()


def catalogue_lookups(portfolio: Portfolio) -> CatalogueLookups:
    """Return the lookups of `portfolio` for its analysis snapshot, reading the teams in one query on a miss.

    Pass an instance read in the current request, as for `analyse_portfolio`.
    """
    snapshot = portfolio_snapshot(portfolio)
    versions = (snapshot.teams, snapshot.library)
    # The entry keeps the objects alive, so their ids cannot be reused while it exists.
    key = (portfolio.pk, *map(id, versions))
    entry = lookup_cache.get(key)
    if entry is None:
        entry = _load(portfolio, snapshot.library, versions)
        lookup_cache.put(key, entry)
        logger.debug("Loaded catalogue lookups of portfolio %s at revision %s",
                     portfolio.pk, portfolio.revision)
    return entry


def _load(portfolio: Portfolio, library: LibrarySnapshot, versions: tuple) -> CatalogueLookups:
    teams = Team.objects.filter(portfolio=portfolio).order_by(Lower("name"), "pk")
    return CatalogueLookups(
        teams=tuple(TeamChoice(*row) for row in teams.values_list("pk", "name", "party_kind")),
        # The library snapshot lists patterns by position and name, and activities by position.
        patterns=tuple((key, pattern.name) for key, pattern in library.patterns.items()),
        activities=tuple((key, library.activity_names[key]) for key in library.activities),
        versions=versions,
    )
