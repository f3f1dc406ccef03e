"""Members: the write services, the members page and the header's portfolio switcher."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portfolio.members import membership_add, membership_remove, membership_set_role
from portfolio.models import Membership, Role

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def owner(portfolio, make_member):
    return make_member(portfolio, Role.OWNER, username="olivia")


def membership_of(user, portfolio):
    return Membership.objects.get(user=user, portfolio=portfolio)


def html(response) -> str:
    return response.content.decode()


# --- services -----------------------------------------------------------------------------------


def test_add_makes_existing_user_member(portfolio, make_member):
    user = make_member(None, username="bob")

    membership = membership_add(portfolio=portfolio, username="bob", role=Role.EDITOR)

    assert membership.user == user
    assert membership_of(user, portfolio).role == Role.EDITOR


def test_add_matches_username_ignoring_case(portfolio, make_member):
    user = make_member(None, username="Bob")

    membership_add(portfolio=portfolio, username=" bob ", role=Role.VIEWER)

    assert membership_of(user, portfolio).role == Role.VIEWER


def test_add_prefers_exact_username_when_case_differs(portfolio, make_member):
    make_member(None, username="Bob")
    exact = make_member(None, username="bob")

    membership = membership_add(portfolio=portfolio, username="bob", role=Role.VIEWER)

    assert membership.user == exact


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("nobody", "No user has the username “nobody”."),
        ("sleeper", "The account “sleeper” is deactivated"),
        ("olivia", "“olivia” is already a member of “Acme Insurance”"),
    ],
)
def test_add_rejects_with_message(portfolio, owner, make_member, username, message):
    sleeper = make_member(None, username="sleeper")
    get_user_model().objects.filter(pk=sleeper.pk).update(is_active=False)

    with pytest.raises(ValidationError) as raised:
        membership_add(portfolio=portfolio, username=username, role=Role.VIEWER)

    assert message in raised.value.message_dict["username"][0]
    assert Membership.objects.filter(portfolio=portfolio).count() == 1


def test_add_rejects_unknown_role(portfolio, make_member):
    make_member(None, username="bob")

    with pytest.raises(ValidationError) as raised:
        membership_add(portfolio=portfolio, username="bob", role="admin")

    assert "“admin” is not a role" in raised.value.message_dict["role"][0]


def test_set_role_changes_role(portfolio, make_member):
    user = make_member(portfolio, Role.VIEWER)

    membership_set_role(membership=membership_of(user, portfolio), role=Role.OWNER)

    assert membership_of(user, portfolio).role == Role.OWNER


def test_set_role_keeps_last_owner(portfolio, owner):
    with pytest.raises(ValidationError) as raised:
        membership_set_role(membership=membership_of(owner, portfolio), role=Role.EDITOR)

    assert raised.value.code == "last_owner"
    assert "“olivia” is the portfolio's only owner" in raised.value.messages[0]
    assert membership_of(owner, portfolio).role == Role.OWNER


def test_set_role_demotes_owner_when_another_remains(portfolio, owner, make_member):
    second = make_member(portfolio, Role.OWNER)

    membership_set_role(membership=membership_of(owner, portfolio), role=Role.VIEWER)

    assert membership_of(owner, portfolio).role == Role.VIEWER
    assert membership_of(second, portfolio).role == Role.OWNER


def test_set_role_counts_owners_of_this_portfolio_only(portfolio, owner, make_portfolio):
    other = make_portfolio()
    other.memberships.create(user=owner, role=Role.OWNER)

    with pytest.raises(ValidationError):
        membership_set_role(membership=membership_of(owner, portfolio), role=Role.EDITOR)


def test_remove_deletes_membership(portfolio, owner, make_member):
    user = make_member(portfolio, Role.EDITOR)

    membership_remove(membership=membership_of(user, portfolio))

    assert not Membership.objects.filter(user=user, portfolio=portfolio).exists()


def test_remove_keeps_last_owner(portfolio, owner, make_member):
    make_member(portfolio, Role.EDITOR)

    with pytest.raises(ValidationError) as raised:
        membership_remove(membership=membership_of(owner, portfolio))

    assert "cannot be removed" in raised.value.messages[0]
    assert Membership.objects.filter(user=owner, portfolio=portfolio).exists()


def test_membership_changes_leave_revision(portfolio, owner, make_member):
    make_member(None, username="bob")
    before = type(portfolio).objects.get(pk=portfolio.pk).revision_token

    membership = membership_add(portfolio=portfolio, username="bob", role=Role.VIEWER)
    membership_set_role(membership=membership, role=Role.EDITOR)
    membership_remove(membership=membership)

    assert type(portfolio).objects.get(pk=portfolio.pk).revision_token == before


# --- members page -------------------------------------------------------------------------------


def test_page_lists_members_owners_first(client, portfolio, owner, make_member):
    make_member(portfolio, Role.VIEWER, username="aaron")
    make_member(portfolio, Role.EDITOR, username="zoe")
    client.force_login(owner)

    page = html(client.get(reverse("members", args=[portfolio.key])))

    assert page.index("olivia") < page.index("zoe") < page.index("aaron")


def test_page_shows_forms_to_owner_only(client, portfolio, owner, make_member):
    viewer = make_member(portfolio, Role.VIEWER, username="vera")
    url = reverse("members", args=[portfolio.key])

    client.force_login(owner)
    owner_page = html(client.get(url))
    client.force_login(viewer)
    viewer_page = html(client.get(url))

    assert 'id="add-member"' in owner_page
    assert reverse("member-role", args=[portfolio.key, membership_of(viewer, portfolio).pk]) in owner_page
    assert 'id="add-member"' not in viewer_page
    assert "<select" not in viewer_page
    assert "vera" in viewer_page


def test_add_redirects_with_message(client, portfolio, owner, make_member):
    user = make_member(None, username="bob")
    client.force_login(owner)

    response = client.post(reverse("members", args=[portfolio.key]), {"username": "bob", "role": "editor"},
                           follow=True)

    assert response.redirect_chain == [(reverse("members", args=[portfolio.key]), 302)]
    assert "Added “bob” as Editor." in html(response)
    assert membership_of(user, portfolio).role == Role.EDITOR


def test_add_unknown_user_shows_error(client, portfolio, owner):
    client.force_login(owner)

    response = client.post(reverse("members", args=[portfolio.key]), {"username": "ghost", "role": "viewer"})

    assert response.status_code == 422
    assert "No user has the username “ghost”." in html(response)


def test_htmx_add_returns_panel(client, portfolio, owner, make_member):
    make_member(None, username="bob")
    client.force_login(owner)

    response = client.post(reverse("members", args=[portfolio.key]), {"username": "bob", "role": "viewer"},
                           **HTMX)

    page = html(response)
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="members-panel">')
    assert "Added “bob” as Viewer." in page


def test_htmx_role_change_updates_panel(client, portfolio, owner, make_member):
    user = make_member(portfolio, Role.VIEWER, username="bob")
    client.force_login(owner)
    url = reverse("member-role", args=[portfolio.key, membership_of(user, portfolio).pk])

    response = client.post(url, {"role": "owner"}, **HTMX)

    assert response.status_code == 200
    assert "“bob” is now Owner." in html(response)
    assert membership_of(user, portfolio).role == Role.OWNER


def test_demoting_last_owner_is_refused_with_message(client, portfolio, owner):
    client.force_login(owner)
    url = reverse("member-role", args=[portfolio.key, membership_of(owner, portfolio).pk])

    response = client.post(url, {"role": "viewer"}, **HTMX)

    assert response.status_code == 422
    assert "“olivia” is the portfolio&#x27;s only owner" in html(response)
    assert membership_of(owner, portfolio).role == Role.OWNER


def test_owner_demoting_self_loses_forms(client, portfolio, owner, make_member):
    make_member(portfolio, Role.OWNER)
    client.force_login(owner)
    url = reverse("member-role", args=[portfolio.key, membership_of(owner, portfolio).pk])

    page = html(client.post(url, {"role": "editor"}, **HTMX))

    assert "“olivia” is now Editor." in page
    assert 'id="add-member"' not in page


def test_remove_member_redirects_back(client, portfolio, owner, make_member):
    user = make_member(portfolio, Role.EDITOR, username="bob")
    client.force_login(owner)
    url = reverse("member-remove", args=[portfolio.key, membership_of(user, portfolio).pk])

    response = client.post(url)

    assert response.status_code == 302
    assert response["Location"] == reverse("members", args=[portfolio.key])
    assert not Membership.objects.filter(user=user).exists()


def test_removing_last_owner_is_refused(client, portfolio, owner):
    client.force_login(owner)
    url = reverse("member-remove", args=[portfolio.key, membership_of(owner, portfolio).pk])

    response = client.post(url)

    assert response.status_code == 422
    assert "cannot be removed" in html(response)


@pytest.mark.parametrize(("headers", "status"), [({}, 302), (HTMX, 200)])
def test_owner_removing_self_goes_home(client, portfolio, owner, make_member, headers, status):
    make_member(portfolio, Role.OWNER)
    client.force_login(owner)
    url = reverse("member-remove", args=[portfolio.key, membership_of(owner, portfolio).pk])

    response = client.post(url, **headers)

    assert response.status_code == status
    target = response["HX-Redirect"] if headers else response["Location"]
    assert target == reverse("home")


def test_membership_of_other_portfolio_is_404(client, portfolio, owner, make_portfolio, make_member):
    stranger = make_member(make_portfolio(), Role.VIEWER)
    client.force_login(owner)
    foreign = Membership.objects.get(user=stranger)

    response = client.post(reverse("member-role", args=[portfolio.key, foreign.pk]), {"role": "owner"})

    assert response.status_code == 404
    assert Membership.objects.get(pk=foreign.pk).role == Role.VIEWER


def test_invalid_role_is_refused(client, portfolio, owner, make_member):
    user = make_member(portfolio, Role.VIEWER)
    client.force_login(owner)
    url = reverse("member-role", args=[portfolio.key, membership_of(user, portfolio).pk])

    response = client.post(url, {"role": "admin"})

    assert response.status_code == 422
    assert membership_of(user, portfolio).role == Role.VIEWER


# --- portfolio switcher -------------------------------------------------------------------------


def test_switcher_lists_portfolios_and_marks_current(client, portfolio, owner, make_portfolio):
    other = make_portfolio(name="Beta Bank")
    other.memberships.create(user=owner, role=Role.VIEWER)
    client.force_login(owner)

    page = html(client.get(reverse("dashboard", args=[portfolio.key])))

    switcher = page[page.index('<details class="switcher">'):page.index("</details>")]
    current = f'<a href="{reverse("dashboard", args=[portfolio.key])}" aria-current="true"'
    assert current in switcher
    assert f'<a href="{reverse("dashboard", args=[other.key])}">Beta Bank</a>' in switcher
    assert switcher.index("Acme Insurance") < switcher.index("Beta Bank")


def test_switcher_with_one_portfolio_shows_name_only(client, portfolio, owner):
    client.force_login(owner)

    page = html(client.get(reverse("dashboard", args=[portfolio.key])))

    assert '<details class="switcher">' not in page
    assert '<span class="site-header__portfolio">Acme Insurance</span>' in page


def membership_queries(client, url, **headers) -> int:
    with CaptureQueriesContext(connection) as queries:
        client.get(url, **headers)
    return sum(Membership._meta.db_table in query["sql"] for query in queries)


def test_switcher_reuses_access_query(client, portfolio, owner, make_portfolio):
    for _ in range(3):
        make_portfolio().memberships.create(user=owner, role=Role.VIEWER)
    client.force_login(owner)
    url = reverse("service-list", args=[portfolio.key])

    page_queries = membership_queries(client, url)
    fragment_queries = membership_queries(client, url, **HTMX)

    assert page_queries == 1
    assert fragment_queries == 1


def test_switcher_absent_outside_portfolios(client, portfolio, owner, make_portfolio):
    make_portfolio().memberships.create(user=owner, role=Role.VIEWER)
    client.force_login(owner)

    page = html(client.get(reverse("patterns:library")))

    assert '<details class="switcher">' not in page
