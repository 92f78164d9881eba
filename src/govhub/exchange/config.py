"""Gateway settings (GOVHUB_EXCHANGE_* variables), kept with the part that uses them."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ExchangeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GOVHUB_EXCHANGE_", extra="ignore")

    registry_refresh_seconds: float = Field(
        default=1.0, ge=0, description="How stale a worker's routing may be"
    )
    commit_interval_ms: float = Field(default=3.0, ge=0, le=100, description="Group-commit window")
    max_request_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    max_response_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    connection_limit: int = Field(default=256, ge=1)
    # Behind a TLS terminator that checked the client certificate: the header carrying its SHA-256.
    client_cert_header: str | None = None
    trusted_proxies: list[str] = Field(default_factory=lambda: ["127.0.0.1", "::1"])
