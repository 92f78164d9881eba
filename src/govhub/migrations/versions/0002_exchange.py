"""exchange registry and transaction record

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 23:17:07.362345
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import govhub.core.database

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "xr_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xr_group")),
        sa.UniqueConstraint("code", name=op.f("uq_xr_group_code")),
    )
    op.create_table(
        "xr_member_class",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_xr_member_class")),
    )
    op.create_table(
        "xr_registry_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xr_registry_version")),
    )
    op.create_table(
        "xr_transaction",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("message_id", sa.String(length=100), nullable=False),
        sa.Column("consumer_subsystem_id", sa.Integer(), nullable=True),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("client_instance", sa.String(length=64), nullable=True),
        sa.Column("client_member_class", sa.String(length=16), nullable=True),
        sa.Column("client_member_code", sa.String(length=64), nullable=True),
        sa.Column("client_subsystem_code", sa.String(length=64), nullable=True),
        sa.Column("service_instance", sa.String(length=64), nullable=True),
        sa.Column("service_member_class", sa.String(length=16), nullable=True),
        sa.Column("service_member_code", sa.String(length=64), nullable=True),
        sa.Column("service_subsystem_code", sa.String(length=64), nullable=True),
        sa.Column("service_code", sa.String(length=64), nullable=True),
        sa.Column("service_type", sa.String(length=16), nullable=True),
        sa.Column("rest_method", sa.String(length=8), nullable=False),
        sa.Column("rest_path", sa.String(length=1000), nullable=False),
        sa.Column("user_id", sa.String(length=100), nullable=True),
        sa.Column("issue", sa.String(length=200), nullable=True),
        sa.Column("request_in_ts", sa.BigInteger(), nullable=False),
        sa.Column("request_out_ts", sa.BigInteger(), nullable=True),
        sa.Column("response_in_ts", sa.BigInteger(), nullable=True),
        sa.Column("response_out_ts", sa.BigInteger(), nullable=False),
        sa.Column("request_size", sa.BigInteger(), nullable=False),
        sa.Column("response_size", sa.BigInteger(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("fault_code", sa.String(length=255), nullable=True),
        sa.Column("fault_string", sa.String(length=2048), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xr_transaction")),
    )
    with op.batch_alter_table("xr_transaction", schema=None) as batch_op:
        batch_op.create_index(
            "ix_xr_transaction_consumer_time", ["consumer_subsystem_id", "request_in_ts"], unique=False
        )
        batch_op.create_index("ix_xr_transaction_message", ["message_id"], unique=False)
        batch_op.create_index("ix_xr_transaction_service_time", ["service_id", "request_in_ts"], unique=False)
        batch_op.create_index("ix_xr_transaction_time", ["request_in_ts"], unique=False)

    op.create_table(
        "xr_tx_daily",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("consumer_subsystem_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("duration_ms_sum", sa.BigInteger(), nullable=False),
        sa.Column("duration_ms_min", sa.BigInteger(), nullable=False),
        sa.Column("duration_ms_max", sa.BigInteger(), nullable=False),
        sa.Column("request_bytes", sa.BigInteger(), nullable=False),
        sa.Column("response_bytes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xr_tx_daily")),
        sa.UniqueConstraint(
            "day", "consumer_subsystem_id", "service_id", "succeeded", name="uq_xr_tx_daily_key"
        ),
    )
    with op.batch_alter_table("xr_tx_daily", schema=None) as batch_op:
        batch_op.create_index("ix_xr_tx_daily_totals", ["day", "succeeded", "count"], unique=False)

    op.create_table(
        "xr_tx_monthly",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("consumer_subsystem_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("duration_ms_sum", sa.BigInteger(), nullable=False),
        sa.Column("duration_ms_min", sa.BigInteger(), nullable=False),
        sa.Column("duration_ms_max", sa.BigInteger(), nullable=False),
        sa.Column("request_bytes", sa.BigInteger(), nullable=False),
        sa.Column("response_bytes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xr_tx_monthly")),
        sa.UniqueConstraint(
            "month", "consumer_subsystem_id", "service_id", "succeeded", name="uq_xr_tx_monthly_key"
        ),
    )
    with op.batch_alter_table("xr_tx_monthly", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_xr_tx_monthly_month"), ["month"], unique=False)

    op.create_table(
        "xr_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("member_class", sa.String(length=16), nullable=False),
        sa.Column("member_code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("created_at", govhub.core.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_class"],
            ["xr_member_class.code"],
            name=op.f("fk_xr_member_member_class_xr_member_class"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_xr_member_organisation_id_organisation"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xr_member")),
        sa.UniqueConstraint("member_class", "member_code", name="uq_xr_member_class_code"),
        sa.UniqueConstraint("organisation_id", name=op.f("uq_xr_member_organisation_id")),
    )
    op.create_table(
        "xr_subsystem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("created_at", govhub.core.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["xr_member.id"],
            name=op.f("fk_xr_subsystem_member_id_xr_member"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xr_subsystem")),
        sa.UniqueConstraint("member_id", "code", name="uq_xr_subsystem_member_code"),
    )
    with op.batch_alter_table("xr_subsystem", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_xr_subsystem_member_id"), ["member_id"], unique=False)

    op.create_table(
        "xr_group_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("subsystem_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["xr_group.id"],
            name=op.f("fk_xr_group_member_group_id_xr_group"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subsystem_id"],
            ["xr_subsystem.id"],
            name=op.f("fk_xr_group_member_subsystem_id_xr_subsystem"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xr_group_member")),
        sa.UniqueConstraint("group_id", "subsystem_id", name="uq_xr_group_member_pair"),
    )
    with op.batch_alter_table("xr_group_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_xr_group_member_group_id"), ["group_id"], unique=False)

    op.create_table(
        "xr_service",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subsystem_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("service_type", sa.String(length=16), nullable=False),
        sa.Column("base_url", sa.String(length=1000), nullable=False),
        sa.Column("description_doc", sa.Text(), nullable=True),
        sa.Column("timeout_seconds", sa.Double(), nullable=False),
        sa.Column("verify_tls", sa.Boolean(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", govhub.core.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", govhub.core.database.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "timeout_seconds > 0 AND timeout_seconds <= 300", name=op.f("ck_xr_service_timeout_range")
        ),
        sa.ForeignKeyConstraint(
            ["subsystem_id"],
            ["xr_subsystem.id"],
            name=op.f("fk_xr_service_subsystem_id_xr_subsystem"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xr_service")),
        sa.UniqueConstraint("subsystem_id", "code", name="uq_xr_service_subsystem_code"),
    )
    with op.batch_alter_table("xr_service", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_xr_service_subsystem_id"), ["subsystem_id"], unique=False)

    op.create_table(
        "xr_subsystem_cert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subsystem_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", govhub.core.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subsystem_id"],
            ["xr_subsystem.id"],
            name=op.f("fk_xr_subsystem_cert_subsystem_id_xr_subsystem"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xr_subsystem_cert")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_xr_subsystem_cert_fingerprint")),
    )
    with op.batch_alter_table("xr_subsystem_cert", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_xr_subsystem_cert_subsystem_id"), ["subsystem_id"], unique=False)

    op.create_table(
        "xr_subsystem_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("subsystem_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("created_at", govhub.core.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", govhub.core.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", govhub.core.database.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subsystem_id"],
            ["xr_subsystem.id"],
            name=op.f("fk_xr_subsystem_key_subsystem_id_xr_subsystem"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xr_subsystem_key")),
        sa.UniqueConstraint("key_id", name=op.f("uq_xr_subsystem_key_key_id")),
    )
    with op.batch_alter_table("xr_subsystem_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_xr_subsystem_key_subsystem_id"), ["subsystem_id"], unique=False)

    op.create_table(
        "xr_endpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["xr_service.id"],
            name=op.f("fk_xr_endpoint_service_id_xr_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xr_endpoint")),
        sa.UniqueConstraint("service_id", "method", "path", name="uq_xr_endpoint_method_path"),
    )
    with op.batch_alter_table("xr_endpoint", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_xr_endpoint_service_id"), ["service_id"], unique=False)

    op.create_table(
        "xr_access_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consumer_subsystem_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("endpoint_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.String(length=1000), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("requested_at", govhub.core.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", govhub.core.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["consumer_subsystem_id"],
            ["xr_subsystem.id"],
            name=op.f("fk_xr_access_request_consumer_subsystem_id_xr_subsystem"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["xr_endpoint.id"],
            name=op.f("fk_xr_access_request_endpoint_id_xr_endpoint"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["xr_service.id"],
            name=op.f("fk_xr_access_request_service_id_xr_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xr_access_request")),
    )
    with op.batch_alter_table("xr_access_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_xr_access_request_service_id"), ["service_id"], unique=False)

    op.create_table(
        "xr_access_right",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("endpoint_id", sa.Integer(), nullable=True),
        sa.Column("subsystem_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("granted_at", govhub.core.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("granted_by", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "(subsystem_id IS NULL) <> (group_id IS NULL)", name=op.f("ck_xr_access_right_one_subject")
        ),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["xr_endpoint.id"],
            name=op.f("fk_xr_access_right_endpoint_id_xr_endpoint"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["xr_group.id"],
            name=op.f("fk_xr_access_right_group_id_xr_group"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["xr_service.id"],
            name=op.f("fk_xr_access_right_service_id_xr_service"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subsystem_id"],
            ["xr_subsystem.id"],
            name=op.f("fk_xr_access_right_subsystem_id_xr_subsystem"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xr_access_right")),
    )
    with op.batch_alter_table("xr_access_right", schema=None) as batch_op:
        batch_op.create_index("ix_xr_access_right_service", ["service_id"], unique=False)
    _seed()


MEMBER_CLASSES = [
    ("GOV", "Cơ quan nhà nước (state agencies)"),
    ("COM", "Doanh nghiệp (commercial organisations)"),
    ("NGO", "Tổ chức phi chính phủ (non-governmental organisations)"),
    ("ORG", "Tổ chức khác (other organisations)"),
]


def _seed() -> None:
    """X-Road's usual classes; an installation can add its own through the API."""
    member_class = sa.table(
        "xr_member_class", sa.column("code", sa.String), sa.column("description", sa.String)
    )
    op.bulk_insert(member_class, [{"code": c, "description": d} for c, d in MEMBER_CLASSES])
    version = sa.table(
        "xr_registry_version", sa.column("id", sa.Integer), sa.column("version", sa.BigInteger)
    )
    op.bulk_insert(version, [{"id": 1, "version": 1}])


def downgrade() -> None:
    with op.batch_alter_table("xr_access_right", schema=None) as batch_op:
        batch_op.drop_index("ix_xr_access_right_service")

    op.drop_table("xr_access_right")
    with op.batch_alter_table("xr_access_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_xr_access_request_service_id"))

    op.drop_table("xr_access_request")
    with op.batch_alter_table("xr_endpoint", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_xr_endpoint_service_id"))

    op.drop_table("xr_endpoint")
    with op.batch_alter_table("xr_subsystem_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_xr_subsystem_key_subsystem_id"))

    op.drop_table("xr_subsystem_key")
    with op.batch_alter_table("xr_subsystem_cert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_xr_subsystem_cert_subsystem_id"))

    op.drop_table("xr_subsystem_cert")
    with op.batch_alter_table("xr_service", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_xr_service_subsystem_id"))

    op.drop_table("xr_service")
    with op.batch_alter_table("xr_group_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_xr_group_member_group_id"))

    op.drop_table("xr_group_member")
    with op.batch_alter_table("xr_subsystem", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_xr_subsystem_member_id"))

    op.drop_table("xr_subsystem")
    op.drop_table("xr_member")
    with op.batch_alter_table("xr_tx_monthly", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_xr_tx_monthly_month"))

    op.drop_table("xr_tx_monthly")
    with op.batch_alter_table("xr_tx_daily", schema=None) as batch_op:
        batch_op.drop_index("ix_xr_tx_daily_totals")

    op.drop_table("xr_tx_daily")
    with op.batch_alter_table("xr_transaction", schema=None) as batch_op:
        batch_op.drop_index("ix_xr_transaction_time")
        batch_op.drop_index("ix_xr_transaction_service_time")
        batch_op.drop_index("ix_xr_transaction_message")
        batch_op.drop_index("ix_xr_transaction_consumer_time")

    op.drop_table("xr_transaction")
    op.drop_table("xr_registry_version")
    op.drop_table("xr_member_class")
    op.drop_table("xr_group")
    # ### end Alembic commands ###
