"""Request and response models of the exchange registry, access rights, records and statistics."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator

from govhub.exchange.identifiers import METASERVICES

Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9'()+,\-.=?]{1,64}$")]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]
Method = Literal["*", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
ServiceType = Literal["REST", "OPENAPI3", "WSDL"]
SubsystemKind = Literal["information_system", "national_database"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MemberClassIn(Strict):
    code: str = Field(pattern=r"^[A-Z]{2,16}$")
    description: str = Field(min_length=2, max_length=200)


class MemberClassRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    description: str


class MemberCreate(Strict):
    organisation_id: Id
    member_class: str = Field(pattern=r"^[A-Z]{2,16}$")
    member_code: Code
    name: str | None = Field(
        default=None, min_length=2, max_length=300, description="Defaults to the organisation's"
    )


class MemberRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    organisation_id: int
    member_class: str
    member_code: str
    name: str
    created_at: dt.datetime


class SubsystemCreate(Strict):
    member_id: Id
    code: Code
    name: str = Field(min_length=2, max_length=300)
    kind: SubsystemKind = "information_system"


class SubsystemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    member_id: int
    code: str
    name: str
    kind: str
    created_at: dt.datetime
    identifier: str = ""


class ServiceCreate(Strict):
    subsystem_id: Id
    code: Code
    name: str = Field(min_length=2, max_length=300)
    service_type: ServiceType = "REST"
    base_url: HttpUrl = Field(description="Where the provider listens; requests go nowhere else")
    description_doc: str | None = Field(
        default=None, max_length=2_000_000, description="OpenAPI 3 (JSON or YAML) for OPENAPI3, WSDL for WSDL"
    )
    timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    verify_tls: bool = True

    @field_validator("code")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value in METASERVICES:
            raise ValueError(f"'{value}' is reserved for a metaservice")
        return value

    @field_validator("base_url")
    @classmethod
    def _plain_base(cls, value: HttpUrl) -> HttpUrl:
        if value.query or value.fragment or value.username or value.password:
            raise ValueError("the base URL must not carry a query, a fragment or credentials")
        return value


class ServiceUpdate(Strict):
    name: str = Field(default=None, min_length=2, max_length=300)  # type: ignore[assignment]
    base_url: HttpUrl = Field(default=None)  # type: ignore[assignment]
    timeout_seconds: float = Field(default=None, gt=0, le=300)  # type: ignore[assignment]
    verify_tls: bool = Field(default=None)  # type: ignore[assignment]
    enabled: bool = Field(default=None)  # type: ignore[assignment]


class EndpointIn(Strict):
    method: Method
    path: str = Field(min_length=1, max_length=500, pattern=r"^(/[A-Za-z0-9_\-.~{}*]*)+$|^\*\*$")


class EndpointRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    method: str
    path: str
    source: str


class ServiceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    subsystem_id: int
    code: str
    name: str
    service_type: str
    base_url: str
    timeout_seconds: float
    verify_tls: bool
    enabled: bool
    created_at: dt.datetime
    identifier: str = ""
    endpoints: list[EndpointRead] = []


class GroupCreate(Strict):
    code: Code
    description: str = Field(min_length=2, max_length=300)


class GroupRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    description: str


class GroupMemberIn(Strict):
    subsystem_id: Id


class RightCreate(Strict):
    service_id: Id
    endpoint_id: Id | None = None
    subsystem_id: Id | None = None
    group_id: Id | None = None


class RightRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    service_id: int
    endpoint_id: int | None
    subsystem_id: int | None
    group_id: int | None
    granted_at: dt.datetime
    granted_by: str


class AccessRequestCreate(Strict):
    consumer_subsystem_id: Id
    service_id: Id
    endpoint_id: Id | None = None
    purpose: str = Field(
        min_length=5, max_length=1000, description="Why the data is needed, and the legal basis"
    )


class AccessDecision(Strict):
    approve: bool
    reason: str = Field(
        min_length=3, max_length=1000, description="Recorded with the decision; required to refuse"
    )


class AccessRequestRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    consumer_subsystem_id: int
    service_id: int
    endpoint_id: int | None
    purpose: str
    status: str
    requested_by: str
    requested_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_reason: str | None


class SubsystemKeyCreate(Strict):
    name: str = Field(min_length=1, max_length=120)
    expires_in_days: int | None = Field(default=365, ge=1, le=3650)


class SubsystemKeyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    key_id: str
    subsystem_id: int
    name: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None


class SubsystemKeyCreated(SubsystemKeyRead):
    token: str = Field(description="Send as X-API-Key to the gateway; shown only in this response")


class CertificateIn(Strict):
    fingerprint: str = Field(pattern=r"^[0-9a-fA-F]{64}$", description="SHA-256 of the DER certificate, hex")


class TransactionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    message_id: str
    client: str | None = None
    service: str | None = None
    consumer_subsystem_id: int | None
    service_id: int | None
    service_type: str | None
    rest_method: str
    rest_path: str
    user_id: str | None
    issue: str | None
    request_in_ts: int
    request_out_ts: int | None
    response_in_ts: int | None
    response_out_ts: int
    request_size: int
    response_size: int
    status_code: int
    succeeded: bool
    fault_code: str | None
    fault_string: str | None


class TransactionPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[TransactionRead]


class ServiceHealth(BaseModel):
    service_id: int
    since: dt.datetime
    last_success_ts: int | None
    last_failure_ts: int | None
    successful: int
    unsuccessful: int
    duration_ms_min: int | None
    duration_ms_avg: float | None
    duration_ms_max: int | None


class CountRow(BaseModel):
    period: str
    key: str | None = None
    label: str | None = None
    succeeded: int
    failed: int
    total: int


class Overview(BaseModel):
    connected_organisations: int
    providing_national_databases: int
    providing_information_systems: int
    two_way_subsystems: int
    members: int
    subsystems: int
    services: int
    enabled_services: int
