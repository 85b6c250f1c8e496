"""Settings, read from the environment (prefix ``DEBRIEF_``) or a ``.env`` file."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_KEY = "debrief-dev-secret-key-never-use-in-production"  # noqa: S105 (refused in prod)
MIN_SECRET_KEY_LENGTH = 32


class Environment(StrEnum):
    DEV = "dev"
    PROD = "prod"


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class LogLevel(StrEnum):
    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


_DRIVER_ALIASES = {
    "postgres://": "postgresql+asyncpg://",
    "postgresql://": "postgresql+asyncpg://",
    "sqlite://": "sqlite+aiosqlite://",
}


def normalise_database_url(url: str) -> str:
    """Accept the usual sync spellings and map them to the async drivers Debrief runs on."""
    for prefix, replacement in _DRIVER_ALIASES.items():
        if url.startswith(prefix):
            return replacement + url[len(prefix) :]
    return url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DEBRIEF_", env_file=".env", extra="ignore", frozen=True
    )

    environment: Environment = Field(
        default=Environment.DEV,
        description="`dev` or `prod`; `prod` refuses the unsafe defaults.",
    )
    data_dir: Path = Field(
        default=Path("data"),
        description="Where the embedded SQLite database lives; created on first run.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL. Unset: SQLite file `debrief.db` in the data directory.",
    )
    log_level: LogLevel = LogLevel.INFO
    log_format: LogFormat = LogFormat.TEXT
    max_body_bytes: int = Field(
        default=1_048_576,
        ge=1024,
        le=64 * 1_048_576,
        description="Largest request body accepted; larger bodies get a 413 problem.",
    )
    max_url_bytes: int = Field(
        default=8192,
        ge=256,
        le=1_048_576,
        description="Longest request target (path and query) the server reads; longer is a "
        "414 problem.",
    )
    max_header_bytes: int = Field(
        default=32_768,
        ge=1024,
        le=16 * 1_048_576,
        description="Largest request head (request line and headers) the server reads; "
        "larger is a 431 problem.",
    )
    max_header_count: int = Field(
        default=100,
        ge=10,
        le=10_000,
        description="Most header fields in one request; more is a 431 problem.",
    )
    docs_enabled: bool = Field(default=True, description="Serve /docs and /redoc.")
    auth_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        le=60,
        description="How long a process trusts an API key it has checked (0: check every "
        "request). A key revoked elsewhere stops working within this time.",
    )
    secret_key: SecretStr = Field(
        default=SecretStr(DEV_SECRET_KEY),
        description="Signs pagination cursors. Every process of one deployment shares it.",
    )

    @field_validator("database_url")
    @classmethod
    def _normalise_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return normalise_database_url(value.strip())

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> Self:
        if self.environment is not Environment.PROD:
            return self
        if self.database_url is None:
            raise ValueError(
                "DEBRIEF_DATABASE_URL must be set in prod: the embedded SQLite default "
                "is for development only"
            )
        secret = self.secret_key.get_secret_value()
        if secret == DEV_SECRET_KEY or len(secret) < MIN_SECRET_KEY_LENGTH:
            raise ValueError(
                f"DEBRIEF_SECRET_KEY must be set in prod to a random value of at least "
                f"{MIN_SECRET_KEY_LENGTH} characters"
            )
        return self

    @property
    def effective_database_url(self) -> str:
        if self.database_url is not None:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'debrief.db').as_posix()}"

    @property
    def uses_embedded_default(self) -> bool:
        return self.database_url is None


@lru_cache
def get_settings() -> Settings:
    return Settings()
