"""Import a services file in a real browser: see the preview's error, upload the fixed file, apply it.

Uploads run in the background here (the threshold is set to 0 bytes), so the
page goes through the progress fragment that htmx polls before the preview shows.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from portfolio.analysis.engine import result_cache
from portfolio.models import Role, Service

PASSWORD = "pw-for-tests"

# Library data from the migrations must survive the flush that ends a transactional test.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def background_imports(settings, tmp_path):
    settings.IMPORT_WORK_DIR = tmp_path / "imports"
    settings.IMPORT_BACKGROUND_BYTES = 0


@pytest.fixture(autouse=True)
def fresh_analysis_cache():
    # Test databases reuse primary keys and revisions, so a result cached by an
    # earlier test could match a new portfolio.
    result_cache.clear()


def log_in(page, live_server, username):
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def write_services(path, owner):
    # Semicolons and Windows-1252, as Excel saves a CSV on a French or German Windows.
    text = f"Service name;Key;Owning team\r\nClaims portal;claims;{owner}\r\nMotor pricing;pricing;\r\n"
    path.write_bytes(text.encode("cp1252"))
    return path


def test_fix_error_then_apply(page, live_server, portfolio, make_member, make_team, tmp_path):
    make_team(portfolio, "Acme Cloud", party_kind="vendor")
    user = make_member(portfolio, Role.EDITOR)
    log_in(page, live_server, user.username)

    page.goto(live_server.url + reverse("service-list", args=[portfolio.key]))
    page.get_by_role("link", name="Import").click()
    broken = write_services(tmp_path / "services.csv", "Acme Cloud Ltd")
    page.get_by_label("Files to import").set_input_files(broken)
    page.get_by_role("button", name="Upload and preview").click()

    errors = page.locator("#import-errors")
    expect(errors).to_contain_text("Unknown team “Acme Cloud Ltd” — did you mean “Acme Cloud”?")
    expect(errors.locator("tbody tr")).to_have_count(1)
    expect(errors).to_contain_text("row 2")
    expect(page.get_by_role("button", name="Apply the import")).to_have_count(0)
    assert not Service.objects.filter(portfolio=portfolio).exists()

    fixed = write_services(tmp_path / "services-fixed.csv", "Acme Cloud")
    page.get_by_label("Files to import").set_input_files(fixed)
    page.get_by_role("button", name="Upload and preview").click()

    counts = page.locator("#import-counts")
    expect(counts).to_contain_text("Services")
    expect(counts.locator("tbody tr td").first).to_have_text("2")
    page.get_by_role("button", name="Apply the import").click()

    expect(page.get_by_role("heading", name="Import applied")).to_be_visible()
    page.get_by_role("link", name="See the services").click()
    table = page.locator("#service-table")
    expect(table).to_contain_text("Claims portal")
    expect(table).to_contain_text("Motor pricing")
    expect(table.locator("tr", has_text="Claims portal")).to_contain_text("Acme Cloud")
