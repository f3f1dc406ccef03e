"""The catalogue benchmark: its requests, query counts and Markdown section, on small portfolios."""

import pytest
from django.contrib.auth import get_user_model

from portfolio.benchmark import catalogue
from portfolio.models import Portfolio


@pytest.fixture
def small_sizes(monkeypatch):
    monkeypatch.setattr(catalogue, "SIZES", (30, 60))


def test_measure_reports_checks_and_costs(db, small_sizes):
    measurement = catalogue.measure_catalogue(pairs=2, seed=3, keep=False, progress=lambda message: None)

    section = measurement.markdown()
    page, admin = measurement.costs["page at 60"], measurement.costs["admin at 60"]
    assert section.startswith("## Catalogue page\n")
    assert "| catalogue page / admin changelist at 60 services |" in section
    assert "| catalogue htmx partial, 60 services |" in section
    assert len(measurement.page_vs_admin) == 2
    assert page.counts == 1
    assert page.queries <= admin.queries
    assert measurement.costs["page at 30"].queries == page.queries


def test_measure_cleans_up(db, small_sizes):
    catalogue.measure_catalogue(pairs=1, seed=3, keep=False, progress=lambda message: None)

    assert not Portfolio.objects.exists()
    assert not get_user_model().objects.filter(username__startswith="catalogue-benchmark-").exists()
