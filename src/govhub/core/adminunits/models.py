"""Both structures live in one table with validity dates, so any date's statistics use the right units."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from govhub.core.database import Base

LEGACY = "legacy63"
CURRENT = "current34"
LEGACY_END = dt.date(2025, 6, 30)
CURRENT_START = dt.date(2025, 7, 1)


class AdminUnit(Base):
    __tablename__ = "admin_unit"
    __table_args__ = (
        UniqueConstraint("structure", "level", "code", name="uq_admin_unit_structure_level_code"),
        Index("ix_admin_unit_parent", "parent_id"),
        Index("ix_admin_unit_code", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    structure: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(16))  # province | district | commune
    code: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(200))
    unit_type: Mapped[str] = mapped_column(String(40))  # Tỉnh, Thành phố, Quận, Huyện, Phường, Xã, Đặc khu…
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id", ondelete="RESTRICT"))
    province_code: Mapped[str] = mapped_column(String(4))
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)


class AdminUnitSuccession(Base):
    """Old unit → new unit: 'whole' when the old unit merged entirely, 'part' when it was split."""

    __tablename__ = "admin_unit_succession"
    __table_args__ = (UniqueConstraint("old_id", "new_id", name="uq_admin_unit_succession_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    old_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id", ondelete="CASCADE"), index=True)
    new_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # whole | part
    is_default: Mapped[bool] = mapped_column(default=False)
    effective: Mapped[dt.date] = mapped_column(Date, default=CURRENT_START)
