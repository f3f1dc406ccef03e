"""The practice adoption page and `practice_adoption_set`."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from patterns.models import Practice
from portfolio.models import PracticeAdoption, Role
from portfolio.services import practice_adoption_set

HTMX = {"HTTP_HX_REQUEST": "true"}
IPV = "internal-product-vendor"


@pytest.fixture
def editor_client(client, portfolio, make_member):
    client.force_login(make_member(portfolio, Role.EDITOR))
    return client


def html(response) -> str:
    return response.content.decode()


def edit_url(portfolio, practice="release-management"):
    return reverse("practice-edit", args=[portfolio.key, practice])


# --- service ------------------------------------------------------------------------------------


def test_adoption_set_creates_then_updates(portfolio, make_team):
    owner = make_team(portfolio, "Release team")

    practice_adoption_set(portfolio=portfolio, practice_key="release-management", status="planned")
    adoption = practice_adoption_set(portfolio=portfolio, practice_key="release-management",
                                     status="adopted", capability_level=3, owner=owner)

    assert PracticeAdoption.objects.count() == 1
    assert (adoption.status, adoption.capability_level, adoption.owner) == ("adopted", 3, owner)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"practice_key": "alchemy"}, "practice", "Unknown practice “alchemy”."),
        ({"capability_level": 6}, "capability_level", "Capability level must be between 1 and 5; 6 is not."),
        ({"capability_level": 0}, "capability_level", "Capability level must be between 1 and 5; 0 is not."),
        ({"status": "maybe"}, "status", "Value 'maybe' is not a valid choice."),
    ],
)
def test_adoption_set_rejects_bad_value(portfolio, fields, field, message):
    arguments = {"portfolio": portfolio, "practice_key": "release-management", "status": "adopted", **fields}

    with pytest.raises(ValidationError) as error:
        practice_adoption_set(**arguments)

    assert message in error.value.message_dict[field]
    assert PracticeAdoption.objects.count() == 0


def test_adoption_set_rejects_team_of_other_portfolio(portfolio, make_portfolio, make_team):
    with pytest.raises(ValidationError) as error:
        practice_adoption_set(portfolio=portfolio, practice_key="release-management", status="adopted",
                              owner=make_team(make_portfolio(), "Their team"))

    assert "belongs to another portfolio" in " ".join(error.value.message_dict["owner"])


# --- page ---------------------------------------------------------------------------------------


def test_page_lists_every_practice_by_name(client, portfolio, make_member):
    client.force_login(make_member(portfolio, Role.VIEWER))

    page = html(client.get(reverse("practice-list", args=[portfolio.key])))

    names = sorted(Practice.objects.values_list("name", flat=True), key=str.lower)
    positions = [page.index(f"\n    {name}\n") for name in names]
    assert positions == sorted(positions)
    assert "Edit" not in page[page.index("<tbody>"):]


def test_page_marks_key_practices_of_patterns_in_use(client, portfolio, make_member, make_service):
    make_service(portfolio, patterns=[IPV])
    client.force_login(make_member(portfolio, Role.VIEWER))

    page = html(client.get(reverse("practice-list", args=[portfolio.key])))
    release = page[page.index('id="practice-release-management"'):]
    release = release[:release.index("</tr>")]
    desk = page[page.index('id="practice-service-desk"'):]
    desk = desk[:desk.index("</tr>")]

    assert "Key practice" in release
    assert "Internal Product Vendor" in release
    assert "Key practice" not in desk


def test_page_shows_adoption_values(client, portfolio, make_member, make_team, make_adoption):
    make_adoption(portfolio, "release-management", status="planned", capability_level=2,
                  owner=make_team(portfolio, "Release team"))
    client.force_login(make_member(portfolio, Role.VIEWER))

    page = html(client.get(reverse("practice-list", args=[portfolio.key])))
    row = page[page.index('id="practice-release-management"'):]
    row = row[:row.index("</tr>")]

    assert "Planned" in row
    assert "<td>2</td>" in row
    assert "<bdi>Release team</bdi>" in row


def test_page_query_count_is_constant(client, portfolio, make_member, make_service, make_team, make_adoption,
                                      django_assert_max_num_queries):
    client.force_login(make_member(portfolio, Role.VIEWER))
    make_service(portfolio, patterns=[IPV])
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("practice-list", args=[portfolio.key]))
    for practice in Practice.objects.all()[:10]:
        make_adoption(portfolio, practice.key, owner=make_team(portfolio))
        make_service(portfolio, patterns=[IPV, "managed-service-provider"])

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("practice-list", args=[portfolio.key]))


def test_edit_get_htmx_returns_row_form(editor_client, portfolio, make_team):
    make_team(portfolio, "Release team")

    page = html(editor_client.get(edit_url(portfolio), **HTMX))

    assert page.lstrip().startswith('<tr id="practice-release-management" class="row--editing">')
    assert 'form="adoption-form-release-management"' in page
    assert "Release team (Technology)" in page


def test_edit_get_view_returns_read_row(editor_client, portfolio):
    page = html(editor_client.get(edit_url(portfolio) + "?view", **HTMX))

    assert page.lstrip().startswith('<tr id="practice-release-management">')


def test_edit_saves_and_returns_row(editor_client, portfolio, make_team):
    owner = make_team(portfolio, "Release team")

    response = editor_client.post(edit_url(portfolio), {"status": "adopted", "capability_level": "4",
                                                        "owner": owner.pk}, **HTMX)

    assert response.status_code == 200
    assert "Adopted" in html(response)
    adoption = PracticeAdoption.objects.get()
    assert (adoption.status, adoption.capability_level, adoption.owner) == ("adopted", 4, owner)


def test_edit_without_htmx_redirects(editor_client, portfolio):
    response = editor_client.post(edit_url(portfolio), {"status": "planned", "capability_level": ""})

    assert response.status_code == 302
    assert PracticeAdoption.objects.get().capability_level is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "adopted", "capability_level": "9"},
         "Capability level must be between 1 and 5; 9 is not."),
        ({"status": "someday", "capability_level": ""}, "Select a valid choice."),
    ],
)
def test_edit_invalid_value_shows_error_in_row(editor_client, portfolio, data, message):
    response = editor_client.post(edit_url(portfolio), data, **HTMX)

    assert response.status_code == 422
    assert message in html(response)
    assert PracticeAdoption.objects.count() == 0


def test_edit_unknown_practice_is_404(editor_client, portfolio):
    response = editor_client.get(edit_url(portfolio, "alchemy"))

    assert response.status_code == 404


def test_edit_by_viewer_is_forbidden(client, portfolio, make_member):
    client.force_login(make_member(portfolio, Role.VIEWER))

    response = client.post(edit_url(portfolio), {"status": "adopted"})

    assert response.status_code == 403
