"""Fixtures for the API tests: members of each role, their tokens and a client that sends them."""

import json

import pytest
from django.test import Client

from portfolio.models import ApiTokenScope, Role
from portfolio.tokens import token_create

API = "/api/v1"


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
def api_as(make_member, make_token):
    """Return a client for a new member of `portfolio` with `role` (None: a user of no portfolio)."""

    def make(portfolio, role=Role.OWNER, scope=ApiTokenScope.WRITE):
        user = make_member(portfolio if role is not None else None, role=role or Role.VIEWER)
        return ApiClient(make_token(user, scope))

    return make


@pytest.fixture
def owner_api(api_as, portfolio):
    return api_as(portfolio, Role.OWNER)
