"""Settings come from GOVHUB_* variables or govhub.toml so one package serves many installations."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


def _toml_path() -> Path:
    return Path(os.environ.get("GOVHUB_CONFIG", "govhub.toml"))


class Settings(BaseSettings):
    """One installation's configuration; environment wins over govhub.toml."""

    model_config = SettingsConfigDict(env_prefix="GOVHUB_", extra="ignore")

    database_url: str = "sqlite:///./govhub.db"
    secret_key: str = Field(
        default="", description="Signs session cookies; if empty, kept in .govhub-secret."
    )
    instance: str = "VN"
    site_name: str = "GovHub"
    default_locale: str = "vi"
    max_body_bytes: int = 1_048_576
    session_max_age: int = 8 * 3600
    secure_cookies: bool = False
    host: str = "127.0.0.1"
    port: int = 8000

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in ("vi", "en"):
            raise ValueError("default_locale must be 'vi' or 'en'")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = _toml_path()
        if path.is_file():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)


@lru_cache
def get_settings() -> Settings:
    return Settings()
