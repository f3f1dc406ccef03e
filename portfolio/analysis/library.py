"""An in-memory, read-only copy of the reference library for the analysis engine."""

from collections import defaultdict
from dataclasses import dataclass, field

from patterns.models import (
    DecisionFactor,
    Expectation,
    FactorValue,
    KeyPractice,
    LifecycleActivity,
    Pattern,
    Practice,
)


@dataclass(frozen=True, slots=True)
class ExpectationInfo:
    accountable: frozenset[str]
    participating: frozenset[str]


@dataclass(frozen=True, slots=True)
class FactorInfo:
    option: str
    label: str
    contradicts: frozenset[str]


@dataclass(frozen=True)
class PatternInfo:
    key: str
    name: str
    category: str
    key_practices: tuple[str, ...]
    expectations: dict[str, ExpectationInfo]
    factors: dict[str, FactorInfo] = field(default_factory=dict)

    @property
    def scope(self) -> frozenset[str]:
        """The lifecycle activities this pattern covers."""
        return frozenset(self.expectations)


@dataclass(frozen=True)
class LibrarySnapshot:
    activities: tuple[str, ...]
    activity_names: dict[str, str]
    practice_names: dict[str, str]
    patterns: dict[str, PatternInfo]
    factor_names: dict[str, str]
    factor_options: dict[str, dict[str, str]]

    def pattern_name(self, key: str) -> str:
        """Return the pattern's name, or its key for a pattern added after this snapshot was read."""
        pattern = self.patterns.get(key)
        return pattern.name if pattern is not None else key


def load_library() -> LibrarySnapshot:
    """Read the whole library in seven queries, whatever its size."""
    activities = list(LifecycleActivity.objects.order_by("position").values_list("key", "name"))
    practice_names = dict(Practice.objects.values_list("key", "name"))

    key_practices = defaultdict(list)
    for pattern_id, practice in KeyPractice.objects.order_by("position").values_list(
        "pattern_id", "practice_id"
    ):
        key_practices[pattern_id].append(practice)

    expectations = defaultdict(dict)
    for pattern_id, activity, accountable, participating in Expectation.objects.values_list(
        "pattern_id", "activity_id", "accountable_kinds", "participating_kinds"
    ):
        expectations[pattern_id][activity] = ExpectationInfo(frozenset(accountable), frozenset(participating))

    factors = defaultdict(dict)
    for pattern_id, factor, option, label, contradicts in FactorValue.objects.values_list(
        "pattern_id", "factor_id", "option", "label", "contradicts"
    ):
        factors[pattern_id][factor] = FactorInfo(option, label, frozenset(contradicts))

    patterns = {}
    for pk, key, name, category in Pattern.objects.order_by("position", "name").values_list(
        "pk", "key", "name", "category"
    ):
        patterns[key] = PatternInfo(
            key=key,
            name=name,
            category=category,
            key_practices=tuple(key_practices[pk]),
            expectations=dict(expectations[pk]),
            factors=dict(factors[pk]),
        )

    factor_names, factor_options = {}, {}
    for key, name, options in DecisionFactor.objects.order_by("position").values_list(
        "key", "name", "options"
    ):
        factor_names[key] = name
        factor_options[key] = {option["key"]: option["label"] for option in options}

    return LibrarySnapshot(
        activities=tuple(key for key, _ in activities),
        activity_names=dict(activities),
        practice_names=practice_names,
        patterns=patterns,
        factor_names=factor_names,
        factor_options=factor_options,
    )
