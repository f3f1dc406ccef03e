"""The catalogue page in a browser: bulk changes of selected services, the back button after filtering."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from portfolio.models import PatternAssignment, Role

PASSWORD = "pw-for-tests"
IPV = "internal-product-vendor"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username):
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def rows(page):
    return page.locator("#service-table tbody tr")


@pytest.fixture
def catalogue(library, portfolio, make_service):
    for key, name, status in [
        ("claims", "Claims portal", "live"),
        ("ledger", "General ledger", "planned"),
        ("payroll", "Payroll", "live"),
        ("portal", "Partner portal", "planned"),
        ("wiki", "Team wiki", "retired"),
    ]:
        make_service(portfolio, key=key, name=name, status=status)
    return portfolio


def test_bulk_assign_pattern_to_three_services(page, live_server, catalogue, make_member):
    user = make_member(catalogue, Role.EDITOR)
    log_in(page, live_server, user.username)
    page.goto(live_server.url + reverse("service-list", args=[catalogue.key]))

    for name in ("Claims portal", "General ledger", "Payroll"):
        page.get_by_label(f"Select {name}").check()
    expect(page.locator("#bulk-count")).to_have_text("(3 selected)")
    page.get_by_label("Pattern to assign").select_option(IPV)
    page.get_by_role("button", name="Assign pattern").click()

    expect(page.locator("h1")).to_have_text("Change the selected services")
    expect(page.locator(".lead")).to_contain_text("3 of the 3 selected services will change.")
    page.get_by_role("button", name="Apply to 3 services").click()

    expect(page.locator(".messages")).to_contain_text("Assigned “Internal Product Vendor” to 3 services.")
    for name in ("Claims portal", "General ledger", "Payroll"):
        expect(rows(page).filter(has_text=name)).to_contain_text("Internal Product Vendor")
    expect(rows(page).filter(has_text="Partner portal")).not_to_contain_text("Internal Product Vendor")
    assigned = PatternAssignment.objects.filter(pattern_id=IPV).values_list("service__key", flat=True)
    assert sorted(assigned) == ["claims", "ledger", "payroll"]


def test_select_all_ticks_every_row(page, live_server, catalogue, make_member):
    user = make_member(catalogue, Role.EDITOR)
    log_in(page, live_server, user.username)
    page.goto(live_server.url + reverse("service-list", args=[catalogue.key]))

    page.get_by_label("Select all on this page").check()

    expect(page.locator('#service-table input[name="services"]:checked')).to_have_count(5)
    expect(page.locator("#bulk-count")).to_have_text("(5 selected)")
    page.get_by_label("Select Payroll").uncheck()
    assert page.get_by_label("Select all on this page").evaluate("box => box.indeterminate")


def assert_whole_page(page):
    """The header and the filters are there: the window shows the page, never a bare fragment."""
    expect(page.locator("header.site-header")).to_be_visible()
    expect(page.locator("h1")).to_have_text("Services")
    expect(page.locator("#service-filter")).to_be_visible()


def test_back_button_restores_filters(page, live_server, catalogue, make_member):
    user = make_member(catalogue, Role.VIEWER)
    log_in(page, live_server, user.username)
    list_url = live_server.url + reverse("service-list", args=[catalogue.key])
    page.goto(list_url)
    expect(rows(page)).to_have_count(5)

    page.get_by_label("Status").select_option("planned")
    expect(page).to_have_url(list_url + "?status=planned")
    expect(rows(page)).to_have_count(2)
    page.get_by_label("Search by name, key or description").fill("ledger")
    expect(page).to_have_url(list_url + "?q=ledger&status=planned")
    expect(rows(page)).to_have_count(1)

    page.go_back()
    expect(page).to_have_url(list_url + "?status=planned")
    assert_whole_page(page)
    expect(rows(page)).to_have_count(2)
    expect(page.get_by_label("Status")).to_have_value("planned")
    expect(page.get_by_label("Search by name, key or description")).to_have_value("")

    page.go_back()
    expect(page).to_have_url(list_url)
    assert_whole_page(page)
    expect(rows(page)).to_have_count(5)
    expect(page.get_by_label("Status")).to_have_value("")


def test_back_from_other_page_shows_whole_filtered_list(page, live_server, catalogue, make_member):
    user = make_member(catalogue, Role.VIEWER)
    log_in(page, live_server, user.username)
    list_url = live_server.url + reverse("service-list", args=[catalogue.key])
    page.goto(list_url)

    page.get_by_label("Status").select_option("live")
    expect(rows(page)).to_have_count(2)
    page.get_by_role("link", name="Key", exact=True).click()
    expect(page).to_have_url(list_url + "?status=live&sort=key")
    page.get_by_role("link", name="Payroll").click()
    expect(page).to_have_url(re.compile(r"/services/payroll/$"))

    page.go_back()
    expect(page).to_have_url(list_url + "?status=live&sort=key")
    assert_whole_page(page)
    expect(rows(page)).to_have_count(2)
    expect(page.get_by_label("Status")).to_have_value("live")

    page.reload()
    assert_whole_page(page)
    expect(rows(page).first).to_contain_text("Claims portal")
