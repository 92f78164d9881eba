"""Exchange pages: signed-in officers read the registry and statistics, file and decide access requests by form."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from govhub.core.actor import cli_actor
from govhub.core.audit import service as audit
from govhub.core.audit.schemas import AuditQuery
from govhub.core.auth.models import Role
from govhub.core.database import Database
from govhub.core.i18n import number
from govhub.core.orgs.models import OrgKind
from govhub.exchange import providers, service
from govhub.exchange.schemas import (
    MemberCreate,
    RightCreate,
    ServiceCreate,
    ServiceUpdate,
    SubsystemCreate,
    SubsystemKeyCreate,
)

from conftest import PASSWORD, Account, World


@pytest.fixture(scope="module")
def provider_urls() -> Iterator[providers.Providers]:
    started = providers.start_providers()
    yield started
    started.stop()


@dataclass
class Registry:
    provider_admin: Account
    consumer_admin: Account
    consumer_operator: Account
    consumer_id: int
    service_id: int
    service_path: str
    gateway_headers: dict[str, str]


def make_registry(world: World, database: Database, population_url: str) -> Registry:
    """A national database with one enabled service, and a province portal that has a key but no right yet."""
    actor = cli_actor("test")
    provider_org = world.organisation(OrgKind.DATABASE_OWNER)
    consumer_org = world.organisation(OrgKind.PROVINCE)
    with database.session() as session:
        members = [
            service.create_member(
                db_session=session,
                actor=actor,
                member_in=MemberCreate(
                    organisation_id=org, member_class="GOV", member_code=f"M{uuid.uuid4().hex[:10]}"
                ),
            )
            for org in (provider_org, consumer_org)
        ]
        provider = service.create_subsystem(
            db_session=session,
            actor=actor,
            subsystem_in=SubsystemCreate(
                member_id=members[0].id,
                code="POPULATION",
                name="CSDL quốc gia về dân cư",
                kind="national_database",
            ),
        )
        svc = service.create_service(
            db_session=session,
            actor=actor,
            service_in=ServiceCreate(
                subsystem_id=provider.id,
                code="citizens",
                name="Tra cứu thông tin công dân",
                service_type="OPENAPI3",
                base_url=population_url,
                description_doc=providers.POPULATION_OPENAPI,
            ),
        )
        service.update_service(
            db_session=session, actor=actor, service=svc, service_in=ServiceUpdate(enabled=True)
        )
        consumer = service.create_subsystem(
            db_session=session,
            actor=actor,
            subsystem_in=SubsystemCreate(member_id=members[1].id, code="DVC", name="Cổng dịch vụ công tỉnh"),
        )
        _key, token = service.create_key(
            db_session=session, actor=actor, subsystem_id=consumer.id, key_in=SubsystemKeyCreate(name="t")
        )
        client = service.subsystem_identifier(session, consumer, "VN")
        path = "/r1/" + service.service_identifier(session, svc, "VN")
        ids = (consumer.id, svc.id)
    return Registry(
        provider_admin=world.account(Role.ORG_ADMIN, provider_org),
        consumer_admin=world.account(Role.ORG_ADMIN, consumer_org),
        consumer_operator=world.account(Role.OPERATOR, consumer_org),
        consumer_id=ids[0],
        service_id=ids[1],
        service_path=path,
        gateway_headers={"X-Road-Client": client, "X-API-Key": token},
    )


@pytest.fixture
def registry(world: World, loaded_database: Database, provider_urls: providers.Providers) -> Registry:
    return make_registry(world, loaded_database, provider_urls.population_url)


def sign_in(app: FastAPI, username: str) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    token = csrf(client.get("/login").text)
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code in (200, 303), response.text
    return client


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def metric(html: str, testid: str) -> str:
    return re.search(rf'data-testid="{testid}">([^<]+)<', html).group(1)


def flash_text(html: str) -> str:
    found = re.search(r'<div class="flash flash-(\w+)" role="status">([^<]*)</div>', html)
    assert found, "no flash message on the page"
    return f"{found.group(1)}: {found.group(2)}"


def test_overview_shows_real_numbers_in_vietnamese(app, world: World, registry: Registry, loaded_database):
    admin = world.account(Role.SYSTEM_ADMIN)
    client = sign_in(app, admin.username)
    page = client.get("/exchange")
    assert page.status_code == 200
    assert "Nền tảng tích hợp, chia sẻ dữ liệu" in page.text and "cơ quan, tổ chức đã kết nối" in page.text
    with loaded_database.session() as session:
        figures = service.overview(db_session=session)
    assert metric(page.text, "metric-connected") == number(figures["connected_organisations"], "vi")
    assert metric(page.text, "metric-databases") == number(figures["providing_national_databases"], "vi")
    assert metric(page.text, "metric-services").strip() == (
        f"{number(figures['enabled_services'], 'vi')} / {number(figures['services'], 'vi')}"
    )
    assert figures["providing_national_databases"] >= 1
    assert '<a href="/exchange" aria-current="page">Kết nối, chia sẻ dữ liệu</a>' in page.text
    english = client.get("/exchange?lang=en")
    assert (
        "Data integration and sharing platform" in english.text and "connected organisations" in english.text
    )


def test_registry_shows_identifiers_and_base_urls_only_to_managers(app, registry: Registry, provider_urls):
    provider = sign_in(app, registry.provider_admin.username).get("/exchange/registry")
    assert provider.status_code == 200 and "Danh mục kết nối" in provider.text
    assert registry.service_path[4:] in provider.text and "cơ sở dữ liệu quốc gia" in provider.text
    assert "GET /citizens/{national_id}" in provider.text
    assert provider_urls.population_url in provider.text  # the provider's own manager sees where it listens
    consumer = sign_in(app, registry.consumer_admin.username).get("/exchange/registry")
    assert registry.service_path[4:] in consumer.text
    assert provider_urls.population_url not in consumer.text


def test_file_and_approve_an_access_request_through_the_forms(app, registry: Registry, loaded_database):
    consumer = sign_in(app, registry.consumer_admin.username)
    page = consumer.get("/exchange/requests")
    assert "Yêu cầu quyền khai thác dịch vụ" in page.text  # the filing form
    filed = consumer.post(
        "/exchange/requests",
        data={
            "csrf_token": csrf(page.text),
            "consumer_subsystem_id": str(registry.consumer_id),
            "service_id": str(registry.service_id),
            "purpose": "Xác thực thông tin công dân khi tiếp nhận hồ sơ (Nghị định 194/2025/NĐ-CP)",
        },
    )
    assert filed.status_code == 200 and "Đã gửi yêu cầu cấp quyền" in flash_text(filed.text)
    with loaded_database.session() as session:
        request = next(
            r
            for r in service.list_access_requests(db_session=session, status="pending")
            if r.consumer_subsystem_id == registry.consumer_id
        )
    # The consumer may not decide its own request: a message, not an error page.
    self_approval = consumer.post(
        f"/exchange/requests/{request.id}/decision",
        data={"csrf_token": csrf(filed.text), "decision": "approve", "reason": ""},
    )
    assert self_approval.status_code == 200
    assert flash_text(self_approval.text).startswith("error: Bạn chỉ được quản lý")

    provider = sign_in(app, registry.provider_admin.username)
    page = provider.get("/exchange/requests")
    assert f'action="/exchange/requests/{request.id}/decision"' in page.text
    approved = provider.post(
        f"/exchange/requests/{request.id}/decision",
        data={"csrf_token": csrf(page.text), "decision": "approve", "reason": "Đủ căn cứ pháp lý"},
    )
    assert approved.status_code == 200 and "Đã phê duyệt" in flash_text(approved.text)
    with loaded_database.session() as session:
        rights = service.list_rights(db_session=session, service_id=registry.service_id)
        assert [r.subsystem_id for r in rights] == [registry.consumer_id]
        _total, events = audit.query(
            db_session=session,
            params=AuditQuery(action="exchange.access_request.approved", entity_id=str(request.id)),
        )
        assert len(events) == 1 and events[0].actor_label == registry.provider_admin.username
    again = provider.post(
        f"/exchange/requests/{request.id}/decision",
        data={"csrf_token": csrf(approved.text), "decision": "refuse", "reason": "Quá muộn"},
    )
    assert "already approved" in flash_text(again.text)


def test_refusal_needs_a_reason_and_forms_validate(app, registry: Registry, loaded_database):
    consumer = sign_in(app, registry.consumer_admin.username)
    token = csrf(consumer.get("/exchange/requests").text)
    short = consumer.post(
        "/exchange/requests",
        data={
            "csrf_token": token,
            "consumer_subsystem_id": str(registry.consumer_id),
            "service_id": "abc",
            "purpose": "x",
        },
    )
    message = flash_text(short.text)
    assert message.startswith("error:") and "Dịch vụ" in message and "Mục đích và căn cứ pháp lý" in message
    filed = consumer.post(
        "/exchange/requests",
        data={
            "csrf_token": token,
            "consumer_subsystem_id": str(registry.consumer_id),
            "service_id": str(registry.service_id),
            "purpose": "Tra cứu khi giải quyết thủ tục hành chính",
        },
    )
    assert flash_text(filed.text).startswith("ok:")
    with loaded_database.session() as session:
        request_id = next(
            r.id
            for r in service.list_access_requests(db_session=session, status="pending")
            if r.consumer_subsystem_id == registry.consumer_id
        )
    provider = sign_in(app, registry.provider_admin.username)
    token = csrf(provider.get("/exchange/requests").text)
    refused = provider.post(
        f"/exchange/requests/{request_id}/decision",
        data={"csrf_token": token, "decision": "refuse", "reason": " "},
    )
    assert flash_text(refused.text) == "error: Hãy nêu lý do khi từ chối yêu cầu."
    odd = provider.post(
        f"/exchange/requests/{request_id}/decision", data={"csrf_token": token, "decision": "maybe"}
    )
    assert flash_text(odd.text) == "error: Hãy chọn phê duyệt hoặc từ chối."
    missing = provider.post(
        "/exchange/requests/999999/decision", data={"csrf_token": token, "decision": "approve"}
    )
    assert missing.status_code == 200 and "was not found" in flash_text(missing.text)
    no_csrf = provider.post(
        f"/exchange/requests/{request_id}/decision", data={"decision": "refuse", "reason": "abc"}
    )
    assert no_csrf.status_code == 403
    with loaded_database.session() as session:
        assert service.list_rights(db_session=session, service_id=registry.service_id) == []
    refused = provider.post(
        f"/exchange/requests/{request_id}/decision",
        data={"csrf_token": token, "decision": "refuse", "reason": "Chưa nêu căn cứ pháp lý cụ thể"},
    )
    assert "Đã từ chối" in flash_text(refused.text)
    assert "Chưa nêu căn cứ pháp lý cụ thể" in provider.get("/exchange/requests?status=refused").text


def test_operator_reads_but_cannot_post(app, registry: Registry):
    operator = sign_in(app, registry.consumer_operator.username)
    page = operator.get("/exchange/requests")
    assert page.status_code == 200 and 'data-testid="request-form"' not in page.text
    token = csrf(page.text)
    filed = operator.post(
        "/exchange/requests",
        data={
            "csrf_token": token,
            "consumer_subsystem_id": str(registry.consumer_id),
            "service_id": str(registry.service_id),
            "purpose": "Tra cứu dữ liệu",
        },
        headers={"Accept": "text/html"},
    )
    assert filed.status_code == 403
    decided = operator.post(
        "/exchange/requests/1/decision", data={"csrf_token": token, "decision": "approve"}
    )
    assert decided.status_code == 403
    anonymous = TestClient(app).get("/exchange", headers={"Accept": "text/html"}, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


def test_transactions_page_counts_real_gateway_calls(app, world: World, registry: Registry, loaded_database):
    with loaded_database.session() as session:
        service.grant(
            db_session=session,
            actor=cli_actor("t"),
            right_in=RightCreate(service_id=registry.service_id, subsystem_id=registry.consumer_id),
        )
    with TestClient(app) as gateway:  # the lifespan closes the gateway's client session of this loop
        for number_ in ("001099012345", "022185004321", "001099012349"):
            gateway.get(f"{registry.service_path}/citizens/{number_}", headers=registry.gateway_headers)
    consumer = sign_in(app, registry.consumer_admin.username)
    page = consumer.get("/exchange/transactions")
    assert page.status_code == 200 and "Giao dịch theo ngày, 30 ngày gần nhất" in page.text
    assert metric(page.text, "tx-today") == "3" and metric(page.text, "tx-hour") == "3"
    # The provider's 404 (unknown person) is a completed exchange, not a failure of the platform.
    assert metric(page.text, "tx-succeeded") == "3" and metric(page.text, "tx-failed") == "0"
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page.text and 'data-testid="tx-chart"' in page.text
    # ID numbers never show in clear (the record keeps a keyed hash; older records are masked on the page).
    assert "GET /citizens/" in page.text and "001099012345" not in page.text
    assert "Giao dịch do hệ thống của cơ quan bạn gửi hoặc phục vụ." in page.text

    stranger = sign_in(app, world.account(Role.ORG_ADMIN).username).get("/exchange/transactions")
    assert metric(stranger.text, "tx-today") == "0" and "Chưa có giao dịch" in stranger.text
    auditor = sign_in(app, world.account(Role.AUDITOR).username).get("/exchange/transactions")
    assert int(metric(auditor.text, "tx-today").replace(".", "")) >= 3
    assert "Mọi giao dịch qua cổng kết nối này." in auditor.text
