"""Request and response models for the catalogue, dossiers, rules, prefill settings and facts."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from govhub.services.models import Channel, GovLevel, OnlineLevel, PartialReason, ServiceState, TimeUnit

PROCEDURE_CODE = r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,19}$"
NATIONAL_ID = r"^[0-9]{12}$"
PHONE = r"^\+?[0-9 .\-]{8,20}$"
Email = Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


class Component(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=300)
    copies: int = Field(default=1, ge=0, le=100)


class Fee(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    amount: int = Field(ge=0, le=10**12, description="Vietnamese đồng")


class ProcedureBase(BaseModel):
    name: str = Field(min_length=2, max_length=500)
    sector: str = Field(min_length=1, max_length=200)
    gov_level: GovLevel
    components: list[Component] = Field(default_factory=list, max_length=50)
    fees: list[Fee] = Field(default_factory=list, max_length=20)
    time_limit: int = Field(ge=0, le=10_000)
    time_unit: TimeUnit
    paper_result: bool = True
    eligible_full_online: bool = False
    citizen_subject: bool = True
    legal_basis: str | None = Field(default=None, max_length=5000)


class ProcedureCreate(ProcedureBase):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=PROCEDURE_CODE, description="National TTHC code, kept opaque (e.g. 1.001234)")


class ProcedureUpdate(BaseModel):
    """Fields left out stay as they are; only legal_basis may be set to null."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(default=None, min_length=2, max_length=500)  # type: ignore[assignment]
    sector: str = Field(default=None, min_length=1, max_length=200)  # type: ignore[assignment]
    gov_level: GovLevel = Field(default=None)  # type: ignore[assignment]
    components: list[Component] = Field(default=None, max_length=50)  # type: ignore[assignment]
    fees: list[Fee] = Field(default=None, max_length=20)  # type: ignore[assignment]
    time_limit: int = Field(default=None, ge=0, le=10_000)  # type: ignore[assignment]
    time_unit: TimeUnit = Field(default=None)  # type: ignore[assignment]
    paper_result: bool = Field(default=None)  # type: ignore[assignment]
    eligible_full_online: bool = Field(default=None)  # type: ignore[assignment]
    citizen_subject: bool = Field(default=None)  # type: ignore[assignment]
    legal_basis: str | None = Field(default=None, max_length=5000)


class ProcedureRead(ProcedureBase):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    created_at: dt.datetime
    updated_at: dt.datetime


class ProcedurePage(BaseModel):
    total: int
    items: list[ProcedureRead]


class PublicServiceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    procedure_id: Id
    agency_id: Id
    online_level: OnlineLevel
    partial_reason: PartialReason | None = None
    partial_note: str | None = Field(default=None, max_length=500)
    state: ServiceState = ServiceState.PUBLISHED
    payment_enabled: bool = False


class PublicServiceUpdate(BaseModel):
    """Fields left out stay as they are; the partial reason and note may be set to null."""

    model_config = ConfigDict(extra="forbid")

    online_level: OnlineLevel = Field(default=None)  # type: ignore[assignment]
    partial_reason: PartialReason | None = None
    partial_note: str | None = Field(default=None, max_length=500)
    state: ServiceState = Field(default=None)  # type: ignore[assignment]
    payment_enabled: bool = Field(default=None)  # type: ignore[assignment]


class PublicServiceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    procedure_id: int
    agency_id: int
    online_level: OnlineLevel
    legacy_level: int = Field(description="Decree 43/2011 level: 2 none, 3 partial (một phần), 4 full")
    partial_reason: PartialReason | None
    partial_note: str | None
    state: ServiceState
    payment_enabled: bool


class PublicServicePage(BaseModel):
    total: int
    items: list[PublicServiceRead]


class ImportRowError(BaseModel):
    row: int
    code: str | None
    errors: list[str]


class ImportReport(BaseModel):
    rows: int
    procedures_created: int
    procedures_updated: int
    services_created: int
    services_updated: int
    failed: int
    errors: list[ImportRowError]


class Applicant(BaseModel):
    model_config = ConfigDict(extra="forbid")

    full_name: str = Field(min_length=2, max_length=200)
    national_id: str | None = Field(default=None, pattern=NATIONAL_ID)
    date_of_birth: dt.date | None = None
    gender: str | None = Field(default=None, max_length=20)
    address: str | None = Field(default=None, max_length=500)
    phone: str | None = Field(default=None, pattern=PHONE)
    email: Email | None = None


class DossierCreate(BaseModel):
    """Citizens file online (channel 2); officers enter dossiers received at the desk (1) or by post (3)."""

    model_config = ConfigDict(extra="forbid")

    public_service_id: Id
    channel: Channel = Channel.ONLINE
    applicant: Applicant | None = None
    form_data: dict[str, Annotated[str, Field(max_length=2000)]] = Field(default_factory=dict, max_length=50)
    submit: bool = Field(default=True, description="False keeps it as a draft (local only)")
    fee_amount: int = Field(default=0, ge=0, le=10**12)
    digitised: bool = False

    @field_validator("form_data")
    @classmethod
    def _short_keys(cls, value: dict[str, str]) -> dict[str, str]:
        if any(len(k) > 100 for k in value):
            raise ValueError("form field names are at most 100 characters")
        return value


class DossierAction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: str = Field(max_length=32, pattern=r"^[a-z_]{2,32}$")
    note: str | None = Field(default=None, max_length=2000)
    new_due_at: dt.datetime | None = Field(default=None, description="For 'reschedule' (apology)")
    paid_online: bool | None = Field(default=None, description="For 'confirm_payment'")
    electronic_result: bool | None = Field(default=None, description="For 'approve'")
    result_code: str | None = Field(default=None, max_length=64)

    @field_validator("new_due_at")
    @classmethod
    def _aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("give a time zone, e.g. 2026-03-02T17:00:00+07:00")
        return value


class Rating(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rating: int = Field(ge=1, le=5, description="1 very unsatisfied … 5 very satisfied")
    comment: str | None = Field(default=None, max_length=1000)


class EventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    action: str
    status_before: int
    status_after: int
    actor_kind: str
    actor_label: str
    unit_id: int | None
    note: str | None
    at: dt.datetime
    due_at: dt.datetime | None
    overdue: bool


class DossierRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    public_service_id: int
    procedure_id: int
    agency_id: int
    channel: int
    status: int
    status_label: str
    applicant_name: str | None
    national_id: str | None = Field(description="Masked: only the last three digits")
    submitted_at: dt.datetime | None
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    due_at_original: dt.datetime | None
    supplement_count: int
    extension_count: int
    finished_at: dt.datetime | None
    returned_at: dt.datetime | None
    timeliness: str | None
    fee_amount: int
    paid_online: bool
    digitised: bool
    reused_data: bool
    population_db_used: bool
    electronic_result: bool
    rating: int | None
    rule_version: int


class DossierPage(BaseModel):
    total: int
    items: list[DossierRead]


class DossierTracking(BaseModel):
    """What anyone holding the code may see: no personal data."""

    code: str
    status: int
    status_label: str
    submitted_at: dt.datetime | None
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    finished_at: dt.datetime | None
    returned_at: dt.datetime | None
    timeliness: str | None
    steps: list[dict[str, Any]]


class PrefillRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    national_id: str = Field(pattern=NATIONAL_ID)
    dossier_code: str | None = Field(default=None, max_length=40)


class PrefillResult(BaseModel):
    found: bool
    reason: str | None = None
    person: dict[str, str | None] | None = None


class PrefillConfigRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    enabled: bool
    base_url: str
    client_id: str
    service_path: str
    api_key_set: bool
    timeout_seconds: float


class PrefillConfigUpdate(BaseModel):
    """The API key is write-only: it is never returned."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(default=None)  # type: ignore[assignment]
    base_url: str = Field(default=None, max_length=300, pattern=r"^(https?://[^\s]+)?$")  # type: ignore[assignment]
    client_id: str = Field(default=None, max_length=200, pattern=r"^([^/\s]+/){3}[^/\s]+$")  # type: ignore[assignment]
    service_path: str = Field(default=None, max_length=300, pattern=r"^[A-Za-z0-9._\-/]+$")  # type: ignore[assignment]
    api_key: str = Field(default=None, max_length=300)  # type: ignore[assignment]
    timeout_seconds: float = Field(default=None, gt=0, le=30)  # type: ignore[assignment]


class RulesIn(BaseModel):
    """A new version of the rules; anything left out keeps the previous version's value."""

    model_config = ConfigDict(extra="forbid")

    effective_from: dt.date
    source: str = Field(min_length=3, max_length=500)
    cutoff: str = Field(default=None, pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")  # type: ignore[assignment]
    office_open: str = Field(default=None, pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")  # type: ignore[assignment]
    office_close: str = Field(default=None, pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")  # type: ignore[assignment]
    extra_days_off: list[dt.date] = Field(default=None, max_length=366)  # type: ignore[assignment]
    extra_working_days: list[dt.date] = Field(default=None, max_length=366)  # type: ignore[assignment]
    max_supplements_on_time: int = Field(default=None, ge=0, le=10)  # type: ignore[assignment]
    max_reschedules: int = Field(default=None, ge=0, le=10)  # type: ignore[assignment]
    apology_notice_hours: int = Field(default=None, ge=0, le=720)  # type: ignore[assignment]
    early_by_date: bool = Field(default=None)  # type: ignore[assignment]
    dossier_code_format: str = Field(default=None, min_length=5, max_length=100)  # type: ignore[assignment]
    max_attachment_bytes: int = Field(default=None, ge=1024, le=100_000_000)  # type: ignore[assignment]


class RulesRead(BaseModel):
    version: int
    effective_from: dt.date | None
    source: str
    rules: dict[str, Any]


class Fact(BaseModel):
    """One indicator input: a numerator over a denominator, never a ratio alone."""

    code: str
    agency_id: int | None
    period: str
    numerator: int
    denominator: int


class FactsRead(BaseModel):
    periods: list[str]
    facts: list[Fact]
