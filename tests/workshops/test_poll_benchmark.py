"""The live board poll benchmark: its in-process query count and, on PostgreSQL, a run under gunicorn."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import override_settings

from patterns.library import sync_library
from portfolio.models import Portfolio
from portfolio.workshops import benchmark
from portfolio.workshops.selectors import board_version


@pytest.fixture
def library_restored(transactional_db, django_db_blocker):
    """Load the pattern library before and after, because a transactional test empties every table."""
    sync_library()
    yield
    with django_db_blocker.unblock():
        sync_library()


def test_unchanged_poll_max_two_queries(db, django_assert_max_num_queries):
    workshop, users = benchmark._create_workshop(1)
    workshop.refresh_from_db()
    path = benchmark._poll_path(workshop, users[0], board_version(workshop))

    with override_settings(ALLOWED_HOSTS=["testserver"]):
        client = benchmark._logged_in_client(users[0])
        with django_assert_max_num_queries(benchmark.UNCHANGED_QUERY_LIMIT):
            response = client.get(path, HTTP_HX_REQUEST="true")

    assert response.status_code == 204
    assert response.content == b""


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="gunicorn needs a database it can open too; the test database here is in memory.")
def test_measure_polls_under_gunicorn(library_restored):
    measurement = benchmark.measure_polls(2, rounds=1, progress=lambda message: None)

    assert len(measurement.unchanged.latencies) == 2
    assert len(measurement.changed.latencies) == 2
    assert measurement.unchanged.errors == 0
    assert measurement.changed.errors == 0
    assert measurement.unchanged_queries <= benchmark.UNCHANGED_QUERY_LIMIT
    assert measurement.changed_queries > measurement.unchanged_queries
    section = measurement.markdown()
    assert section.startswith("## Workshop live board polls\n")
    assert "| unchanged (204) | 2 |" in section
    assert "| changed (live partial) | 2 |" in section
    assert not Portfolio.objects.filter(key__startswith=benchmark.PREFIX).exists()
    assert not get_user_model().objects.filter(username__startswith=benchmark.PREFIX).exists()
