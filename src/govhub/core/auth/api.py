"""Account and API-key management API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy.orm import Session

from govhub.core.actor import Actor
from govhub.core.auth import service
from govhub.core.auth.permissions import USERS_MANAGE, USERS_READ
from govhub.core.auth.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyRead,
    UserCreate,
    UserPage,
    UserRead,
    UserUpdate,
    WhoAmI,
)
from govhub.core.deps import EntityId, get_db_session, require, require_actor
from govhub.core.errors import NotFound

router = APIRouter(prefix="/api/v1", tags=["accounts"])
KeyId = Annotated[str, Path(pattern=r"^[0-9a-f]{12}$", description="The public part of a key")]


@router.get("/me", response_model=WhoAmI, summary="Who the request is authenticated as")
def whoami(actor: Actor = Depends(require_actor)) -> WhoAmI:
    return WhoAmI(
        kind=actor.kind,
        id=actor.id,
        label=actor.label,
        role=actor.role,
        organisation_id=actor.organisation_id,
        permissions=sorted(actor.permissions),
    )


@router.get("/users", response_model=UserPage)
def list_users(
    organisation_id: int | None = Query(default=None, ge=1, le=2**31 - 1),
    limit: int = Query(default=100, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=10_000_000),
    db_session: Session = Depends(get_db_session),
    actor: Actor = Depends(require(USERS_READ)),
) -> UserPage:
    total, rows = service.list_users(
        db_session=db_session, actor=actor, organisation_id=organisation_id, limit=limit, offset=offset
    )
    return UserPage(total=total, items=[UserRead.model_validate(r) for r in rows])


@router.post("/users", response_model=UserRead, status_code=201)
def create_user(
    user_in: UserCreate,
    db_session: Session = Depends(get_db_session),
    actor: Actor = Depends(require(USERS_MANAGE)),
) -> UserRead:
    return UserRead.model_validate(service.create_user(db_session=db_session, actor=actor, user_in=user_in))


@router.get("/users/{user_id}", response_model=UserRead)
def get_user(
    user_id: EntityId,
    db_session: Session = Depends(get_db_session),
    actor: Actor = Depends(require(USERS_READ)),
) -> UserRead:
    user = service.get_user(db_session=db_session, user_id=user_id)
    if user is None or not service.visible_user(db_session=db_session, actor=actor, user=user):
        raise NotFound(f"User {user_id}")
    return UserRead.model_validate(user)


@router.patch("/users/{user_id}", response_model=UserRead)
def update_user(
    user_id: EntityId,
    user_in: UserUpdate,
    db_session: Session = Depends(get_db_session),
    actor: Actor = Depends(require(USERS_MANAGE)),
) -> UserRead:
    user = service.get_user(db_session=db_session, user_id=user_id)
    if user is None:
        raise NotFound(f"User {user_id}")
    return UserRead.model_validate(
        service.update_user(db_session=db_session, actor=actor, user=user, user_in=user_in)
    )


@router.get("/keys", response_model=list[ApiKeyRead], summary="API keys you may see")
def list_keys(
    user_id: int | None = Query(default=None, ge=1, le=2**31 - 1),
    db_session: Session = Depends(get_db_session),
    actor: Actor = Depends(require_actor),
) -> list[ApiKeyRead]:
    keys = service.list_api_keys(db_session=db_session, actor=actor, user_id=user_id)
    return [ApiKeyRead.model_validate(k) for k in keys]


@router.post(
    "/keys",
    response_model=ApiKeyCreated,
    status_code=201,
    summary="Create an API key; the token is in this response only",
)
def create_key(
    key_in: ApiKeyCreate,
    db_session: Session = Depends(get_db_session),
    actor: Actor = Depends(require_actor),
) -> ApiKeyCreated:
    key, token = service.create_api_key(db_session=db_session, actor=actor, key_in=key_in)
    return ApiKeyCreated(**ApiKeyRead.model_validate(key).model_dump(), token=token)


@router.delete("/keys/{key_id}", response_model=ApiKeyRead, summary="Revoke an API key")
def revoke_key(
    key_id: KeyId,
    db_session: Session = Depends(get_db_session),
    actor: Actor = Depends(require_actor),
) -> ApiKeyRead:
    key = service.get_api_key(db_session=db_session, key_id=key_id)
    if key is None:
        raise NotFound(f"API key {key_id}")
    return ApiKeyRead.model_validate(service.revoke_api_key(db_session=db_session, actor=actor, key=key))
