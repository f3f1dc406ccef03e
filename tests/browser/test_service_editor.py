"""Edit a service's pattern mix and RACI in a real browser and watch the findings follow.

The page must change in place through htmx: a marker set on `window` before each
action would be lost by a full page load, so its survival proves there was none.
"""

import re

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


def set_reload_marker(page):
    page.evaluate("window.compassNoReload = true")


def assert_not_reloaded(page):
    assert page.evaluate("window.compassNoReload === true")


def test_assign_pattern_and_accountable_team_update_findings(
    page, live_server, library, portfolio, make_member, make_service, make_team
):
    user = make_member(portfolio, Role.EDITOR)
    make_team(portfolio, "Platform team", party_kind="technology")
    make_service(portfolio, key="claims", name="Claims portal")
    log_in(page, live_server, user.username)

    page.goto(live_server.url + reverse("service-detail", args=[portfolio.key, "claims"]))
    findings = page.locator("#findings-panel")
    no_pattern = findings.locator(".finding", has_text="VCP-E001")
    expect(no_pattern).to_have_count(1)
    set_reload_marker(page)

    page.get_by_label("Assign pattern").select_option("internal-product-vendor")
    page.get_by_role("button", name="Assign", exact=True).click()

    expect(page.locator("#pattern-mix")).to_contain_text("Internal Product Vendor")
    expect(no_pattern).to_have_count(0)
    unowned_build = findings.locator(".finding", has=page.locator('a[href$="#activity-build"]'))
    expect(unowned_build).to_have_count(1)
    expect(unowned_build).to_contain_text("VCP-E002")
    assert_not_reloaded(page)

    page.get_by_label("Accountable team for Build").select_option(label="Platform team (Technology)")

    expect(unowned_build).to_have_count(0)
    unowned_design = findings.locator(".finding", has=page.locator('a[href$="#activity-design"]'))
    expect(unowned_design).to_have_count(1)
    expect(page.get_by_label("Accountable team for Build")).to_have_value(re.compile(r"^\d+$"))
    assert_not_reloaded(page)
