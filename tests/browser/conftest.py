"""Browser tests: Playwright for Python driving Debian's Chromium against pytest-django's live server.

Locally they skip when /usr/bin/chromium is missing; with CI=true they fail instead (.ci/run installs it).
Playwright's sync API runs an event loop in this thread, so Django's async-safety check is turned off
here: the test thread reads and writes the database while the browser waits.
A failing test leaves full-page screenshots in test-artifacts/; any console error fails a test.
"""

import os
import re
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
TIMEOUT_MS = 10_000


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell whether the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def playwright(django_db_setup):
    if not CHROMIUM.exists():
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium); the browser tests need it"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from django.db import connections
    from playwright.sync_api import sync_playwright

    serialized = {
        c.alias: c._test_serialized_contents for c in connections.all() if hasattr(c, "_test_serialized_contents")
    }
    with sync_playwright() as playwright:
        # While Playwright's event loop runs in this thread, Django keeps database connections per
        # context instead of per thread: fresh wrappers. Hand them the contents the test database
        # setup serialized, so serialized_rollback restores the groups the data migration made.
        for alias, contents in serialized.items():
            connections[alias]._test_serialized_contents = contents
        yield playwright


def launch(playwright, *extra_args: str):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=[*LAUNCH_ARGS, *extra_args])


@pytest.fixture(scope="session")
def browser(playwright):
    chromium = launch(playwright)
    yield chromium
    chromium.close()


class Browsing:
    """The browser contexts of one test: console errors watched, screenshots taken if the test fails."""

    def __init__(self, playwright, browser) -> None:
        self.playwright, self.default_browser = playwright, browser
        self.contexts, self.launched, self.errors = [], [], []

    def context(self, browser=None, **options):
        context = (browser or self.default_browser).new_context(
            **{"viewport": {"width": 1280, "height": 900}} | options
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.on("page", self.watch)
        self.contexts.append(context)
        return context

    def launch(self, *extra_args: str):
        """Another Chromium with extra command-line switches, closed after the test."""
        self.launched.append(launch(self.playwright, *extra_args))
        return self.launched[-1]

    def watch(self, page) -> None:
        page.on("console", lambda m: self.errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))

    def finish(self, failed_test: str | None) -> None:
        if failed_test:
            ARTIFACTS.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", failed_test)
            pages = [page for context in self.contexts for page in context.pages]
            for number, page in enumerate(pages):
                page.screenshot(path=str(ARTIFACTS / f"{name}-{number}.png"), full_page=True)
        for context in self.contexts:
            context.close()
        for browser in self.launched:
            browser.close()


@pytest.fixture
def browsing(playwright, browser, live_server, request):
    """The live server starts after the browser, so both use the test thread's database connection."""
    session = Browsing(playwright, browser)
    yield session
    report = getattr(request.node, "report_call", None)
    failed = report is None or report.failed
    session.finish(request.node.nodeid if failed else None)
    if not failed:
        assert session.errors == [], "the pages logged errors"


@pytest.fixture
def console_errors(browsing):
    """Console errors and uncaught exceptions of every page of the test (see helpers.expect_console_error)."""
    return browsing.errors


@pytest.fixture
def context(browsing):
    return browsing.context()


@pytest.fixture
def page(context):
    return context.new_page()
