"""Printing the report page from the browser prints the report alone, without the site's controls."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from portfolio.models import Role

PASSWORD = "pw-for-tests"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username):
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


@pytest.fixture
def report_page(page, live_server, library, portfolio, make_member, make_service):
    """Open the live report as an owner, so the publish button is shown too."""
    user = make_member(portfolio, Role.OWNER)
    make_service(portfolio, key="claims", name="Claims portal", patterns=["internal-product-vendor"])
    log_in(page, live_server, user.username)
    page.goto(live_server.url + reverse("report", args=[portfolio.key]))
    return page


def test_report_screen_shows_controls(report_page):
    page = report_page

    expect(page.locator(".site-nav")).to_be_visible()
    expect(page.get_by_role("button", name="Publish this report")).to_be_visible()


def test_report_print_hides_site_controls(report_page):
    page = report_page
    page.emulate_media(media="print")

    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".report-filters")).to_be_hidden()
    expect(page.locator(".report-downloads")).to_be_hidden()
    expect(page.get_by_role("button", name="Publish this report")).to_be_hidden()
    expect(page.locator(".report")).to_be_visible()
    expect(page.locator(".report-cover__title")).to_have_text("Acme Insurance")
