"""Bad input gets a 4xx problem document a person can act on; never a 500 or a stack trace."""

from __future__ import annotations

from fastapi.testclient import TestClient

from govhub.core.auth.models import Role

from conftest import World

PROBLEM = "application/problem+json"


def _is_problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert "Traceback" not in response.text
    return body


def test_malformed_json_is_400(client: TestClient, world: World):
    admin = world.account(Role.SYSTEM_ADMIN)
    response = client.post(
        "/api/v1/organisations",
        content=b'{"code": "X1", "name": ',
        headers={**admin.headers, "Content-Type": "application/json"},
    )
    body = _is_problem(response, 400)
    assert "not valid JSON" in body["detail"]


def test_wrong_types_are_422_with_field_errors(client: TestClient, world: World):
    admin = world.account(Role.SYSTEM_ADMIN)
    response = client.post(
        "/api/v1/organisations",
        json={"code": 12, "name": ["x"], "kind": "galaxy", "parent_id": "abc"},
        headers=admin.headers,
    )
    body = _is_problem(response, 422)
    fields = {e["field"] for e in body["errors"]}
    assert {"code", "name", "kind", "parent_id"} <= fields
    assert all(e["message"] for e in body["errors"])


def test_unknown_fields_and_weak_passwords_are_refused(client: TestClient, world: World):
    admin = world.account(Role.SYSTEM_ADMIN)
    extra = client.post(
        "/api/v1/organisations",
        json={"code": "X.extra", "name": "Extra", "kind": "other", "x": 1},
        headers=admin.headers,
    )
    assert _is_problem(extra, 422)["errors"][0]["field"] == "x"
    weak = client.post(
        "/api/v1/users",
        json={
            "username": "weak.pw",
            "full_name": "Weak",
            "password": "1234567890",
            "role": "operator",
            "organisation_id": admin.organisation_id,
        },
        headers=admin.headers,
    )
    errors = _is_problem(weak, 422)["errors"]
    assert errors[0]["field"] == "password" and "letters" in errors[0]["message"]


def test_oversize_body_is_413_with_and_without_content_length(client: TestClient, world: World):
    admin = world.account(Role.SYSTEM_ADMIN)
    big = b'{"name": "' + b"x" * 70_000 + b'"}'
    declared = client.post(
        "/api/v1/keys", content=big, headers={**admin.headers, "Content-Type": "application/json"}
    )
    assert "exceeds" in _is_problem(declared, 413)["detail"]

    def chunks():
        for _ in range(20):
            yield b"x" * 8192

    streamed = client.post(
        "/api/v1/keys", content=chunks(), headers={**admin.headers, "Content-Type": "application/json"}
    )
    _is_problem(streamed, 413)


def test_out_of_range_ids_and_unknown_paths(client: TestClient, world: World):
    admin = world.account(Role.SYSTEM_ADMIN)
    _is_problem(client.get("/api/v1/organisations/99999999999999999999", headers=admin.headers), 422)
    _is_problem(client.get("/api/v1/organisations/2147483647", headers=admin.headers), 404)
    _is_problem(client.get("/api/v1/nothing-here"), 404)
    _is_problem(client.delete("/api/v1/keys/not-a-key", headers=admin.headers), 422)


def test_conflicts_are_409(client: TestClient, world: World):
    admin = world.account(Role.SYSTEM_ADMIN)
    payload = {"code": f"DUP.{admin.user_id}", "name": "Duplicate", "kind": "other"}
    assert client.post("/api/v1/organisations", json=payload, headers=admin.headers).status_code == 201
    _is_problem(client.post("/api/v1/organisations", json=payload, headers=admin.headers), 409)


def test_an_organisation_cannot_move_under_itself(client: TestClient, world: World):
    admin = world.account(Role.SYSTEM_ADMIN)
    parent = world.organisation()
    child = world.organisation(parent_id=parent)
    response = client.patch(
        f"/api/v1/organisations/{parent}", json={"parent_id": child}, headers=admin.headers
    )
    _is_problem(response, 409)


def test_nul_characters_are_a_4xx_on_every_database(client: TestClient, world: World):
    admin = world.account(Role.SYSTEM_ADMIN)
    response = client.post(
        "/api/v1/organisations",
        json={"code": f"NUL.{admin.user_id}", "name": "bad\u0000name", "kind": "other"},
        headers=admin.headers,
    )
    assert response.status_code in (201, 400), response.text
    listing = client.get("/api/v1/organisations", params={"q": "a\u0000b"}, headers=admin.headers)
    assert listing.status_code in (200, 400)
