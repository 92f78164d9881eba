"""Registry management through the API: members, OpenAPI and WSDL services, access requests, keys, statistics."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import httpx
from fastapi.testclient import TestClient

from govhub.core.auth.models import Role
from govhub.core.orgs.models import OrgKind

from conftest import World

OPENAPI = json.dumps(
    {
        "openapi": "3.0.3",
        "info": {"title": "Dân cư", "version": "1"},
        "paths": {
            "/people/{id}": {"get": {"responses": {"200": {"description": "ok"}}}},
            "/echo": {"post": {"responses": {"200": {"description": "ok"}}}},
        },
    }
)
WSDL = """<?xml version="1.0"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" name="Hotich">
  <portType name="P"><operation name="traCuuKhaiSinh"/><operation name="dangKyKhaiSinh"/></portType>
</definitions>"""


def _setup(client: TestClient, world: World, provider_url: str = "http://127.0.0.1:9") -> dict:
    province = world.organisation(OrgKind.PROVINCE)
    owner = world.organisation(OrgKind.DATABASE_OWNER)
    admin = world.account(Role.SYSTEM_ADMIN)
    h = admin.headers
    suffix = uuid.uuid4().hex[:8]
    provider = client.post(
        "/api/v1/exchange/members",
        json={"organisation_id": owner, "member_class": "GOV", "member_code": f"P{suffix}"},
        headers=h,
    ).json()
    consumer = client.post(
        "/api/v1/exchange/members",
        json={"organisation_id": province, "member_class": "GOV", "member_code": f"C{suffix}"},
        headers=h,
    ).json()
    db = client.post(
        "/api/v1/exchange/subsystems",
        json={
            "member_id": provider["id"],
            "code": "POPULATION",
            "name": "CSDL dân cư",
            "kind": "national_database",
        },
        headers=h,
    ).json()
    dvc = client.post(
        "/api/v1/exchange/subsystems",
        json={"member_id": consumer["id"], "code": "DVC", "name": "Một cửa"},
        headers=h,
    ).json()
    svc = client.post(
        "/api/v1/exchange/services",
        json={
            "subsystem_id": db["id"],
            "code": "people",
            "name": "Tra cứu",
            "service_type": "OPENAPI3",
            "base_url": provider_url,
            "description_doc": OPENAPI,
        },
        headers=h,
    )
    assert svc.status_code == 201, svc.text
    return {
        "admin": admin,
        "provider": provider,
        "consumer": consumer,
        "db": db,
        "dvc": dvc,
        "service": svc.json(),
        "province": province,
        "owner": owner,
    }


def test_openapi_service_is_parsed_and_added_disabled(client: TestClient, world: World):
    s = _setup(client, world)
    service = s["service"]
    assert service["enabled"] is False
    assert {(e["method"], e["path"]) for e in service["endpoints"]} == {
        ("GET", "/people/{id}"),
        ("POST", "/echo"),
    }
    assert service["identifier"].endswith("/POPULATION/people")
    bad = client.post(
        "/api/v1/exchange/services",
        json={
            "subsystem_id": s["db"]["id"],
            "code": "bad",
            "name": "Bad",
            "service_type": "OPENAPI3",
            "base_url": "http://127.0.0.1:9",
            "description_doc": "openapi: 2.0\npaths: {}",
        },
        headers=s["admin"].headers,
    )
    assert bad.status_code == 422 and "OpenAPI 3" in bad.json()["detail"]
    reserved = client.post(
        "/api/v1/exchange/services",
        json={
            "subsystem_id": s["db"]["id"],
            "code": "listMethods",
            "name": "x",
            "base_url": "http://127.0.0.1:9",
        },
        headers=s["admin"].headers,
    )
    assert reserved.status_code == 422
    with_query = client.post(
        "/api/v1/exchange/services",
        json={"subsystem_id": s["db"]["id"], "code": "q", "name": "x", "base_url": "http://127.0.0.1:9/?a=1"},
        headers=s["admin"].headers,
    )
    assert with_query.status_code == 422


def test_wsdl_service_and_xml_bombs(client: TestClient, world: World):
    s = _setup(client, world)
    ok = client.post(
        "/api/v1/exchange/services",
        json={
            "subsystem_id": s["db"]["id"],
            "code": "hotich",
            "name": "Hộ tịch",
            "service_type": "WSDL",
            "base_url": "http://127.0.0.1:9/soap",
            "description_doc": WSDL,
        },
        headers=s["admin"].headers,
    )
    assert ok.status_code == 201 and ok.json()["endpoints"][0]["method"] == "POST"
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><definitions>&b;</definitions>'
    refused = client.post(
        "/api/v1/exchange/services",
        json={
            "subsystem_id": s["db"]["id"],
            "code": "bomb",
            "name": "Bomb",
            "service_type": "WSDL",
            "base_url": "http://127.0.0.1:9/soap",
            "description_doc": bomb,
        },
        headers=s["admin"].headers,
    )
    assert refused.status_code == 422


def test_access_request_approval_refusal_and_audit(client: TestClient, world: World):
    s = _setup(client, world)
    consumer_admin = world.account(Role.ORG_ADMIN, organisation_id=s["province"])
    provider_admin = world.account(Role.ORG_ADMIN, organisation_id=s["owner"])
    body = {
        "consumer_subsystem_id": s["dvc"]["id"],
        "service_id": s["service"]["id"],
        "purpose": "Điền sẵn thông tin công dân khi nộp hồ sơ (Nghị định 47/2020)",
    }
    created = client.post("/api/v1/exchange/access-requests", json=body, headers=consumer_admin.headers)
    assert created.status_code == 201, created.text
    request_id = created.json()["id"]
    assert (
        client.post("/api/v1/exchange/access-requests", json=body, headers=consumer_admin.headers).status_code
        == 409
    )

    # The consumer cannot approve its own request; the provider can.
    self_approve = client.post(
        f"/api/v1/exchange/access-requests/{request_id}/decision",
        json={"approve": True, "reason": "đồng ý"},
        headers=consumer_admin.headers,
    )
    assert self_approve.status_code == 403
    approved = client.post(
        f"/api/v1/exchange/access-requests/{request_id}/decision",
        json={"approve": True, "reason": "Đúng chức năng, nhiệm vụ"},
        headers=provider_admin.headers,
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    rights = client.get(
        f"/api/v1/exchange/rights?service_id={s['service']['id']}", headers=provider_admin.headers
    ).json()
    assert [r["subsystem_id"] for r in rights] == [s["dvc"]["id"]]
    again = client.post(
        f"/api/v1/exchange/access-requests/{request_id}/decision",
        json={"approve": False, "reason": "không đồng ý"},
        headers=provider_admin.headers,
    )
    assert again.status_code == 409

    second = client.post(
        "/api/v1/exchange/access-requests",
        json={**body, "purpose": "Thống kê dân số theo xã"},
        headers=consumer_admin.headers,
    ).json()
    no_reason = client.post(
        f"/api/v1/exchange/access-requests/{second['id']}/decision",
        json={"approve": False, "reason": ""},
        headers=provider_admin.headers,
    )
    assert no_reason.status_code == 422
    refused = client.post(
        f"/api/v1/exchange/access-requests/{second['id']}/decision",
        json={"approve": False, "reason": "Không có căn cứ pháp lý cho mục đích thống kê"},
        headers=provider_admin.headers,
    ).json()
    assert refused["status"] == "refused" and refused["decision_reason"].startswith("Không có căn cứ")

    auditor = world.account(Role.AUDITOR)
    actions = {
        e["action"]
        for e in client.get(
            "/api/v1/audit/events",
            params={"entity_type": "xr_access_request", "limit": 500},
            headers=auditor.headers,
        ).json()["items"]
        if e["entity_id"] in (str(request_id), str(second["id"]))
    }
    assert {
        "exchange.access_request.create",
        "exchange.access_request.approved",
        "exchange.access_request.refused",
    } <= actions


def test_org_admin_cannot_register_for_another_organisation(client: TestClient, world: World):
    s = _setup(client, world)
    outsider = world.account(Role.ORG_ADMIN)
    response = client.post(
        "/api/v1/exchange/subsystems",
        json={"member_id": s["provider"]["id"], "code": "X", "name": "Intruder"},
        headers=outsider.headers,
    )
    assert response.status_code == 403
    operator = world.account(Role.OPERATOR)
    assert client.get("/api/v1/exchange/members", headers=operator.headers).status_code == 200
    assert (
        client.post(
            "/api/v1/exchange/groups", json={"code": "g", "description": "gg"}, headers=operator.headers
        ).status_code
        == 403
    )


def test_keys_certificates_and_statistics_through_the_gateway(
    client: TestClient, world: World, live_server: str, app
):
    from tests_support_provider import running_provider

    with running_provider() as provider_url:
        s = _setup(client, world, provider_url)
        h = s["admin"].headers
        service_id = s["service"]["id"]
        assert (
            client.patch(
                f"/api/v1/exchange/services/{service_id}", json={"enabled": True}, headers=h
            ).status_code
            == 200
        )
        assert (
            client.post(
                "/api/v1/exchange/rights",
                json={"service_id": service_id, "subsystem_id": s["dvc"]["id"]},
                headers=h,
            ).status_code
            == 201
        )
        key = client.post(
            f"/api/v1/exchange/subsystems/{s['dvc']['id']}/keys", json={"name": "một cửa"}, headers=h
        ).json()
        assert key["token"].startswith("ghx_")
        fingerprint = uuid.uuid4().hex + uuid.uuid4().hex
        cert = client.post(
            f"/api/v1/exchange/subsystems/{s['dvc']['id']}/certificates",
            json={"fingerprint": fingerprint},
            headers=h,
        )
        assert cert.status_code == 201
        path = "/r1/" + s["service"]["identifier"] + "/people/001099012345"
        headers = {"X-Road-Client": s["dvc"]["identifier"], "X-API-Key": key["token"]}
        with httpx.Client(base_url=live_server, timeout=10) as http:
            for _ in range(3):
                assert http.get(path, headers=headers).status_code == 200
            # getOpenAPI returns the registered description.
            described = http.get(
                "/r1/" + s["db"]["identifier"] + "/getOpenAPI?serviceCode=people", headers=headers
            )
            assert described.status_code == 200 and described.json()["info"]["title"] == "Dân cư"
            # A client certificate vouched for by a trusted TLS terminator authenticates too.
            settings = app.state.gateway.settings
            settings.client_cert_header = "X-Client-Cert-SHA256"
            try:
                by_cert = http.get(
                    path,
                    headers={"X-Road-Client": s["dvc"]["identifier"], "X-Client-Cert-SHA256": fingerprint},
                )
            finally:
                settings.client_cert_header = None
            assert by_cert.status_code == 200
            revoked = client.delete(f"/api/v1/exchange/keys/{key['key_id']}", headers=h)
            assert revoked.status_code == 200
            after = http.get(path, headers=headers)
            assert (
                after.status_code == 400 and after.headers["x-road-error"] == "client.authentication_failed"
            )

        today = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).date()
        counts = client.get(
            "/api/v1/exchange/stats/counts",
            params={
                "start": today.isoformat(),
                "end": (today + dt.timedelta(days=1)).isoformat(),
                "group_by": "consumer",
            },
            headers=h,
        ).json()
        mine = [r for r in counts if r["key"] == str(s["dvc"]["id"])]
        # 3 key calls, 1 certificate call and 1 metaservice; the call after revocation has no known consumer.
        assert mine and mine[0]["succeeded"] == 5 and mine[0]["failed"] == 0 and mine[0]["label"] == "Một cửa"
        txs = client.get(
            "/api/v1/exchange/transactions",
            params={"consumer_subsystem_id": s["dvc"]["id"], "since": today.isoformat() + "T00:00:00"},
            headers=h,
        ).json()
        assert txs["total"] == 5
        refused = client.get(
            "/api/v1/exchange/transactions", params={"succeeded": False, "limit": 1000}, headers=h
        ).json()["items"]
        # The ID number in the path is stored as a keyed hash, never in clear.
        assert any(
            t["fault_code"] == "client.authentication_failed"
            and t["rest_path"].startswith(path.removesuffix("001099012345") + "~")
            for t in refused
        )
        health = client.get(f"/api/v1/exchange/services/{service_id}/health", headers=h).json()
        assert health["successful"] == 4 and health["last_success_ts"] is not None
        overview = client.get("/api/v1/exchange/stats/overview", headers=h).json()
        assert overview["providing_national_databases"] >= 1 and overview["connected_organisations"] >= 2

        # Members see their own transactions only; an unrelated organisation sees none of these.
        outsider = world.account(Role.ORG_ADMIN)
        theirs = client.get(
            "/api/v1/exchange/transactions",
            params={"consumer_subsystem_id": s["dvc"]["id"]},
            headers=outsider.headers,
        )
        assert theirs.json()["total"] == 0
        bad_range = client.get(
            "/api/v1/exchange/stats/counts", params={"start": "2026-01-02", "end": "2026-01-01"}, headers=h
        )
        assert bad_range.status_code == 422
