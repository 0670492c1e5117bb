from __future__ import annotations

import contextlib
import socket
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIServer
from django.db import connection

OUTPUT_DIR = Path(__file__).resolve().parent.parent / "test-output"

# The test server's listen queue: Django's default (10) resets connections when a race test
# opens a hundred at once, which production servers (gunicorn: 2048) never would.
WSGIServer.request_queue_size = 256

# ...and it starts a thread (with its own database connection) per request, where production
# runs a bounded pool: bound it too, so a hundred simultaneous requests queue instead of
# opening more connections than PostgreSQL allows (100 by default).
_slots = threading.BoundedSemaphore(32)
_handle = ThreadedWSGIServer.process_request_thread


def _bounded(self, request, client_address):
    with _slots:
        _handle(self, request, client_address)


ThreadedWSGIServer.process_request_thread = _bounded


@pytest.fixture(autouse=True)
def _empty_page_cache():
    from django.core.cache import cache

    from undersigned.core.recent import forget
    from undersigned.signatures.abuse import forget_limits

    cache.clear()
    forget()
    forget_limits()


@pytest.fixture
def mail_dir(settings, tmp_path) -> Path:
    """Where the file backend writes during this test (the test runner would use memory)."""
    settings.EMAIL_BACKEND = "undersigned.core.mail.MboxFileBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    return tmp_path / "mail"


@pytest.fixture
def on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT_DIR.mkdir(exist_ok=True)
    return OUTPUT_DIR


def pytest_report_header(config):
    return f"database: {settings.DATABASES['default']['ENGINE']}"


AXE = Path(__file__).resolve().parent.parent / ".cache" / "axe" / "node_modules" / "axe-core"


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core, installed by bin/test from the npm registry (the accessibility checks)."""
    script = AXE / "axe.min.js"
    assert script.exists(), "axe-core is missing: bin/test installs it into .cache/axe"
    return script.read_text()


# Rules whose "incomplete" results (axe could not decide) fail too: a broken reference of an
# aria attribute, a duplicate id that aria points at, and contrast axe cannot compute.
AXE_UNDECIDED_FAILS = {"aria-valid-attr-value", "duplicate-id-aria", "color-contrast"}


def axe_violations(page, axe_source: str) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it stands, and its undecided results
    for AXE_UNDECIDED_FAILS (evaluated through the browser's protocol, so the page's
    Content-Security-Policy does not stand in the way)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', "
        "'wcag21aa', 'wcag22aa', 'best-practice']})"
    )
    problems = [
        f"{v['id']}: {v['help']} ({[n['target'] for n in v['nodes']][:3]})"
        for v in result["violations"]
    ]
    problems += [
        f"undecided {v['id']}: {v['help']} ({[n['target'] for n in v['nodes']][:3]})"
        for v in result["incomplete"]
        if v["id"] in AXE_UNDECIDED_FAILS
    ]
    return problems


SIZES = {"phone": (390, 844), "desktop": (1280, 800)}


def look(page, name: str, language: str, axe_source: str, output_dir) -> list[str]:
    """A screenshot of the page at phone and desktop width (in test-output/), and what axe-core
    finds at each."""
    problems = []
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(output_dir / f"{name}-{language}-{size}.png"), full_page=True)
        problems += [f"{name} {size}: {p}" for p in axe_violations(page, axe_source)]
    return problems


def sign_in(page, language: str, username: str = "coordinator",
            password: str = "a-long-test-password") -> None:  # fmt: skip
    """Sign in through the platform's own page; on the dashboard afterwards."""
    page.goto(f"/{language}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/dashboard/")


def overflow(page) -> int:
    """How many CSS pixels the page is wider than its window (0: no sideways scrolling)."""
    return page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"
    )


@contextlib.contextmanager
def smtp_server(handler, settings=None):
    """A real SMTP server (aiosmtpd) on 127.0.0.1 with `handler`, on a free port; with
    `settings`, Django sends through it. Yields the port."""
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    if settings is not None:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    try:
        yield port
    finally:
        controller.stop()
