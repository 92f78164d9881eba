"""Roles: what each may do, 403 for the rest, and the audit log tells who did what."""

from __future__ import annotations

from fastapi.testclient import TestClient

from govhub.core.auth.models import Role
from govhub.core.orgs.models import OrgKind

from conftest import PASSWORD, World


def _user(org_id: int, username: str, role: str = "operator") -> dict:
    return {
        "username": username,
        "full_name": "Nguyễn Văn Bình",
        "password": PASSWORD,
        "role": role,
        "organisation_id": org_id,
    }


def test_operator_may_not_create_users_and_the_denial_is_audited(client: TestClient, world: World):
    operator = world.account(Role.OPERATOR)
    response = client.post(
        "/api/v1/users", json=_user(operator.organisation_id, "blocked.user"), headers=operator.headers
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "Your role does not allow 'users:manage'."

    auditor = world.account(Role.AUDITOR)
    events = client.get(
        "/api/v1/audit/events", params={"action": "access.denied", "limit": 500}, headers=auditor.headers
    ).json()["items"]
    mine = [e for e in events if e["actor_label"].startswith(operator.username)]
    assert mine and mine[0]["entity_id"] == "POST /api/v1/users"
    assert mine[0]["after"] == {"permission": "users:manage"}


def test_org_admin_manages_own_subtree_only(client: TestClient, world: World):
    province = world.organisation(OrgKind.PROVINCE)
    department = world.organisation(OrgKind.PROVINCIAL_DEPARTMENT, parent_id=province)
    elsewhere = world.organisation(OrgKind.PROVINCE)
    admin = world.account(Role.ORG_ADMIN, organisation_id=province)

    inside = client.post(
        "/api/v1/users", json=_user(department, f"dept.{admin.user_id}"), headers=admin.headers
    )
    assert inside.status_code == 201, inside.text
    outside = client.post(
        "/api/v1/users", json=_user(elsewhere, f"out.{admin.user_id}"), headers=admin.headers
    )
    assert outside.status_code == 403
    escalate = client.post(
        "/api/v1/users", json=_user(department, f"sys.{admin.user_id}", "system_admin"), headers=admin.headers
    )
    assert escalate.status_code == 403


def test_audit_log_shows_who_did_what_with_before_and_after(client: TestClient, world: World):
    admin = world.account(Role.SYSTEM_ADMIN)
    created = client.post(
        "/api/v1/organisations",
        json={
            "code": f"000.00.{admin.user_id}.T1",
            "name": "Sở Y tế thử nghiệm",
            "kind": "provincial_department",
        },
        headers=admin.headers,
    )
    assert created.status_code == 201, created.text
    org_id = created.json()["id"]
    renamed = client.patch(f"/api/v1/organisations/{org_id}", json={"name": "Sở Y tế"}, headers=admin.headers)
    assert renamed.status_code == 200

    auditor = world.account(Role.AUDITOR)
    events = client.get(
        "/api/v1/audit/events",
        params={"entity_type": "organisation", "entity_id": str(org_id)},
        headers=auditor.headers,
    ).json()
    actions = [(e["action"], e["actor_label"].split(" ")[0]) for e in events["items"]]
    assert actions == [("organisation.update", admin.username), ("organisation.create", admin.username)]
    update = events["items"][0]
    assert update["before"] == {"name": "Sở Y tế thử nghiệm"}
    assert update["after"]["name"] == "Sở Y tế"
    assert update["actor_kind"] == "api_key"


def test_operator_cannot_read_the_audit_log(client: TestClient, world: World):
    operator = world.account(Role.OPERATOR)
    assert client.get("/api/v1/audit/events", headers=operator.headers).status_code == 403


def test_anonymous_requests_get_401_with_a_hint(client: TestClient):
    response = client.get("/api/v1/organisations")
    assert response.status_code == 401
    assert "API key" in response.json()["detail"]


def test_audit_rows_cannot_be_changed_or_deleted(database):
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    with database.engine.connect() as connection:
        for statement in ("UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event"):
            with pytest.raises(DBAPIError, match="append-only"):
                connection.execute(text(statement))
            connection.rollback()


def test_personal_data_is_masked_in_the_audit_log(client: TestClient, world: World, database):
    from sqlalchemy import select

    from govhub.core.actor import cli_actor
    from govhub.core.audit.models import AuditEvent
    from govhub.core.auth import service
    from govhub.core.auth.schemas import CitizenCreate

    national_id = f"0010{world.organisation():08d}"
    with database.session() as session:
        citizen = service.create_citizen(
            db_session=session,
            actor=cli_actor("test"),
            citizen_in=CitizenCreate(
                national_id=national_id, full_name="Trần Thị Mai", phone="0987654321", password=PASSWORD
            ),
        )
        event = session.scalar(
            select(AuditEvent).where(
                AuditEvent.entity_type == "citizen", AuditEvent.entity_id == str(citizen.id)
            )
        )
        assert event.after["national_id"] == "*" * 9 + national_id[-3:]
        assert event.after["phone"] == "*******321"
        assert "password_hash" not in event.after


def test_org_admin_cannot_read_accounts_outside_their_subtree(client: TestClient, world: World):
    admin = world.account(Role.ORG_ADMIN)
    stranger = world.account(Role.OPERATOR)
    assert client.get(f"/api/v1/users/{stranger.user_id}", headers=admin.headers).status_code == 404
    assert client.get(f"/api/v1/users/{admin.user_id}", headers=admin.headers).status_code == 200


def test_audit_filters_accept_local_times(client: TestClient, world: World):
    auditor = world.account(Role.AUDITOR)
    response = client.get(
        "/api/v1/audit/events",
        params={"since": "2026-11-26T00:00:00", "until": "2030-01-01"},
        headers=auditor.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["total"] > 0
