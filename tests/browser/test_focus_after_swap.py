"""Where the keyboard focus goes after htmx replaces the control that was used.

Each test presses a button or link with the keyboard, as a keyboard user does, and checks that
the focus is on a sensible element afterwards rather than on <body>.
"""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from portfolio.models import Membership, Role
from portfolio.workshops import services as workshop_services
from portfolio.workshops.models import ActionItem

PASSWORD = "pw-for-tests"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username):
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def press(locator):
    locator.focus()
    locator.press("Enter")


def focused_text(page) -> str:
    return page.evaluate("document.activeElement.textContent.trim()")


@pytest.fixture
def owner(page, live_server, library, portfolio, make_member, make_team, make_service):
    """Log in an owner who works in the team that owns the service "claims"."""
    user = make_member(portfolio, Role.OWNER)
    team = make_team(portfolio, "Claims team", party_kind="business")
    make_service(portfolio, key="claims", name="Claims portal", owner=team,
                 patterns=["internal-service-delivery"])
    Membership.objects.filter(user=user).update(team=team)
    log_in(page, live_server, user.username)
    return user


def test_assign_pattern_keeps_focus_on_button(owner, page, live_server, portfolio):
    page.goto(live_server.url + reverse("service-detail", args=[portfolio.key, "claims"]))
    page.get_by_label("Assign pattern").select_option("internal-product-vendor")

    press(page.get_by_role("button", name="Assign", exact=True))

    expect(page.locator("#pattern-mix .mix__name")).to_have_count(2)
    expect(page.get_by_role("button", name="Assign", exact=True)).to_be_focused()


def test_attest_keeps_focus_in_panel(owner, page, live_server, portfolio):
    page.goto(live_server.url + reverse("service-detail", args=[portfolio.key, "claims"]))
    page.on("dialog", lambda dialog: dialog.accept())

    press(page.get_by_role("button", name="Attest mapping"))

    expect(page.locator("#attestation .attestation")).to_have_text("Attested")
    expect(page.locator("#attestation :focus")).to_have_count(1)


def test_change_team_keeps_focus_on_button(owner, page, live_server, portfolio, make_team):
    make_team(portfolio, "Platform team")
    page.goto(live_server.url + reverse("members", args=[portfolio.key]))
    row = page.locator(f"#member-{owner.memberships.get().pk}")
    row.get_by_label(f"Team of {owner.username}").evaluate(
        "select => { select.value = [...select.options].find(o => o.text === 'Platform team').value; }")

    press(row.get_by_role("button", name="Change team"))

    expect(page.locator("#members-panel .notice")).to_be_visible()
    expect(page.locator(f"#member-{owner.memberships.get().pk}").get_by_role(
        "button", name="Change team")).to_be_focused()


def test_remove_member_focuses_status(owner, page, live_server, portfolio, make_member):
    other = make_member(portfolio, Role.VIEWER, username="viewer1")
    page.goto(live_server.url + reverse("members", args=[portfolio.key]))
    page.on("dialog", lambda dialog: dialog.accept())

    press(page.get_by_role("button", name=f"Remove {other.username}"))

    expect(page.locator("#members-panel .notice")).to_be_focused()


def test_practice_edit_then_save(owner, page, live_server, portfolio):
    page.goto(live_server.url + reverse("practice-list", args=[portfolio.key]))
    row = page.locator("#practice-architecture-management")

    press(row.get_by_role("link", name="Edit Architecture Management"))

    expect(row.locator("select").first).to_be_focused()

    press(row.get_by_role("button", name="Save"))

    expect(row.get_by_role("link", name="Edit Architecture Management")).to_be_focused()


def test_mark_done_focuses_message(owner, page, live_server, portfolio):
    team = owner.memberships.get().team
    workshop = workshop_services.workshop_create(portfolio=portfolio, title="Review",
                                                 date=datetime.date(2025, 3, 4))
    ActionItem.objects.create(workshop=workshop, description="Name an owner", owner=team,
                              due_on=datetime.date(2025, 4, 1))
    page.goto(live_server.url + reverse("workshops:minutes", args=[portfolio.key, workshop.pk]))

    press(page.get_by_role("button", name="Mark done"))
    page.wait_for_load_state()

    expect(page.locator("main .messages")).to_be_focused()
    assert "marked done" in focused_text(page)
