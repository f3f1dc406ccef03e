"""Names and keys in any script: working URLs, one spelling per name (NFC), one sort order everywhere."""

import re
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from portfolio.models import Responsibility, Role, Service, Team
from portfolio.services import service_create, team_create

HTMX = {"HTTP_HX_REQUEST": "true"}
PRECOMPOSED = "Caf\u00e9"
DECOMPOSED = "Cafe\u0301"

# Portfolio key, service key, service name and team name in one script each.
SCRIPTS = [
    ("日本支社", "請求-ポータル", "請求ポータル", "東京プラットフォーム"),
    ("مكتب-الخليج", "الفواتير", "بوابة الفواتير", "فريق المنصة"),
    ("launch-🚀", "🚀-launch", "Launch 🚀 pad", "Crew 👩🏽‍🚀"),
]


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def scripted(make_portfolio, make_member, make_service, make_team, client, request):
    """A portfolio, a service and a team named in one script, and a client logged in as editor."""
    portfolio_key, service_key, service_name, team_name = request.param
    portfolio = make_portfolio(key=portfolio_key, name=f"Portfolio {portfolio_key}")
    team = make_team(portfolio, team_name)
    service = make_service(portfolio, key=service_key, name=service_name, owner=team,
                           patterns=["internal-product-vendor"])
    client.force_login(make_member(portfolio, Role.EDITOR))
    return client, portfolio, service, team


def test_spellings_differ_before_normalisation():
    assert PRECOMPOSED != DECOMPOSED
    assert unicodedata.normalize("NFC", DECOMPOSED) == PRECOMPOSED


# --- URLs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("scripted", SCRIPTS, indirect=True, ids=["japanese", "arabic", "emoji"])
def test_pages_answer_at_unicode_urls(scripted):
    client, portfolio, service, team = scripted
    urls = [
        reverse("dashboard", args=[portfolio.key]),
        reverse("service-list", args=[portfolio.key]),
        reverse("service-detail", args=[portfolio.key, service.key]),
        reverse("service-details", args=[portfolio.key, service.key]),
        reverse("service-rename", args=[portfolio.key, service.key]),
        reverse("service-delete", args=[portfolio.key, service.key]),
        reverse("team-list", args=[portfolio.key]),
        reverse("team-delete", args=[portfolio.key, team.pk]),
        reverse("practice-list", args=[portfolio.key]),
    ]

    for url in urls:
        assert "%" in url
        response = client.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize("scripted", SCRIPTS, indirect=True, ids=["japanese", "arabic", "emoji"])
def test_links_on_pages_lead_to_the_service(scripted):
    client, portfolio, service, _team = scripted

    page = html(client.get(reverse("service-list", args=[portfolio.key])))
    expected = reverse("service-detail", args=[portfolio.key, service.key])
    links = [href for href in re.findall(r'href="([^"]+)"', page) if href == expected]
    detail = html(client.get(links[0]))

    assert service.name in detail
    assert f'<h1 id="service-title" dir="auto">{service.name}</h1>' in detail


@pytest.mark.parametrize("scripted", SCRIPTS, indirect=True, ids=["japanese", "arabic", "emoji"])
def test_htmx_cell_write_at_unicode_url(scripted):
    client, portfolio, service, team = scripted
    url = reverse("service-raci-cell", args=[portfolio.key, service.key, "build"])

    response = client.post(url, {"team": team.pk, "set": "A+", "seen": ""}, **HTMX)

    assert response.status_code == 200
    assert team.name in html(response)
    assert Responsibility.objects.get(service=service).team == team


@pytest.mark.parametrize("scripted", SCRIPTS, indirect=True, ids=["japanese", "arabic", "emoji"])
def test_rename_to_unicode_key_redirects_to_working_url(scripted):
    client, portfolio, service, _team = scripted
    new_key = f"{service.key}-二"

    form = {"updated_at": service.updated_at.isoformat(), "name": service.name, "key": new_key}

    response = client.post(reverse("service-rename", args=[portfolio.key, service.key]), form)

    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    assert Service.objects.get(pk=service.pk).key == new_key


# --- one spelling per name ----------------------------------------------------------------------


def test_team_name_spelled_decomposed_is_the_same_name(portfolio):
    team_create(portfolio=portfolio, name=PRECOMPOSED, party_kind="business")

    with pytest.raises(ValidationError) as error:
        team_create(portfolio=portfolio, name=DECOMPOSED, party_kind="business")

    assert error.value.message_dict["name"] == [
        "A team named “Café” already exists in “Acme Insurance”; choose another name."]
    assert list(Team.objects.values_list("name", flat=True)) == [PRECOMPOSED]


def test_team_create_page_rejects_decomposed_duplicate(client, portfolio, make_member, make_team):
    make_team(portfolio, PRECOMPOSED)
    client.force_login(make_member(portfolio, Role.EDITOR))

    response = client.post(reverse("team-list", args=[portfolio.key]),
                           {"new-name": DECOMPOSED, "new-party_kind": "business"}, **HTMX)

    assert response.status_code == 422
    assert "A team named “Café” already exists in “Acme Insurance”; choose another name." in html(response)
    assert Team.objects.count() == 1


def test_service_key_spelled_decomposed_is_the_same_key(portfolio):
    service_create(portfolio=portfolio, key="caf\u00e9", name="First")

    with pytest.raises(ValidationError) as error:
        service_create(portfolio=portfolio, key="cafe\u0301", name="Second")

    assert "A service with the key “café” already exists" in " ".join(error.value.message_dict["key"])
    assert Service.objects.count() == 1


def test_stored_names_are_nfc(portfolio, make_service):
    team = team_create(portfolio=portfolio, name=DECOMPOSED + " team", party_kind="business")
    service = service_create(portfolio=portfolio, key="cafe\u0301-menu", name=DECOMPOSED + " menu")

    assert unicodedata.is_normalized("NFC", Team.objects.get(pk=team.pk).name)
    assert unicodedata.is_normalized("NFC", Service.objects.get(pk=service.pk).key)
    assert unicodedata.is_normalized("NFC", Service.objects.get(pk=service.pk).name)


# --- one sort order -----------------------------------------------------------------------------


TEAM_NAMES = ["beta team", "Alpha team", "delta team", "Charlie team"]
SORTED_TEAMS = ["Alpha team", "beta team", "Charlie team", "delta team"]


def order_of(fragment: str, names: list[str]) -> list[str]:
    """Return `names` in the order they first appear in `fragment`."""
    return sorted(names, key=fragment.index)


def between(page: str, start: str, end: str) -> str:
    begin = page.index(start)
    return page[begin:page.index(end, begin)]


@pytest.fixture
def sorting_portfolio(portfolio, make_member, make_service, make_team, make_responsibility, client):
    teams = [make_team(portfolio, name) for name in TEAM_NAMES]
    service = make_service(portfolio, key="claims", name="claims portal")
    for name in ("Billing", "archive"):
        make_service(portfolio, name=name)
    for team in teams:
        make_responsibility(service, "operate", team, role="C")
    client.force_login(make_member(portfolio, Role.EDITOR))
    return client


def test_team_lists_sort_alike_on_every_page(sorting_portfolio, portfolio):
    client = sorting_portfolio
    teams_page = html(client.get(reverse("team-list", args=[portfolio.key])))
    editor = html(client.get(reverse("service-detail", args=[portfolio.key, "claims"])))
    practice_form = html(client.get(reverse("practice-edit", args=[portfolio.key, "service-desk"]), **HTMX))
    details_form = html(client.get(reverse("service-details", args=[portfolio.key, "claims"]), **HTMX))
    service_list = html(client.get(reverse("service-list", args=[portfolio.key])))

    fragments = {
        "teams page": between(teams_page, "<tbody>", "</tbody>"),
        "RACI columns": between(editor, '<table class="table raci-matrix"', "</thead>"),
        "accountable list": between(editor, 'id="accountable-operate"', "</select>"),
        "practice owner list": between(practice_form, 'name="owner"', "</select>"),
        "service owner list": between(details_form, 'name="owner"', "</select>"),
        "new service owner list": between(service_list, 'name="owner"', "</select>"),
    }

    for where, fragment in fragments.items():
        assert order_of(fragment, TEAM_NAMES) == SORTED_TEAMS, where


def test_service_list_sorts_ignoring_case(sorting_portfolio, portfolio):
    page = html(sorting_portfolio.get(reverse("service-list", args=[portfolio.key])))

    assert order_of(page, ["Billing", "archive", "claims portal"]) == ["archive", "Billing", "claims portal"]
