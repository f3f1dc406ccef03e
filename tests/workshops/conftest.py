"""Fixtures for workshop tests: a running workshop on one service with an editor and a viewer."""

import datetime

import pytest

from portfolio.models import Role
from portfolio.workshops import services


@pytest.fixture
def editor(portfolio, make_member):
    return make_member(portfolio, Role.EDITOR, username="editor")


@pytest.fixture
def viewer(portfolio, make_member):
    return make_member(portfolio, Role.VIEWER, username="viewer")


@pytest.fixture
def claims(portfolio, make_service):
    return make_service(portfolio, key="claims", name="Claims portal")


@pytest.fixture
def workshop(portfolio, editor, claims):
    workshop = services.workshop_create(portfolio=portfolio, title="Pattern review",
                                        date=datetime.date(2025, 3, 4), facilitator=editor)
    services.agenda_add(workshop=workshop, service=claims, timer_minutes=10)
    return workshop
