"""FastAPI dependencies shared by every part: the unit of work, the acting principal, permission checks."""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from govhub.core.actor import Actor
from govhub.core.audit import service as audit
from govhub.core.auth import service as auth_service
from govhub.core.auth.security import new_csrf_token
from govhub.core.database import Database
from govhub.core.errors import Problem

API_KEY_HEADER = "x-api-key"
CSRF_HEADER = "x-csrf-token"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def get_database(request: Request) -> Database:
    return request.app.state.database


def get_db_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the handler returns, rolled back when it raises."""
    with get_database(request).session() as db_session:
        yield db_session


def request_id(request: Request) -> str:
    rid = getattr(request.state, "request_id", None)
    if rid is None:
        rid = request.headers.get("x-request-id") or uuid.uuid4().hex
        request.state.request_id = rid[:64]
    return request.state.request_id


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.headers.get(API_KEY_HEADER)


def get_actor(request: Request, db_session: Session = Depends(get_db_session)) -> Actor | None:
    """The API key wins over the cookie; a bad key is an error, never a silent fall-back to the session."""
    token = _bearer_token(request)
    ip, rid = client_ip(request), request_id(request)
    if token:
        actor = auth_service.actor_from_api_key(db_session=db_session, token=token, ip=ip, request_id=rid)
        if actor is None:
            raise Problem(
                401,
                "The API key is unknown, expired or revoked.",
                headers={"WWW-Authenticate": 'Bearer realm="govhub"'},
            )
        return actor
    session = request.scope.get("session")
    if not session or "uid" not in session:
        return None
    actor = auth_service.actor_from_session(
        db_session=db_session, kind=session.get("kind", "user"), uid=session["uid"], ip=ip, request_id=rid
    )
    if actor is None:
        session.clear()
        return None
    if request.method in UNSAFE and request.url.path.startswith("/api/"):
        # Cookie-authenticated API writes must prove they come from our pages.
        check_csrf(request, request.headers.get(CSRF_HEADER))
    return actor


def require_actor(actor: Actor | None = Depends(get_actor)) -> Actor:
    if actor is None:
        raise Problem(
            401,
            "Sign in, or send an API key as 'Authorization: Bearer …' or 'X-API-Key'.",
            headers={"WWW-Authenticate": 'Bearer realm="govhub"'},
        )
    return actor


def require(permission: str) -> Callable[..., Actor]:
    def dependency(request: Request, actor: Actor = Depends(require_actor)) -> Actor:
        if not actor.can(permission):
            _record_denial(request, actor, permission)
            raise Problem(403, f"Your role does not allow '{permission}'.")
        return actor

    return dependency


def _record_denial(request: Request, actor: Actor, permission: str) -> None:
    """Denials are kept in their own transaction: the request's own one is rolled back by the 403."""
    with get_database(request).session() as db_session:
        audit.record(
            db_session=db_session,
            actor=actor,
            action="access.denied",
            entity_type="endpoint",
            entity_id=f"{request.method} {request.url.path}"[:64],
            after={"permission": permission},
        )


def csrf_token(request: Request) -> str:
    session = request.session
    if "csrf" not in session:
        session["csrf"] = new_csrf_token()
    return session["csrf"]


def check_csrf(request: Request, presented: str | None) -> None:
    expected = request.session.get("csrf") if "session" in request.scope else None
    if not expected or not presented or not hmac.compare_digest(expected, presented):
        raise Problem(403, "The form has expired or did not come from this site; reload the page and retry.")


EntityId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Numeric identifier")]
