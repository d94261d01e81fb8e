"""End-to-end tests in Debian's Chromium, driven by Playwright (sync API).

Run them with `make test-browser` (CI installs the `chromium` package; Playwright's own
browser downloads are never used). Every test in this folder is marked `browser`, so the
ordinary suite (`-m "not browser"`) leaves them out.

Database: `live_server` serves the pages from another thread, so these tests run with
`transactional_db`, which empties every table after each test, reference data included.
The `site_data` fixture puts the reference data and the demo data back before each test.
"""

import io
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

CHROMIUM = Path(os.environ.get("CLAUSES_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BROWSER_DIR = Path(__file__).parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_DIR in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the session. A missing browser fails the tests, loudly."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Chromium est introuvable ({CHROMIUM}). Installez le paquet Debian : "
            "apt-get update && apt-get install -y chromium (CI le fait dans .ci/run).",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in the main thread, where Django's
    # ORM would refuse to run (SynchronousOnlyOperation) although nothing is asynchronous.
    # Set for the browser tests only: the rest of the suite keeps Django's guard.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import expect

    # A filing routes, writes the journal and sends its emails before it answers: on a
    # loaded 2-core CI machine that took over Playwright's default 5 s once (CI, 2026-12-06).
    # Assertions wait up to 20 s; a page that truly fails still fails, only later.
    expect.set_options(timeout=20_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class ConsoleLog:
    """Console errors and uncaught exceptions of a page: any of them fails the test."""

    errors: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        return [e for e in self.errors if "Content Security Policy" in e]

    def assert_clean(self) -> None:
        violations = self.csp_violations()
        assert not violations, "Violations de la CSP :\n" + "\n".join(violations)
        assert not self.errors, "Erreurs dans la console du navigateur :\n" + "\n".join(self.errors)


@pytest.fixture
def console() -> ConsoleLog:
    return ConsoleLog()


@pytest.fixture
def page(browser, console: ConsoleLog, site_data) -> Iterator:
    """A fresh browser context and page in French; its console is checked after the test."""
    context = browser.new_context(locale="fr-FR", base_url=site_data.url)
    context.set_default_timeout(20_000)
    page = context.new_page()

    def on_console(message) -> None:
        if message.type == "error":
            location = message.location or {}
            console.errors.append(f"{message.text} ({location.get('url', '?')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: console.errors.append(f"Exception JS : {error}"))
    yield page
    context.close()
    console.assert_clean()


@pytest.fixture(scope="session")
def demo_snapshot() -> Iterator[dict[str, sqlite3.Connection]]:
    """A copy of the loaded demo database, when the tests run on SQLite (the default)."""
    snapshots: dict[str, sqlite3.Connection] = {}
    yield snapshots
    for copy in snapshots.values():
        copy.close()


@pytest.fixture
def site_data(live_server, transactional_db, settings, demo_snapshot):
    """The demo site: reference data and demo data, present at the start of every test.

    The flush of the previous transactional test has emptied the database: load again.
    On SQLite the first test loads and keeps a copy (SQLite's backup API), the next ones
    copy it back in milliseconds instead of loading again for seconds. Demo mode is on, as
    in `make demo` (the demo accounts refuse to exist without it).
    """
    from clauses.territories.models import Commune

    settings.DEMO_MODE = True
    raw = None
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        raw = connection.connection
    if raw is not None and "demo" in demo_snapshot:
        demo_snapshot["demo"].backup(raw)
        return live_server

    if not Commune.objects.exists():
        call_command("load_reference", wet_run=True, verbosity=0, stdout=io.StringIO())
    call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    if raw is not None:
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        raw.backup(copy)
        demo_snapshot["demo"] = copy
    return live_server


@pytest.fixture
def axe():
    """`axe(page)` runs axe-core on the page and fails with a readable list of violations."""
    from axe_playwright_python.sync_playwright import Axe

    runner = Axe()

    def check(page) -> None:
        results = runner.run(page)
        if results.violations_count:
            report = results.generate_report()
            pytest.fail(f"axe-core, {page.url} :\n{report}", pytrace=False)

    return check
