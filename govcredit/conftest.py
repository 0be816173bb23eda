import datetime as dt
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine

from govcredit.testing import City, build_city, on_day

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu",
                 "--no-first-run", "--disable-component-update", "--disable-sync"]
BROWSER_TIMEOUT_MS = 10_000  # generous: the test machines are shared and sometimes heavily loaded


def pytest_configure(config: pytest.Config) -> None:
    """``GOVCREDIT_TEST_TODAY=YYYY-MM-DD`` runs the whole suite as if on that day (the test command
    runs the suite on a working day in mid-2027 and on a public holiday too): a test that silently
    depends on the real date fails there. Tests that need a particular day set it themselves with the
    ``time_machine`` marker or fixture."""
    day = os.environ.get("GOVCREDIT_TEST_TODAY")
    if day:
        traveller = time_machine.travel(on_day(dt.date.fromisoformat(day)), tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)


@pytest.fixture(autouse=True)
def fast_password_hashing(request: pytest.FixtureRequest, settings: Any) -> None:
    """Argon2 is deliberately slow; tests use MD5 unless marked ``real_password_hashing``."""
    if request.node.get_closest_marker("real_password_hashing") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def default_language_afterwards() -> Iterator[None]:
    """A request under /en/ activates English in the test's thread (LocaleMiddleware does not reset it):
    every test ends by going back to the default language, so the next one starts from it."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def empty_portal_cache() -> None:
    """Each test starts with no cached portal answers (a rolled-back test can leave a ledger head
    that a later test reaches again with other data)."""
    from django.core.cache import caches

    caches["portal"].clear()


@pytest.fixture(autouse=True)
def empty_shared_cache(request: pytest.FixtureRequest, django_db_blocker: Any) -> Iterator[None]:
    """The shared cache (rate limits, login throttling) is a database table that the flush after a
    transactional test leaves alone: such a test empties it afterwards, so that its counts do not reach
    the next test (other tests roll it back with everything else)."""
    yield
    marker = request.node.get_closest_marker("django_db")
    if {"transactional_db", "live_server"} & set(request.fixturenames) or (marker and marker.kwargs.get("transaction")):
        from django.core.cache import caches

        with django_db_blocker.unblock():
            caches["default"].clear()


@pytest.fixture(autouse=True, scope="session")
def ledger_checkpoints_of_the_test_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Test databases are not the demo's: their ledger checkpoints go to a file of the test run."""
    from django.test import override_settings

    path = tmp_path_factory.mktemp("ledger") / "checkpoints.jsonl"
    with override_settings(LEDGER_CHECKPOINT_FILE=path):
        yield path


@pytest.fixture
def city(db: None) -> City:
    return build_city()


def city_for_class(django_db_blocker: Any, build: Callable[[], City] = build_city) -> Iterator[City]:
    """Build a city once for a whole test class (Django's ``setUpTestData``): inside an outer transaction
    that is rolled back after the class, each test's own transaction (``db``) is a savepoint in it, so what
    a test writes is gone before the next one. A test directory that needs more than the city (``build``
    adds to it, e.g. ``testing.add_district_bureaus``) makes its own class fixture from this one."""
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def copy_for_test(city: City) -> City:
    """The class's city for one test: a deep copy, so objects a test changes in memory do not reach the next
    test (as ``setUpTestData`` gives each test its own copy)."""
    import copy

    return copy.deepcopy(city)


@pytest.fixture(scope="class")
def class_city(django_db_setup: None, django_db_blocker: Any) -> Iterator[City]:
    """The city built once for a whole test class (see :func:`city_for_class`); tests take it through
    ``shared_city``. A module's tests outside a class share one city for the module."""
    yield from city_for_class(django_db_blocker)


@pytest.fixture
def shared_city(class_city: City, db: None) -> City:
    """The class's city for one test, a copy of its own (see :func:`copy_for_test`)."""
    return copy_for_test(class_city)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Debian chromium per test process, shared by every browser test.

    Playwright's sync API runs an asyncio loop in the test thread for as long as it is open, so
    there must be only one per process, and Django's "async unsafe" guard must be relaxed for the
    ORM calls that tests make in that thread.
    """
    from playwright.sync_api import expect, sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    expect.set_options(timeout=BROWSER_TIMEOUT_MS)
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def watch_csp(page: Any) -> list[str]:
    """Collect the Content-Security-Policy violations the browser reports on ``page`` (console errors
    "Refused to … because it violates the following Content Security Policy directive …")."""
    violations: list[str] = []
    page.on("console", lambda m: violations.append(f"{page.url}: {m.text}")
            if "Content Security Policy" in m.text else None)
    return violations


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A page in its own context (own cookies); its final state is saved as a screenshot. The test fails
    when the page broke the site's Content-Security-Policy anywhere (the policy is on in tests too)."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    p = context.new_page()
    violations = watch_csp(p)
    yield p
    assert not violations, f"{len(violations)} Content-Security-Policy violations, the first: {violations[:3]}"
    shots = Path(request.config.rootpath) / "test-artifacts" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.\-\[\]]+", "_", request.node.name)
    try:
        p.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    finally:
        context.close()
