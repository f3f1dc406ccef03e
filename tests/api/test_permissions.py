"""Every API operation against every kind of caller: who gets in, who gets 401, 403 or 404.

The table lists each operation of the OpenAPI schema once, with the lowest
portfolio role it needs (None: any logged-in user) and a request that
succeeds for a caller with that role. A denied write must leave the
portfolio's revision as it was.
"""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.utils import timezone

from portfolio.access import role_allows
from portfolio.analysis import analyse_portfolio
from portfolio.api.etag import service_etag
from portfolio.api.main import api
from portfolio.models import ApiTokenScope, Portfolio, Role, Service
from portfolio.tokens import token_create, token_revoke
from tests.api.conftest import ApiClient, member, new_user

SERVICE = "/portfolios/{key}/services/{service_key}"
CELL = SERVICE + "/responsibilities/{activity}/{team_id}/{role}"
ASSIGNMENT = SERVICE + "/patterns/{pattern_key}"


def _open_finding(world) -> dict:
    finding = analyse_portfolio(world.portfolio).findings[0]
    return {"code": finding.code, "subject": finding.subject, "justification": "Known gap, planned.",
            "approver": "CIO", "expires_on": (timezone.localdate() + timedelta(days=90)).isoformat()}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    min_role: str | None
    success: int
    body: object = None
    values: dict = field(default_factory=dict)
    if_match: bool = False

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


OPERATIONS = [
    Operation("GET", "/portfolios", None, 200),
    Operation("GET", "/portfolios/{key}", Role.VIEWER, 200),
    Operation("GET", "/portfolios/{key}/teams", Role.VIEWER, 200),
    Operation("POST", "/portfolios/{key}/teams", Role.EDITOR, 201,
              {"name": "New team", "party_kind": "vendor"}),
    Operation("GET", "/portfolios/{key}/teams/{team_id}", Role.VIEWER, 200),
    Operation("PATCH", "/portfolios/{key}/teams/{team_id}", Role.EDITOR, 200, {"contact": "ops@example.com"}),
    Operation("DELETE", "/portfolios/{key}/teams/{team_id}", Role.EDITOR, 204),
    Operation("GET", "/portfolios/{key}/services", Role.VIEWER, 200),
    Operation("POST", "/portfolios/{key}/services", Role.EDITOR, 201, {"key": "billing", "name": "Billing"}),
    Operation("GET", SERVICE, Role.VIEWER, 200),
    Operation("PUT", SERVICE, Role.EDITOR, 200, {"key": "crm", "name": "CRM replaced"}, if_match=True),
    Operation("PATCH", SERVICE, Role.EDITOR, 200, {"name": "CRM changed"}, if_match=True),
    Operation("DELETE", SERVICE, Role.EDITOR, 204),
    Operation("PUT", ASSIGNMENT, Role.EDITOR, 201, {"activities": None},
              values={"pattern_key": "managed-service-provider"}),
    Operation("DELETE", ASSIGNMENT, Role.EDITOR, 204),
    Operation("GET", "/portfolios/{key}/responsibilities", Role.VIEWER, 200),
    Operation("PUT", CELL, Role.EDITOR, 200),
    Operation("DELETE", CELL, Role.EDITOR, 204, values={"activity": "support", "role": "C"}),
    Operation("GET", "/portfolios/{key}/practices", Role.VIEWER, 200),
    Operation("GET", "/portfolios/{key}/practices/{practice_key}", Role.VIEWER, 200),
    Operation("PUT", "/portfolios/{key}/practices/{practice_key}", Role.EDITOR, 200,
              {"status": "adopted", "capability_level": 4}),
    Operation("GET", "/portfolios/{key}/waivers", Role.VIEWER, 200),
    Operation("POST", "/portfolios/{key}/waivers", Role.OWNER, 201, _open_finding),
    Operation("GET", "/portfolios/{key}/waivers/{waiver_id}", Role.VIEWER, 200),
    Operation("DELETE", "/portfolios/{key}/waivers/{waiver_id}", Role.OWNER, 204),
    Operation("GET", "/portfolios/{key}/findings", Role.VIEWER, 200),
    Operation("GET", "/library/activities", None, 200),
    Operation("GET", "/library/practices", None, 200),
    Operation("GET", "/library/patterns", None, 200),
    Operation("GET", "/library/patterns/{pattern_key}", None, 200),
]

CALLERS = ["anonymous", "bad token", "revoked token", "read-only token", "non-member",
           Role.VIEWER, Role.EDITOR, Role.OWNER]


def test_table_lists_every_operation():
    schema = api.get_openapi_schema(path_prefix="")
    served = {f"{method.upper()} {path}" for path, methods in schema["paths"].items() for method in methods}
    listed = [operation.id for operation in OPERATIONS]
    assert len(listed) == len(set(listed))
    assert served - set(listed) == set(), "operations missing from the permission table"
    assert set(listed) - served == set(), "operations in the table that the API does not serve"


def _client(caller, world) -> ApiClient:
    portfolio = world.portfolio
    if caller == "anonymous":
        return ApiClient()
    if caller == "bad token":
        return ApiClient("vcc_" + "x" * 43)
    if caller == "revoked token":
        user = member(portfolio, Role.OWNER)
        row, token = token_create(user=user, name="old", scope=ApiTokenScope.WRITE)
        token_revoke(user=user, token=row)
        return ApiClient(token)
    if caller == "read-only token":
        _row, token = token_create(user=member(portfolio, Role.OWNER), name="ro", scope=ApiTokenScope.READ)
        return ApiClient(token)
    user = new_user() if caller == "non-member" else member(portfolio, caller)
    _row, token = token_create(user=user, name="rw", scope=ApiTokenScope.WRITE)
    return ApiClient(token)


def _expected(operation: Operation, caller) -> int:
    if caller in ("anonymous", "bad token", "revoked token"):
        return 401
    if caller == "read-only token":
        return operation.success if operation.method == "GET" else 403
    if operation.min_role is None:
        return operation.success
    if caller == "non-member":
        return 404
    return operation.success if role_allows(caller, operation.min_role) else 403


def _url(operation: Operation, world) -> str:
    values = {"key": world.portfolio.key, "service_key": world.service.key, "team_id": world.spare.pk,
              "pattern_key": "internal-service-delivery", "activity": "operate", "role": "R",
              "waiver_id": world.waiver.pk, "practice_key": "incident-management"}
    if operation.path == CELL:
        values["team_id"] = world.vendor.pk
    values.update(operation.values)
    return operation.path.format(**values)


@pytest.mark.parametrize("caller", CALLERS, ids=str)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.id)
def test_operation_allows_exactly_the_roles(operation, caller, world):
    client = _client(caller, world)
    body = operation.body(world) if callable(operation.body) else operation.body
    headers = {}
    if operation.if_match:
        headers["If-Match"] = service_etag(Service.objects.get(pk=world.service.pk))
    if body is None and operation.method in ("PUT", "POST", "PATCH"):
        body = {}
    revision = Portfolio.objects.get(pk=world.portfolio.pk).revision

    response = client.request(operation.method, _url(operation, world), body, headers=headers)

    expected = _expected(operation, caller)
    assert response.status_code == expected, response.content
    if response.status_code >= 400:
        assert isinstance(response.json()["detail"], str)
        if operation.method != "GET":
            assert Portfolio.objects.get(pk=world.portfolio.pk).revision == revision
