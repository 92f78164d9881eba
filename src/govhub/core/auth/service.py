"""Accounts, sign-in and API keys; org admins are confined to their own subtree."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govhub.core.actor import Actor
from govhub.core.audit import service as audit
from govhub.core.auth import permissions
from govhub.core.auth.models import ApiKey, Citizen, Role, User
from govhub.core.auth.schemas import ApiKeyCreate, CitizenCreate, UserCreate, UserUpdate
from govhub.core.auth.security import (
    hash_password,
    new_api_key,
    secret_matches,
    split_api_key,
    verify_password,
)
from govhub.core.database import utcnow
from govhub.core.errors import Conflict, Forbidden, NotFound, Problem
from govhub.core.orgs import service as orgs

# Writing last_used_at on every call would turn each read into a write; once a minute is enough.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def user_actor(user: User, *, ip: str | None = None, request_id: str | None = None) -> Actor:
    return Actor(
        kind="user",
        id=str(user.id),
        label=user.username,
        role=user.role,
        organisation_id=user.organisation_id,
        user_id=user.id,
        permissions=permissions.for_role(user.role),
        ip=ip,
        request_id=request_id,
    )


def citizen_actor(citizen: Citizen, *, ip: str | None = None, request_id: str | None = None) -> Actor:
    return Actor(
        kind="citizen",
        id=str(citizen.id),
        label=f"citizen {audit.mask(citizen.national_id)}",
        ip=ip,
        request_id=request_id,
    )


def actor_from_session(
    *, db_session: Session, kind: str, uid: int, ip: str | None, request_id: str | None
) -> Actor | None:
    if kind == "citizen":
        citizen = db_session.get(Citizen, uid)
        return citizen_actor(citizen, ip=ip, request_id=request_id) if citizen and citizen.is_active else None
    user = db_session.get(User, uid)
    if user is None or not user.is_active:
        return None
    return user_actor(user, ip=ip, request_id=request_id)


def actor_from_api_key(
    *, db_session: Session, token: str, ip: str | None, request_id: str | None
) -> Actor | None:
    parts = split_api_key(token)
    if parts is None:
        return None
    key_id, secret = parts
    key = db_session.scalar(select(ApiKey).where(ApiKey.key_id == key_id))
    if key is None or not secret_matches(secret, key.secret_hash):
        return None
    now = utcnow()
    if key.revoked_at is not None or (key.expires_at is not None and key.expires_at <= now):
        return None
    user = db_session.get(User, key.user_id)
    if user is None or not user.is_active:
        return None
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        key.last_used_at = now
    return Actor(
        kind="api_key",
        id=key.key_id,
        label=f"{user.username} (key {key.key_id})",
        role=user.role,
        organisation_id=user.organisation_id,
        user_id=user.id,
        permissions=permissions.narrow(permissions.for_role(user.role), key.scopes),
        ip=ip,
        request_id=request_id,
    )


# --- users -------------------------------------------------------------------------------------------


def get_user(*, db_session: Session, user_id: int) -> User | None:
    return db_session.get(User, user_id)


def get_user_by_username(*, db_session: Session, username: str) -> User | None:
    return db_session.scalar(select(User).where(User.username == username))


def visible_user(*, db_session: Session, actor: Actor, user: User) -> bool:
    """Auditors and system admins see every account; others only those of their own subtree."""
    if actor.can("*") or actor.role == Role.AUDITOR or actor.user_id == user.id:
        return True
    if actor.organisation_id is None:
        return False
    return user.organisation_id in orgs.subtree_ids(
        db_session=db_session, organisation_id=actor.organisation_id
    )


def _confine(*, db_session: Session, actor: Actor, organisation_id: int) -> None:
    """System admins and the CLI act anywhere; anyone else only inside their own organisation's subtree."""
    if actor.can("*"):
        return
    if actor.organisation_id is None or organisation_id not in orgs.subtree_ids(
        db_session=db_session, organisation_id=actor.organisation_id
    ):
        raise Forbidden("You can only manage accounts of your own organisation and its units.")


def list_users(
    *,
    db_session: Session,
    actor: Actor,
    organisation_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[int, list[User]]:
    statement = select(User)
    if not actor.can("*") and actor.role != Role.AUDITOR and actor.organisation_id is not None:
        statement = statement.where(
            User.organisation_id.in_(
                orgs.subtree_ids(db_session=db_session, organisation_id=actor.organisation_id)
            )
        )
    if organisation_id is not None:
        statement = statement.where(User.organisation_id == organisation_id)
    total = db_session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = db_session.scalars(statement.order_by(User.username).limit(limit).offset(offset)).all()
    return total, list(rows)


def create_user(*, db_session: Session, actor: Actor, user_in: UserCreate) -> User:
    if orgs.get(db_session=db_session, organisation_id=user_in.organisation_id) is None:
        raise Problem(
            422,
            f"Organisation {user_in.organisation_id} does not exist.",
            errors=[{"field": "organisation_id", "message": "unknown organisation"}],
        )
    _confine(db_session=db_session, actor=actor, organisation_id=user_in.organisation_id)
    if user_in.role == Role.SYSTEM_ADMIN and not actor.can("*"):
        raise Forbidden("Only a system administrator can create another system administrator.")
    if get_user_by_username(db_session=db_session, username=user_in.username) is not None:
        raise Conflict(f"The username '{user_in.username}' is taken.")
    user = User(
        username=user_in.username,
        full_name=user_in.full_name,
        email=user_in.email,
        password_hash=hash_password(user_in.password),
        role=user_in.role,
        organisation_id=user_in.organisation_id,
    )
    db_session.add(user)
    db_session.flush()
    audit.record(
        db_session=db_session,
        actor=actor,
        action="user.create",
        entity_type="user",
        entity_id=user.id,
        after=audit.snapshot(user),
    )
    return user


def update_user(*, db_session: Session, actor: Actor, user: User, user_in: UserUpdate) -> User:
    _confine(db_session=db_session, actor=actor, organisation_id=user.organisation_id)
    data = user_in.model_dump(exclude_unset=True)
    if data.get("role") == Role.SYSTEM_ADMIN and not actor.can("*"):
        raise Forbidden("Only a system administrator can grant the system administrator role.")
    audit.apply_update(
        db_session=db_session, actor=actor, row=user, data=data, action="user.update", entity_type="user"
    )
    return user


def authenticate(
    *, db_session: Session, username: str, password: str, ip: str | None = None
) -> User | Citizen | None:
    """Officers sign in with a username; citizens with their 12-digit ID number. Both attempts are audited."""
    account: User | Citizen | None
    if username.isdigit() and len(username) == 12:
        account = db_session.scalar(select(Citizen).where(Citizen.national_id == username))
        label = f"citizen {audit.mask(username)}"
    else:
        account = get_user_by_username(db_session=db_session, username=username)
        label = username[:64]
    ok = verify_password(account.password_hash if account else None, password)
    ok = ok and account is not None and account.is_active
    system = Actor(kind="system", id=None, label=label, ip=ip)
    audit.record(
        db_session=db_session,
        actor=system,
        action="session.login" if ok else "session.login_failed",
        entity_type="citizen" if isinstance(account, Citizen) else "user",
        entity_id=account.id if account else None,
    )
    if not ok or account is None:
        return None
    if isinstance(account, User):
        account.last_login_at = utcnow()
    return account


def get_citizen(*, db_session: Session, national_id: str) -> Citizen | None:
    return db_session.scalar(select(Citizen).where(Citizen.national_id == national_id))


def create_citizen(*, db_session: Session, actor: Actor, citizen_in: CitizenCreate) -> Citizen:
    if get_citizen(db_session=db_session, national_id=citizen_in.national_id):
        raise Conflict("An account already exists for this ID number.")
    citizen = Citizen(
        national_id=citizen_in.national_id,
        full_name=citizen_in.full_name,
        phone=citizen_in.phone,
        email=citizen_in.email,
        password_hash=hash_password(citizen_in.password),
    )
    db_session.add(citizen)
    db_session.flush()
    audit.record(
        db_session=db_session,
        actor=actor,
        action="citizen.create",
        entity_type="citizen",
        entity_id=citizen.id,
        after=audit.snapshot(citizen),
    )
    return citizen


def count_users(*, db_session: Session) -> int:
    return db_session.scalar(select(func.count()).select_from(User)) or 0


# --- API keys ----------------------------------------------------------------------------------------


def create_api_key(*, db_session: Session, actor: Actor, key_in: ApiKeyCreate) -> tuple[ApiKey, str]:
    """Returns the key and its token; the token is not stored and cannot be shown again."""
    if actor.kind == "citizen":
        raise Forbidden("Citizen accounts cannot hold API keys.")
    owner_id = key_in.user_id or actor.user_id
    if owner_id is None:
        raise Problem(
            422, "Say which user owns the key.", errors=[{"field": "user_id", "message": "required"}]
        )
    owner = get_user(db_session=db_session, user_id=owner_id)
    if owner is None:
        raise NotFound(f"User {owner_id}")
    if owner.id != actor.user_id:
        if not actor.can(permissions.KEYS_MANAGE):
            raise Forbidden("You can only create keys for yourself.")
        _confine(db_session=db_session, actor=actor, organisation_id=owner.organisation_id)
    # A scoped key may mint keys only within its own reach, never a wider one.
    reach = permissions.narrow(permissions.for_role(owner.role), key_in.scopes)
    widens = "*" in reach or not reach <= actor.permissions
    if actor.kind == "api_key" and not actor.can("*") and widens:
        raise Forbidden("A scoped API key can only create keys with a subset of its own scopes.")
    token, key_id, secret_hash = new_api_key()
    expires_at = utcnow() + dt.timedelta(days=key_in.expires_in_days) if key_in.expires_in_days else None
    key = ApiKey(
        key_id=key_id,
        secret_hash=secret_hash,
        name=key_in.name,
        user_id=owner.id,
        scopes=key_in.scopes,
        expires_at=expires_at,
    )
    db_session.add(key)
    db_session.flush()
    audit.record(
        db_session=db_session,
        actor=actor,
        action="apikey.create",
        entity_type="api_key",
        entity_id=key.key_id,
        after=audit.snapshot(key),
    )
    return key, token


def get_api_key(*, db_session: Session, key_id: str) -> ApiKey | None:
    return db_session.scalar(select(ApiKey).where(ApiKey.key_id == key_id))


def list_api_keys(*, db_session: Session, actor: Actor, user_id: int | None = None) -> list[ApiKey]:
    statement = select(ApiKey).order_by(ApiKey.created_at.desc())
    if user_id is not None:
        statement = statement.where(ApiKey.user_id == user_id)
    keys = list(db_session.scalars(statement).all())
    if actor.can("*"):
        return keys
    allowed = (
        orgs.subtree_ids(db_session=db_session, organisation_id=actor.organisation_id)
        if actor.organisation_id
        else set()
    )
    owners = {u.id: u for u in db_session.scalars(select(User).where(User.id.in_({k.user_id for k in keys})))}
    return [
        k
        for k in keys
        if k.user_id == actor.user_id
        or (actor.can(permissions.KEYS_MANAGE) and owners[k.user_id].organisation_id in allowed)
    ]


def revoke_api_key(*, db_session: Session, actor: Actor, key: ApiKey) -> ApiKey:
    owner = get_user(db_session=db_session, user_id=key.user_id)
    if owner is not None and owner.id != actor.user_id:
        if not actor.can(permissions.KEYS_MANAGE):
            raise Forbidden("You can only revoke your own keys.")
        _confine(db_session=db_session, actor=actor, organisation_id=owner.organisation_id)
    if key.revoked_at is not None:
        raise Conflict(f"Key {key.key_id} was already revoked.")
    key.revoked_at = utcnow()
    db_session.flush()
    audit.record(
        db_session=db_session,
        actor=actor,
        action="apikey.revoke",
        entity_type="api_key",
        entity_id=key.key_id,
        before={"revoked_at": None},
        after={"revoked_at": key.revoked_at.isoformat()},
    )
    return key
