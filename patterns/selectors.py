"""Reads for the pattern library pages, each in a fixed number of queries.

The number of queries does not depend on how many patterns, practices or
expectations the library holds: related rows come in one prefetch query each.
"""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from patterns.models import (
    Expectation,
    FactorValue,
    KeyPractice,
    LifecycleActivity,
    PartyKind,
    Pattern,
    PatternCategory,
    Practice,
)

_KIND_LABELS = dict(PartyKind.choices)


class PatternNotFound(LookupError):
    """Raised when one or more requested pattern keys are not in the library."""

    def __init__(self, keys: list[str]):
        super().__init__(", ".join(keys))
        self.keys = keys


@dataclass(frozen=True)
class KindBadge:
    """A party kind as the pages show it: its stored value, label and CSS class."""

    value: str
    label: str

    @property
    def css_class(self) -> str:
        return "kind-" + self.value.replace("_", "-")


def kind_badges(kinds: list[str]) -> list[KindBadge]:
    """Return badges for `kinds`. A kind outside PartyKind keeps its stored value as its label."""
    return [KindBadge(kind, _KIND_LABELS.get(kind, kind)) for kind in kinds]


@dataclass(frozen=True)
class ActivityRow:
    """One lifecycle activity of one pattern. `expectation` is None when the activity is out of scope."""

    activity: LifecycleActivity
    expectation: Expectation | None

    @property
    def in_scope(self) -> bool:
        return self.expectation is not None

    @property
    def accountable(self) -> list[KindBadge]:
        return kind_badges(self.expectation.accountable_kinds) if self.expectation else []

    @property
    def participating(self) -> list[KindBadge]:
        return kind_badges(self.expectation.participating_kinds) if self.expectation else []

    @property
    def note(self) -> str:
        return self.expectation.note if self.expectation else ""


@dataclass(frozen=True)
class CategoryGroup:
    value: str
    label: str
    patterns: list[Pattern]


@dataclass(frozen=True)
class PatternDetail:
    """A pattern with its expectations for every lifecycle activity, in lifecycle order."""

    pattern: Pattern
    activity_rows: list[ActivityRow]
    key_practices: list[Practice]
    factor_values: list[FactorValue]


def _key_practice_prefetch() -> Prefetch:
    links = KeyPractice.objects.select_related("practice").order_by("position")
    return Prefetch("key_practice_links", queryset=links)


def _patterns_with_details() -> QuerySet[Pattern]:
    """Patterns with key practices, expectations and factor values: four queries when evaluated."""
    factor_values = FactorValue.objects.select_related("factor").order_by("factor__position")
    return Pattern.objects.prefetch_related(
        _key_practice_prefetch(),
        Prefetch("expectations", queryset=Expectation.objects.order_by()),
        Prefetch("factor_values", queryset=factor_values),
    )


def _activity_rows(pattern: Pattern, activities: list[LifecycleActivity]) -> list[ActivityRow]:
    by_activity = {expectation.activity_id: expectation for expectation in pattern.expectations.all()}
    return [ActivityRow(activity, by_activity.get(activity.key)) for activity in activities]


def _key_practices(pattern: Pattern) -> list[Practice]:
    return [link.practice for link in pattern.key_practice_links.all()]


def _detail(pattern: Pattern, activities: list[LifecycleActivity]) -> PatternDetail:
    return PatternDetail(
        pattern=pattern,
        activity_rows=_activity_rows(pattern, activities),
        key_practices=_key_practices(pattern),
        factor_values=list(pattern.factor_values.all()),
    )


def library_groups() -> list[CategoryGroup]:
    """Return the patterns grouped by category, in category then library order, in two queries.

    Each pattern carries `key_practice_list`, its key practices in the library's order.
    A category without patterns is left out.
    """
    patterns = list(Pattern.objects.prefetch_related(_key_practice_prefetch()))
    groups = []
    for value, label in PatternCategory.choices:
        members = [pattern for pattern in patterns if pattern.category == value]
        for pattern in members:
            pattern.key_practice_list = _key_practices(pattern)
        if members:
            groups.append(CategoryGroup(value, label, members))
    return groups


def pattern_detail(key: str) -> PatternDetail:
    """Return one pattern with all its library facts, in five queries.

    Raises PatternNotFound when no pattern has the key.
    """
    pattern = _patterns_with_details().filter(key=key).first()
    if pattern is None:
        raise PatternNotFound([key])
    return _detail(pattern, list(LifecycleActivity.objects.all()))


@dataclass(frozen=True)
class ComparedActivity:
    activity: LifecycleActivity
    cells: list[ActivityRow]


@dataclass(frozen=True)
class ComparedPractice:
    practice: Practice
    key_for: list[bool]

    @property
    def shared(self) -> bool:
        """True when the practice is key to every compared pattern."""
        return all(self.key_for)


@dataclass(frozen=True)
class ComparedFactor:
    name: str
    labels: list[str]


@dataclass(frozen=True)
class Comparison:
    """Patterns side by side. Every list of cells follows the order of `patterns`."""

    patterns: list[Pattern]
    activities: list[ComparedActivity]
    practices: list[ComparedPractice]
    factors: list[ComparedFactor]


def patterns_compare(keys: list[str]) -> Comparison:
    """Return the patterns with `keys`, in that order, side by side, in five queries.

    Raises PatternNotFound naming every key that no pattern has.
    """
    found = {pattern.key: pattern for pattern in _patterns_with_details().filter(key__in=keys)}
    missing = [key for key in keys if key not in found]
    if missing:
        raise PatternNotFound(missing)
    activities = list(LifecycleActivity.objects.all())
    details = [_detail(found[key], activities) for key in keys]
    return Comparison(
        patterns=[detail.pattern for detail in details],
        activities=_compare_activities(details, activities),
        practices=_compare_practices(details),
        factors=_compare_factors(details),
    )


def _compare_activities(details: list[PatternDetail], activities) -> list[ComparedActivity]:
    return [
        ComparedActivity(activity, [detail.activity_rows[index] for detail in details])
        for index, activity in enumerate(activities)
    ]


def _compare_practices(details: list[PatternDetail]) -> list[ComparedPractice]:
    """List each practice key to any compared pattern once, in order of first mention."""
    practices: dict[str, Practice] = {}
    for detail in details:
        for practice in detail.key_practices:
            practices.setdefault(practice.key, practice)
    key_sets = [{practice.key for practice in detail.key_practices} for detail in details]
    return [
        ComparedPractice(practice, [key in key_set for key_set in key_sets])
        for key, practice in practices.items()
    ]


def _compare_factors(details: list[PatternDetail]) -> list[ComparedFactor]:
    """List each decision factor with a value in any compared pattern, in factor order.

    A pattern without a value for the factor gets "" in `labels`.
    """
    factors = {}
    for detail in details:
        for value in detail.factor_values:
            factors.setdefault(value.factor_id, value.factor)
    labels = [{value.factor_id: value.label for value in detail.factor_values} for detail in details]
    ordered = sorted(factors.values(), key=lambda factor: factor.position)
    return [
        ComparedFactor(factor.name, [by_factor.get(factor.key, "") for by_factor in labels])
        for factor in ordered
    ]
