"""Browser-test fixtures shared by every app: Debian's headless Chromium driven through Playwright.

Registered as a pytest plugin by the root conftest.py, so any test module can ask for them:

- ``browser_page``: a Playwright ``Page`` in a fresh context, 1366×900, with an English browser locale
  (cartera must still answer in Spanish until the person switches). Default timeout 10 seconds.
- ``new_browser_page``: a factory for more pages in the same browser, each in its own context (its own
  cookies), e.g. ``new_browser_page(width=820)`` for a tablet or a second user at the same time.
- ``log_in(page, live_server_url, username, password=TEST_PASSWORD)``: signs in through the login form
  and waits until the first page after it has loaded.

Build the test's data before asking for ``browser_page`` (list the data fixture first, and ask for
``transactional_db`` or ``live_server``): ORM calls made while Playwright's event loop runs in this thread
would open a second database connection that outlives the test. Mark the tests ``@pytest.mark.browser``.
Playwright never downloads a browser of its own: ``make browser`` installs Debian's Chromium.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test import testcases
from playwright.sync_api import Browser, Page, sync_playwright

# The live server listens on the loopback address only.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")


class OneRequestAtATimeServer(WSGIServer):
    """The live server when the test database is SQLite in memory.

    Django's threaded server would share the database's one connection between its request threads, and
    two requests served at once (a page that fetches its two charts' data together) can deadlock inside
    the sqlite3 module: one thread waits for the connection's lock holding the interpreter's, the other
    for the interpreter's holding the connection's. This server has no threads of its own: it answers
    the requests one after another, in the live server's thread, and closes each connection after its
    response (Django's handler does so for a server without threads), so that a browser's idle
    keep-alive connection never holds up the next request."""

    def __init__(self, *args: Any, connections_override: object = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


_threaded_server = testcases.LiveServerThread._create_server  # type: ignore[attr-defined]


def _create_server(
    self: testcases.LiveServerThread, connections_override: dict[str, Any] | None = None
) -> WSGIServer:
    if not connections_override:  # a database every thread opens its own connection to
        return _threaded_server(self, connections_override=connections_override)
    return OneRequestAtATimeServer(
        (self.host, self.port), testcases.QuietWSGIRequestHandler, allow_reuse_address=False
    )


testcases.LiveServerThread._create_server = _create_server  # type: ignore[attr-defined]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The password the user factories give every test user.
TEST_PASSWORD = "cartera-test"
# Where committed screenshots of the pages live (Spanish, test or demo data).
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

NewPage = Callable[..., Page]


@pytest.fixture
def chromium_browser(monkeypatch) -> Iterator[Browser]:
    """One headless Chromium for the test, closed after it."""
    if not CHROMIUM.exists():
        pytest.fail(f"The browser tests need {CHROMIUM}: run `make browser` (apt-get install chromium).")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_browser_page(chromium_browser: Browser) -> NewPage:
    """A factory of pages, each in its own browser context (separate cookies, so separate sessions)."""

    def new_page(*, width: int = 1366, height: int = 900, locale: str = "en-US") -> Page:
        context = chromium_browser.new_context(viewport={"width": width, "height": height}, locale=locale)
        context.set_default_timeout(10_000)
        return context.new_page()

    return new_page


@pytest.fixture
def browser_page(new_browser_page: NewPage) -> Page:
    """A page 1366×900 wide with an English browser locale."""
    return new_browser_page()


def log_in(page: Page, live_server_url: str, username: str, password: str = TEST_PASSWORD) -> None:
    """Sign in through the login form (in either language) and wait for the page it leads to."""
    page.goto(f"{live_server_url}/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("form:has(input[name=password]) button[type=submit]").click()
    if "/login/" in page.url:
        raise AssertionError(f"Could not sign in as {username!r}: still on {page.url}")
