"""htmx requests that fail: an expired session lands on the login page, other errors show a message."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from portfolio.models import Membership, Responsibility, Role

PASSWORD = "pw-for-tests"
LOGIN_AFTER_EDIT = re.compile(r"/accounts/login/\?next=")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def editor(page, live_server, library, portfolio, make_member, make_service, make_team, make_responsibility):
    """Log an editor in and open a service whose matrix has one team column."""
    user = make_member(portfolio, Role.EDITOR)
    service = make_service(portfolio, key="claims", name="Claims portal")
    team = make_team(portfolio, "Platform team")
    make_responsibility(service, "support", team, role="I")
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    page.goto(live_server.url + reverse("service-detail", args=[portfolio.key, "claims"]))
    return page, user, service, team


def test_expired_session_during_cell_toggle_goes_to_login(editor):
    page, _user, service, team = editor
    page.context.clear_cookies(name="sessionid")

    page.locator(f"#cell-build-{team.pk}-R").click()

    expect(page).to_have_url(LOGIN_AFTER_EDIT)
    expect(page.get_by_label("Username")).to_be_visible()
    expect(page.locator("#raci")).to_have_count(0)
    assert not Responsibility.objects.filter(service=service, activity_id="build").exists()


def test_expired_session_during_details_save_goes_to_login(editor):
    page, _user, service, _team = editor
    page.get_by_role("link", name="Edit details").click()
    page.get_by_label("Name").fill("Claims (lost session)")
    page.context.clear_cookies(name="sessionid")

    page.get_by_role("button", name="Save", exact=True).click()

    expect(page).to_have_url(LOGIN_AFTER_EDIT)
    expect(page.locator("#details")).to_have_count(0)
    service.refresh_from_db()
    assert service.name == "Claims portal"


def test_refused_request_shows_error_message(editor):
    page, user, _service, team = editor
    Membership.objects.filter(user=user).update(role=Role.VIEWER)

    page.locator(f"#cell-build-{team.pk}-R").click()

    message = page.locator("#request-error")
    expect(message).to_be_visible()
    expect(message).to_contain_text("HTTP 403")
    expect(page.locator(f"#cell-build-{team.pk}-R")).to_have_attribute("aria-pressed", "false")

    Membership.objects.filter(user=user).update(role=Role.EDITOR)
    page.locator(f"#cell-build-{team.pk}-R").click()

    expect(page.locator(f"#cell-build-{team.pk}-R")).to_have_attribute("aria-pressed", "true")
    expect(message).to_be_hidden()


def test_unreachable_server_shows_error_message(editor):
    page, _user, service, team = editor
    page.route(re.compile(r".*/raci/build/cells/$"), lambda route: route.abort())

    page.locator(f"#cell-build-{team.pk}-R").click()

    expect(page.locator("#request-error")).to_contain_text("The server could not be reached")
    assert not Responsibility.objects.filter(service=service, activity_id="build").exists()
