"""Fixtures for the browser tests: Debian's Chromium driven by Playwright against `live_server`.

The tests here are skipped, with the reason, when /usr/bin/chromium is missing;
Playwright's own browser downloads are never used.
"""

import os
from pathlib import Path

import pytest

from patterns.library import sync_library

# Playwright's sync API runs an event loop in this thread, and Django refuses ORM
# calls from a thread with a running loop unless this is set.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SKIP_REASON = f"Chromium not found at {CHROMIUM}; install Debian's chromium package to run browser tests"
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(skip)


@pytest.fixture(scope="module", autouse=True)
def library_restored_after(django_db_blocker):
    """Reload the pattern library once this module's tests are done.

    A transactional test ends by emptying every table, the library's included,
    but later tests expect the library that the migrations loaded.
    """
    yield
    with django_db_blocker.unblock():
        sync_library()


@pytest.fixture
def library(transactional_db):
    """Load the pattern library, which an earlier transactional test may have emptied."""
    sync_library()


@pytest.fixture(scope="session")
def chromium_browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium_browser):
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
