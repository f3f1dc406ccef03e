"""Page layout at a tablet's width (768 px) and on a laptop (1280 px).

The page itself must never scroll sideways: the header's links wrap inside the dark header,
and a wide table scrolls inside its own container.
"""

import pytest
from django.urls import reverse

from portfolio.models import Role

PASSWORD = "pw-for-tests"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username):
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def links_outside_header(page) -> list[str]:
    """Return the text of each header link whose box is not inside the header's box."""
    return page.evaluate("""() => {
        const header = document.querySelector('.site-header').getBoundingClientRect();
        return [...document.querySelectorAll('.site-header a')]
            .filter(link => {
                const box = link.getBoundingClientRect();
                return box.left < header.left || box.right > header.right
                    || box.top < header.top || box.bottom > header.bottom;
            })
            .map(link => link.textContent.trim());
    }""")


@pytest.fixture
def owner_pages(page, live_server, library, portfolio, make_member, make_service, make_team,
                make_responsibility):
    """Log an owner in (shown every nav link) and return the URLs of a few pages.

    The service has ten teams as RACI columns, so its matrix is wider than a tablet.
    """
    user = make_member(portfolio, Role.OWNER)
    service = make_service(portfolio, key="claims", name="Claims portal",
                           patterns=["internal-product-vendor"])
    for number in range(10):
        team = make_team(portfolio, f"Regional operations team {number}")
        make_responsibility(service, "operate", team, role="C")
    log_in(page, live_server, user.username)
    return [
        live_server.url + reverse("dashboard", args=[portfolio.key]),
        live_server.url + reverse("service-list", args=[portfolio.key]),
        live_server.url + reverse("service-detail", args=[portfolio.key, "claims"]),
        live_server.url + reverse("portfolio-settings", args=[portfolio.key]),
    ]


@pytest.mark.parametrize("width", [768, 1280])
def test_pages_fit_window_width(owner_pages, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    for url in owner_pages:
        page.goto(url)

        assert page.evaluate("document.documentElement.scrollWidth") <= width, url
        assert links_outside_header(page) == [], url


def test_raci_matrix_scrolls_in_container(owner_pages, page):
    page.set_viewport_size({"width": 768, "height": 900})
    page.goto(owner_pages[2])

    wrap = page.locator("#raci .table-wrap")
    assert wrap.evaluate("element => element.scrollWidth > element.clientWidth")
    assert wrap.evaluate("element => element.getBoundingClientRect().right") <= 768


def test_settings_panels_fill_column(owner_pages, page):
    page.goto(owner_pages[3])

    main_width = page.locator("main").evaluate("element => element.clientWidth")
    panel_widths = page.locator("main .panel").evaluate_all(
        "panels => panels.map(panel => panel.getBoundingClientRect().width)")
    assert len(panel_widths) == 2
    for width in panel_widths:
        assert width > 0.9 * (main_width - 32)


def test_pages_load_without_missing_files(owner_pages, page):
    missing = []
    page.on("response", lambda response: missing.append(response.url) if response.status == 404 else None)

    page.goto(owner_pages[0])
    icon = page.request.get(page.url.split("/p/")[0] + "/favicon.ico")

    assert missing == []
    assert icon.status == 200
    assert icon.headers["content-type"] == "image/svg+xml"
