"""Organisations form one tree so a department's data rolls up to its ministry or province."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from govhub.core.database import Base, utcnow


class OrgKind(enum.StrEnum):
    MINISTRY = "ministry"
    CENTRAL_AGENCY = "central_agency"
    MINISTRY_UNIT = "ministry_unit"
    PROVINCE = "province"
    PROVINCIAL_DEPARTMENT = "provincial_department"
    COMMUNE = "commune"
    ENTERPRISE = "enterprise"
    DATABASE_OWNER = "database_owner"
    OTHER = "other"


class Organisation(Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(32))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    admin_unit_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id", ondelete="RESTRICT"))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
