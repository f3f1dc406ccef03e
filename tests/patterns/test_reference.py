"""The library tables kept in memory per library version."""

from patterns import reference
from patterns.models import DecisionFactor, Expectation, LifecycleActivity, Pattern
from patterns.reference import VERSIONS_KEPT, reference_tables


def test_reference_tables_match_database(db):
    tables = reference_tables(object())

    assert [activity.key for activity in tables.activities] == list(
        LifecycleActivity.objects.order_by("position").values_list("key", flat=True))
    assert [factor.key for factor in tables.factors] == list(
        DecisionFactor.objects.order_by("position").values_list("key", flat=True))
    names = [pattern.name for pattern in tables.patterns]
    assert names == sorted(names, key=str.lower)
    assert len(names) == Pattern.objects.count()
    in_memory = {(pattern, expected.activity, expected.accountable, expected.participating)
            for pattern, kinds in tables.expectations.items() for expected in kinds}
    in_database = {(pattern, activity, tuple(accountable), tuple(participating))
                   for pattern, activity, accountable, participating in Expectation.objects.values_list(
                       "pattern__key", "activity_id", "accountable_kinds", "participating_kinds")}
    assert in_memory == in_database
    assert tables.activity("operate").name == LifecycleActivity.objects.get(key="operate").name
    assert tables.activity("no-such-activity") is None


def test_reference_tables_read_once_per_version(db, django_assert_num_queries):
    version = object()
    with django_assert_num_queries(4):
        first = reference_tables(version)

    with django_assert_num_queries(0):
        again = reference_tables(version)

    assert again is first
    with django_assert_num_queries(4):
        reference_tables(object())


def test_reference_tables_keep_few_versions(db):
    versions = [object() for _ in range(VERSIONS_KEPT + 3)]
    for version in versions:
        reference_tables(version)

    remembered = [version for version, _tables in reference._versions]
    assert len(remembered) == VERSIONS_KEPT
    assert remembered[0] is versions[-1]
