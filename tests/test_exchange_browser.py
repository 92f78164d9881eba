"""A real Chromium opens the live transactions page after real calls through the gateway."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from govhub.core.actor import cli_actor
from govhub.core.auth.models import Role
from govhub.exchange import service
from govhub.exchange.schemas import RightCreate
from test_exchange_pages import make_registry, provider_urls  # noqa: F401 - the providers fixture

from conftest import PASSWORD, World

CHROMIUM = os.environ.get("GOVHUB_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("GOVHUB_TEST_ARTIFACTS", "test-artifacts"))
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}; install Debian's 'chromium' package (scripts/test does)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        yield browser
        browser.close()


def test_live_transactions_page_after_real_gateway_calls(
    browser,
    live_server: str,
    world: World,
    loaded_database,
    provider_urls,  # noqa: F811
):
    registry = make_registry(world, loaded_database, provider_urls.population_url)
    with loaded_database.session() as session:
        service.grant(
            db_session=session,
            actor=cli_actor("t"),
            right_in=RightCreate(service_id=registry.service_id, subsystem_id=registry.consumer_id),
        )
    with httpx.Client(base_url=live_server, timeout=20) as http:
        for national_id in ("001099012345", "022185004321", "079302111110", "001099012349"):
            response = http.get(
                f"{registry.service_path}/citizens/{national_id}", headers=registry.gateway_headers
            )
            assert response.status_code in (200, 404)
        denied = http.get(
            f"{registry.service_path}/citizens/001099012345", headers={"X-Road-Client": "VN/GOV/x/y"}
        )
        assert denied.status_code == 400  # no key: refused and recorded as a failure

    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login?next=/exchange/transactions")
        page.fill("#username", registry.consumer_admin.username)
        page.fill("#password", PASSWORD)
        page.click("button.primary")
        page.wait_for_url(f"{live_server}/exchange/transactions")
        expect(page.locator("h1")).to_have_text("Giao dịch")
        assert int(page.get_by_test_id("tx-today").inner_text().replace(".", "")) >= 4
        chart = page.get_by_test_id("tx-chart")
        expect(chart).to_be_visible()
        assert chart.locator("rect").count() >= 30
        expect(page.get_by_test_id("tx-table").locator("tbody tr")).to_have_count(4)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "exchange-transactions-vi.png"), full_page=True)

        page.goto(f"{live_server}/exchange/requests")
        expect(page.get_by_test_id("request-form")).to_be_visible()
        page.goto(f"{live_server}/exchange")
        page.screenshot(path=str(ARTIFACTS / "exchange-overview-vi.png"), full_page=True)
    finally:
        context.close()


def test_auditor_sees_the_registry(browser, live_server: str, world: World):
    account = world.account(Role.AUDITOR)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login?next=/exchange/registry")
        page.fill("#username", account.username)
        page.fill("#password", PASSWORD)
        page.click("button.primary")
        page.wait_for_url(f"{live_server}/exchange/registry")
        expect(page.get_by_role("link", name="Kết nối, chia sẻ dữ liệu")).to_be_visible()
        expect(page.get_by_test_id("rights-table")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "exchange-registry-vi.png"), full_page=True)
    finally:
        context.close()
