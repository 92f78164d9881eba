"""Registry (members, subsystems, services, rights) and the transaction record with its incremental roll-ups."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from govhub.core.database import Base, utcnow

SERVICE_TYPES = ("REST", "OPENAPI3", "WSDL")
SUBSYSTEM_KINDS = ("information_system", "national_database")


class MemberClass(Base):
    """Member classes are set by the governing authority (X-Road: GOV, COM, NGO…), so they live in a table."""

    __tablename__ = "xr_member_class"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    description: Mapped[str] = mapped_column(String(200))


class Member(Base):
    __tablename__ = "xr_member"
    __table_args__ = (UniqueConstraint("member_class", "member_code", name="uq_xr_member_class_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), unique=True
    )
    member_class: Mapped[str] = mapped_column(ForeignKey("xr_member_class.code", ondelete="RESTRICT"))
    member_code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Subsystem(Base):
    """An information system or a national database; only subsystems call and provide services."""

    __tablename__ = "xr_subsystem"
    __table_args__ = (UniqueConstraint("member_id", "code", name="uq_xr_subsystem_member_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("xr_member.id", ondelete="RESTRICT"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(32), default="information_system")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Service(Base):
    __tablename__ = "xr_service"
    __table_args__ = (
        UniqueConstraint("subsystem_id", "code", name="uq_xr_service_subsystem_code"),
        CheckConstraint("timeout_seconds > 0 AND timeout_seconds <= 300", name="timeout_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subsystem_id: Mapped[int] = mapped_column(ForeignKey("xr_subsystem.id", ondelete="RESTRICT"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    service_type: Mapped[str] = mapped_column(String(16))
    base_url: Mapped[str] = mapped_column(String(1000))
    description_doc: Mapped[str | None] = mapped_column(Text)  # the OpenAPI or WSDL document as registered
    timeout_seconds: Mapped[float] = mapped_column(default=30.0)
    verify_tls: Mapped[bool] = mapped_column(Boolean, default=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Endpoint(Base):
    """Method + path of a REST service; '*' and '/**' match anything. Parsed from OpenAPI or added by hand."""

    __tablename__ = "xr_endpoint"
    __table_args__ = (UniqueConstraint("service_id", "method", "path", name="uq_xr_endpoint_method_path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("xr_service.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(16), default="manual")  # manual | openapi


class ClientGroup(Base):
    __tablename__ = "xr_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    description: Mapped[str] = mapped_column(String(300))


class GroupMember(Base):
    __tablename__ = "xr_group_member"
    __table_args__ = (UniqueConstraint("group_id", "subsystem_id", name="uq_xr_group_member_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("xr_group.id", ondelete="CASCADE"), index=True)
    subsystem_id: Mapped[int] = mapped_column(ForeignKey("xr_subsystem.id", ondelete="CASCADE"))


class AccessRight(Base):
    """Exactly one subject (a subsystem or a group); no endpoint means the whole service."""

    __tablename__ = "xr_access_right"
    __table_args__ = (
        CheckConstraint("(subsystem_id IS NULL) <> (group_id IS NULL)", name="one_subject"),
        Index("ix_xr_access_right_service", "service_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("xr_service.id", ondelete="CASCADE"))
    endpoint_id: Mapped[int | None] = mapped_column(ForeignKey("xr_endpoint.id", ondelete="CASCADE"))
    subsystem_id: Mapped[int | None] = mapped_column(ForeignKey("xr_subsystem.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("xr_group.id", ondelete="CASCADE"))
    granted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    granted_by: Mapped[str] = mapped_column(String(200))


class AccessRequest(Base):
    """A consumer asks; the provider approves or refuses with a recorded reason (Decree 194/2025: written refusals)."""

    __tablename__ = "xr_access_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    consumer_subsystem_id: Mapped[int] = mapped_column(ForeignKey("xr_subsystem.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(ForeignKey("xr_service.id", ondelete="CASCADE"), index=True)
    endpoint_id: Mapped[int | None] = mapped_column(ForeignKey("xr_endpoint.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | approved | refused
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(String(1000))


class SubsystemKey(Base):
    """Gateway credential of an information system (not of a person); only the SHA-256 of the secret is kept."""

    __tablename__ = "xr_subsystem_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    subsystem_id: Mapped[int] = mapped_column(ForeignKey("xr_subsystem.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]


class SubsystemCertificate(Base):
    """TLS client certificates (SHA-256 fingerprints) that authenticate a subsystem behind a TLS terminator."""

    __tablename__ = "xr_subsystem_cert"

    id: Mapped[int] = mapped_column(primary_key=True)
    subsystem_id: Mapped[int] = mapped_column(ForeignKey("xr_subsystem.id", ondelete="CASCADE"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class RegistryVersion(Base):
    """Bumped on every registry change so gateway workers reload their in-memory routing table."""

    __tablename__ = "xr_registry_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


class Transaction(Base):
    """One row per gateway transaction, with the X-Road operational-monitoring fields (PR-OPMON)."""

    __tablename__ = "xr_transaction"
    __table_args__ = (
        Index("ix_xr_transaction_time", "request_in_ts"),
        Index("ix_xr_transaction_consumer_time", "consumer_subsystem_id", "request_in_ts"),
        Index("ix_xr_transaction_service_time", "service_id", "request_in_ts"),
        Index("ix_xr_transaction_message", "message_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(100))
    consumer_subsystem_id: Mapped[int | None]
    service_id: Mapped[int | None]
    client_instance: Mapped[str | None] = mapped_column(String(64))
    client_member_class: Mapped[str | None] = mapped_column(String(16))
    client_member_code: Mapped[str | None] = mapped_column(String(64))
    client_subsystem_code: Mapped[str | None] = mapped_column(String(64))
    service_instance: Mapped[str | None] = mapped_column(String(64))
    service_member_class: Mapped[str | None] = mapped_column(String(16))
    service_member_code: Mapped[str | None] = mapped_column(String(64))
    service_subsystem_code: Mapped[str | None] = mapped_column(String(64))
    service_code: Mapped[str | None] = mapped_column(String(64))
    service_type: Mapped[str | None] = mapped_column(String(16))
    rest_method: Mapped[str] = mapped_column(String(8))
    rest_path: Mapped[str] = mapped_column(String(1000))
    user_id: Mapped[str | None] = mapped_column(String(100))
    issue: Mapped[str | None] = mapped_column(String(200))
    request_in_ts: Mapped[int] = mapped_column(BigInteger)
    request_out_ts: Mapped[int | None] = mapped_column(BigInteger)
    response_in_ts: Mapped[int | None] = mapped_column(BigInteger)
    response_out_ts: Mapped[int] = mapped_column(BigInteger)
    request_size: Mapped[int] = mapped_column(BigInteger, default=0)
    response_size: Mapped[int] = mapped_column(BigInteger, default=0)
    status_code: Mapped[int] = mapped_column(Integer)
    succeeded: Mapped[bool] = mapped_column(Boolean)
    fault_code: Mapped[str | None] = mapped_column(String(255))
    fault_string: Mapped[str | None] = mapped_column(String(2048))


class _Counts:
    """The measures both roll-ups keep for one period, consumer, service and outcome."""

    id: Mapped[int] = mapped_column(primary_key=True)
    consumer_subsystem_id: Mapped[int] = mapped_column(Integer)  # 0 = unauthenticated
    service_id: Mapped[int] = mapped_column(Integer)  # 0 = unknown service
    succeeded: Mapped[bool] = mapped_column(Boolean)
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    duration_ms_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    duration_ms_min: Mapped[int] = mapped_column(BigInteger, default=0)
    duration_ms_max: Mapped[int] = mapped_column(BigInteger, default=0)
    request_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    response_bytes: Mapped[int] = mapped_column(BigInteger, default=0)


class DailyCount(_Counts, Base):
    """Roll-up kept in the same commit as the records, so statistics never scan the transaction table."""

    __tablename__ = "xr_tx_daily"
    __table_args__ = (
        UniqueConstraint(
            "day", "consumer_subsystem_id", "service_id", "succeeded", name="uq_xr_tx_daily_key"
        ),
        # Covers the day-by-day totals, so a year of days is read from the index alone.
        Index("ix_xr_tx_daily_totals", "day", "succeeded", "count"),
    )

    day: Mapped[dt.date] = mapped_column(Date)


class MonthlyCount(_Counts, Base):
    __tablename__ = "xr_tx_monthly"
    __table_args__ = (
        UniqueConstraint(
            "month", "consumer_subsystem_id", "service_id", "succeeded", name="uq_xr_tx_monthly_key"
        ),
    )

    month: Mapped[dt.date] = mapped_column(Date, index=True)  # first day of the month
