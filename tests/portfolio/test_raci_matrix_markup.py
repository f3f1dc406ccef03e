"""The RACI matrix's toggle buttons, which are built in Python rather than in the template."""

import pytest
from django.urls import reverse

from portfolio.models import Role


@pytest.fixture
def editor_client(client, portfolio, make_member):
    client.force_login(make_member(portfolio, Role.EDITOR))
    return client


@pytest.fixture
def claims(portfolio, make_service):
    return make_service(portfolio, key="claims", patterns=["internal-product-vendor"])


def test_toggle_label_escapes_team_name(editor_client, portfolio, claims, make_team, make_responsibility):
    service = claims
    team = make_team(portfolio, name='<b>Ops & "Run"</b>')
    make_responsibility(service, "build", team, role="R")

    page = editor_client.get(reverse("service-detail", args=[portfolio.key, service.key])).content.decode()

    assert "<b>Ops" not in page
    assert f'id="cell-build-{team.pk}-R" class="raci-toggle raci-toggle--R" aria-pressed="true"' in page
    assert 'aria-label="Responsible: &lt;b&gt;Ops &amp; &quot;Run&quot;&lt;/b&gt; for Build"' in page


def test_toggle_requests_opposite_state(editor_client, portfolio, claims, make_team, make_responsibility):
    service = claims
    team = make_team(portfolio, name="Platform team")
    make_responsibility(service, "build", team, role="R")

    page = editor_client.get(reverse("service-detail", args=[portfolio.key, service.key])).content.decode()

    assert f'name="set" value="R-" id="cell-build-{team.pk}-R"' in page
    assert f'name="set" value="I+" id="cell-build-{team.pk}-I"' in page
    assert 'aria-pressed="false" aria-label="Informed: Platform team for Build"' in page
