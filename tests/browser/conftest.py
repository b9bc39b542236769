"""Browser tests: Playwright for Python driving Debian's Chromium against pytest-django's live server.

Locally they skip when /usr/bin/chromium is missing; with CI=true they fail instead (.ci/run installs it).
Playwright's sync API runs an event loop in this thread, so Django's async-safety check is turned off
here: the test thread reads and writes the database while the browser waits.
A failing test leaves a full-page screenshot in test-artifacts/; any console error fails a test.
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
def browser(django_db_setup):
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
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def console_errors():
    """Console errors and uncaught exceptions of every page of the test (see `expect_console_error`)."""
    return []


@pytest.fixture
def context(browser, live_server, console_errors, request):
    """A fresh browser profile; the live server starts after the browser, so both use the same connection."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    context.on("page", lambda page: watch(page, console_errors))
    yield context
    failed = getattr(request.node, "report_call", None) is None or request.node.report_call.failed
    if failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        for number, page in enumerate(context.pages):
            page.screenshot(path=str(ARTIFACTS / f"{name}-{number}.png"), full_page=True)
    context.close()
    if not failed:
        assert console_errors == [], "the pages logged errors"


def watch(page, errors: list) -> None:
    page.on(
        "console", lambda message: errors.append(f"{page.url}: {message.text}") if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))


@pytest.fixture
def page(context):
    return context.new_page()
