"""Fixtures for the API tests: members of each role, their tokens and a client that sends them."""

import itertools
import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from portfolio.models import ApiTokenScope, Membership, Portfolio, Role, Service, Team, Waiver
from portfolio.tokens import token_create

API = "/api/v1"
_users = itertools.count(1)


class ApiClient:
    """A Django test client that sends a bearer token (or none) and JSON bodies."""

    def __init__(self, token: str | None = None, client: Client | None = None):
        self.client = client or Client()
        self.token = token

    def request(self, method: str, path: str, body=None, headers: dict | None = None, **query):
        headers = dict(headers or {})
        if self.token is not None:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        url = path if path.startswith("/") and path.startswith(API) else f"{API}{path}"
        kwargs = {"headers": headers}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        elif query:
            kwargs["data"] = query
        return getattr(self.client, method.lower())(url, **kwargs)

    def get(self, path, **query):
        return self.request("GET", path, **query)

    def post(self, path, body=None, **kwargs):
        return self.request("POST", path, body, **kwargs)

    def put(self, path, body=None, **kwargs):
        return self.request("PUT", path, body, **kwargs)

    def patch(self, path, body=None, **kwargs):
        return self.request("PATCH", path, body, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def make_token(db):
    def make(user, scope=ApiTokenScope.WRITE, name="tests"):
        _row, token = token_create(user=user, name=name, scope=scope)
        return token

    return make


@pytest.fixture
def api_as(make_token):
    """Return a client for a new member of `portfolio` with `role` (None: a user of no portfolio)."""

    def make(portfolio, role=Role.OWNER, scope=ApiTokenScope.WRITE):
        user = member(portfolio, role) if role is not None else new_user()
        return ApiClient(make_token(user, scope))

    return make


# --- a small portfolio that every operation can act on ------------------------------------------


@dataclass
class World:
    """Portfolio "acme": a service "crm" with a pattern, RACI cells, a waiver and a spare team."""

    portfolio: Portfolio
    platform: Team
    vendor: Team
    spare: Team
    service: Service
    waiver: Waiver


@pytest.fixture
def world(portfolio, make_team, make_service, make_responsibility, make_adoption) -> World:
    platform = make_team(portfolio, "Platform team", "technology")
    vendor = make_team(portfolio, "Acme Cloud", "vendor")
    spare = make_team(portfolio, "Spare team", "business")
    service = make_service(portfolio, key="crm", name="CRM", owner=platform,
                           patterns=["internal-service-delivery"])
    make_responsibility(service, "operate", platform, "A")
    make_responsibility(service, "support", vendor, "C")
    make_adoption(portfolio, "incident-management", owner=platform)
    approver = get_user_model().objects.create(username="waiver-approver")
    waiver = Waiver.objects.create(
        portfolio=portfolio, code="VCP-W999", subject="service:crm", justification="Accepted for the test.",
        approver="CIO", expires_on=timezone.localdate() + timedelta(days=30), accepted_by=approver)
    return World(portfolio, platform, vendor, spare, service, waiver)


def new_user(username: str | None = None):
    """Create a user without a password: hashing one costs far more than the test itself."""
    return get_user_model().objects.create(username=username or f"api-user-{next(_users)}")


def member(portfolio, role):
    user = new_user()
    Membership.objects.create(portfolio=portfolio, user=user, role=role)
    return user
