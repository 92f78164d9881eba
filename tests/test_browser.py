"""A real headless Chromium signs in, switches language and reads Vietnamese-formatted numbers."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from govhub.core.auth.models import Role

from conftest import PASSWORD, World

CHROMIUM = os.environ.get("GOVHUB_CHROMIUM", "/usr/bin/chromium")
pytestmark = pytest.mark.browser
ARTIFACTS = Path(os.environ.get("GOVHUB_TEST_ARTIFACTS", "test-artifacts"))


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}; install Debian's 'chromium' package (scripts/test does)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


def test_sign_in_switch_language_and_read_formatted_numbers(browser, live_server: str, world: World):
    account = world.account(Role.SYSTEM_ADMIN)
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{live_server}/")
        assert page.locator("html").get_attribute("lang") == "vi"
        assert page.locator("h1").inner_text() == "Nền tảng chính phủ số"
        assert page.get_by_test_id("metric-communes").inner_text() == "3.321"

        page.get_by_role("link", name="Đăng nhập").click()
        page.get_by_label("Tên đăng nhập hoặc số định danh cá nhân (12 số)").fill(account.username)
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(f"{live_server}/")
        expect(page.get_by_test_id("who")).to_contain_text(account.username)
        expect(page.get_by_role("link", name="Nhật ký kiểm toán")).to_be_visible()

        page.get_by_test_id("lang-switch").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.get_by_test_id("metric-communes")).to_have_text("3,321")
        expect(page.get_by_role("link", name="Audit log")).to_be_visible()

        page.get_by_test_id("lang-switch").click()
        expect(page.locator("html")).to_have_attribute("lang", "vi")
        expect(page.get_by_test_id("metric-communes")).to_have_text("3.321")
        label = page.locator(".card .label").nth(3).inner_text()
        assert "10.035" in label and "năm 2022" in label

        page.goto(f"{live_server}/admin/audit")
        expect(page.get_by_test_id("audit-table")).to_be_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "audit-vi.png"), full_page=True)

        page.get_by_role("button", name="Đăng xuất").click()
        expect(page.get_by_role("link", name="Đăng nhập")).to_be_visible()
    finally:
        context.close()


def test_create_and_revoke_an_api_key_in_the_browser(browser, live_server: str, world: World):
    account = world.account(Role.OPERATOR)
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login?next=/account")
        page.fill("#username", account.username)
        page.fill("#password", PASSWORD)
        page.click("button.primary")
        page.wait_for_url(f"{live_server}/account")
        page.fill("#name", "khóa tích hợp")
        page.get_by_role("button", name="Tạo khóa").click()
        expect(page.get_by_test_id("new-token")).to_contain_text("ghk_")
        page.reload()
        expect(page.get_by_test_id("new-token")).to_have_count(0)  # shown once
        row = page.locator("tr", has_text="khóa tích hợp")
        row.get_by_role("button", name="Thu hồi").click()
        expect(page.locator("tr", has_text="khóa tích hợp").get_by_text("đã thu hồi")).to_be_visible()
    finally:
        context.close()
