"""Shared fixtures: small factories that write real rows to the test database."""

import itertools

import pytest
from django.contrib.auth import get_user_model

from patterns.library import sync_library
from patterns.models import Expectation, LifecycleActivity
from portfolio.analysis.engine import base_store
from portfolio.models import (
    Membership,
    PatternAssignment,
    Portfolio,
    PracticeAdoption,
    Responsibility,
    Role,
    Service,
    Team,
)

_sequence = itertools.count(1)


@pytest.fixture(autouse=True)
def _forget_analysis_bases():
    """Drop the analyses kept per portfolio in this process.

    SQLite reuses the ids of rolled-back rows, so a base left by an earlier
    test would make the next test's first analysis look for recorded edits,
    which costs queries that a fresh process does not make.
    """
    base_store.clear()


@pytest.fixture(autouse=True)
def _reload_library_after_flush(request):
    """Put the library rows back for tests on a transactional database.

    The data migration loads the library once, but a transactional test
    (`transactional_db`, `live_server`) flushes every table when it ends, so
    the next one would start without activities, practices or patterns.
    """
    if not {"transactional_db", "live_server"} & set(request.fixturenames):
        return
    request.getfixturevalue("transactional_db")
    if not LifecycleActivity.objects.exists():
        sync_library()


@pytest.fixture
def make_portfolio(db):
    def make(**fields):
        n = next(_sequence)
        fields.setdefault("key", f"portfolio-{n}")
        fields.setdefault("name", f"Portfolio {n}")
        return Portfolio.objects.create(**fields)

    return make


@pytest.fixture
def portfolio(make_portfolio):
    return make_portfolio(key="acme", name="Acme Insurance")


@pytest.fixture
def make_team(db):
    def make(portfolio, name=None, party_kind="technology", **fields):
        return Team.objects.create(
            portfolio=portfolio, name=name or f"Team {next(_sequence)}", party_kind=party_kind, **fields
        )

    return make


@pytest.fixture
def make_service(db):
    def make(portfolio, key=None, patterns=(), **fields):
        n = next(_sequence)
        fields.setdefault("name", f"Service {n}")
        service = Service.objects.create(portfolio=portfolio, key=key or f"svc-{n}", **fields)
        for pattern_key in patterns:
            assign_pattern(service, pattern_key)
        return service

    return make


def assign_pattern(service, pattern_key, activities=None):
    """Assign a pattern governing `activities`, by default every activity in its scope."""
    if activities is None:
        activities = list(
            Expectation.objects.filter(pattern__key=pattern_key)
            .order_by("activity__position")
            .values_list("activity_id", flat=True)
        )
    return PatternAssignment.objects.create(service=service, pattern_id=pattern_key, activities=activities)


@pytest.fixture
def make_responsibility(db):
    def make(service, activity, team, role="A"):
        return Responsibility.objects.create(service=service, activity_id=activity, team=team, role=role)

    return make


@pytest.fixture
def make_adoption(db):
    def make(portfolio, practice, status="adopted", capability_level=3, owner=None):
        return PracticeAdoption.objects.create(
            portfolio=portfolio, practice_id=practice, status=status,
            capability_level=capability_level, owner=owner,
        )

    return make


@pytest.fixture
def make_member(db):
    """Create a user with `role` in `portfolio`; the password is always 'pw-for-tests'."""

    def make(portfolio, role=Role.EDITOR, username=None):
        user = get_user_model().objects.create_user(
            username=username or f"user{next(_sequence)}", password="pw-for-tests"
        )
        if portfolio is not None:
            Membership.objects.create(portfolio=portfolio, user=user, role=role)
        return user

    return make
