"""The load test's client keeps a service page's RACI form fields as a browser does."""

import importlib.util
from pathlib import Path

import pytest
from django.urls import reverse

from portfolio.models import Role
from tests.conftest import assign_pattern

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "loadtest.py"
HTMX_TO_STATUS = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "editor-status"}


@pytest.fixture(scope="module")
def loadtest():
    spec = importlib.util.spec_from_file_location("loadtest_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("new_column", [False, True])
def test_shown_page_follows_edit(client, portfolio, make_member, make_service, make_team, make_responsibility,
                                 loadtest, new_column):
    first, second, third = (make_team(portfolio, name) for name in ("First", "Second", "Third"))
    service = make_service(portfolio, key="claims", owner=first)
    assign_pattern(service, "internal-service-delivery")
    make_responsibility(service, "operate", first)
    make_responsibility(service, "build", second, role="R")
    chosen = third if new_column else second
    client.force_login(make_member(portfolio, Role.EDITOR))
    page = loadtest.ShownPage(service_key="claims")

    page.update(client.get(reverse("service-detail", args=[portfolio.key, "claims"])).content.decode())

    assert sorted(page.seen) == sorted(["discover", "design", "acquire", "build", "transition", "operate",
                                        "deliver", "support"])
    assert page.state.count(":") == 8
    state_before = page.state
    url = reverse("service-set-accountable", args=[portfolio.key, "claims", "operate"])
    form = {"team": chosen.pk, "seen": page.seen["operate"], "columns": page.columns, "state": page.state}

    response = client.post(url, form, **HTMX_TO_STATUS)
    page.update(response.content.decode())

    assert response.status_code == 200
    # A new column needs every row, so the whole matrix is sent. Otherwise only the edited row is sent.
    assert (b'<section id="raci"' in response.content) == new_column
    assert page.seen["operate"] == str(chosen.pk)
    assert page.state != state_before
    assert str(chosen.pk) in page.columns.split(",")
