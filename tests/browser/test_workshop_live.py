"""Two participants on one workshop board: a change by one shows on the other's board without a reload."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from portfolio.models import Role
from portfolio.workshops import services

PASSWORD = "pw-for-tests"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username):
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


@pytest.fixture
def second_page(chromium_browser):
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_change_shows_on_other_board_within_3_seconds(
    page, second_page, live_server, library, portfolio, make_member, make_service
):
    editor = make_member(portfolio, Role.EDITOR)
    viewer = make_member(portfolio, Role.VIEWER)
    claims = make_service(portfolio, key="claims", name="Claims portal")
    workshop = services.workshop_create(portfolio=portfolio, title="Review", date=datetime.date(2025, 3, 4))
    services.agenda_add(workshop=workshop, service=claims)
    board_url = live_server.url + reverse("workshops:board-item", args=[portfolio.key, workshop.pk, 1])

    log_in(second_page, live_server, viewer.username)
    second_page.goto(board_url)
    second_page.evaluate("window.compassNoReload = true")
    live = second_page.locator("#board-live")
    expect(live).to_contain_text("VCP-E001")

    log_in(page, live_server, editor.username)
    page.goto(board_url)
    page.get_by_label("Change", exact=True).select_option("assign_pattern")
    page.get_by_label("Pattern", exact=True).select_option("internal-service-delivery")
    page.get_by_role("button", name="Preview the findings").click()
    expect(page.locator("#whatif")).to_contain_text("Findings it removes")
    page.get_by_label("Rationale", exact=True).fill("Bought as SaaS")
    page.get_by_role("button", name="Apply and record the decision").click()
    expect(page.locator("#board-live")).to_contain_text("Internal Service Delivery")

    expect(live.locator(".board__mix")).to_contain_text("Internal Service Delivery", timeout=3_000)
    expect(live).to_contain_text("Bought as SaaS", timeout=3_000)
    assert second_page.evaluate("window.compassNoReload === true")


def test_arrow_key_moves_to_next_item(page, live_server, library, portfolio, make_member, make_service):
    viewer = make_member(portfolio, Role.VIEWER)
    workshop = services.workshop_create(portfolio=portfolio, title="Review", date=datetime.date(2025, 3, 4))
    for name in ("Claims portal", "HR system"):
        services.agenda_add(workshop=workshop, service=make_service(portfolio, name=name))
    log_in(page, live_server, viewer.username)
    page.goto(live_server.url + reverse("workshops:board-item", args=[portfolio.key, workshop.pk, 1]))
    page.keyboard.press("ArrowRight")
    expect(page.locator(".board__title")).to_have_text("HR system")
    page.keyboard.press("k")
    expect(page.locator(".board__title")).to_have_text("Claims portal")
