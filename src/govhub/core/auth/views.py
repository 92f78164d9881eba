"""Sign-in, language switch, the account page with API keys, and user administration pages."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from govhub.core import i18n
from govhub.core.auth import service
from govhub.core.auth.models import Role, User
from govhub.core.auth.permissions import USERS_MANAGE, USERS_READ
from govhub.core.auth.schemas import ApiKeyCreate, UserCreate
from govhub.core.auth.security import new_csrf_token
from govhub.core.deps import client_ip, get_db_session
from govhub.core.errors import Problem
from govhub.core.orgs import service as orgs
from govhub.core.pages import blank_to_none, checked_form, current_actor, error_lines, flash, page_actor
from govhub.web.templating import LANG_COOKIE, render, request_locale

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only local paths, so the login form cannot be used to bounce people to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login")
def login_page(request: Request, next: str = "/", db_session: Session = Depends(get_db_session)) -> Response:
    current_actor(request, db_session)
    return render(request, "login.html", {"next": _safe_next(next)})


@router.post("/login")
async def login(request: Request, db_session: Session = Depends(get_db_session)) -> Response:
    form = await checked_form(request)
    username = str(form.get("username", "")).strip()[:64]
    password = str(form.get("password", ""))[:256]
    account = service.authenticate(
        db_session=db_session, username=username, password=password, ip=client_ip(request)
    )
    if account is None:
        return render(
            request,
            "login.html",
            {
                "error": i18n.gettext(
                    request_locale(request), "The username or password is wrong, or the account is disabled."
                ),
                "username": username,
                "next": _safe_next(str(form.get("next", "/"))),
            },
            status_code=401,
        )
    request.session.clear()
    request.session["uid"] = account.id
    request.session["kind"] = "user" if isinstance(account, User) else "citizen"
    request.session["csrf"] = new_csrf_token()
    return RedirectResponse(_safe_next(str(form.get("next", "/"))), status_code=303)


@router.post("/logout")
async def logout(request: Request) -> Response:
    await checked_form(request)
    request.session.clear()
    return RedirectResponse("/", status_code=303)


@router.get("/lang/{code}")
def switch_language(code: str, next: str = "/") -> Response:
    if code not in i18n.LOCALES:
        raise Problem(
            404, f"Language '{code[:10]}' is not available; choose one of {', '.join(i18n.LOCALES)}."
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return response


@router.get("/account")
def account_page(request: Request, db_session: Session = Depends(get_db_session)) -> Response:
    actor = page_actor(request, db_session)
    keys = (
        service.list_api_keys(db_session=db_session, actor=actor, user_id=actor.user_id)
        if actor.user_id
        else []
    )
    return render(
        request, "account.html", {"keys": keys, "new_token": request.session.pop("new_token", None)}
    )


@router.post("/account/keys")
async def create_key_page(request: Request, db_session: Session = Depends(get_db_session)) -> Response:
    actor = page_actor(request, db_session)
    form = blank_to_none(await checked_form(request))
    try:
        key_in = ApiKeyCreate(
            name=form.get("name") or "",
            expires_in_days=form.get("expires_in_days"),
            scopes=["*"],
        )
    except ValidationError as exc:
        flash(request, "; ".join(error_lines(exc)), "error")
        return RedirectResponse("/account", status_code=303)
    _key, token = service.create_api_key(db_session=db_session, actor=actor, key_in=key_in)
    request.session["new_token"] = token
    return RedirectResponse("/account", status_code=303)


@router.post("/account/keys/{key_id}/revoke")
async def revoke_key_page(
    key_id: str, request: Request, db_session: Session = Depends(get_db_session)
) -> Response:
    actor = page_actor(request, db_session)
    await checked_form(request)
    key = service.get_api_key(db_session=db_session, key_id=key_id[:16])
    if key is None:
        raise Problem(404, f"API key {key_id[:16]} was not found.")
    service.revoke_api_key(db_session=db_session, actor=actor, key=key)
    flash(request, f"{key.key_id}: revoked")
    return RedirectResponse("/account", status_code=303)


@router.get("/admin/users")
def users_page(request: Request, offset: int = 0, db_session: Session = Depends(get_db_session)) -> Response:
    actor = page_actor(request, db_session, USERS_READ)
    offset = max(0, min(offset, 10_000_000))
    total, users = service.list_users(db_session=db_session, actor=actor, limit=50, offset=offset)
    _count, organisations = orgs.list_(db_session=db_session, limit=500)
    return render(
        request,
        "users.html",
        {
            "users": users,
            "total": total,
            "offset": offset,
            "organisations": organisations,
            "org_names": {o.id: o.name for o in organisations},
            "roles": list(Role),
            "can_manage": actor.can(USERS_MANAGE),
        },
    )


@router.post("/admin/users")
async def create_user_page(request: Request, db_session: Session = Depends(get_db_session)) -> Response:
    actor = page_actor(request, db_session, USERS_MANAGE)
    form = blank_to_none(await checked_form(request))
    try:
        user_in = UserCreate.model_validate(form)
    except ValidationError as exc:
        flash(request, "; ".join(error_lines(exc)), "error")
        return RedirectResponse("/admin/users", status_code=303)
    try:
        user = service.create_user(db_session=db_session, actor=actor, user_in=user_in)
    except Problem as exc:
        if exc.status >= 500:
            raise
        flash(request, exc.detail, "error")
        return RedirectResponse("/admin/users", status_code=303)
    flash(request, f"{user.username}: created")
    return RedirectResponse("/admin/users", status_code=303)
