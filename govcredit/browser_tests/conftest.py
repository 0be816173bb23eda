"""Real-browser fixtures: one headless Debian chromium per test session, a fresh context per test.

Playwright's sync API runs an asyncio event loop in the test thread, so Django's "async unsafe"
guard must be relaxed for the ORM calls that tests and fixtures make in that thread.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from playwright.sync_api import Browser, Page, expect, sync_playwright

from govcredit.testing import PASSWORD

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu",
                 "--no-first-run", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 10_000  # generous: the test machines are shared and sometimes heavily loaded
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page in its own context (own cookies); its final state is saved as a screenshot."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    p = context.new_page()
    yield p
    shots = Path(request.config.rootpath) / "test-artifacts" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.\-\[\]]+", "_", request.node.name)
    try:
        p.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    finally:
        context.close()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 costs ~0.15 s per hash; the city has 7 users and every test logs in, so hash cheaply.

    Settings are process-wide, so the live server thread uses the same hasher.
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def login(page: Page, live_server: object) -> Callable[..., None]:
    """Log in through the login form as ``username`` and wait for the page that follows."""

    def do(username: str, password: str = PASSWORD) -> None:
        page.goto(f"{live_server}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.get_by_role("button", name="登录").click()

    return do


@pytest.fixture
def login_as(page: Page, live_server: object) -> Callable[[str], None]:
    """Start the browser logged in as ``username`` without the login form (that has its own tests).

    Saves about a second per test: a session is made directly and its cookie handed to the browser.
    """

    def do(username: str) -> None:
        user = get_user_model().objects.get(username=username)
        session = import_module(django_settings.SESSION_ENGINE).SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        page.context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": session.session_key,
                                   "url": str(live_server), "httpOnly": True}])

    return do
