"""Real HTTP through the gateway to a provider on loopback: every outcome answers per PR-REST and is recorded."""

from __future__ import annotations

import asyncio
import http.client as http_client
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from aiohttp import web
from sqlalchemy import select

from govhub.core.actor import cli_actor
from govhub.core.database import Database
from govhub.core.orgs.models import OrgKind
from govhub.exchange import service
from govhub.exchange.models import Transaction
from govhub.exchange.schemas import (
    MemberCreate,
    RightCreate,
    ServiceCreate,
    ServiceUpdate,
    SubsystemCreate,
    SubsystemKeyCreate,
)
from tests_support_provider import serve_aiohttp

from conftest import World


def _provider_app() -> web.Application:
    async def person(request: web.Request) -> web.Response:
        seen = {
            k: v
            for k, v in request.headers.items()
            if k.lower().startswith(("x-road", "authorization", "x-api", "cookie"))
        }
        return web.json_response(
            {
                "id": request.match_info["id"],
                "path": request.path_qs,
                "headers": seen,
                "name": "Nguyễn Văn An",
            }
        )

    async def echo(request: web.Request) -> web.Response:
        body = await request.read()
        return web.Response(body=body, content_type=request.content_type, headers={"X-Provider": "yes"})

    async def slow(_request: web.Request) -> web.Response:
        await asyncio.sleep(3)
        return web.json_response({"late": True})

    async def redirect(_request: web.Request) -> web.Response:
        return web.Response(status=302, headers={"Location": "http://127.0.0.1:1/elsewhere"})

    async def big(_request: web.Request) -> web.Response:
        return web.Response(body=b"x" * (3 * 1024 * 1024), content_type="application/octet-stream")

    async def failing(_request: web.Request) -> web.Response:
        return web.json_response({"error": "database busy"}, status=503)

    async def stream(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        for index in range(50):
            await response.write(f"chunk {index}\n".encode() * 200)
        await response.write_eof()
        return response

    async def set_cookie(_request: web.Request) -> web.Response:
        response = web.json_response({"ok": True})
        response.set_cookie("session", "secret-of-the-first-consumer")
        return response

    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_get("/set-cookie", set_cookie)
    app.router.add_get("/people/{id}", person)
    app.router.add_post("/echo", echo)
    app.router.add_get("/slow", slow)
    app.router.add_get("/redirect", redirect)
    app.router.add_get("/big", big)
    app.router.add_get("/failing", failing)
    app.router.add_get("/stream", stream)
    return app


@pytest.fixture(scope="module")
def provider_url() -> Iterator[str]:
    """A real aiohttp provider on loopback, in its own thread and event loop."""
    with serve_aiohttp(_provider_app()) as url:
        yield url


@dataclass
class Exchange:
    provider_subsystem_id: int
    consumer_subsystem_id: int
    service_id: int
    service_path: str
    client: str
    headers: dict[str, str]
    other_headers: dict[str, str]
    other_client: str


def _member(session, org: int, member_class: str = "GOV") -> int:
    member = service.create_member(
        db_session=session,
        actor=cli_actor("test"),
        member_in=MemberCreate(
            organisation_id=org, member_class=member_class, member_code=f"M{uuid.uuid4().hex[:10]}"
        ),
    )
    return member.id


@pytest.fixture
def exchange(world: World, loaded_database: Database, provider_url: str) -> Exchange:
    actor = cli_actor("test")
    provider_org, consumer_org, other_org = (
        world.organisation(OrgKind.DATABASE_OWNER),
        world.organisation(OrgKind.PROVINCE),
        world.organisation(OrgKind.PROVINCE),
    )
    with loaded_database.session() as session:
        provider_member = _member(session, provider_org)
        provider = service.create_subsystem(
            db_session=session,
            actor=actor,
            subsystem_in=SubsystemCreate(
                member_id=provider_member, code="POPULATION", name="CSDL dân cư", kind="national_database"
            ),
        )
        svc = service.create_service(
            db_session=session,
            actor=actor,
            service_in=ServiceCreate(
                subsystem_id=provider.id,
                code="people",
                name="Tra cứu công dân",
                base_url=provider_url,
                timeout_seconds=1,
            ),
        )
        service.update_service(
            db_session=session, actor=actor, service=svc, service_in=ServiceUpdate(enabled=True)
        )
        consumer_member = _member(session, consumer_org)
        consumer = service.create_subsystem(
            db_session=session,
            actor=actor,
            subsystem_in=SubsystemCreate(member_id=consumer_member, code="DVC", name="Cổng dịch vụ công"),
        )
        other_member = _member(session, other_org)
        other = service.create_subsystem(
            db_session=session,
            actor=actor,
            subsystem_in=SubsystemCreate(member_id=other_member, code="DVC", name="Cổng khác"),
        )
        service.grant(
            db_session=session, actor=actor, right_in=RightCreate(service_id=svc.id, subsystem_id=consumer.id)
        )
        _key, token = service.create_key(
            db_session=session, actor=actor, subsystem_id=consumer.id, key_in=SubsystemKeyCreate(name="t")
        )
        _key2, other_token = service.create_key(
            db_session=session, actor=actor, subsystem_id=other.id, key_in=SubsystemKeyCreate(name="t")
        )
        client = service.subsystem_identifier(session, consumer, "VN")
        other_client = service.subsystem_identifier(session, other, "VN")
        service_path = "/r1/" + service.service_identifier(session, svc, "VN")
        return Exchange(
            provider.id,
            consumer.id,
            svc.id,
            service_path,
            client,
            {"X-Road-Client": client, "X-API-Key": token},
            {"X-Road-Client": other_client, "X-API-Key": other_token},
            other_client,
        )


@pytest.fixture
def http(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, timeout=20) as client:
        yield client


def _record(database: Database, message_id: str) -> Transaction:
    with database.sessionmaker() as session:
        rows = session.scalars(select(Transaction).where(Transaction.message_id == message_id)).all()
        assert len(rows) == 1, f"expected one record for {message_id}, found {len(rows)}"
        return rows[0]


def _raw_get(base: str, path: str, headers: dict[str, str]) -> httpx.Response:
    """Sends the path byte for byte: HTTP clients would otherwise remove '..' segments before sending."""
    host, port = base.removeprefix("http://").split(":")
    connection = http_client.HTTPConnection(host, int(port), timeout=20)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        raw = connection.getresponse()
        return httpx.Response(raw.status, headers=raw.getheaders(), content=raw.read())
    finally:
        connection.close()


def _error(response: httpx.Response, status: int, error_type: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["x-road-error"] == error_type
    body = response.json()
    assert body["type"] == error_type and body["message"]
    assert body["detail"] == response.headers["x-road-id"]
    return body


def test_allowed_call_passes_through_and_is_recorded(http, exchange: Exchange, loaded_database):
    response = http.get(
        exchange.service_path + "/people/001099012345?full=1",
        headers={
            **exchange.headers,
            "X-Road-UserId": "VN001099012345",
            "X-Road-Issue": "H26.22-261126-0001",
            "X-Road-Id": "msg-1-" + uuid.uuid4().hex,
        },
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["id"] == "001099012345" and data["path"] == "/people/001099012345?full=1"
    seen = {k.lower(): v for k, v in data["headers"].items()}
    assert seen["x-road-client"] == exchange.client
    assert seen["x-road-userid"] == "VN001099012345"
    assert "x-api-key" not in seen  # the gateway credential never reaches the provider
    assert response.headers["x-road-id"].startswith("msg-1-")
    assert response.headers["x-road-client"] == exchange.client
    assert response.headers["x-road-service"] == exchange.service_path[4:]
    assert len(response.headers["x-road-request-hash"]) == 88  # base64 of SHA-512

    record = _record(loaded_database, response.headers["x-road-id"])
    assert record.succeeded and record.status_code == 200
    assert record.consumer_subsystem_id == exchange.consumer_subsystem_id
    assert record.service_id == exchange.service_id
    assert record.issue == "H26.22-261126-0001"
    # Personal numbers are kept as keyed hashes only, never in clear.
    assert record.user_id.startswith("VN~") and "001099012345" not in record.user_id
    assert record.rest_method == "GET" and "001099012345" not in record.rest_path
    assert record.rest_path.endswith("/people/" + record.user_id[2:])
    assert record.response_size == len(response.content)
    assert record.request_in_ts <= record.request_out_ts <= record.response_in_ts <= record.response_out_ts


def test_generated_message_id_is_echoed(http, exchange: Exchange, loaded_database):
    response = http.get(exchange.service_path + "/people/1", headers=exchange.headers)
    message_id = response.headers["x-road-id"]
    assert uuid.UUID(message_id)
    assert _record(loaded_database, message_id).succeeded


def test_post_body_round_trip_and_streamed_response(http, exchange: Exchange, loaded_database):
    payload = json.dumps({"hồ sơ": "H26.22", "n": list(range(1000))}).encode()
    response = http.post(
        exchange.service_path + "/echo",
        content=payload,
        headers={**exchange.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 200 and response.content == payload
    assert response.headers["x-provider"] == "yes"
    assert _record(loaded_database, response.headers["x-road-id"]).request_size == len(payload)

    streamed = http.get(exchange.service_path + "/stream", headers=exchange.headers)
    assert streamed.status_code == 200 and streamed.content.count(b"chunk 49\n") == 200
    assert _record(loaded_database, streamed.headers["x-road-id"]).response_size == len(streamed.content)


def test_access_denied_without_a_grant(http, exchange: Exchange, loaded_database):
    response = http.get(exchange.service_path + "/people/1", headers=exchange.other_headers)
    _error(response, 500, "server.serverproxy.access_denied")
    record = _record(loaded_database, response.headers["x-road-id"])
    assert not record.succeeded and record.fault_code == "server.serverproxy.access_denied"
    assert record.status_code == 500


def test_spoofed_client_header_is_refused(http, exchange: Exchange, loaded_database):
    spoof = {**exchange.other_headers, "X-Road-Client": exchange.client}
    response = http.get(exchange.service_path + "/people/1", headers=spoof)
    _error(response, 400, "client.identity_mismatch")
    assert _record(loaded_database, response.headers["x-road-id"]).fault_code == "client.identity_mismatch"


@pytest.mark.parametrize(
    "suffix",
    [
        "/../other/people/1",
        "/%2e%2e/people/1",
        "/people%2F1",
        "/people/%2F..%2Fadmin",
        "/people/..",
        "/people/a%5cb",
    ],
)
def test_traversal_and_encoded_slashes_are_refused(
    live_server, exchange: Exchange, loaded_database, suffix: str
):
    response = _raw_get(live_server, exchange.service_path + suffix, exchange.headers)
    _error(response, 400, "client.bad_request")
    assert _record(loaded_database, response.headers["x-road-id"]).fault_code == "client.bad_request"


@pytest.mark.parametrize(
    "path", ["/r1/VN/GOV", "/r1/VN/G%2FOV/X/Y/Z", "/r1/VN/GOV/a%20b/DVC/x", "/r1/VN/GOV/..%2f/DVC/people"]
)
def test_malformed_identifiers(live_server, exchange: Exchange, loaded_database, path: str):
    response = _raw_get(live_server, path, exchange.headers)
    _error(response, 400, "client.bad_request")


def test_unknown_service_and_missing_client(http, exchange: Exchange, loaded_database):
    unknown = http.get(exchange.service_path.rsplit("/", 1)[0] + "/nothing/x", headers=exchange.headers)
    _error(unknown, 500, "server.serverproxy.unknown_service")
    missing = http.get(
        exchange.service_path + "/people/1", headers={"X-API-Key": exchange.headers["X-API-Key"]}
    )
    _error(missing, 400, "client.invalid_client_identifier")
    anonymous = http.get(exchange.service_path + "/people/1", headers={"X-Road-Client": exchange.client})
    _error(anonymous, 400, "client.authentication_failed")
    for response in (unknown, missing, anonymous):
        assert not _record(loaded_database, response.headers["x-road-id"]).succeeded


def test_disabled_service(http, exchange: Exchange, loaded_database):
    with loaded_database.session() as session:
        svc = service.get_service(db_session=session, service_id=exchange.service_id)
        service.update_service(
            db_session=session, actor=cli_actor("t"), service=svc, service_in=ServiceUpdate(enabled=False)
        )
    response = http.get(exchange.service_path + "/people/1", headers=exchange.headers)
    _error(response, 500, "server.serverproxy.service_disabled")
    assert (
        _record(loaded_database, response.headers["x-road-id"]).fault_code
        == "server.serverproxy.service_disabled"
    )


def test_provider_down_slow_and_redirecting(http, exchange: Exchange, loaded_database, provider_url):
    slow = http.get(exchange.service_path + "/slow", headers=exchange.headers)
    _error(slow, 500, "server.serverproxy.timeout")

    redirect = http.get(exchange.service_path + "/redirect", headers=exchange.headers)
    assert redirect.status_code == 302 and redirect.headers["location"] == "http://127.0.0.1:1/elsewhere"
    assert _record(loaded_database, redirect.headers["x-road-id"]).status_code == 302

    failing = http.get(exchange.service_path + "/failing", headers=exchange.headers)
    assert failing.status_code == 503 and failing.json() == {"error": "database busy"}
    assert "x-road-error" not in failing.headers  # the provider's own error passes through as-is
    assert not _record(loaded_database, failing.headers["x-road-id"]).succeeded

    with loaded_database.session() as session:
        svc = service.get_service(db_session=session, service_id=exchange.service_id)
        service.update_service(
            db_session=session,
            actor=cli_actor("t"),
            service=svc,
            service_in=ServiceUpdate(base_url="http://127.0.0.1:9"),
        )
    down = http.get(exchange.service_path + "/people/1", headers=exchange.headers)
    _error(down, 500, "server.serverproxy.network_error")
    for response in (slow, down):
        record = _record(loaded_database, response.headers["x-road-id"])
        assert not record.succeeded and record.fault_code.startswith("server.serverproxy.")


def test_oversize_bodies(http, exchange: Exchange, loaded_database, app):
    limits = app.state.gateway.settings
    too_big = b"x" * (limits.max_request_bytes + 1)
    response = http.post(exchange.service_path + "/echo", content=too_big, headers=exchange.headers)
    _error(response, 400, "client.request_too_large")

    def chunks():
        for _ in range(limits.max_request_bytes // 65536 + 2):
            yield b"y" * 65536

    streamed = http.post(exchange.service_path + "/echo", content=chunks(), headers=exchange.headers)
    _error(streamed, 400, "client.request_too_large")

    original = limits.max_response_bytes
    limits.max_response_bytes = 1024 * 1024
    try:
        big = http.get(exchange.service_path + "/big", headers=exchange.headers)
    finally:
        limits.max_response_bytes = original
    _error(big, 500, "server.serverproxy.response_too_large")
    for r in (response, streamed, big):
        assert not _record(loaded_database, r.headers["x-road-id"]).succeeded


def test_endpoint_level_rights(http, exchange: Exchange, loaded_database):
    from govhub.exchange.schemas import EndpointIn

    actor = cli_actor("t")
    with loaded_database.session() as session:
        svc = service.get_service(db_session=session, service_id=exchange.service_id)
        endpoint = service.add_endpoint(
            db_session=session,
            actor=actor,
            service=svc,
            endpoint_in=EndpointIn(method="GET", path="/people/{id}"),
        )
        other = service.find_subsystem(
            db_session=session,
            member_class="GOV",
            member_code=exchange.other_client.split("/")[2],
            subsystem_code="DVC",
        )
        service.grant(
            db_session=session,
            actor=actor,
            right_in=RightCreate(service_id=svc.id, endpoint_id=endpoint.id, subsystem_id=other.id),
        )
    assert http.get(exchange.service_path + "/people/7", headers=exchange.other_headers).status_code == 200
    denied = http.post(exchange.service_path + "/echo", content=b"{}", headers=exchange.other_headers)
    _error(denied, 500, "server.serverproxy.access_denied")
    deeper = http.get(exchange.service_path + "/people/7/secrets", headers=exchange.other_headers)
    _error(deeper, 500, "server.serverproxy.access_denied")


def test_metaservices(http, exchange: Exchange):
    clients = http.get("/listClients", headers={"X-API-Key": exchange.headers["X-API-Key"]})
    assert clients.status_code == 200
    ids = [m["id"] for m in clients.json()["member"]]
    assert any(i.get("subsystem_code") == "DVC" and i["object_type"] == "SUBSYSTEM" for i in ids)

    provider = exchange.service_path.rsplit("/", 1)[0]
    methods = http.get(provider + "/listMethods", headers=exchange.headers).json()["service"]
    assert [m["service_code"] for m in methods] == ["people"]
    allowed = http.get(provider + "/allowedMethods", headers=exchange.headers).json()["service"]
    assert [m["service_code"] for m in allowed] == ["people"]
    nothing = http.get(provider + "/allowedMethods", headers=exchange.other_headers).json()["service"]
    assert nothing == []
    no_doc = http.get(provider + "/getOpenAPI?serviceCode=people", headers=exchange.headers)
    _error(no_doc, 500, "server.serverproxy.unknown_service")


def test_auditor_finds_who_looked_up_a_person(http, exchange: Exchange, world: World, client):
    from govhub.core.auth.models import Role

    national_id = f"0{uuid.uuid4().int % 10**11:011d}"
    response = http.get(exchange.service_path + f"/people/{national_id}", headers=exchange.headers)
    assert response.status_code == 200
    auditor = world.account(Role.AUDITOR)
    found = client.get(
        "/api/v1/exchange/transactions", params={"person": national_id}, headers=auditor.headers
    ).json()
    assert found["total"] == 1 and found["items"][0]["message_id"] == response.headers["x-road-id"]
    assert national_id not in json.dumps(found)
    operator = world.account(Role.ORG_ADMIN)
    refused = client.get(
        "/api/v1/exchange/transactions", params={"person": national_id}, headers=operator.headers
    )
    assert refused.status_code == 403


# A self-signed test certificate (no private key is kept) and its SHA-256, as a registry would store it.
TEST_CERT = """-----BEGIN CERTIFICATE-----
MIIBhzCCAS2gAwIBAgIUCXjcnfNOg1UiyGEl8k5r3a+5naswCgYIKoZIzj0EAwIw
GTEXMBUGA1UEAwwOVk4tR09WLUgyNi1EVkMwHhcNMjYxMTI3MDAwODEwWhcNMzYx
MTI0MDAwODEwWjAZMRcwFQYDVQQDDA5WTi1HT1YtSDI2LURWQzBZMBMGByqGSM49
AgEGCCqGSM49AwEHA0IABFh5JxKe3NeX45JzSVNO53WKrRnQ+lUk+zKf63vdMzaW
mvXiOhBGZQLP8POg7MBzaqw80e8mkVD8xP7aBjR6ZOWjUzBRMB0GA1UdDgQWBBR+
OfB+PjlWxr9JBIZW5+AFuefsFjAfBgNVHSMEGDAWgBR+OfB+PjlWxr9JBIZW5+AF
uefsFjAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIGuqrwwj+y+a
sbsTRCz0Aw2qgKkrEGdAlfw40FLZATGAAiEAxO332Aa8ZUUgILGACE8M+bBV1Ii/
z1XqNMwObtSzyjY=
-----END CERTIFICATE-----"""
TEST_CERT_SHA256 = "457e95d297925e58d290bacd0210b6efd7ba9b84455c15de0cfe09b740bcb020"


def test_client_certificate_fingerprints_from_a_tls_terminator():
    from urllib.parse import quote

    from govhub.exchange.gateway import cert_fingerprint

    assert cert_fingerprint(quote(TEST_CERT).encode()) == TEST_CERT_SHA256  # nginx $ssl_client_escaped_cert
    colon_hex = ":".join(TEST_CERT_SHA256[i : i + 2] for i in range(0, 64, 2)).upper()
    assert cert_fingerprint(colon_hex.encode()) == TEST_CERT_SHA256
    assert cert_fingerprint(b"-----BEGIN CERTIFICATE-----garbage") == ""


def test_provider_cookies_never_reach_another_consumer(
    http, exchange: Exchange, loaded_database, provider_url
):
    """The gateway shares one upstream session: a cookie set for one consumer must not be replayed."""
    with loaded_database.session() as session:
        svc = service.get_service(db_session=session, service_id=exchange.service_id)
        # A host name, not an address: cookie jars keep cookies of named hosts only.
        service.update_service(
            db_session=session,
            actor=cli_actor("t"),
            service=svc,
            service_in=ServiceUpdate(base_url=provider_url.replace("127.0.0.1", "localhost")),
        )
    first = http.get(exchange.service_path + "/set-cookie", headers=exchange.headers)
    assert first.status_code == 200 and "secret-of-the-first-consumer" in first.headers["set-cookie"]
    with loaded_database.session() as session:
        other = service.find_subsystem(
            db_session=session,
            member_class="GOV",
            member_code=exchange.other_client.split("/")[2],
            subsystem_code="DVC",
        )
        service.grant(
            db_session=session,
            actor=cli_actor("t"),
            right_in=RightCreate(service_id=exchange.service_id, subsystem_id=other.id),
        )
    # A fresh client, so that nothing but the gateway could carry the first consumer's cookie.
    with httpx.Client(base_url=str(http.base_url), timeout=20) as other_client:
        seen = other_client.get(exchange.service_path + "/people/1", headers=exchange.other_headers).json()[
            "headers"
        ]
    assert not any(k.lower() == "cookie" for k in seen)


def test_numeric_identifiers_stay_readable_in_records():
    """An enterprise member's code may be a 10-digit tax code: only the provider's path is pseudonymised."""
    from govhub.exchange.gateway import Transaction as GatewayTransaction

    tx = GatewayTransaction("GET", "/r1/VN/COM/0100100079/DN/orders/citizens/001099012345", "m-1")
    tx.service_key = ("VN", "COM", "0100100079", "DN", "orders")
    tx.rest_path = "/citizens/001099012345"
    recorded = tx.record(b"k").rest_path
    assert recorded.startswith("/r1/VN/COM/0100100079/DN/orders/citizens/~")
    assert "001099012345" not in recorded
    unparsed = GatewayTransaction("GET", "/r1/broken/001099012345", "m-2").record(b"k").rest_path
    assert "001099012345" not in unparsed


def test_wsdl_service_passes_soap_through_and_group_rights(
    http, exchange: Exchange, loaded_database, provider_url
):
    """A SOAP service is a POST to its endpoint; a right given to a group covers its member subsystems."""
    from govhub.exchange.schemas import GroupCreate

    actor = cli_actor("t")
    wsdl = (
        '<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"><portType name="P">'
        '<operation name="traCuuKhaiSinh"/></portType></definitions>'
    )
    with loaded_database.session() as session:
        svc = service.create_service(
            db_session=session,
            actor=actor,
            service_in=ServiceCreate(
                subsystem_id=exchange.provider_subsystem_id,
                code="hotich",
                name="Hộ tịch (SOAP)",
                service_type="WSDL",
                base_url=provider_url + "/echo",
                description_doc=wsdl,
            ),
        )
        service.update_service(
            db_session=session, actor=actor, service=svc, service_in=ServiceUpdate(enabled=True)
        )
        group = service.create_group(
            db_session=session,
            actor=actor,
            group_in=GroupCreate(code=f"LGSP-{uuid.uuid4().hex[:6]}", description="Các LGSP"),
        )
        other = service.find_subsystem(
            db_session=session,
            member_class="GOV",
            member_code=exchange.other_client.split("/")[2],
            subsystem_code="DVC",
        )
        service.add_group_member(db_session=session, actor=actor, group_id=group.id, subsystem_id=other.id)
        service.grant(
            db_session=session, actor=actor, right_in=RightCreate(service_id=svc.id, group_id=group.id)
        )
        path = "/r1/" + service.service_identifier(session, svc, "VN")
    envelope = (
        b'<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
        b"<soap:Body><traCuuKhaiSinh/></soap:Body></soap:Envelope>"
    )
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '"traCuuKhaiSinh"'}
    allowed = http.post(path, content=envelope, headers={**exchange.other_headers, **headers})
    assert allowed.status_code == 200 and allowed.content == envelope
    assert allowed.headers["content-type"].startswith("text/xml")
    denied = http.post(path, content=envelope, headers={**exchange.headers, **headers})
    _error(denied, 500, "server.serverproxy.access_denied")
