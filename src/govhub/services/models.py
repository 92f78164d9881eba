"""Procedures, the services that offer them, dossiers and their append-only history, and counters for facts."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from govhub.core.database import Base, utcnow


class TimeUnit(enum.StrEnum):
    HOURS = "hours"
    DAYS = "days"
    WORKING_DAYS = "working_days"
    MONTHS = "months"


class GovLevel(enum.StrEnum):
    CENTRAL = "central"
    PROVINCE = "province"
    COMMUNE = "commune"


class OnlineLevel(enum.StrEnum):
    NONE = "none"
    PARTIAL = "partial"  # một phần
    FULL = "full"  # toàn trình


# The older Decree 43/2011 levels still found in data: 2 = plain DVC, 3 = một phần, 4 = toàn trình.
LEGACY_LEVEL = {OnlineLevel.NONE: 2, OnlineLevel.PARTIAL: 3, OnlineLevel.FULL: 4}
FROM_LEGACY = {v: k for k, v in LEGACY_LEVEL.items()}


class PartialReason(enum.StrEnum):
    """The reasons ND 224/2026 Art. 14 (as extracted) allows for offering a service only partly online."""

    IN_PERSON_REQUIRED = "in_person_required"
    ON_SITE_VERIFICATION = "on_site_verification"
    TECHNICAL_INCIDENT = "technical_incident"
    OTHER_TECHNICAL = "other_technical"


class ServiceState(enum.StrEnum):
    PUBLISHED = "published"
    PENDING_WITHDRAWAL = "pending_withdrawal"
    TESTING = "testing"
    WITHDRAWN = "withdrawn"


class Channel(enum.IntEnum):
    """National KenhThucHien codes."""

    IN_PERSON = 1
    ONLINE = 2
    POSTAL = 3


class Procedure(Base):
    """A TTHC as in the National TTHC Database; the code is opaque."""

    __tablename__ = "svc_procedure"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    sector: Mapped[str] = mapped_column(String(200))
    gov_level: Mapped[str] = mapped_column(String(16))
    components: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    fees: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    time_limit: Mapped[int] = mapped_column(Integer)
    time_unit: Mapped[str] = mapped_column(String(16))
    paper_result: Mapped[bool] = mapped_column(default=True)
    eligible_full_online: Mapped[bool] = mapped_column(default=False)
    citizen_subject: Mapped[bool] = mapped_column(default=True)
    legal_basis: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PublicService(Base):
    """A procedure offered by one agency, with how much of it can be done online."""

    __tablename__ = "svc_public_service"
    __table_args__ = (UniqueConstraint("procedure_id", "agency_id", name="uq_svc_public_service_offer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("svc_procedure.id", ondelete="RESTRICT"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="RESTRICT"), index=True)
    online_level: Mapped[str] = mapped_column(String(16))
    partial_reason: Mapped[str | None] = mapped_column(String(32))
    partial_note: Mapped[str | None] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(24), default=ServiceState.PUBLISHED)
    payment_enabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def legacy_level(self) -> int:
        return LEGACY_LEVEL[OnlineLevel(self.online_level)]


class Dossier(Base):
    """A HoSo; flags copied from the service at submission keep facts true to what was offered then."""

    __tablename__ = "svc_dossier"
    __table_args__ = (
        Index("ix_svc_dossier_agency_period", "agency_id", "period"),
        Index("ix_svc_dossier_status_due", "status", "due_at"),
        Index("ix_svc_dossier_status_period", "status", "period", "agency_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    public_service_id: Mapped[int] = mapped_column(
        ForeignKey("svc_public_service.id", ondelete="RESTRICT"), index=True
    )
    procedure_id: Mapped[int] = mapped_column(ForeignKey("svc_procedure.id", ondelete="RESTRICT"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="RESTRICT"))
    channel: Mapped[int] = mapped_column(Integer)
    status: Mapped[int] = mapped_column(Integer, default=0)
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM of submission, Hà Nội time
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizen.id", ondelete="SET NULL"), index=True)
    applicant_name: Mapped[str | None] = mapped_column(String(200))
    national_id: Mapped[str | None] = mapped_column(String(12))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(String(500))
    form_data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Snapshots of the offer at submission.
    service_full_online: Mapped[bool] = mapped_column(default=False)
    eligible_full_online: Mapped[bool] = mapped_column(default=False)
    paper_result: Mapped[bool] = mapped_column(default=True)
    rule_version: Mapped[int] = mapped_column(Integer, default=1)
    # Timing.
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[dt.datetime | None]
    received_at: Mapped[dt.datetime | None]
    clock_started_at: Mapped[dt.datetime | None]
    due_at: Mapped[dt.datetime | None]
    due_at_original: Mapped[dt.datetime | None]
    supplement_requested_at: Mapped[dt.datetime | None]
    supplement_count: Mapped[int] = mapped_column(Integer, default=0)
    extension_count: Mapped[int] = mapped_column(Integer, default=0)
    forced_late: Mapped[bool] = mapped_column(default=False)
    finished_at: Mapped[dt.datetime | None]
    returned_at: Mapped[dt.datetime | None]
    timeliness: Mapped[str | None] = mapped_column(String(12))
    # Money, digitisation, reuse, result and rating.
    fee_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_online: Mapped[bool] = mapped_column(default=False)
    digitised: Mapped[bool] = mapped_column(default=False)
    reused_data: Mapped[bool] = mapped_column(default=False)
    population_db_used: Mapped[bool] = mapped_column(default=False)
    electronic_result: Mapped[bool] = mapped_column(default=False)
    result_code: Mapped[str | None] = mapped_column(String(64))
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(String(1000))
    withdrawn: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DossierEvent(Base):
    """One step of a dossier's handling (TienTrinh); rows are only ever added."""

    __tablename__ = "svc_dossier_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("svc_dossier.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    status_before: Mapped[int] = mapped_column(Integer)
    status_after: Mapped[int] = mapped_column(Integer)
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_label: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(String(2000))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    due_at: Mapped[dt.datetime | None]
    overdue: Mapped[bool] = mapped_column(default=False)


class DossierAttachment(Base):
    """A file given with a dossier; kept in the database so a single-node install needs no file store."""

    __tablename__ = "svc_dossier_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("svc_dossier.id", ondelete="CASCADE"), index=True)
    component: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DossierCodeCounter(Base):
    """The last sequence number issued per receiving agency and day."""

    __tablename__ = "svc_dossier_code_counter"

    agency_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class DossierStat(Base):
    """Dossier counters per agency, service and month, kept in step with every change so facts stay fast."""

    __tablename__ = "svc_dossier_stat"

    agency_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    public_service_id: Mapped[int] = mapped_column(
        ForeignKey("svc_public_service.id", ondelete="CASCADE"), primary_key=True
    )
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    submitted: Mapped[int] = mapped_column(BigInteger, default=0)
    received: Mapped[int] = mapped_column(BigInteger, default=0)
    in_person: Mapped[int] = mapped_column(BigInteger, default=0)
    online: Mapped[int] = mapped_column(BigInteger, default=0)
    postal: Mapped[int] = mapped_column(BigInteger, default=0)
    online_counted: Mapped[int] = mapped_column(BigInteger, default=0)
    eligible: Mapped[int] = mapped_column(BigInteger, default=0)
    full_online: Mapped[int] = mapped_column(BigInteger, default=0)
    finished: Mapped[int] = mapped_column(BigInteger, default=0)
    early: Mapped[int] = mapped_column(BigInteger, default=0)
    on_time: Mapped[int] = mapped_column(BigInteger, default=0)
    late: Mapped[int] = mapped_column(BigInteger, default=0)
    refused: Mapped[int] = mapped_column(BigInteger, default=0)
    withdrawn: Mapped[int] = mapped_column(BigInteger, default=0)
    fee_due: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_online: Mapped[int] = mapped_column(BigInteger, default=0)
    digitised: Mapped[int] = mapped_column(BigInteger, default=0)
    reused: Mapped[int] = mapped_column(BigInteger, default=0)
    population_used: Mapped[int] = mapped_column(BigInteger, default=0)
    paper_required: Mapped[int] = mapped_column(BigInteger, default=0)
    electronic_result: Mapped[int] = mapped_column(BigInteger, default=0)
    rated: Mapped[int] = mapped_column(BigInteger, default=0)
    rating_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    satisfied: Mapped[int] = mapped_column(BigInteger, default=0)
    unsatisfied: Mapped[int] = mapped_column(BigInteger, default=0)


class RuleSet(Base):
    """One version of the legal rules; a new version is added, never edited, and names its source."""

    __tablename__ = "svc_rule_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    effective_from: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(500))
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))


class PrefillConfig(Base):
    """How to reach the population database through the exchange gateway; one row per installation."""

    __tablename__ = "svc_prefill_config"

    id: Mapped[int] = mapped_column(primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=False)
    base_url: Mapped[str] = mapped_column(String(300), default="")
    client_id: Mapped[str] = mapped_column(String(200), default="")
    service_path: Mapped[str] = mapped_column(String(300), default="VN/GOV/000.10.00.G01/POPULATION/citizens")
    api_key: Mapped[str] = mapped_column(String(300), default="")
    timeout_seconds: Mapped[float] = mapped_column(default=3.0)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
