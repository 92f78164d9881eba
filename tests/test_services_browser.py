"""A citizen files online with details prefilled from the population provider; an officer takes it to the end."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from playwright.sync_api import expect, sync_playwright

from govhub.core.actor import cli_actor
from govhub.core.auth import service as auth
from govhub.core.auth.models import Role
from govhub.core.auth.schemas import CitizenCreate
from govhub.core.database import Database
from govhub.core.orgs.models import OrgKind
from govhub.exchange import providers
from govhub.exchange import service as exchange
from govhub.exchange.schemas import (
    MemberCreate,
    RightCreate,
    ServiceCreate,
    ServiceUpdate,
    SubsystemCreate,
    SubsystemKeyCreate,
)
from govhub.services import rules
from govhub.services.schemas import PrefillConfigUpdate
from services_support import make_offer

from conftest import PASSWORD, World

CHROMIUM = os.environ.get("GOVHUB_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("GOVHUB_TEST_ARTIFACTS", "test-artifacts"))
pytestmark = pytest.mark.browser


class PopulationLookup(NamedTuple):
    """Where the prefill calls go, and one person the provider knows."""

    base_url: str
    client_id: str
    api_key: str
    national_id: str
    full_name: str
    service_path: str


@pytest.fixture
def population_lookup(
    live_server: str, world: World, loaded_database: Database
) -> Iterator[PopulationLookup]:
    """The real thing: the demo population database behind the GovHub gateway, reached as a registered DVC."""
    actor = cli_actor("test setup")
    owner, province = world.organisation(OrgKind.DATABASE_OWNER), world.organisation(OrgKind.PROVINCE)
    running = providers.start_providers()
    try:
        with loaded_database.session() as session:
            suffix = uuid.uuid4().hex[:8]
            owner_member = exchange.create_member(
                db_session=session,
                actor=actor,
                member_in=MemberCreate(organisation_id=owner, member_class="GOV", member_code=f"NDC{suffix}"),
            )
            population = exchange.create_subsystem(
                db_session=session,
                actor=actor,
                subsystem_in=SubsystemCreate(
                    member_id=owner_member.id,
                    code="POPULATION",
                    name="CSDL quốc gia về dân cư",
                    kind="national_database",
                ),
            )
            citizens = exchange.create_service(
                db_session=session,
                actor=actor,
                service_in=ServiceCreate(
                    subsystem_id=population.id,
                    code="citizens",
                    name="Tra cứu công dân",
                    service_type="OPENAPI3",
                    base_url=running.population_url,
                    description_doc=providers.OPENAPI["citizens"],
                ),
            )
            exchange.update_service(
                db_session=session, actor=actor, service=citizens, service_in=ServiceUpdate(enabled=True)
            )
            province_member = exchange.create_member(
                db_session=session,
                actor=actor,
                member_in=MemberCreate(
                    organisation_id=province, member_class="GOV", member_code=f"H{suffix}"
                ),
            )
            dvc = exchange.create_subsystem(
                db_session=session,
                actor=actor,
                subsystem_in=SubsystemCreate(
                    member_id=province_member.id, code="DVC", name="Hệ thống một cửa"
                ),
            )
            exchange.grant(
                db_session=session,
                actor=actor,
                right_in=RightCreate(service_id=citizens.id, subsystem_id=dvc.id),
            )
            _key, token = exchange.create_key(
                db_session=session,
                actor=actor,
                subsystem_id=dvc.id,
                key_in=SubsystemKeyCreate(name="prefill"),
            )
            client_id = exchange.subsystem_identifier(session, dvc, "VN")
            service_path = exchange.service_identifier(session, citizens, "VN") + "/citizens"
        national_id = "00108" + f"{uuid.uuid4().int % 10**7:07d}"  # a man born in the 1980s, Hà Nội
        if national_id.endswith("9"):
            national_id = national_id[:-1] + "1"
        person = providers.person(national_id)
        assert person is not None
        yield PopulationLookup(live_server, client_id, token, national_id, person["full_name"], service_path)
    finally:
        running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}; install Debian's 'chromium' package (scripts/test does)."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        yield browser
        browser.close()


def _sign_in(page, live_server: str, username: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("Tên đăng nhập hoặc số định danh cá nhân (12 số)").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{live_server}/")


def test_citizen_files_online_with_prefill_and_officer_returns_the_result(
    browser, live_server: str, world: World, loaded_database: Database, population_lookup: PopulationLookup
):
    agency = world.organisation()
    officer = world.account(Role.OPERATOR, organisation_id=agency)
    make_offer(loaded_database, agency_id=agency)
    with loaded_database.session() as session:
        rules.update_prefill_config(
            db_session=session,
            actor=cli_actor("test setup"),
            config_in=PrefillConfigUpdate(
                enabled=True,
                base_url=population_lookup.base_url,
                client_id=population_lookup.client_id,
                api_key=population_lookup.api_key,
                service_path=population_lookup.service_path,
                timeout_seconds=3,
            ),
        )
        if auth.get_citizen(db_session=session, national_id=population_lookup.national_id) is None:
            auth.create_citizen(
                db_session=session,
                actor=cli_actor("test setup"),
                citizen_in=CitizenCreate(
                    national_id=population_lookup.national_id, full_name="Tên tài khoản", password=PASSWORD
                ),
            )
        from govhub.services.models import Procedure, PublicService

        offer = session.query(PublicService).filter_by(agency_id=agency).one()
        code = session.get(Procedure, offer.procedure_id).code

    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        _sign_in(page, live_server, population_lookup.national_id)
        page.goto(f"{live_server}/services?q={code}")
        page.get_by_test_id(f"start-{code}").click()
        page.wait_for_url(f"{live_server}/services/dossiers/*")
        assert page.get_by_label("Họ và tên").input_value() == population_lookup.full_name
        assert page.get_by_test_id("prefilled").is_visible()
        page.get_by_label("Tờ khai (PDF, JPEG, PNG)").set_input_files(
            files=[{"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}]
        )
        page.get_by_role("button", name="Nộp hồ sơ").click()
        expect(page.get_by_test_id("dossier-status")).to_have_text("Mới đăng ký", timeout=15_000)
        dossier_code = page.get_by_test_id("dossier-code").inner_text()
        assert population_lookup.full_name in page.get_by_test_id("applicant").inner_text()
        page.get_by_role("button", name="Đăng xuất").click()

        _sign_in(page, live_server, officer.username)
        page.goto(f"{live_server}/officer/dossiers")
        page.get_by_role("link", name=dossier_code).click()
        for action, status in (
            ("receive", "Được tiếp nhận"),
            ("start", "Đang xử lý"),
            ("approve", "Đã xử lý xong"),
            ("return_result", "Đã trả kết quả"),
        ):
            page.get_by_test_id(f"action-{action}").get_by_role("button").click()
            page.wait_for_load_state()
            flash = page.locator(".flash")
            assert not flash.count() or "flash-error" not in (flash.get_attribute("class") or ""), (
                flash.inner_text()
            )
            expect(page.get_by_test_id("dossier-status")).to_have_text(status, timeout=15_000)
        assert page.get_by_test_id("history").locator("tbody tr").count() == 6
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "services-officer-vi.png"), full_page=True)

        page.goto(f"{live_server}/services/track?code={dossier_code}")
        assert "Đã trả kết quả" in page.get_by_test_id("track-status").inner_text()
    finally:
        context.close()
