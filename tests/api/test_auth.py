"""Session and token authentication of the API, and its OpenAPI schema and docs page."""

import pytest
from django.test import Client

from portfolio.models import ApiTokenScope, Role, Team
from tests.api.conftest import API, ApiClient, member


@pytest.fixture
def session_client(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member(world.portfolio, Role.EDITOR))
    return client


def test_session_reads_without_token(session_client):
    response = session_client.get(f"{API}/portfolios/acme/services")
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_session_write_without_csrf_is_403(session_client):
    response = session_client.post(f"{API}/portfolios/acme/teams", {"name": "T", "party_kind": "vendor"},
                                   content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Team.objects.filter(name="T").exists()


def test_session_write_with_csrf_token_succeeds(session_client):
    session_client.get("/account/tokens/")
    token = session_client.cookies["csrftoken"].value
    response = session_client.post(f"{API}/portfolios/acme/teams", {"name": "T", "party_kind": "vendor"},
                                   content_type="application/json", headers={"X-CSRFToken": token})
    assert response.status_code == 201
    assert Team.objects.filter(name="T").exists()


def test_bad_token_wins_over_session(session_client):
    response = session_client.get(f"{API}/portfolios", headers={"Authorization": "Bearer vcc_" + "x" * 43})
    assert response.status_code == 401


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Token abc", "bearer vcc_nothing"])
def test_other_authorization_is_401(db, header):
    response = Client().get(f"{API}/portfolios", headers={"Authorization": header})
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_token_acts_with_its_users_roles(api_as, world, make_portfolio):
    other = make_portfolio(key="other", name="Other")
    client = api_as(world.portfolio, Role.VIEWER, ApiTokenScope.WRITE)
    assert [item["key"] for item in client.get("/portfolios").json()["items"]] == ["acme"]
    assert client.get("/portfolios/acme").json()["role"] == "viewer"
    assert client.get(f"/portfolios/{other.key}").status_code == 404
    assert client.post("/portfolios/acme/teams", {"name": "T", "party_kind": "vendor"}).status_code == 403


def test_openapi_schema_is_public_and_documents_auth(db):
    schema = Client().get(f"{API}/openapi.json").json()
    assert schema["info"]["title"] == "Value Chain Compass API"
    assert set(schema["components"]["securitySchemes"]) == {"TokenAuth", "SessionAuth"}
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"


def test_docs_page_uses_vendored_files_without_inline_script(db):
    response = Client().get(f"{API}/docs")
    page = response.content.decode()
    assert response.status_code == 200
    assert "vendor/swagger-ui/swagger-ui-bundle.js" in page
    assert "js/api-docs.js" in page
    assert "cdn" not in page.lower()
    assert "<script>" not in page
    assert 'data-openapi-url="/api/v1/openapi.json"' in page


def test_anonymous_caller_gets_json_401(db):
    response = ApiClient().get("/portfolios/acme")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
