"""The library tables that every service page reads, kept in memory per version of the library.

A service page and a RACI edit read the lifecycle activities, the expected
party kinds, the decision factors and the pattern names: four queries of a
few dozen rows that are the same for every request. They are read once for
each `version` object the caller passes and kept for the next requests. The
service pages pass the analysis's library snapshot (`LibrarySnapshot`),
which a process replaces whenever it reloads a portfolio in full, as it does
after the library changed: `sync_library` raises every portfolio's revision
without recording an edit (portfolio/signals.py).
"""

import threading
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models.functions import Lower

from patterns.models import DecisionFactor, Expectation, LifecycleActivity, Pattern

# How many versions are kept: one per portfolio loaded in full, so a few for a few portfolios.
VERSIONS_KEPT = 8


class ExpectedKinds(NamedTuple):
    activity: str
    accountable: tuple[str, ...]
    participating: tuple[str, ...]


@dataclass(frozen=True)
class ReferenceTables:
    """The library's activities (in lifecycle order), expectations, decision factors and patterns.

    The model objects are shared between requests and threads: read them, never change them.
    """

    activities: tuple[LifecycleActivity, ...]
    # Pattern key to the expected kinds of each activity in its scope.
    expectations: dict[str, tuple[ExpectedKinds, ...]]
    # Decision factors in their order of position.
    factors: tuple[DecisionFactor, ...]
    # Every pattern, by name regardless of case.
    patterns: tuple[Pattern, ...]
    _by_key: dict[str, LifecycleActivity] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_by_key", {activity.key: activity for activity in self.activities})

    def activity(self, key: str) -> LifecycleActivity | None:
        return self._by_key.get(key)

    @classmethod
    def read(cls) -> "ReferenceTables":
        """Read the tables in four queries."""
        expectations: dict[str, list[ExpectedKinds]] = {}
        rows = Expectation.objects.order_by("pattern__key", "activity__position").values_list(
            "pattern__key", "activity_id", "accountable_kinds", "participating_kinds")
        for pattern, activity, accountable, participating in rows:
            expectations.setdefault(pattern, []).append(
                ExpectedKinds(activity, tuple(accountable), tuple(participating)))
        return cls(
            activities=tuple(LifecycleActivity.objects.order_by("position")),
            expectations={pattern: tuple(kinds) for pattern, kinds in expectations.items()},
            factors=tuple(DecisionFactor.objects.order_by("position")),
            patterns=tuple(Pattern.objects.order_by(Lower("name"), "key")),
        )


_versions: list[tuple[object, ReferenceTables]] = []
_lock = threading.Lock()


def reference_tables(version: object) -> ReferenceTables:
    """Return the tables read for `version`, reading them on the first call with that object."""
    with _lock:
        for kept_version, tables in _versions:
            if kept_version is version:
                return tables
    tables = ReferenceTables.read()
    with _lock:
        _versions.insert(0, (version, tables))
        del _versions[VERSIONS_KEPT:]
    return tables
