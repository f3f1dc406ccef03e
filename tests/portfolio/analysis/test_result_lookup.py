"""Looking up one service's findings in a result, with and without grouping them all."""

import pytest

from portfolio.analysis.engine import analyse, count_levels
from portfolio.analysis.snapshot import load_snapshot
from portfolio.benchmark.generate import generate_portfolio


@pytest.fixture
def result(db):
    return analyse(load_snapshot(generate_portfolio(services=60, seed=11, teams=20)))


def test_one_service_lookup_matches_grouping(result):
    keys = {finding.service for finding in result.findings if finding.service} | {"no-such-service"}

    for key in sorted(keys):
        assert result.for_one_service(key) == result.for_service(key), key


def test_one_service_lookup_covers_every_level(result):
    levels = {(finding.service, finding.level) for finding in result.findings if finding.service}
    services_with_two_levels = {service for service, _level in levels
                                if sum(1 for other, _ in levels if other == service) > 1}

    assert services_with_two_levels
    for key in services_with_two_levels:
        assert len({finding.level for finding in result.for_one_service(key)}) > 1, key


def test_counts_per_service_use_count_levels(result):
    for key, counts in result.counts_by_service.items():
        assert counts == count_levels(result.for_one_service(key)), key


def test_counts_of_one_service_match_all_counts(result):
    keys = {finding.service for finding in result.findings if finding.service}

    for key in sorted(keys):
        assert result.counts_of(key) == result.counts_by_service[key], key
    assert result.counts_of("no-such-service") == {"error": 0, "warning": 0, "info": 0}


def test_counts_of_are_kept_per_result(result):
    key = next(finding.service for finding in result.findings if finding.service)

    assert result.counts_of(key) is result.counts_of(key)
