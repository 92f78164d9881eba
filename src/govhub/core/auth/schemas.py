"""Request and response models for users, citizens and API keys; secrets appear only in create responses."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from govhub.core.auth import permissions
from govhub.core.auth.models import Role

USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{2,63}$"
MIN_PASSWORD = 10


def _password_ok(value: str) -> str:
    if len(value) < MIN_PASSWORD:
        raise ValueError(f"must be at least {MIN_PASSWORD} characters")
    if value.isdigit() or value.isalpha():
        raise ValueError("must mix letters with digits or symbols")
    return value


Password = Annotated[str, Field(max_length=256), AfterValidator(_password_ok)]
Email = Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(pattern=USERNAME_PATTERN, description="Lower-case letters, digits, . _ -")
    full_name: str = Field(min_length=2, max_length=200)
    email: Email | None = None
    password: Password
    role: Role
    organisation_id: int = Field(ge=1, le=2**31 - 1)


class UserUpdate(BaseModel):
    """Fields left out stay as they are; only email may be set to null."""

    model_config = ConfigDict(extra="forbid")

    full_name: str = Field(default=None, min_length=2, max_length=200)  # type: ignore[assignment]
    email: Email | None = None
    role: Role = Field(default=None)  # type: ignore[assignment]
    is_active: bool = Field(default=None)  # type: ignore[assignment]


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    full_name: str
    email: str | None
    role: Role
    organisation_id: int
    is_active: bool
    created_at: dt.datetime
    last_login_at: dt.datetime | None


class UserPage(BaseModel):
    total: int
    items: list[UserRead]


class CitizenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    national_id: str = Field(pattern=r"^[0-9]{12}$", description="12-digit citizen identity number (CCCD)")
    full_name: str = Field(min_length=2, max_length=200)
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9]{9,15}$")
    email: Email | None = None
    password: Password


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    user_id: int | None = Field(default=None, ge=1, le=2**31 - 1, description="Owner; yourself if omitted")
    scopes: list[str] = Field(default_factory=lambda: ["*"], max_length=32)
    expires_in_days: int | None = Field(default=90, ge=1, le=3650, description="null means never expires")

    @field_validator("scopes")
    @classmethod
    def _known_scopes(cls, value: list[str]) -> list[str]:
        allowed = permissions.known()
        unknown = [s for s in value if s != "*" and s not in allowed]
        if unknown:
            raise ValueError(f"unknown scopes {unknown}; allowed: '*' or {sorted(allowed)}")
        return sorted(set(value))


class ApiKeyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key_id: str
    name: str
    user_id: int
    scopes: list[str]
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


class ApiKeyCreated(ApiKeyRead):
    token: str = Field(description="Shown only in this response; store it now, it cannot be recovered.")


class WhoAmI(BaseModel):
    kind: str
    id: str | None
    label: str
    role: str | None
    organisation_id: int | None
    permissions: list[str]
