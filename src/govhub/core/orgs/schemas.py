"""Request and response models for organisations."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from govhub.core.orgs.models import OrgKind

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9.\-_]{1,39}$"


class OrganisationBase(BaseModel):
    name: str = Field(min_length=2, max_length=300)
    name_en: str | None = Field(default=None, max_length=300)
    kind: OrgKind
    parent_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    admin_unit_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class OrganisationCreate(OrganisationBase):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(
        pattern=CODE_PATTERN,
        description="Official identifier, e.g. 000.00.00.G12 (Ministry of Finance) or a tax code.",
    )


class OrganisationUpdate(BaseModel):
    """Fields left out stay as they are; only the nullable ones may be set to null."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(default=None, min_length=2, max_length=300)  # type: ignore[assignment]
    name_en: str | None = Field(default=None, max_length=300)
    parent_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    admin_unit_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    is_active: bool = Field(default=None)  # type: ignore[assignment]


class OrganisationRead(OrganisationBase):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    is_active: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class OrganisationPage(BaseModel):
    total: int
    items: list[OrganisationRead]
