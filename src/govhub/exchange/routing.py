"""The gateway's in-memory routing table: one snapshot per worker, reloaded when the registry version moves."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from govhub.core.database import Database
from govhub.exchange import service as registry
from govhub.exchange.identifiers import path_matches
from govhub.exchange.models import (
    AccessRight,
    Endpoint,
    GroupMember,
    Member,
    Service,
    Subsystem,
    SubsystemCertificate,
    SubsystemKey,
)

SubsystemKey_ = tuple[str, str, str, str]  # instance, class, member, subsystem


@dataclass(frozen=True, slots=True)
class Route:
    service_id: int
    subsystem_id: int
    key: tuple[str, str, str, str, str]
    service_type: str
    base_url: str
    timeout: float
    verify_tls: bool
    enabled: bool
    description_doc: str | None

    @property
    def identifier(self) -> str:
        return "/".join(self.key)


@dataclass(frozen=True, slots=True)
class Credential:
    secret_hash: str
    subsystem_id: int
    expires_at_ms: int | None


@dataclass
class Table:
    version: int
    instance: str
    routes: dict[tuple[str, str, str, str, str], Route] = field(default_factory=dict)
    subsystems: dict[SubsystemKey_, int] = field(default_factory=dict)
    subsystem_keys: dict[int, SubsystemKey_] = field(default_factory=dict)
    subsystem_names: dict[int, str] = field(default_factory=dict)
    member_names: dict[tuple[str, str], str] = field(default_factory=dict)
    services_of: dict[int, list[Route]] = field(default_factory=dict)
    credentials: dict[str, Credential] = field(default_factory=dict)
    certificates: dict[str, int] = field(default_factory=dict)
    rights: dict[int, list[tuple[int | None, frozenset[int]]]] = field(default_factory=dict)
    endpoints: dict[int, tuple[str, str]] = field(default_factory=dict)
    # (key header, X-Road-Client header) → (consumer id, expiry): skips re-hashing a key already checked
    # against this snapshot; a new snapshot (any registry change, e.g. a revocation) starts empty.
    verified: dict[tuple[bytes, bytes | None], tuple[int, int | None]] = field(default_factory=dict)

    def allowed(self, consumer_id: int, route: Route, method: str, path: str) -> bool:
        """Service-level rights allow every endpoint; endpoint rights allow a method and path pattern."""
        for endpoint_id, subjects in self.rights.get(route.service_id, ()):
            if consumer_id not in subjects:
                continue
            if endpoint_id is None:
                return True
            endpoint = self.endpoints.get(endpoint_id)
            if endpoint and endpoint[0] in ("*", method) and path_matches(endpoint[1], path or "/"):
                return True
        return False

    def may_call_any(self, consumer_id: int, route: Route) -> bool:
        return any(consumer_id in subjects for _e, subjects in self.rights.get(route.service_id, ()))


def load(db_session: Session, instance: str) -> Table:
    table = Table(version=registry.registry_version(db_session), instance=instance)
    members = {m.id: m for m in db_session.scalars(select(Member))}
    for member in members.values():
        table.member_names[(member.member_class, member.member_code)] = member.name
    for subsystem in db_session.scalars(select(Subsystem)):
        member = members[subsystem.member_id]
        key = (instance, member.member_class, member.member_code, subsystem.code)
        table.subsystems[key] = subsystem.id
        table.subsystem_keys[subsystem.id] = key
        table.subsystem_names[subsystem.id] = subsystem.name
    for service in db_session.scalars(select(Service)):
        sub_key = table.subsystem_keys[service.subsystem_id]
        route = Route(
            service_id=service.id,
            subsystem_id=service.subsystem_id,
            key=(*sub_key, service.code),
            service_type=service.service_type,
            base_url=service.base_url,
            timeout=service.timeout_seconds,
            verify_tls=service.verify_tls,
            enabled=service.enabled,
            description_doc=service.description_doc,
        )
        table.routes[route.key] = route
        table.services_of.setdefault(service.subsystem_id, []).append(route)
    for endpoint in db_session.scalars(select(Endpoint)):
        table.endpoints[endpoint.id] = (endpoint.method, endpoint.path)
    groups: dict[int, set[int]] = {}
    for row in db_session.scalars(select(GroupMember)):
        groups.setdefault(row.group_id, set()).add(row.subsystem_id)
    for right in db_session.scalars(select(AccessRight)):
        subjects = {right.subsystem_id} if right.subsystem_id else groups.get(right.group_id or 0, set())
        table.rights.setdefault(right.service_id, []).append((right.endpoint_id, frozenset(subjects)))
    for key in db_session.scalars(select(SubsystemKey).where(SubsystemKey.revoked_at.is_(None))):
        expires = int(key.expires_at.timestamp() * 1000) if key.expires_at else None
        table.credentials[key.key_id] = Credential(key.secret_hash, key.subsystem_id, expires)
    for cert in db_session.scalars(select(SubsystemCertificate)):
        table.certificates[cert.fingerprint] = cert.subsystem_id
    return table


class RoutingCache:
    """Checks the registry version at most every `refresh` seconds; 0 means on every request (tests)."""

    def __init__(self, database: Database, instance: str, refresh: float) -> None:
        self.database = database
        self.instance = instance
        self.refresh = refresh
        self.table: Table | None = None
        self.checked = 0.0

    def get(self) -> Table:
        now = time.monotonic()
        if self.table is not None and now - self.checked < self.refresh:
            return self.table
        with self.database.sessionmaker() as db_session:
            version = registry.registry_version(db_session)
            if self.table is None or version != self.table.version:
                self.table = load(db_session, self.instance)
        self.checked = now
        return self.table
