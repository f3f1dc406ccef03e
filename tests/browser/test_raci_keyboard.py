"""Fill a service's RACI matrix with the keyboard alone and watch the findings follow.

The tests never click: they put the focus on the first toggle button, then use
the arrow keys, Enter and Space, as a keyboard user does after tabbing into the
matrix. After each htmx swap the focus must still be on the button just pressed.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from portfolio.models import RaciRole, Responsibility, Role

PASSWORD = "pw-for-tests"
ACTIVITIES = ["discover", "design", "acquire", "build", "transition", "operate", "deliver", "support"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username):
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def unowned(page, activity):
    """The findings panel's "unowned activity" finding for one activity."""
    return page.locator("#findings-panel .finding", has=page.locator(f'a[href$="#activity-{activity}"]'),
                        has_text="VCP-E002")


@pytest.fixture
def editor_page(page, live_server, library, portfolio, make_member, make_service, make_team,
                make_responsibility):
    """Open the editor of a service that governs every activity, with one team as a column."""
    user = make_member(portfolio, Role.EDITOR)
    team = make_team(portfolio, "Platform team", party_kind="technology")
    make_team(portfolio, "Acme Cloud", party_kind="vendor")
    service = make_service(portfolio, key="claims", name="Claims portal",
                           patterns=["internal-product-vendor"])
    make_responsibility(service, "support", team, role="I")
    log_in(page, live_server, user.username)
    page.goto(live_server.url + reverse("service-detail", args=[portfolio.key, "claims"]))
    page.evaluate("window.compassNoReload = true")
    return page, service, team


def test_keyboard_fills_accountable_column(editor_page):
    page, service, team = editor_page
    expect(unowned(page, "discover")).to_have_count(1)

    page.locator(f"#cell-discover-{team.pk}-R").focus()
    page.keyboard.press("ArrowRight")
    assert focused_id(page) == f"cell-discover-{team.pk}-A"

    for index, activity in enumerate(ACTIVITIES):
        button_id = f"cell-{activity}-{team.pk}-A"
        assert focused_id(page) == button_id
        page.keyboard.press("Enter" if index % 2 == 0 else " ")
        expect(page.locator(f"#{button_id}")).to_have_attribute("aria-pressed", "true")
        expect(unowned(page, activity)).to_have_count(0)
        expect(page.locator(f"#{button_id}")).to_be_focused()
        if activity != ACTIVITIES[-1]:
            page.keyboard.press("ArrowDown")

    expect(page.locator("#findings-panel")).not_to_contain_text("VCP-E002")
    assert page.evaluate("window.compassNoReload === true")
    held = Responsibility.objects.filter(service=service, role=RaciRole.ACCOUNTABLE)
    assert sorted(held.values_list("activity_id", flat=True)) == sorted(ACTIVITIES)


def test_keyboard_focus_is_visible_after_swap(editor_page):
    page, _service, team = editor_page
    button = page.locator(f"#cell-build-{team.pk}-R")
    button.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")

    page.keyboard.press("Space")

    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_be_focused()
    outline = button.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline != "none"


def test_keyboard_home_end_and_undo(editor_page):
    page, service, team = editor_page
    page.locator(f"#cell-operate-{team.pk}-C").focus()
    page.keyboard.press("Home")
    assert focused_id(page) == f"cell-operate-{team.pk}-R"
    page.keyboard.press("End")
    assert focused_id(page) == f"cell-operate-{team.pk}-I"

    page.keyboard.press("Enter")
    expect(page.locator("#editor-status")).to_contain_text("Platform team")
    # htmx keeps the old attributes (hidden, when there was no status) until the swap settles.
    expect(page.locator("#undo-button")).to_be_visible()
    page.locator("#undo-button").focus()
    page.keyboard.press("Enter")

    expect(page.locator("#editor-status")).to_contain_text("Undone:")
    expect(page.locator(f"#cell-operate-{team.pk}-I")).to_have_attribute("aria-pressed", "false")
    assert not Responsibility.objects.filter(service=service, activity_id="operate").exists()


def test_keyboard_adds_team_column(editor_page):
    page, _service, _team = editor_page
    picker = page.get_by_label("Add a team as a column")
    picker.focus()
    picker.select_option(label="Acme Cloud (Vendor)")
    page.keyboard.press("Tab")
    assert focused_id(page) == "raci-add-button"

    page.keyboard.press("Enter")

    header = page.locator(".raci-matrix thead")
    expect(header).to_contain_text("Acme Cloud")
    expect(page.locator("button[id^='cell-operate-'][id$='-A']")).to_have_count(2)


def test_role_letters_toggle_cell_roles(editor_page):
    page, service, team = editor_page
    page.locator(f"#cell-discover-{team.pk}-R").focus()

    page.keyboard.press("a")

    accountable = page.locator(f"#cell-discover-{team.pk}-A")
    expect(accountable).to_have_attribute("aria-pressed", "true")
    expect(accountable).to_be_focused()
    expect(unowned(page, "discover")).to_have_count(0)

    page.keyboard.press("C")

    consulted = page.locator(f"#cell-discover-{team.pk}-C")
    expect(consulted).to_have_attribute("aria-pressed", "true")
    expect(consulted).to_be_focused()

    page.keyboard.press("a")

    expect(accountable).to_have_attribute("aria-pressed", "false")
    expect(accountable).to_be_focused()
    expect(unowned(page, "discover")).to_have_count(1)
    held = Responsibility.objects.filter(service=service, activity_id="discover", team=team)
    assert sorted(held.values_list("role", flat=True)) == [RaciRole.CONSULTED]
    assert page.evaluate("window.compassNoReload === true")
