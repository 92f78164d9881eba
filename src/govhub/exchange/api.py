"""Management API of the exchange: registry, rights, access requests, gateway keys, records and statistics."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy.orm import Session

from govhub.core.actor import Actor
from govhub.core.deps import EntityId, get_db_session, require
from govhub.core.errors import Problem
from govhub.core.timeutil import LocalDatetime
from govhub.exchange import pseudonyms, service
from govhub.exchange.models import Service, Subsystem
from govhub.exchange.permissions import EXCHANGE_MANAGE, EXCHANGE_READ
from govhub.exchange.schemas import (
    AccessDecision,
    AccessRequestCreate,
    AccessRequestRead,
    CertificateIn,
    CountRow,
    EndpointIn,
    EndpointRead,
    GroupCreate,
    GroupMemberIn,
    GroupRead,
    MemberClassIn,
    MemberClassRead,
    MemberCreate,
    MemberRead,
    Overview,
    RightCreate,
    RightRead,
    ServiceCreate,
    ServiceHealth,
    ServiceRead,
    ServiceUpdate,
    SubsystemCreate,
    SubsystemKeyCreate,
    SubsystemKeyCreated,
    SubsystemKeyRead,
    SubsystemRead,
    TransactionPage,
    TransactionRead,
)

router = APIRouter(prefix="/api/v1/exchange", tags=["exchange"])
Reader = Annotated[Actor, Depends(require(EXCHANGE_READ))]
Manager = Annotated[Actor, Depends(require(EXCHANGE_MANAGE))]
DB = Annotated[Session, Depends(get_db_session)]
KeyId = Annotated[str, Path(pattern=r"^[0-9a-f]{12}$")]


def _instance(request: Request) -> str:
    return request.app.state.settings.instance


def _subsystem_read(db_session: Session, row: Subsystem, instance: str) -> SubsystemRead:
    read = SubsystemRead.model_validate(row)
    read.identifier = service.subsystem_identifier(db_session, row, instance)
    return read


def _service_read(db_session: Session, row: Service, instance: str) -> ServiceRead:
    read = ServiceRead.model_validate(row)
    read.identifier = service.service_identifier(db_session, row, instance)
    read.endpoints = [
        EndpointRead.model_validate(e) for e in service.endpoints_of(db_session=db_session, service_id=row.id)
    ]
    return read


@router.get("/member-classes", response_model=list[MemberClassRead])
def list_member_classes(db_session: DB, _actor: Reader) -> list[MemberClassRead]:
    return [MemberClassRead.model_validate(r) for r in service.list_member_classes(db_session=db_session)]


@router.post("/member-classes", response_model=MemberClassRead, status_code=201)
def create_member_class(class_in: MemberClassIn, db_session: DB, actor: Manager) -> MemberClassRead:
    return MemberClassRead.model_validate(
        service.create_member_class(db_session=db_session, actor=actor, class_in=class_in)
    )


@router.get("/members", response_model=list[MemberRead])
def list_members(db_session: DB, _actor: Reader) -> list[MemberRead]:
    return [MemberRead.model_validate(m) for m in service.list_members(db_session=db_session)]


@router.post("/members", response_model=MemberRead, status_code=201)
def create_member(member_in: MemberCreate, db_session: DB, actor: Manager) -> MemberRead:
    return MemberRead.model_validate(
        service.create_member(db_session=db_session, actor=actor, member_in=member_in)
    )


@router.get("/members/{member_id}", response_model=MemberRead)
def get_member(member_id: EntityId, db_session: DB, _actor: Reader) -> MemberRead:
    return MemberRead.model_validate(service.get_member(db_session=db_session, member_id=member_id))


@router.get("/subsystems", response_model=list[SubsystemRead])
def list_subsystems(
    request: Request,
    db_session: DB,
    _actor: Reader,
    member_id: int | None = Query(default=None, ge=1, le=2**31 - 1),
) -> list[SubsystemRead]:
    rows = service.list_subsystems(db_session=db_session, member_id=member_id)
    return [_subsystem_read(db_session, r, _instance(request)) for r in rows]


@router.post("/subsystems", response_model=SubsystemRead, status_code=201)
def create_subsystem(
    request: Request, subsystem_in: SubsystemCreate, db_session: DB, actor: Manager
) -> SubsystemRead:
    row = service.create_subsystem(db_session=db_session, actor=actor, subsystem_in=subsystem_in)
    return _subsystem_read(db_session, row, _instance(request))


@router.get("/subsystems/{subsystem_id}", response_model=SubsystemRead)
def get_subsystem(request: Request, subsystem_id: EntityId, db_session: DB, _actor: Reader) -> SubsystemRead:
    row = service.get_subsystem(db_session=db_session, subsystem_id=subsystem_id)
    return _subsystem_read(db_session, row, _instance(request))


@router.get("/subsystems/{subsystem_id}/keys", response_model=list[SubsystemKeyRead])
def list_keys(subsystem_id: EntityId, db_session: DB, _actor: Manager) -> list[SubsystemKeyRead]:
    service.get_subsystem(db_session=db_session, subsystem_id=subsystem_id)
    return [
        SubsystemKeyRead.model_validate(k)
        for k in service.list_keys(db_session=db_session, subsystem_id=subsystem_id)
    ]


@router.post(
    "/subsystems/{subsystem_id}/keys",
    response_model=SubsystemKeyCreated,
    status_code=201,
    summary="Create a gateway key for an information system; the token is in this response only",
)
def create_key(
    subsystem_id: EntityId, key_in: SubsystemKeyCreate, db_session: DB, actor: Manager
) -> SubsystemKeyCreated:
    key, token = service.create_key(
        db_session=db_session, actor=actor, subsystem_id=subsystem_id, key_in=key_in
    )
    return SubsystemKeyCreated(**SubsystemKeyRead.model_validate(key).model_dump(), token=token)


@router.delete("/keys/{key_id}", response_model=SubsystemKeyRead, summary="Revoke a gateway key")
def revoke_key(key_id: KeyId, db_session: DB, actor: Manager) -> SubsystemKeyRead:
    return SubsystemKeyRead.model_validate(
        service.revoke_key(db_session=db_session, actor=actor, key_id=key_id)
    )


@router.post("/subsystems/{subsystem_id}/certificates", status_code=201)
def add_certificate(
    subsystem_id: EntityId, cert_in: CertificateIn, db_session: DB, actor: Manager
) -> dict[str, object]:
    row = service.add_certificate(
        db_session=db_session, actor=actor, subsystem_id=subsystem_id, fingerprint=cert_in.fingerprint
    )
    return {"id": row.id, "subsystem_id": row.subsystem_id, "fingerprint": row.fingerprint}


@router.get("/services", response_model=list[ServiceRead])
def list_services(
    request: Request,
    db_session: DB,
    _actor: Reader,
    subsystem_id: int | None = Query(default=None, ge=1, le=2**31 - 1),
) -> list[ServiceRead]:
    rows = service.list_services(db_session=db_session, subsystem_id=subsystem_id)
    return [_service_read(db_session, r, _instance(request)) for r in rows]


@router.post(
    "/services", response_model=ServiceRead, status_code=201, summary="Register a service (added disabled)"
)
def create_service(
    request: Request, service_in: ServiceCreate, db_session: DB, actor: Manager
) -> ServiceRead:
    row = service.create_service(db_session=db_session, actor=actor, service_in=service_in)
    return _service_read(db_session, row, _instance(request))


@router.get("/services/{service_id}", response_model=ServiceRead)
def get_service(request: Request, service_id: EntityId, db_session: DB, _actor: Reader) -> ServiceRead:
    return _service_read(
        db_session, service.get_service(db_session=db_session, service_id=service_id), _instance(request)
    )


@router.patch(
    "/services/{service_id}", response_model=ServiceRead, summary="Change, enable or disable a service"
)
def update_service(
    request: Request, service_id: EntityId, service_in: ServiceUpdate, db_session: DB, actor: Manager
) -> ServiceRead:
    row = service.get_service(db_session=db_session, service_id=service_id)
    service.update_service(db_session=db_session, actor=actor, service=row, service_in=service_in)
    return _service_read(db_session, row, _instance(request))


@router.post("/services/{service_id}/endpoints", response_model=EndpointRead, status_code=201)
def add_endpoint(
    service_id: EntityId, endpoint_in: EndpointIn, db_session: DB, actor: Manager
) -> EndpointRead:
    row = service.get_service(db_session=db_session, service_id=service_id)
    return EndpointRead.model_validate(
        service.add_endpoint(db_session=db_session, actor=actor, service=row, endpoint_in=endpoint_in)
    )


@router.get("/services/{service_id}/health", response_model=ServiceHealth)
def service_health(
    service_id: EntityId,
    db_session: DB,
    _actor: Reader,
    hours: int = Query(default=24, ge=1, le=24 * 366, description="Statistics period ending now"),
) -> ServiceHealth:
    since = dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours)
    return ServiceHealth(**service.service_health(db_session=db_session, service_id=service_id, since=since))


@router.get("/groups", response_model=list[GroupRead])
def list_groups(db_session: DB, _actor: Reader) -> list[GroupRead]:
    return [GroupRead.model_validate(g) for g in service.list_groups(db_session=db_session)]


@router.post("/groups", response_model=GroupRead, status_code=201)
def create_group(group_in: GroupCreate, db_session: DB, actor: Manager) -> GroupRead:
    return GroupRead.model_validate(
        service.create_group(db_session=db_session, actor=actor, group_in=group_in)
    )


@router.post("/groups/{group_id}/members", status_code=201)
def add_group_member(
    group_id: EntityId, member_in: GroupMemberIn, db_session: DB, actor: Manager
) -> dict[str, int]:
    row = service.add_group_member(
        db_session=db_session, actor=actor, group_id=group_id, subsystem_id=member_in.subsystem_id
    )
    return {"id": row.id, "group_id": row.group_id, "subsystem_id": row.subsystem_id}


@router.get("/rights", response_model=list[RightRead], summary="Who may call what")
def list_rights(
    db_session: DB,
    _actor: Reader,
    service_id: int | None = Query(default=None, ge=1, le=2**31 - 1),
    subsystem_id: int | None = Query(default=None, ge=1, le=2**31 - 1),
) -> list[RightRead]:
    rows = service.list_rights(db_session=db_session, service_id=service_id, subsystem_id=subsystem_id)
    return [RightRead.model_validate(r) for r in rows]


@router.post("/rights", response_model=RightRead, status_code=201)
def grant(right_in: RightCreate, db_session: DB, actor: Manager) -> RightRead:
    return RightRead.model_validate(service.grant(db_session=db_session, actor=actor, right_in=right_in))


@router.delete("/rights/{right_id}", status_code=204)
def revoke_right(right_id: EntityId, db_session: DB, actor: Manager) -> None:
    service.revoke_right(db_session=db_session, actor=actor, right_id=right_id)


@router.get("/access-requests", response_model=list[AccessRequestRead])
def list_access_requests(
    db_session: DB, _actor: Reader, status: Literal["pending", "approved", "refused"] | None = None
) -> list[AccessRequestRead]:
    return [
        AccessRequestRead.model_validate(r)
        for r in service.list_access_requests(db_session=db_session, status=status)
    ]


@router.post("/access-requests", response_model=AccessRequestRead, status_code=201)
def request_access(request_in: AccessRequestCreate, db_session: DB, actor: Manager) -> AccessRequestRead:
    return AccessRequestRead.model_validate(
        service.request_access(db_session=db_session, actor=actor, request_in=request_in)
    )


@router.post("/access-requests/{request_id}/decision", response_model=AccessRequestRead)
def decide(
    request_id: EntityId, decision: AccessDecision, db_session: DB, actor: Manager
) -> AccessRequestRead:
    return AccessRequestRead.model_validate(
        service.decide(db_session=db_session, actor=actor, request_id=request_id, decision=decision)
    )


@router.get("/transactions", response_model=TransactionPage, summary="Transaction records, newest first")
def list_transactions(
    request: Request,
    db_session: DB,
    actor: Reader,
    since: LocalDatetime | None = None,
    until: LocalDatetime | None = None,
    consumer_subsystem_id: int | None = Query(default=None, ge=1, le=2**31 - 1),
    service_id: int | None = Query(default=None, ge=1, le=2**31 - 1),
    succeeded: bool | None = None,
    message_id: str | None = Query(default=None, max_length=100),
    person: str | None = Query(
        default=None,
        pattern=r"^[0-9]{9,12}$",
        description="A citizen ID or phone number: transactions by or about that person (auditors only)",
    ),
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0, le=10_000_000),
) -> TransactionPage:
    total, rows = service.list_transactions(
        db_session=db_session,
        actor=actor,
        since=since,
        until=until,
        consumer_subsystem_id=consumer_subsystem_id,
        service_id=service_id,
        succeeded=succeeded,
        message_id=message_id,
        person_token=pseudonyms.token(request.app.state.pseudonym_key, person) if person else None,
        limit=limit,
        offset=offset,
    )
    items = []
    for row in rows:
        item = TransactionRead.model_validate(row)
        if row.client_member_class:
            item.client = "/".join(
                str(p)
                for p in (
                    row.client_instance,
                    row.client_member_class,
                    row.client_member_code,
                    row.client_subsystem_code,
                )
            )
        if row.service_code:
            item.service = "/".join(
                str(p)
                for p in (
                    row.service_instance,
                    row.service_member_class,
                    row.service_member_code,
                    row.service_subsystem_code,
                    row.service_code,
                )
            )
        items.append(item)
    return TransactionPage(total=total, limit=limit, offset=offset, items=items)


@router.get("/stats/counts", response_model=list[CountRow], summary="Transactions per day, month or year")
def counts(
    db_session: DB,
    _actor: Reader,
    start: dt.date,
    end: dt.date,
    granularity: Literal["day", "month", "year"] = "day",
    group_by: Literal["consumer", "provider", "service", "outcome"] | None = None,
) -> list[CountRow]:
    if end <= start:
        raise Problem(422, "'end' must be after 'start' (the range is [start, end)).")
    if granularity == "day" and (end - start).days > 400:
        raise Problem(422, "Daily counts cover at most 400 days; use granularity=month or year.")
    rows = service.transaction_counts(
        db_session=db_session, start=start, end=end, granularity=granularity, group_by=group_by
    )
    if granularity == "year":
        merged: dict[tuple[str, str | None], dict] = {}
        for row in rows:
            key = (row["period"][:4], row["key"])
            entry = merged.setdefault(
                key, {**row, "period": row["period"][:4], "succeeded": 0, "failed": 0, "total": 0}
            )
            for field in ("succeeded", "failed", "total"):
                entry[field] += row[field]
        rows = list(merged.values())
    return [CountRow(**row) for row in rows]


@router.get(
    "/stats/overview", response_model=Overview, summary="Connected organisations, providers, two-way sharing"
)
def overview(
    db_session: DB, _actor: Reader, start: dt.date | None = None, end: dt.date | None = None
) -> Overview:
    return Overview(**service.overview(db_session=db_session, start=start, end=end))
