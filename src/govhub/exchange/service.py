"""The exchange registry, access rights, gateway credentials, transaction queries and statistics.

Other parts (monitor) read the exchange only through the functions here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import Session

from govhub.core.actor import Actor
from govhub.core.audit import service as audit
from govhub.core.auth import security
from govhub.core.database import utcnow
from govhub.core.errors import Conflict, Forbidden, NotFound, Problem
from govhub.core.orgs import service as orgs
from govhub.exchange import descriptions
from govhub.exchange.models import (
    AccessRequest,
    AccessRight,
    ClientGroup,
    DailyCount,
    Endpoint,
    GroupMember,
    Member,
    MemberClass,
    MonthlyCount,
    RegistryVersion,
    Service,
    Subsystem,
    SubsystemCertificate,
    SubsystemKey,
    Transaction,
)
from govhub.exchange.permissions import EXCHANGE_MANAGE, TRANSACTIONS_ALL
from govhub.exchange.schemas import (
    AccessDecision,
    AccessRequestCreate,
    EndpointIn,
    GroupCreate,
    MemberClassIn,
    MemberCreate,
    RightCreate,
    ServiceCreate,
    ServiceUpdate,
    SubsystemCreate,
    SubsystemKeyCreate,
)

KEY_PREFIX = "ghx"


# --- helpers -------------------------------------------------------------------------------------


def bump_version(db_session: Session) -> None:
    """Tells every gateway worker to reload its routing table."""
    db_session.execute(
        update(RegistryVersion).where(RegistryVersion.id == 1).values(version=RegistryVersion.version + 1)
    )


def registry_version(db_session: Session) -> int:
    return db_session.scalar(select(RegistryVersion.version).where(RegistryVersion.id == 1)) or 0


def _get(db_session: Session, model: Any, ident: int, what: str) -> Any:
    row = db_session.get(model, ident)
    if row is None:
        raise NotFound(f"{what} {ident}")
    return row


def _field_problem(field: str, message: str) -> Problem:
    return Problem(422, f"{field}: {message}", errors=[{"field": field, "message": message}])


def _may_manage(db_session: Session, actor: Actor, organisation_id: int) -> bool:
    if actor.can("*"):
        return True
    if not actor.can(EXCHANGE_MANAGE) or actor.organisation_id is None:
        return False
    return organisation_id in orgs.subtree_ids(db_session=db_session, organisation_id=actor.organisation_id)


def may_manage(*, db_session: Session, actor: Actor, organisation_id: int) -> bool:
    """Pages ask this to show a form (or a base URL) only to those the service functions would let through."""
    return _may_manage(db_session, actor, organisation_id)


def organisation_of_subsystem(*, db_session: Session, subsystem_id: int) -> int:
    return member_of_subsystem(
        db_session, get_subsystem(db_session=db_session, subsystem_id=subsystem_id)
    ).organisation_id


def _require_manage(db_session: Session, actor: Actor, organisation_id: int) -> None:
    if not _may_manage(db_session, actor, organisation_id):
        raise Forbidden("You can only manage the exchange registry of your own organisation and its units.")


def _record(
    db_session: Session, actor: Actor, action: str, entity: str, row: Any, before: dict | None = None
) -> None:
    audit.record(
        db_session=db_session,
        actor=actor,
        action=action,
        entity_type=entity,
        entity_id=getattr(row, "id", None),
        before=before,
        after=audit.snapshot(row) if row is not None else None,
    )


def member_of_subsystem(db_session: Session, subsystem: Subsystem) -> Member:
    return _get(db_session, Member, subsystem.member_id, "Member")


def subsystem_identifier(db_session: Session, subsystem: Subsystem, instance: str) -> str:
    member = member_of_subsystem(db_session, subsystem)
    return f"{instance}/{member.member_class}/{member.member_code}/{subsystem.code}"


def service_identifier(db_session: Session, service: Service, instance: str) -> str:
    subsystem = _get(db_session, Subsystem, service.subsystem_id, "Subsystem")
    return f"{subsystem_identifier(db_session, subsystem, instance)}/{service.code}"


def _service_org(db_session: Session, service: Service) -> int:
    subsystem = _get(db_session, Subsystem, service.subsystem_id, "Subsystem")
    return member_of_subsystem(db_session, subsystem).organisation_id


# --- member classes, members, subsystems ----------------------------------------------------------


def list_member_classes(*, db_session: Session) -> list[MemberClass]:
    return list(db_session.scalars(select(MemberClass).order_by(MemberClass.code)))


def create_member_class(*, db_session: Session, actor: Actor, class_in: MemberClassIn) -> MemberClass:
    if not actor.can("*"):
        raise Forbidden("Only a system administrator defines member classes.")
    if db_session.get(MemberClass, class_in.code):
        raise Conflict(f"Member class {class_in.code} exists.")
    row = MemberClass(code=class_in.code, description=class_in.description)
    db_session.add(row)
    db_session.flush()
    audit.record(
        db_session=db_session,
        actor=actor,
        action="exchange.member_class.create",
        entity_type="member_class",
        entity_id=row.code,
        after=audit.snapshot(row),
    )
    return row


def create_member(*, db_session: Session, actor: Actor, member_in: MemberCreate) -> Member:
    organisation = orgs.get(db_session=db_session, organisation_id=member_in.organisation_id)
    if organisation is None:
        raise _field_problem("organisation_id", "unknown organisation")
    _require_manage(db_session, actor, organisation.id)
    if db_session.get(MemberClass, member_in.member_class) is None:
        raise _field_problem("member_class", "unknown member class; see GET /api/v1/exchange/member-classes")
    if db_session.scalar(select(Member).where(Member.organisation_id == organisation.id)):
        raise Conflict(f"{organisation.name} is already a member.")
    if db_session.scalar(
        select(Member).where(
            Member.member_class == member_in.member_class, Member.member_code == member_in.member_code
        )
    ):
        raise Conflict(f"Member {member_in.member_class}/{member_in.member_code} exists.")
    member = Member(
        organisation_id=organisation.id,
        member_class=member_in.member_class,
        member_code=member_in.member_code,
        name=member_in.name or organisation.name,
    )
    db_session.add(member)
    db_session.flush()
    _record(db_session, actor, "exchange.member.create", "xr_member", member)
    bump_version(db_session)
    return member


def list_members(*, db_session: Session) -> list[Member]:
    return list(db_session.scalars(select(Member).order_by(Member.member_class, Member.member_code)))


def get_member(*, db_session: Session, member_id: int) -> Member:
    return _get(db_session, Member, member_id, "Member")


def create_subsystem(*, db_session: Session, actor: Actor, subsystem_in: SubsystemCreate) -> Subsystem:
    member = get_member(db_session=db_session, member_id=subsystem_in.member_id)
    _require_manage(db_session, actor, member.organisation_id)
    if db_session.scalar(
        select(Subsystem).where(Subsystem.member_id == member.id, Subsystem.code == subsystem_in.code)
    ):
        raise Conflict(f"Subsystem {subsystem_in.code} exists for this member.")
    subsystem = Subsystem(
        member_id=member.id, code=subsystem_in.code, name=subsystem_in.name, kind=subsystem_in.kind
    )
    db_session.add(subsystem)
    db_session.flush()
    _record(db_session, actor, "exchange.subsystem.create", "xr_subsystem", subsystem)
    bump_version(db_session)
    return subsystem


def list_subsystems(*, db_session: Session, member_id: int | None = None) -> list[Subsystem]:
    statement = select(Subsystem).order_by(Subsystem.member_id, Subsystem.code)
    if member_id is not None:
        statement = statement.where(Subsystem.member_id == member_id)
    return list(db_session.scalars(statement))


def get_subsystem(*, db_session: Session, subsystem_id: int) -> Subsystem:
    return _get(db_session, Subsystem, subsystem_id, "Subsystem")


def find_subsystem(
    *, db_session: Session, member_class: str, member_code: str, subsystem_code: str
) -> Subsystem | None:
    return db_session.scalar(
        select(Subsystem)
        .join(Member, Member.id == Subsystem.member_id)
        .where(
            Member.member_class == member_class,
            Member.member_code == member_code,
            Subsystem.code == subsystem_code,
        )
    )


# --- services and endpoints ------------------------------------------------------------------------


def create_service(*, db_session: Session, actor: Actor, service_in: ServiceCreate) -> Service:
    """Added disabled (as X-Road does): the owner enables it once the description is checked."""
    subsystem = get_subsystem(db_session=db_session, subsystem_id=service_in.subsystem_id)
    _require_manage(db_session, actor, member_of_subsystem(db_session, subsystem).organisation_id)
    if db_session.scalar(
        select(Service).where(Service.subsystem_id == subsystem.id, Service.code == service_in.code)
    ):
        raise Conflict(f"Service {service_in.code} exists in this subsystem.")
    endpoints: list[tuple[str, str, str]] = []
    try:
        if service_in.service_type == "OPENAPI3":
            if not service_in.description_doc:
                raise descriptions.DescriptionError("an OPENAPI3 service needs its OpenAPI description")
            doc = descriptions.load_openapi(service_in.description_doc)
            endpoints = [(m, p, "openapi") for m, p in descriptions.openapi_endpoints(doc)]
        elif service_in.service_type == "WSDL":
            if service_in.description_doc:
                descriptions.wsdl_operations(service_in.description_doc)
            endpoints = [("POST", "/**", "wsdl")]
    except descriptions.DescriptionError as exc:
        raise _field_problem("description_doc", str(exc)) from exc
    service = Service(
        subsystem_id=subsystem.id,
        code=service_in.code,
        name=service_in.name,
        service_type=service_in.service_type,
        base_url=str(service_in.base_url).rstrip("/"),
        description_doc=service_in.description_doc,
        timeout_seconds=service_in.timeout_seconds,
        verify_tls=service_in.verify_tls,
        enabled=False,
    )
    db_session.add(service)
    db_session.flush()
    for method, path, source in dict.fromkeys(endpoints):
        db_session.add(Endpoint(service_id=service.id, method=method, path=path, source=source))
    db_session.flush()
    _record(db_session, actor, "exchange.service.create", "xr_service", service)
    bump_version(db_session)
    return service


def get_service(*, db_session: Session, service_id: int) -> Service:
    return _get(db_session, Service, service_id, "Service")


def list_services(*, db_session: Session, subsystem_id: int | None = None) -> list[Service]:
    statement = select(Service).order_by(Service.subsystem_id, Service.code)
    if subsystem_id is not None:
        statement = statement.where(Service.subsystem_id == subsystem_id)
    return list(db_session.scalars(statement))


def endpoints_of(*, db_session: Session, service_id: int) -> list[Endpoint]:
    return list(
        db_session.scalars(select(Endpoint).where(Endpoint.service_id == service_id).order_by(Endpoint.path))
    )


def update_service(
    *, db_session: Session, actor: Actor, service: Service, service_in: ServiceUpdate
) -> Service:
    _require_manage(db_session, actor, _service_org(db_session, service))
    data = service_in.model_dump(exclude_unset=True)
    if "base_url" in data:
        data["base_url"] = str(data["base_url"]).rstrip("/")
    before = audit.snapshot(service)
    for name, value in data.items():
        setattr(service, name, value)
    db_session.flush()
    old, new = audit.changes(before, audit.snapshot(service))
    if new:
        action = "exchange.service.update"
        if set(new) == {"enabled"}:
            action = "exchange.service.enable" if new["enabled"] else "exchange.service.disable"
        audit.record(
            db_session=db_session,
            actor=actor,
            action=action,
            entity_type="xr_service",
            entity_id=service.id,
            before=old,
            after=new,
        )
        bump_version(db_session)
    return service


def add_endpoint(*, db_session: Session, actor: Actor, service: Service, endpoint_in: EndpointIn) -> Endpoint:
    _require_manage(db_session, actor, _service_org(db_session, service))
    if db_session.scalar(
        select(Endpoint).where(
            Endpoint.service_id == service.id,
            Endpoint.method == endpoint_in.method,
            Endpoint.path == endpoint_in.path,
        )
    ):
        raise Conflict(f"Endpoint {endpoint_in.method} {endpoint_in.path} exists.")
    endpoint = Endpoint(
        service_id=service.id, method=endpoint_in.method, path=endpoint_in.path, source="manual"
    )
    db_session.add(endpoint)
    db_session.flush()
    _record(db_session, actor, "exchange.endpoint.create", "xr_endpoint", endpoint)
    bump_version(db_session)
    return endpoint


# --- groups and access rights -----------------------------------------------------------------------


def create_group(*, db_session: Session, actor: Actor, group_in: GroupCreate) -> ClientGroup:
    if not actor.can("*"):
        raise Forbidden("Only a system administrator defines groups.")
    if db_session.scalar(select(ClientGroup).where(ClientGroup.code == group_in.code)):
        raise Conflict(f"Group {group_in.code} exists.")
    group = ClientGroup(code=group_in.code, description=group_in.description)
    db_session.add(group)
    db_session.flush()
    _record(db_session, actor, "exchange.group.create", "xr_group", group)
    return group


def list_groups(*, db_session: Session) -> list[ClientGroup]:
    return list(db_session.scalars(select(ClientGroup).order_by(ClientGroup.code)))


def group_members(*, db_session: Session, group_id: int) -> list[Subsystem]:
    """The subsystems a group right reaches, for pages that show who may call what."""
    return list(
        db_session.scalars(
            select(Subsystem)
            .join(GroupMember, GroupMember.subsystem_id == Subsystem.id)
            .where(GroupMember.group_id == group_id)
            .order_by(Subsystem.code)
        )
    )


def add_group_member(*, db_session: Session, actor: Actor, group_id: int, subsystem_id: int) -> GroupMember:
    if not actor.can("*"):
        raise Forbidden("Only a system administrator changes groups.")
    _get(db_session, ClientGroup, group_id, "Group")
    get_subsystem(db_session=db_session, subsystem_id=subsystem_id)
    if db_session.scalar(
        select(GroupMember).where(GroupMember.group_id == group_id, GroupMember.subsystem_id == subsystem_id)
    ):
        raise Conflict("The subsystem is already in the group.")
    row = GroupMember(group_id=group_id, subsystem_id=subsystem_id)
    db_session.add(row)
    db_session.flush()
    _record(db_session, actor, "exchange.group.add_member", "xr_group_member", row)
    bump_version(db_session)
    return row


def _check_right_target(db_session: Session, service: Service, endpoint_id: int | None) -> None:
    if endpoint_id is not None:
        endpoint = db_session.get(Endpoint, endpoint_id)
        if endpoint is None or endpoint.service_id != service.id:
            raise _field_problem("endpoint_id", "not an endpoint of this service")


def grant(*, db_session: Session, actor: Actor, right_in: RightCreate) -> AccessRight:
    service = get_service(db_session=db_session, service_id=right_in.service_id)
    _require_manage(db_session, actor, _service_org(db_session, service))
    if (right_in.subsystem_id is None) == (right_in.group_id is None):
        raise _field_problem("subsystem_id", "give exactly one of subsystem_id and group_id")
    _check_right_target(db_session, service, right_in.endpoint_id)
    if right_in.subsystem_id is not None:
        get_subsystem(db_session=db_session, subsystem_id=right_in.subsystem_id)
    if right_in.group_id is not None:
        _get(db_session, ClientGroup, right_in.group_id, "Group")
    existing = db_session.scalar(
        select(AccessRight).where(
            AccessRight.service_id == service.id,
            AccessRight.endpoint_id.is_(None)
            if right_in.endpoint_id is None
            else AccessRight.endpoint_id == right_in.endpoint_id,
            AccessRight.subsystem_id.is_(None)
            if right_in.subsystem_id is None
            else AccessRight.subsystem_id == right_in.subsystem_id,
            AccessRight.group_id.is_(None)
            if right_in.group_id is None
            else AccessRight.group_id == right_in.group_id,
        )
    )
    if existing:
        raise Conflict("This right is already granted.")
    right = AccessRight(**right_in.model_dump(), granted_by=actor.label)
    db_session.add(right)
    db_session.flush()
    _record(db_session, actor, "exchange.right.grant", "xr_access_right", right)
    bump_version(db_session)
    return right


def revoke_right(*, db_session: Session, actor: Actor, right_id: int) -> None:
    right = _get(db_session, AccessRight, right_id, "Access right")
    service = get_service(db_session=db_session, service_id=right.service_id)
    _require_manage(db_session, actor, _service_org(db_session, service))
    before = audit.snapshot(right)
    db_session.delete(right)
    db_session.flush()
    audit.record(
        db_session=db_session,
        actor=actor,
        action="exchange.right.revoke",
        entity_type="xr_access_right",
        entity_id=right_id,
        before=before,
    )
    bump_version(db_session)


def list_rights(
    *, db_session: Session, service_id: int | None = None, subsystem_id: int | None = None
) -> list[AccessRight]:
    statement = select(AccessRight).order_by(AccessRight.id)
    if service_id is not None:
        statement = statement.where(AccessRight.service_id == service_id)
    if subsystem_id is not None:
        groups = select(GroupMember.group_id).where(GroupMember.subsystem_id == subsystem_id)
        statement = statement.where(
            or_(AccessRight.subsystem_id == subsystem_id, AccessRight.group_id.in_(groups))
        )
    return list(db_session.scalars(statement))


# --- access requests ----------------------------------------------------------------------------------


def request_access(*, db_session: Session, actor: Actor, request_in: AccessRequestCreate) -> AccessRequest:
    consumer = get_subsystem(db_session=db_session, subsystem_id=request_in.consumer_subsystem_id)
    _require_manage(db_session, actor, member_of_subsystem(db_session, consumer).organisation_id)
    service = get_service(db_session=db_session, service_id=request_in.service_id)
    _check_right_target(db_session, service, request_in.endpoint_id)
    pending = db_session.scalar(
        select(AccessRequest).where(
            AccessRequest.consumer_subsystem_id == consumer.id,
            AccessRequest.service_id == service.id,
            AccessRequest.status == "pending",
        )
    )
    if pending:
        raise Conflict(f"Request {pending.id} for this service is still pending.")
    row = AccessRequest(**request_in.model_dump(), requested_by=actor.label)
    db_session.add(row)
    db_session.flush()
    _record(db_session, actor, "exchange.access_request.create", "xr_access_request", row)
    return row


def decide(*, db_session: Session, actor: Actor, request_id: int, decision: AccessDecision) -> AccessRequest:
    """Only the provider's side decides; an approval grants the right in the same transaction."""
    row = _get(db_session, AccessRequest, request_id, "Access request")
    service = get_service(db_session=db_session, service_id=row.service_id)
    _require_manage(db_session, actor, _service_org(db_session, service))
    if row.status != "pending":
        raise Conflict(f"Request {row.id} was already {row.status}.")
    before = audit.snapshot(row)
    row.status = "approved" if decision.approve else "refused"
    row.decided_by = actor.label
    row.decided_at = utcnow()
    row.decision_reason = decision.reason
    db_session.flush()
    old, new = audit.changes(before, audit.snapshot(row))
    audit.record(
        db_session=db_session,
        actor=actor,
        action=f"exchange.access_request.{row.status}",
        entity_type="xr_access_request",
        entity_id=row.id,
        before=old,
        after=new,
    )
    if decision.approve:
        existing = db_session.scalar(
            select(AccessRight).where(
                AccessRight.service_id == row.service_id,
                AccessRight.subsystem_id == row.consumer_subsystem_id,
                AccessRight.endpoint_id.is_(None)
                if row.endpoint_id is None
                else AccessRight.endpoint_id == row.endpoint_id,
            )
        )
        if existing is None:
            right = AccessRight(
                service_id=row.service_id,
                endpoint_id=row.endpoint_id,
                subsystem_id=row.consumer_subsystem_id,
                granted_by=actor.label,
            )
            db_session.add(right)
            db_session.flush()
            _record(db_session, actor, "exchange.right.grant", "xr_access_right", right)
            bump_version(db_session)
    return row


def list_access_requests(*, db_session: Session, status: str | None = None) -> list[AccessRequest]:
    statement = select(AccessRequest).order_by(AccessRequest.requested_at.desc())
    if status:
        statement = statement.where(AccessRequest.status == status)
    return list(db_session.scalars(statement))


# --- gateway credentials --------------------------------------------------------------------------------


def create_key(
    *, db_session: Session, actor: Actor, subsystem_id: int, key_in: SubsystemKeyCreate
) -> tuple[SubsystemKey, str]:
    subsystem = get_subsystem(db_session=db_session, subsystem_id=subsystem_id)
    _require_manage(db_session, actor, member_of_subsystem(db_session, subsystem).organisation_id)
    token, key_id, secret_hash = security.new_api_key()
    token = KEY_PREFIX + token[len(security.KEY_PREFIX) :]
    expires = utcnow() + dt.timedelta(days=key_in.expires_in_days) if key_in.expires_in_days else None
    key = SubsystemKey(
        key_id=key_id,
        secret_hash=secret_hash,
        subsystem_id=subsystem.id,
        name=key_in.name,
        expires_at=expires,
    )
    db_session.add(key)
    db_session.flush()
    _record(db_session, actor, "exchange.key.create", "xr_subsystem_key", key)
    bump_version(db_session)
    return key, token


def split_key(token: str) -> tuple[str, str] | None:
    if not token.startswith(KEY_PREFIX + "_"):
        return None
    return security.split_api_key(security.KEY_PREFIX + token[len(KEY_PREFIX) :])


def list_keys(*, db_session: Session, subsystem_id: int) -> list[SubsystemKey]:
    return list(db_session.scalars(select(SubsystemKey).where(SubsystemKey.subsystem_id == subsystem_id)))


def revoke_key(*, db_session: Session, actor: Actor, key_id: str) -> SubsystemKey:
    key = db_session.scalar(select(SubsystemKey).where(SubsystemKey.key_id == key_id))
    if key is None:
        raise NotFound(f"Gateway key {key_id}")
    subsystem = get_subsystem(db_session=db_session, subsystem_id=key.subsystem_id)
    _require_manage(db_session, actor, member_of_subsystem(db_session, subsystem).organisation_id)
    if key.revoked_at:
        raise Conflict(f"Key {key_id} was already revoked.")
    key.revoked_at = utcnow()
    audit.record(
        db_session=db_session,
        actor=actor,
        action="exchange.key.revoke",
        entity_type="xr_subsystem_key",
        entity_id=key.id,
        before={"revoked_at": None},
        after={"revoked_at": key.revoked_at.isoformat()},
    )
    bump_version(db_session)
    return key


def add_certificate(
    *, db_session: Session, actor: Actor, subsystem_id: int, fingerprint: str
) -> SubsystemCertificate:
    subsystem = get_subsystem(db_session=db_session, subsystem_id=subsystem_id)
    _require_manage(db_session, actor, member_of_subsystem(db_session, subsystem).organisation_id)
    fingerprint = fingerprint.lower()
    if db_session.scalar(select(SubsystemCertificate).where(SubsystemCertificate.fingerprint == fingerprint)):
        raise Conflict("This certificate is already registered.")
    row = SubsystemCertificate(subsystem_id=subsystem.id, fingerprint=fingerprint)
    db_session.add(row)
    db_session.flush()
    _record(db_session, actor, "exchange.certificate.add", "xr_subsystem_cert", row)
    bump_version(db_session)
    return row


# --- transactions ---------------------------------------------------------------------------------------


def _own_subsystem_ids(db_session: Session, actor: Actor) -> set[int]:
    if actor.organisation_id is None:
        return set()
    organisations = orgs.subtree_ids(db_session=db_session, organisation_id=actor.organisation_id)
    return set(
        db_session.scalars(
            select(Subsystem.id)
            .join(Member, Member.id == Subsystem.member_id)
            .where(Member.organisation_id.in_(organisations))
        )
    )


def list_transactions(
    *,
    db_session: Session,
    actor: Actor,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    consumer_subsystem_id: int | None = None,
    service_id: int | None = None,
    succeeded: bool | None = None,
    message_id: str | None = None,
    person_token: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[int, list[Transaction]]:
    """Members see transactions they sent or served; auditors and system admins see all.

    `person_token` (see pseudonyms.token) finds the transactions made by or about one person: auditors only.
    """
    statement = select(Transaction)
    if person_token is not None:
        if not actor.can(TRANSACTIONS_ALL):
            raise Forbidden("Only auditors may look up the transactions about a person.")
        pattern = f"%{person_token}%"
        statement = statement.where(
            or_(Transaction.user_id.like(pattern), Transaction.rest_path.like(pattern))
        )
    if not actor.can(TRANSACTIONS_ALL):
        own = _own_subsystem_ids(db_session, actor)
        own_services = select(Service.id).where(Service.subsystem_id.in_(own))
        statement = statement.where(
            or_(Transaction.consumer_subsystem_id.in_(own), Transaction.service_id.in_(own_services))
        )
    if since is not None:
        statement = statement.where(Transaction.request_in_ts >= int(since.timestamp() * 1000))
    if until is not None:
        statement = statement.where(Transaction.request_in_ts < int(until.timestamp() * 1000))
    for column, value in (
        (Transaction.consumer_subsystem_id, consumer_subsystem_id),
        (Transaction.service_id, service_id),
        (Transaction.succeeded, succeeded),
        (Transaction.message_id, message_id),
    ):
        if value is not None:
            statement = statement.where(column == value)
    total = db_session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = db_session.scalars(statement.order_by(Transaction.id.desc()).limit(limit).offset(offset)).all()
    return total, list(rows)


def visible_daily_counts(
    *, db_session: Session, actor: Actor, start: dt.date, end: dt.date
) -> dict[dt.date, tuple[int, int]]:
    """(succeeded, failed) per day in [start, end) from the roll-ups, limited as list_transactions limits rows."""
    statement = select(
        DailyCount.day,
        func.sum(case((DailyCount.succeeded, DailyCount.count), else_=0)),
        func.sum(case((DailyCount.succeeded, 0), else_=DailyCount.count)),
    ).where(DailyCount.day >= start, DailyCount.day < end)
    if not actor.can(TRANSACTIONS_ALL):
        own = _own_subsystem_ids(db_session, actor)
        own_services = select(Service.id).where(Service.subsystem_id.in_(own))
        statement = statement.where(
            or_(DailyCount.consumer_subsystem_id.in_(own), DailyCount.service_id.in_(own_services))
        )
    rows = db_session.execute(statement.group_by(DailyCount.day))
    return {day: (int(ok or 0), int(bad or 0)) for day, ok, bad in rows}


def service_health(*, db_session: Session, service_id: int, since: dt.datetime) -> dict[str, Any]:
    """X-Road's health data for one service: last success and failure, counts and durations over a period."""
    get_service(db_session=db_session, service_id=service_id)
    since_ms = int(since.timestamp() * 1000)
    duration = Transaction.response_out_ts - Transaction.request_in_ts
    base = and_(Transaction.service_id == service_id, Transaction.request_in_ts >= since_ms)
    row = db_session.execute(
        select(
            func.sum(case((Transaction.succeeded, 1), else_=0)),
            func.sum(case((Transaction.succeeded, 0), else_=1)),
            func.min(duration),
            func.avg(duration),
            func.max(duration),
        ).where(base)
    ).one()
    last_ok = db_session.scalar(
        select(func.max(Transaction.request_in_ts)).where(
            Transaction.service_id == service_id, Transaction.succeeded
        )
    )
    last_bad = db_session.scalar(
        select(func.max(Transaction.request_in_ts)).where(
            Transaction.service_id == service_id, ~Transaction.succeeded
        )
    )
    return {
        "service_id": service_id,
        "since": since,
        "last_success_ts": last_ok,
        "last_failure_ts": last_bad,
        "successful": int(row[0] or 0),
        "unsuccessful": int(row[1] or 0),
        "duration_ms_min": row[2],
        "duration_ms_avg": float(row[3]) if row[3] is not None else None,
        "duration_ms_max": row[4],
    }


# --- statistics (read by monitor) ------------------------------------------------------------------------


def _period_label(granularity: str, value: dt.date) -> str:
    if granularity == "day":
        return value.isoformat()
    if granularity == "month":
        return value.strftime("%Y-%m")
    return str(value.year)


def transaction_counts(
    *,
    db_session: Session,
    start: dt.date,
    end: dt.date,
    granularity: str = "day",
    group_by: str | None = None,
) -> list[dict[str, Any]]:
    """Transactions per day/month/year in [start, end), optionally by consumer, provider, service or outcome.

    Reads the roll-ups only: days for daily figures, months otherwise, so a national year answers at once.
    """
    if granularity == "day":
        table, column = DailyCount, DailyCount.day
        lo, hi = start, end
    else:
        table, column = MonthlyCount, MonthlyCount.month
        lo, hi = start.replace(day=1), end
    period = column
    keys: list[Any] = []
    if group_by == "consumer":
        keys = [table.consumer_subsystem_id]
    elif group_by == "service":
        keys = [table.service_id]
    elif group_by == "provider":
        keys = [func.coalesce(Service.subsystem_id, 0)]
    elif group_by == "outcome":
        keys = []
    statement = select(
        period,
        *keys,
        func.sum(case((table.succeeded, table.count), else_=0)),
        func.sum(case((table.succeeded, 0), else_=table.count)),
    ).where(column >= lo, column < hi)
    if group_by == "provider":
        statement = statement.outerjoin(Service, Service.id == table.service_id)
    statement = statement.group_by(period, *keys).order_by(period)
    merged: dict[tuple[str, Any], list[int]] = {}
    for row in db_session.execute(statement):
        label = _period_label(granularity, row[0])
        key = row[1] if keys else None
        ok, bad = int(row[-2] or 0), int(row[-1] or 0)
        bucket = merged.setdefault((label, key), [0, 0])
        bucket[0] += ok
        bucket[1] += bad
    names = _labels(db_session, group_by, {k for _p, k in merged if k})
    return [
        {
            "period": p,
            "key": None if k is None else str(k),
            "label": names.get(k),
            "succeeded": ok,
            "failed": bad,
            "total": ok + bad,
        }
        for (p, k), (ok, bad) in merged.items()
    ]


def _labels(db_session: Session, group_by: str | None, ids: Iterable[int]) -> dict[Any, str]:
    ids = list(ids)
    if not ids or group_by not in ("consumer", "provider", "service"):
        return {}
    if group_by == "service":
        return {s.id: s.name for s in db_session.scalars(select(Service).where(Service.id.in_(ids)))}
    return {s.id: s.name for s in db_session.scalars(select(Subsystem).where(Subsystem.id.in_(ids)))}


def total_transactions(*, db_session: Session, start: dt.date, end: dt.date) -> dict[str, int]:
    """Numerator and denominator friendly: succeeded, failed and total in [start, end)."""
    rows = transaction_counts(db_session=db_session, start=start, end=end, granularity="day")
    ok = sum(r["succeeded"] for r in rows)
    bad = sum(r["failed"] for r in rows)
    return {"succeeded": ok, "failed": bad, "total": ok + bad}


def overview(
    *, db_session: Session, start: dt.date | None = None, end: dt.date | None = None
) -> dict[str, int]:
    """The report's registry figures: connected organisations, providing databases and systems, two-way sharing."""
    enabled_services = select(Service.subsystem_id).where(Service.enabled)
    providing = db_session.execute(
        select(Subsystem.kind, func.count())
        .where(Subsystem.id.in_(enabled_services))
        .group_by(Subsystem.kind)
    ).all()
    by_kind = {kind: n for kind, n in providing}
    with_subsystems = select(Subsystem.member_id)
    connected = (
        db_session.scalar(
            select(func.count(func.distinct(Member.organisation_id))).where(Member.id.in_(with_subsystems))
        )
        or 0
    )
    return {
        "connected_organisations": int(connected),
        "providing_national_databases": int(by_kind.get("national_database", 0)),
        "providing_information_systems": int(by_kind.get("information_system", 0)),
        "two_way_subsystems": len(two_way_subsystems(db_session=db_session, start=start, end=end)),
        "members": db_session.scalar(select(func.count()).select_from(Member)) or 0,
        "subsystems": db_session.scalar(select(func.count()).select_from(Subsystem)) or 0,
        "services": db_session.scalar(select(func.count()).select_from(Service)) or 0,
        "enabled_services": db_session.scalar(select(func.count()).where(Service.enabled)) or 0,
    }


def two_way_subsystems(
    *, db_session: Session, start: dt.date | None = None, end: dt.date | None = None
) -> set[int]:
    """Subsystems that both consumed and provided successfully in the period (the report's two-way sharing).

    Whole months are read from the monthly roll-up, other ranges from the daily one.
    """
    start = start or dt.date(1970, 1, 1)
    end = end or dt.date(9999, 1, 1)
    table, column = (
        (MonthlyCount, MonthlyCount.month)
        if start.day == 1 and end.day == 1
        else (DailyCount, DailyCount.day)
    )
    consumed = set(
        db_session.scalars(
            select(table.consumer_subsystem_id)
            .where(column >= start, column < end, table.succeeded, table.consumer_subsystem_id > 0)
            .distinct()
        )
    )
    provided = set(
        db_session.scalars(
            select(Service.subsystem_id)
            .join(table, table.service_id == Service.id)
            .where(column >= start, column < end, table.succeeded)
            .distinct()
        )
    )
    return consumed & provided
