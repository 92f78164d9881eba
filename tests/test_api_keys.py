"""API keys: created once, stored hashed, usable, narrowed by scope, dead when expired or revoked."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select

from govhub.core.auth.models import ApiKey, Role
from govhub.core.database import Database

from conftest import World


def test_created_key_works_and_is_stored_only_as_a_hash(client: TestClient, world: World, database: Database):
    admin = world.account(Role.SYSTEM_ADMIN)
    created = client.post(
        "/api/v1/keys", json={"name": "integration", "expires_in_days": 30}, headers=admin.headers
    )
    assert created.status_code == 201, created.text
    body = created.json()
    token = body["token"]
    assert token.startswith("ghk_") and body["key_id"] in token

    me = client.get("/api/v1/me", headers={"X-API-Key": token})
    assert me.status_code == 200
    assert me.json()["label"].startswith(admin.username)
    assert me.json()["kind"] == "api_key"

    with database.session() as session:
        key = session.scalar(select(ApiKey).where(ApiKey.key_id == body["key_id"]))
        assert key is not None
        stored = [str(getattr(key, c.key)) for c in ApiKey.__table__.columns]
        assert not any(token.split("_", 2)[2] in value for value in stored)
        assert len(key.secret_hash) == 64
        assert key.last_used_at is not None

    listed = client.get("/api/v1/keys", headers=admin.headers).json()
    mine = [k for k in listed if k["key_id"] == body["key_id"]]
    assert mine and "token" not in mine[0]


def test_expired_key_is_refused(client: TestClient, world: World, database: Database):
    account = world.account(Role.OPERATOR)
    assert client.get("/api/v1/me", headers=account.headers).status_code == 200
    key_id = account.token.split("_")[1]
    with database.session() as session:
        key = session.scalar(select(ApiKey).where(ApiKey.key_id == key_id))
        key.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    refused = client.get("/api/v1/me", headers=account.headers)
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "expired" in refused.json()["detail"]


def test_revoked_key_is_refused_and_revocation_is_audited(client: TestClient, world: World):
    owner = world.account(Role.OPERATOR)
    second = client.post("/api/v1/keys", json={"name": "to revoke"}, headers=owner.headers).json()
    other_headers = {"Authorization": f"Bearer {second['token']}"}
    assert client.get("/api/v1/me", headers=other_headers).status_code == 200

    revoked = client.delete(f"/api/v1/keys/{second['key_id']}", headers=owner.headers)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert client.get("/api/v1/me", headers=other_headers).status_code == 401
    again = client.delete(f"/api/v1/keys/{second['key_id']}", headers=owner.headers)
    assert again.status_code == 409

    auditor = world.account(Role.AUDITOR)
    events = client.get(
        "/api/v1/audit/events",
        params={"action": "apikey.revoke", "entity_id": second["key_id"]},
        headers=auditor.headers,
    ).json()
    assert events["total"] == 1
    assert events["items"][0]["actor_label"].startswith(owner.username)


def test_scopes_narrow_a_key_below_its_owner(client: TestClient, world: World):
    admin = world.account(Role.SYSTEM_ADMIN, scopes=["orgs:read"])
    assert client.get("/api/v1/organisations", headers=admin.headers).status_code == 200
    denied = client.post(
        "/api/v1/organisations",
        json={"code": "X.scope", "name": "Scope test", "kind": "other"},
        headers=admin.headers,
    )
    assert denied.status_code == 403


def test_garbage_and_unknown_keys_are_401(client: TestClient):
    for token in ("nonsense", "ghk_000000000000_nope", "ghk_short_x", ""):
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, token


def test_operator_cannot_mint_keys_for_someone_else(client: TestClient, world: World):
    operator = world.account(Role.OPERATOR)
    victim = world.account(Role.OPERATOR)
    response = client.post(
        "/api/v1/keys", json={"name": "x", "user_id": victim.user_id}, headers=operator.headers
    )
    assert response.status_code == 403


def test_a_scoped_key_cannot_mint_a_wider_one(client: TestClient, world: World):
    admin = world.account(Role.SYSTEM_ADMIN, scopes=["orgs:read", "keys:manage"])
    wider = client.post("/api/v1/keys", json={"name": "escalate", "scopes": ["*"]}, headers=admin.headers)
    assert wider.status_code == 403
    other = client.post(
        "/api/v1/keys", json={"name": "escalate", "scopes": ["audit:read"]}, headers=admin.headers
    )
    assert other.status_code == 403
    narrower = client.post(
        "/api/v1/keys", json={"name": "ok", "scopes": ["orgs:read"]}, headers=admin.headers
    )
    assert narrower.status_code == 201
