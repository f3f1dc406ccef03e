"""Two people edit the same service in two browsers: the second is shown the first's change."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from portfolio.models import RaciRole, Responsibility, Role, Service

PASSWORD = "pw-for-tests"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def second_page(chromium_browser):
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def open_editor(page, live_server, username, portfolio):
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    page.goto(live_server.url + reverse("service-detail", args=[portfolio.key, "claims"]))


def test_conflicting_details_edit_shows_both_and_reapplies(
    page, second_page, live_server, library, portfolio, make_member, make_service
):
    service = make_service(portfolio, key="claims", name="Claims", status="live")
    alice, bob = make_member(portfolio, Role.EDITOR), make_member(portfolio, Role.EDITOR)
    open_editor(page, live_server, alice.username, portfolio)
    open_editor(second_page, live_server, bob.username, portfolio)
    for browser_page in (page, second_page):
        browser_page.get_by_role("link", name="Edit details").click()
        expect(browser_page.get_by_label("Name")).to_be_visible()

    page.get_by_label("Name").fill("Claims portal")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#service-title")).to_have_text("Claims portal")

    second_page.get_by_label("Status").select_option("retired")
    second_page.get_by_role("button", name="Save", exact=True).click()

    conflict = second_page.locator(".conflict")
    expect(conflict).to_contain_text("Someone else saved this service while you were editing it")
    expect(conflict.locator("tr", has_text="Name")).to_contain_text("Claims portal")
    expect(conflict.locator("tr", has_text="Status")).to_contain_text("Retired")
    expect(second_page.locator("#editor-status")).to_contain_text("Someone else changed")
    expect(second_page.get_by_label("Name")).to_have_value("Claims portal")
    expect(second_page.get_by_label("Status")).to_have_value("retired")

    second_page.get_by_role("button", name="Save my changes again").click()

    expect(second_page.locator("#details-edit")).to_be_visible()
    expect(second_page.locator("#details .details")).to_contain_text("Retired")
    expect(second_page.locator("#service-title")).to_have_text("Claims portal")
    service.refresh_from_db()
    assert (service.name, service.status) == ("Claims portal", "retired")


def test_conflicting_accountable_choice_is_reported(
    page, second_page, live_server, library, portfolio, make_member, make_service, make_team,
    make_responsibility,
):
    service = make_service(portfolio, key="claims", patterns=["internal-product-vendor"])
    platform = make_team(portfolio, "Platform team")
    vendor = make_team(portfolio, "Acme Cloud", party_kind="vendor")
    make_responsibility(service, "support", platform, role="I")
    make_responsibility(service, "support", vendor, role="I")
    alice, bob = make_member(portfolio, Role.EDITOR), make_member(portfolio, Role.EDITOR)
    open_editor(page, live_server, alice.username, portfolio)
    open_editor(second_page, live_server, bob.username, portfolio)

    page.locator(f"#cell-build-{platform.pk}-A").click()
    expect(page.locator(f"#cell-build-{platform.pk}-A")).to_have_attribute("aria-pressed", "true")

    second_page.locator(f"#cell-build-{vendor.pk}-A").click()

    status = second_page.locator("#editor-status")
    expect(status).to_contain_text("Someone else changed the accountable team for Build")
    expect(status).to_contain_text("“Platform team”")
    expect(second_page.locator(f"#cell-build-{platform.pk}-A")).to_have_attribute("aria-pressed", "true")
    expect(second_page.locator(f"#cell-build-{vendor.pk}-A")).to_have_attribute("aria-pressed", "false")
    accountable = Responsibility.objects.filter(service=service, activity_id="build",
                                                role=RaciRole.ACCOUNTABLE)
    assert list(accountable.values_list("team__name", flat=True)) == ["Platform team"]

    second_page.locator(f"#cell-build-{vendor.pk}-A").click()

    expect(second_page.locator(f"#cell-build-{vendor.pk}-A")).to_have_attribute("aria-pressed", "true")
    assert list(accountable.values_list("team__name", flat=True)) == ["Acme Cloud"]
    assert Service.objects.count() == 1


def test_row_edit_shows_other_row_change(
    page, second_page, live_server, library, portfolio, make_member, make_service, make_team,
    make_responsibility,
):
    service = make_service(portfolio, key="claims", patterns=["internal-product-vendor"])
    platform = make_team(portfolio, "Platform team")
    make_responsibility(service, "operate", platform, role="A")
    alice, bob = make_member(portfolio, Role.EDITOR), make_member(portfolio, Role.EDITOR)
    open_editor(page, live_server, alice.username, portfolio)
    open_editor(second_page, live_server, bob.username, portfolio)

    second_page.locator(f"#cell-operate-{platform.pk}-A").click()
    expect(second_page.locator(f"#cell-operate-{platform.pk}-A")).to_have_attribute("aria-pressed", "false")

    page.locator(f"#cell-design-{platform.pk}-I").click()

    expect(page.locator(f"#cell-design-{platform.pk}-I")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(f"#cell-operate-{platform.pk}-A")).to_have_attribute("aria-pressed", "false")
    assert not Responsibility.objects.filter(service=service, activity_id="operate").exists()
