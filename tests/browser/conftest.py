"""Browser tests: pytest-playwright driving Debian's Chromium against `live_server`.

Run with `make test-browser` (or `pytest -m browser`). Screenshots land in
`test-artifacts/screenshots/` for a person to look at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.factories import PASSWORD

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run in
# one unless told it is safe (it is: the test owns the thread).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def _no_persistent_connections():
    """The live server answers each request in a new thread; with CONN_MAX_AGE those
    threads' connections outlive the test and block dropping the test database."""
    from django.db import connections

    previous = connections.settings["default"].get("CONN_MAX_AGE", 0)
    connections.settings["default"]["CONN_MAX_AGE"] = 0
    yield
    connections.settings["default"]["CONN_MAX_AGE"] = previous


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        # Without these, Chromium tries to reach Google's hosts on this closed network.
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def screenshot(page):
    """`screenshot("name")` saves a full-page PNG of the page (or of `of=another_page`)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str, of=None) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        (of or page).screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def sign_in(page, live_server):
    """`sign_in(user)` signs the page in through the real login form."""

    def do(user, password: str = PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("E-mail").fill(user.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    return do
