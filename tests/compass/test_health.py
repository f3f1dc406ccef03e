"""/healthz and /readyz: no login, no session, no host check, and 503 when the database is down."""

import pytest
from django.db import OperationalError

from compass import health

HEALTH_PATHS = ["/healthz", "/readyz", "/healthz/", "/readyz/"]


class UnreachableDatabase:
    settings_dict = {"NAME": "compass"}

    def cursor(self):
        raise OperationalError("connection refused")


@pytest.mark.parametrize("path", HEALTH_PATHS)
def test_health_endpoint_answers_ok_without_login(client, db, path):
    response = client.get(path)

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", HEALTH_PATHS)
def test_health_endpoint_touches_no_session(client, db, path):
    response = client.get(path)

    assert response.cookies == {}
    assert "Cookie" not in response.get("Vary", "")


def test_healthz_runs_no_query(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200


def test_readyz_runs_one_query(client, db, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/readyz")

    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_endpoint_ignores_unknown_host_and_https_redirect(client, db, settings, path):
    settings.ALLOWED_HOSTS = ["compass.example.com"]
    settings.SECURE_SSL_REDIRECT = True

    response = client.get(path, HTTP_HOST="10.0.0.7:8000")

    assert response.status_code == 200


def test_other_pages_still_check_the_host(client, db, settings):
    settings.ALLOWED_HOSTS = ["compass.example.com"]

    response = client.get("/accounts/login/", HTTP_HOST="10.0.0.7:8000")

    assert response.status_code == 400


def test_readyz_answers_503_when_the_database_fails(client, db, monkeypatch, caplog):
    monkeypatch.setattr(health, "connection", UnreachableDatabase())

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.content == b"database unavailable\n"
    assert "Readiness check failed" in caplog.text
    assert "connection refused" in caplog.text


def test_healthz_answers_while_the_database_fails(client, db, monkeypatch):
    monkeypatch.setattr(health, "connection", UnreachableDatabase())

    response = client.get("/healthz")

    assert response.status_code == 200


def test_health_endpoint_rejects_post(client, db):
    response = client.post("/healthz")

    assert response.status_code == 404
