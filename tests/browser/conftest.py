"""Browser tests drive the system's Chromium through Playwright; no browser is downloaded.

Without Chromium they are skipped with a reason, unless HEARTH_REQUIRE_BROWSER=1 (CI), where
a missing browser fails the run."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = (
    os.environ.get("HEARTH_CHROMIUM")
    or shutil.which("chromium")
    or shutil.which("chromium-browser")
)
# Quiet flags: this machine has no network beyond the site under test.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM:
        reason = (
            "Chromium is not installed: install Debian's `chromium` package (apt-get install "
            "chromium) or set HEARTH_CHROMIUM to a Chromium binary to run the browser tests."
        )
        if os.environ.get("HEARTH_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    # Playwright's sync API keeps an event loop in this thread; Django would otherwise refuse
    # the test's own ORM calls. The live server answers from its own thread.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1100, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(name, of=None):
        """test-results/<name>.png: the test's page, or `of`, another page of the test's."""
        (of or page).screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)

    return take


@pytest.fixture
def moderation_groups(live_server):
    """The live server's database is flushed between tests, which drops the groups that a
    data migration made; make them again, the way the migration does."""
    from importlib import import_module

    from django.apps import apps

    import_module("forums.migrations.0003_moderation_groups").create_groups(apps, None)
