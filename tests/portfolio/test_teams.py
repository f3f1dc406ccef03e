"""The teams page and the team writes: create, edit in place, delete with a replacement."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from portfolio.models import Portfolio, PracticeAdoption, Responsibility, Role, Service, Team
from portfolio.services import team_create, team_delete, team_dependants, team_update

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def editor_client(client, portfolio, make_member):
    client.force_login(make_member(portfolio, Role.EDITOR))
    return client


def html(response) -> str:
    return response.content.decode()


def revision(portfolio) -> int:
    return Portfolio.objects.values_list("revision", flat=True).get(pk=portfolio.pk)


def new_team_data(**fields) -> dict:
    data = {"name": "Payments platform", "party_kind": "technology", "contact": "", "member_count": ""}
    data.update(fields)
    return {f"new-{name}": value for name, value in data.items()}


def row_data(team, **fields) -> dict:
    data = {"name": team.name, "party_kind": team.party_kind, "contact": team.contact,
            "member_count": "" if team.member_count is None else team.member_count}
    data.update(fields)
    return data


# --- services -----------------------------------------------------------------------------------


def test_team_create_normalises_name(portfolio):
    team = team_create(portfolio=portfolio, name="  Payments   platform ", party_kind="technology",
                       contact=" ops@example.org ")

    assert team.name == "Payments platform"
    assert team.contact == "ops@example.org"


def test_team_create_rejects_name_differing_in_case(portfolio, make_team):
    make_team(portfolio, "Acme Cloud", party_kind="vendor")

    with pytest.raises(ValidationError) as error:
        team_create(portfolio=portfolio, name="ACME cloud", party_kind="vendor")

    assert error.value.message_dict["name"] == [
        "A team named “ACME cloud” already exists in “Acme Insurance”; choose another name."]
    assert Team.objects.count() == 1


def test_team_create_rejects_unknown_party_kind(portfolio):
    with pytest.raises(ValidationError) as error:
        team_create(portfolio=portfolio, name="Someone", party_kind="friend")

    assert "party_kind" in error.value.message_dict
    assert Team.objects.count() == 0


def test_team_update_keeps_values_on_error(portfolio, make_team):
    make_team(portfolio, "Taken")
    team = make_team(portfolio, "Mine")

    with pytest.raises(ValidationError):
        team_update(team=team, name="taken", contact="new@example.org")

    assert team.name == "Mine"
    assert team.contact == ""
    team.refresh_from_db()
    assert team.name == "Mine"


def test_team_update_rejects_unknown_field(portfolio, make_team):
    with pytest.raises(TypeError):
        team_update(team=make_team(portfolio), portfolio=portfolio)


def test_team_dependants_lists_names(portfolio, make_team, make_service, make_responsibility, make_adoption):
    team = make_team(portfolio, "Platform team")
    owned = make_service(portfolio, name="beta service", owner=team)
    make_service(portfolio, name="Alpha service", owner=team)
    make_responsibility(owned, "build", team, role="R")
    make_responsibility(owned, "operate", team, role="A")
    make_adoption(portfolio, "service-desk", owner=team)

    dependants = team_dependants(team)

    assert dependants.owned_services == ["Alpha service", "beta service"]
    assert dependants.owned_practices == ["Service Desk"]
    assert dependants.cells == 2
    assert dependants.cell_services == ["beta service"]


def test_team_delete_unused_team(portfolio, make_team):
    team = make_team(portfolio)
    before = revision(portfolio)

    team_delete(team=team)

    assert Team.objects.count() == 0
    assert revision(portfolio) > before


def test_team_delete_in_use_needs_replacement(portfolio, make_team, make_service):
    team = make_team(portfolio, "Platform team")
    make_service(portfolio, owner=team)
    make_service(portfolio, owner=team)

    with pytest.raises(ValidationError) as error:
        team_delete(team=team)

    assert error.value.message_dict["replacement"] == [
        "“Platform team” owns 2 services; choose a team to take them over."]
    assert Team.objects.count() == 1


def test_team_delete_hands_everything_to_replacement(
    portfolio, make_team, make_service, make_responsibility, make_adoption
):
    team = make_team(portfolio, "Old team")
    replacement = make_team(portfolio, "New team")
    service = make_service(portfolio, owner=team)
    stamp = Service.objects.get(pk=service.pk).updated_at
    make_responsibility(service, "build", team, role="A")
    make_responsibility(service, "operate", team, role="R")
    make_responsibility(service, "operate", replacement, role="R")
    adoption = make_adoption(portfolio, "service-desk", owner=team)
    before = revision(portfolio)

    team_delete(team=team, replacement=replacement)

    service.refresh_from_db()
    adoption.refresh_from_db()
    assert not Team.objects.filter(pk=team.pk).exists()
    assert service.owner == replacement
    assert service.updated_at > stamp
    assert adoption.owner == replacement
    cells = set(Responsibility.objects.values_list("team__name", "activity_id", "role"))
    assert cells == {("New team", "build", "A"), ("New team", "operate", "R")}
    assert revision(portfolio) > before


def test_team_delete_rejects_replacement_of_other_portfolio(
    portfolio, make_portfolio, make_team, make_service
):
    team = make_team(portfolio)
    make_service(portfolio, owner=team)
    stranger = make_team(make_portfolio(), "Their team")

    with pytest.raises(ValidationError) as error:
        team_delete(team=team, replacement=stranger)

    assert "belongs to another portfolio" in " ".join(error.value.message_dict["replacement"])
    assert Team.objects.filter(pk=team.pk).exists()


def test_team_delete_rejects_itself_as_replacement(portfolio, make_team, make_service):
    team = make_team(portfolio, "Platform team")
    make_service(portfolio, owner=team)

    with pytest.raises(ValidationError) as error:
        team_delete(team=team, replacement=team)

    assert "Choose another team than “Platform team”" in " ".join(error.value.message_dict["replacement"])


# --- page ---------------------------------------------------------------------------------------


def test_teams_page_lists_teams_by_name_ignoring_case(client, portfolio, make_member, make_team):
    for name in ("beta", "Alpha", "gamma"):
        make_team(portfolio, name)
    client.force_login(make_member(portfolio, Role.VIEWER))

    page = html(client.get(reverse("team-list", args=[portfolio.key])))

    assert page.index("Alpha") < page.index("beta") < page.index("gamma")
    assert "Create team" not in page
    assert "Edit" not in page[page.index("<tbody>"):]


def test_teams_page_query_count_is_constant(client, portfolio, make_member, make_team,
                                            django_assert_max_num_queries):
    client.force_login(make_member(portfolio, Role.EDITOR))
    for _ in range(3):
        make_team(portfolio)
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("team-list", args=[portfolio.key]))
    for _ in range(30):
        make_team(portfolio)

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("team-list", args=[portfolio.key]))


def test_create_team_htmx_returns_section_with_notice(editor_client, portfolio):
    response = editor_client.post(reverse("team-list", args=[portfolio.key]),
                                  new_team_data(member_count="12"), **HTMX)

    page = html(response)
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="teams"')
    assert "Created the team “Payments platform”." in page
    assert Team.objects.get().member_count == 12


def test_create_team_without_htmx_redirects(editor_client, portfolio):
    response = editor_client.post(reverse("team-list", args=[portfolio.key]), new_team_data())

    assert response.status_code == 302
    assert Team.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"party_kind": "friend"}, "Select a valid choice."),
        ({"member_count": "-3"}, "Ensure this value is greater than or equal to 0."),
        ({"member_count": "many"}, "Enter a whole number."),
    ],
)
def test_create_team_invalid_field_shows_error(editor_client, portfolio, fields, message):
    response = editor_client.post(reverse("team-list", args=[portfolio.key]), new_team_data(**fields), **HTMX)

    assert response.status_code == 422
    assert message in html(response)
    assert Team.objects.count() == 0


def test_create_team_by_viewer_is_forbidden(client, portfolio, make_member):
    client.force_login(make_member(portfolio, Role.VIEWER))

    response = client.post(reverse("team-list", args=[portfolio.key]), new_team_data())

    assert response.status_code == 403
    assert Team.objects.count() == 0


def test_edit_team_get_htmx_returns_row_form(editor_client, portfolio, make_team):
    team = make_team(portfolio, "Platform team")

    page = html(editor_client.get(reverse("team-edit", args=[portfolio.key, team.pk]), **HTMX))

    assert page.lstrip().startswith(f'<tr id="team-{team.pk}" class="row--editing">')
    assert f'form="team-form-{team.pk}"' in page
    assert f'id="team-{team.pk}-name"' in page


def test_edit_team_page_opens_row_form(editor_client, portfolio, make_team):
    team = make_team(portfolio, "Platform team")

    page = html(editor_client.get(reverse("team-edit", args=[portfolio.key, team.pk])))

    assert "<html" in page
    assert f'<form id="team-form-{team.pk}"' in page


def test_edit_team_saves_and_returns_row(editor_client, portfolio, make_team):
    team = make_team(portfolio, "Platform team")

    response = editor_client.post(reverse("team-edit", args=[portfolio.key, team.pk]),
                                  row_data(team, name="Platform   engineering", contact="pe@example.org"),
                                  **HTMX)

    page = html(response)
    assert response.status_code == 200
    assert page.lstrip().startswith(f'<tr id="team-{team.pk}">')
    assert "<bdi>Platform engineering</bdi>" in page
    team.refresh_from_db()
    assert team.contact == "pe@example.org"


def test_edit_team_duplicate_name_shows_error_in_row(editor_client, portfolio, make_team):
    make_team(portfolio, "Acme Cloud")
    team = make_team(portfolio, "Platform team")

    response = editor_client.post(reverse("team-edit", args=[portfolio.key, team.pk]),
                                  row_data(team, name="acme cloud"), **HTMX)

    assert response.status_code == 422
    assert "A team named “acme cloud” already exists" in html(response)


def test_edit_team_of_other_portfolio_is_404(editor_client, portfolio, make_portfolio, make_team):
    stranger = make_team(make_portfolio())

    response = editor_client.get(reverse("team-edit", args=[portfolio.key, stranger.pk]))

    assert response.status_code == 404


def test_delete_page_shows_what_is_affected(editor_client, portfolio, make_team, make_service,
                                            make_responsibility, make_adoption):
    team = make_team(portfolio, "Old team")
    make_team(portfolio, "New team")
    service = make_service(portfolio, name="Claims portal", owner=team)
    make_responsibility(service, "build", team, role="R")
    make_adoption(portfolio, "service-desk", owner=team)

    page = html(editor_client.get(reverse("team-delete", args=[portfolio.key, team.pk])))

    assert "Owns 1 service:" in page
    assert "<bdi>Claims portal</bdi>" in page
    assert "Owns 1 practice:" in page
    assert "Service Desk" in page
    assert "Holds 1 RACI cell, on:" in page
    assert "New team (Technology)" in page
    assert "Old team (Technology)" not in page
    assert "onclick" not in page


def test_delete_in_use_without_replacement_asks_for_one(editor_client, portfolio, make_team, make_service):
    team = make_team(portfolio, "Old team")
    make_service(portfolio, owner=team)

    response = editor_client.post(reverse("team-delete", args=[portfolio.key, team.pk]), {"replacement": ""})

    assert response.status_code == 422
    assert "choose a team to take them over" in html(response)
    assert Team.objects.filter(pk=team.pk).exists()


def test_delete_with_replacement_redirects_with_message(editor_client, portfolio, make_team, make_service):
    team = make_team(portfolio, "Old team")
    replacement = make_team(portfolio, "New team")
    service = make_service(portfolio, owner=team)

    response = editor_client.post(reverse("team-delete", args=[portfolio.key, team.pk]),
                                  {"replacement": replacement.pk}, follow=True)

    assert "Deleted the team “Old team”; “New team” took over" in html(response)
    service.refresh_from_db()
    assert service.owner == replacement


def test_delete_unused_team_needs_no_replacement(editor_client, portfolio, make_team):
    team = make_team(portfolio, "Idle team")

    response = editor_client.post(reverse("team-delete", args=[portfolio.key, team.pk]))

    assert response.status_code == 302
    assert not Team.objects.exists()
    assert PracticeAdoption.objects.count() == 0
