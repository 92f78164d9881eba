"""Helpers for server-rendered pages: who is signed in, CSRF on forms, readable form errors."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import ValidationError
from sqlalchemy.orm import Session

from govhub.core.actor import Actor
from govhub.core.auth import service as auth_service
from govhub.core.deps import check_csrf, client_ip, request_id
from govhub.core.errors import Problem


class LoginRequired(Problem):
    def __init__(self) -> None:
        super().__init__(401, "Please sign in to continue.")


def current_actor(request: Request, db_session: Session) -> Actor | None:
    session = request.scope.get("session") or {}
    actor = None
    if "uid" in session:
        actor = auth_service.actor_from_session(
            db_session=db_session,
            kind=session.get("kind", "user"),
            uid=session["uid"],
            ip=client_ip(request),
            request_id=request_id(request),
        )
    request.state.actor = actor
    return actor


def page_actor(request: Request, db_session: Session, permission: str | None = None) -> Actor:
    actor = current_actor(request, db_session)
    if actor is None:
        raise LoginRequired()
    if permission and not actor.can(permission):
        raise Problem(403, "Your role does not allow this page.")
    return actor


async def checked_form(request: Request) -> dict[str, Any]:
    """Reads a posted form and refuses it unless it carries this session's CSRF token."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    return {k: v for k, v in form.items() if k != "csrf_token"}


def error_lines(exc: ValidationError) -> list[str]:
    lines = []
    for error in exc.errors():
        field = ".".join(str(p) for p in error.get("loc", ()))
        lines.append(f"{field}: {error.get('msg')}" if field else str(error.get("msg")))
    return lines


def flash(request: Request, text: str, kind: str = "ok") -> None:
    request.session["flash"] = {"text": text, "kind": kind}


def blank_to_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if isinstance(v, str) and v.strip() == "" else v) for k, v in data.items()}
