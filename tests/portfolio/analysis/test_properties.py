"""Property-based tests: random portfolios never crash the engine and every finding names real subjects.

The snapshots are built in memory from the real library (read once per module),
so hypothesis runs hundreds of examples in a few seconds without the database.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patterns.models import PartyKind
from portfolio.analysis import analyse
from portfolio.analysis.library import load_library
from portfolio.analysis.registry import all_rules
from portfolio.analysis.snapshot import AdoptionInfo, PortfolioSnapshot, ServiceInfo, TeamInfo
from portfolio.models import AdoptionStatus, RaciRole, ServiceStatus

# The django_db mark only puts these tests among the database tests, which pytest-django runs before
# the transactional ones: those flush the tables, the library's rows included. The examples write nothing.
pytestmark = pytest.mark.django_db

# A team id that no team in the snapshot has, as a cell written around the services layer would carry.
UNKNOWN_TEAM_ID = 999
RULES = {rule.code: rule for rule in all_rules()}


@pytest.fixture(scope="module")
def library(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return load_library()


def subsets(items, **bounds):
    """Draw a subset of `items`, kept in their original order."""
    items = list(items)
    chosen_sets = st.sets(st.sampled_from(items), **bounds)
    return chosen_sets.map(lambda chosen: [item for item in items if item in chosen])


def context_values(library, factor):
    options = sorted(library.factor_options.get(factor, {}))
    junk = st.one_of(st.text(max_size=8), st.integers(), st.none(), st.lists(st.text(max_size=3), max_size=2))
    return st.sampled_from(options) | junk if options else junk


@st.composite
def contexts(draw, library):
    factors = draw(subsets([*library.factor_names, "unknown_factor"]))
    return {factor: draw(context_values(library, factor)) for factor in factors}


@st.composite
def services(draw, library, number, team_ids):
    patterns = draw(subsets(library.patterns, max_size=3))
    governed: dict[str, list[str]] = {}
    for pattern in patterns:
        scope = [activity for activity in library.activities if activity in library.patterns[pattern].scope]
        for activity in draw(subsets(scope)):
            governed.setdefault(activity, []).append(pattern)

    cell = st.tuples(st.sampled_from([*team_ids, UNKNOWN_TEAM_ID]), st.sampled_from(RaciRole.values))
    roles = {}
    for activity in draw(subsets(library.activities)):
        cells = draw(st.lists(cell, max_size=4, unique=True))
        if cells:
            roles[activity] = cells

    return ServiceInfo(
        id=number, key=f"svc-{number}", name=draw(st.text(min_size=1, max_size=12)),
        status=draw(st.sampled_from(ServiceStatus.values)),
        owner_id=draw(st.none() | st.sampled_from([*team_ids, UNKNOWN_TEAM_ID])),
        context=draw(contexts(library) | st.sampled_from([[], "text", None])),
        patterns=patterns, governed=governed, roles=roles,
    )


@st.composite
def adoptions(draw, library):
    practices = draw(subsets(sorted(library.practice_names)))
    return {
        practice: AdoptionInfo(
            practice, draw(st.sampled_from(AdoptionStatus.values)),
            draw(st.none() | st.integers(min_value=1, max_value=5)), None,
        )
        for practice in practices
    }


@st.composite
def snapshots(draw, library):
    kinds = draw(st.lists(st.sampled_from(PartyKind.values), max_size=6))
    teams = {number: TeamInfo(number, f"Team {number}", kind) for number, kind in enumerate(kinds, start=1)}
    service_count = draw(st.integers(min_value=0, max_value=5))
    return PortfolioSnapshot(
        portfolio_id=1, portfolio_key="random", revision=1,
        min_capability_level=draw(st.integers(min_value=1, max_value=5)),
        disabled_rules=frozenset(draw(subsets(sorted(RULES), max_size=3))),
        library=library, teams=teams,
        services=[draw(services(library, number, list(teams))) for number in range(1, service_count + 1)],
        adoptions=draw(adoptions(library)),
    )


def assert_names_existing_subjects(finding, snapshot):
    library = snapshot.library
    services = {service.key: service for service in snapshot.services}
    assert finding.code in RULES
    assert finding.code not in snapshot.disabled_rules
    assert finding.level == RULES[finding.code].level
    assert finding.message.strip()
    assert finding.hint.strip()
    if finding.service is not None:
        assert finding.service in services
        assert services[finding.service].analysed
    if finding.activity is not None:
        assert finding.activity in library.activities
    if finding.practice is not None:
        assert finding.practice in library.practice_names
    if finding.pattern is not None:
        assert finding.pattern in library.patterns
        if finding.service is not None:
            assert finding.pattern in services[finding.service].patterns
    if finding.factor is not None:
        assert finding.factor in library.factor_names


PROPERTY_SETTINGS = settings(
    max_examples=200, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_findings_name_existing_subjects(library, data):
    snapshot = data.draw(snapshots(library))

    result = analyse(snapshot)

    for finding in result.findings:
        assert_names_existing_subjects(finding, snapshot)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_findings_unique_sorted_and_repeatable(library, data):
    snapshot = data.draw(snapshots(library))

    findings = analyse(snapshot).findings

    assert len(set(findings)) == len(findings)
    assert list(findings) == sorted(findings, key=lambda finding: finding.sort_key)
    assert analyse(snapshot).findings == findings
