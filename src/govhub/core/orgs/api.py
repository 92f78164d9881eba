"""Organisation management API: reading needs an account, writing needs a system administrator."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from govhub.core.actor import Actor
from govhub.core.auth.permissions import ORGS_MANAGE, ORGS_READ
from govhub.core.deps import EntityId, get_db_session, require
from govhub.core.orgs import service
from govhub.core.orgs.models import OrgKind
from govhub.core.orgs.schemas import (
    OrganisationCreate,
    OrganisationPage,
    OrganisationRead,
    OrganisationUpdate,
)

router = APIRouter(prefix="/api/v1/organisations", tags=["organisations"])


@router.get("", response_model=OrganisationPage)
def list_organisations(
    kind: OrgKind | None = None,
    parent_id: int | None = Query(default=None, ge=1, le=2**31 - 1),
    q: str | None = Query(default=None, max_length=100),
    limit: int = Query(default=100, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=10_000_000),
    db_session: Session = Depends(get_db_session),
    _actor: Actor = Depends(require(ORGS_READ)),
) -> OrganisationPage:
    total, rows = service.list_(
        db_session=db_session, kind=kind, parent_id=parent_id, q=q, limit=limit, offset=offset
    )
    return OrganisationPage(total=total, items=[OrganisationRead.model_validate(r) for r in rows])


@router.post("", response_model=OrganisationRead, status_code=201)
def create_organisation(
    organisation_in: OrganisationCreate,
    db_session: Session = Depends(get_db_session),
    actor: Actor = Depends(require(ORGS_MANAGE)),
) -> OrganisationRead:
    organisation = service.create(db_session=db_session, actor=actor, organisation_in=organisation_in)
    return OrganisationRead.model_validate(organisation)


@router.get("/{organisation_id}", response_model=OrganisationRead)
def get_organisation(
    organisation_id: EntityId,
    db_session: Session = Depends(get_db_session),
    _actor: Actor = Depends(require(ORGS_READ)),
) -> OrganisationRead:
    return OrganisationRead.model_validate(
        service.require(db_session=db_session, organisation_id=organisation_id)
    )


@router.patch("/{organisation_id}", response_model=OrganisationRead)
def update_organisation(
    organisation_id: EntityId,
    organisation_in: OrganisationUpdate,
    db_session: Session = Depends(get_db_session),
    actor: Actor = Depends(require(ORGS_MANAGE)),
) -> OrganisationRead:
    organisation = service.require(db_session=db_session, organisation_id=organisation_id)
    service.update(
        db_session=db_session, actor=actor, organisation=organisation, organisation_in=organisation_in
    )
    return OrganisationRead.model_validate(organisation)
