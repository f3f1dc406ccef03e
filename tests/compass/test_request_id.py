"""Request ids: the X-Request-ID header, the id on every log line of a request, and logged errors."""

import importlib
import io
import logging
import re

import pytest
from django.conf import settings

from compass.logging import RequestIdFilter
from portfolio.models import Role

# The module, not the view function that portfolio.views re-exports under the same name.
dashboard_view = importlib.import_module("portfolio.views.dashboard")

GENERATED_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def log_output():
    """Collect log lines formatted as the console handler formats them; call the fixture to read them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"]))
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: stream.getvalue().splitlines()
    root.removeHandler(handler)


@pytest.fixture
def editor_client(client, portfolio, make_member):
    user = make_member(portfolio, Role.EDITOR)
    client.force_login(user)
    client.user = user
    return client


def test_response_carries_a_new_request_id(client, db):
    response = client.get("/accounts/login/")

    assert GENERATED_ID.fullmatch(response["X-Request-ID"])


def test_each_request_gets_its_own_id(client, db):
    first = client.get("/accounts/login/")["X-Request-ID"]
    second = client.get("/accounts/login/")["X-Request-ID"]

    assert first != second


def test_acceptable_client_request_id_is_kept(client, db):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID="proxy-7f3a.2026:0001")

    assert response["X-Request-ID"] == "proxy-7f3a.2026:0001"


@pytest.mark.parametrize(
    "offered",
    [
        "short",
        "x" * 129,
        "has spaces in it",
        "abcdefgh\n2026-12-04 INFO forged line",
        "<script>alert(1)</script>",
        "ünïcödé-request-id",
    ],
)
def test_unacceptable_client_request_id_is_replaced(client, db, offered):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID=offered)

    assert GENERATED_ID.fullmatch(response["X-Request-ID"])


def test_request_log_line_carries_the_id(client, db, log_output):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID="trace-0000001")

    assert response.status_code == 200
    lines = [line for line in log_output() if "compass.requests" in line]
    assert len(lines) == 1
    assert "[trace-0000001] GET /accounts/login/ 200 " in lines[0]
    assert lines[0].endswith("user -")


def test_request_log_line_names_the_user(editor_client, portfolio, log_output):
    editor_client.get(f"/p/{portfolio.key}/services/", HTTP_X_REQUEST_ID="trace-0000002")

    (line,) = [line for line in log_output() if "compass.requests" in line]
    assert line.endswith(f"user {editor_client.user.pk}")


def test_application_log_lines_carry_the_request_id(editor_client, portfolio, log_output):
    response = editor_client.post(f"/p/{portfolio.key}/services/", {"key": "claims", "name": "Claims",
                                                                     "status": "live"},
                                  HTTP_X_REQUEST_ID="trace-0000003")

    assert response.status_code == 302
    created = [line for line in log_output() if "Created service" in line]
    assert len(created) == 1
    assert "[trace-0000003]" in created[0]


def test_log_lines_outside_requests_show_a_dash(log_output):
    logging.getLogger("compass.tests").warning("Outside any request")

    assert log_output()[-1].endswith("compass.tests [-] Outside any request")


def test_health_checks_are_not_logged_at_info(client, db, log_output):
    client.get("/healthz")

    assert [line for line in log_output() if "compass.requests" in line] == []


def test_unhandled_error_is_logged_with_the_ids_involved(editor_client, portfolio, monkeypatch, log_output):
    def broken_analysis(portfolio):
        raise RuntimeError("analysis failed")

    monkeypatch.setattr(dashboard_view, "analyse_portfolio", broken_analysis)
    editor_client.raise_request_exception = False

    response = editor_client.get(f"/p/{portfolio.key}/", HTTP_X_REQUEST_ID="trace-0000004")

    assert response.status_code == 500
    assert response["X-Request-ID"] == "trace-0000004"
    lines = log_output()
    summary = [line for line in lines if "Unhandled RuntimeError" in line]
    assert len(summary) == 1
    assert "[trace-0000004]" in summary[0]
    assert "view dashboard with arguments {'key': 'acme'}" in summary[0]
    assert summary[0].endswith(f"for user {editor_client.user.pk}")
    assert any("[trace-0000004] Internal Server Error: /p/acme/" in line for line in lines)


def test_not_found_is_not_logged_as_unhandled(editor_client, log_output):
    response = editor_client.get("/p/no-such-portfolio/")

    assert response.status_code == 404
    assert [line for line in log_output() if "Unhandled" in line] == []

