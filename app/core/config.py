"""Settings, read from the environment (prefix ``DEBRIEF_``) or a ``.env`` file."""

from __future__ import annotations

import hashlib
import hmac
import json
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEV_SECRET_KEY = "debrief-dev-secret-key-never-use-in-production"  # noqa: S105 (refused in prod)
MIN_SECRET_KEY_LENGTH = 32
DEV_SIGNING_KID = "dev"


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

    cors_origins: Annotated[list[str], NoDecode] = Field(
        default=[],
        description="Origins whose browsers may call the API (CORS), as a JSON list or "
        "comma-separated. Empty: no CORS headers at all.",
    )
    token_signing_keys: Annotated[dict[str, SecretStr], NoDecode] = Field(
        default={},
        description="Keys that sign people's tokens: `kid:secret` entries, comma-separated, "
        "or a JSON object. The current one signs, every one verifies. Unset in dev: one "
        "key derived from the secret key.",
    )
    token_current_kid: str | None = Field(
        default=None,
        description="Which signing key signs new tokens. Unset: the first one.",
    )
    token_issuer: str = Field(
        default="debrief",
        min_length=1,
        description="The `iss` of the tokens this deployment mints and accepts.",
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _parse_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [origin.strip() for origin in text.split(",") if origin.strip()]
        return value

    @field_validator("token_signing_keys", mode="before")
    @classmethod
    def _parse_signing_keys(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        text = value.strip()
        if text.startswith("{"):
            return json.loads(text)
        keys: dict[str, str] = {}
        for entry in filter(None, (part.strip() for part in text.split(","))):
            kid, separator, secret = entry.partition(":")
            if not separator or not kid.strip() or not secret:
                raise ValueError("each signing key is `kid:secret`")
            keys[kid.strip()] = secret
        return keys

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
        if not self.token_signing_keys:
            raise ValueError("DEBRIEF_TOKEN_SIGNING_KEYS must be set in prod")
        for kid, key in self.token_signing_keys.items():
            if len(key.get_secret_value()) < MIN_SECRET_KEY_LENGTH:
                raise ValueError(
                    f"the token signing key {kid!r} must be a random value of at least "
                    f"{MIN_SECRET_KEY_LENGTH} characters"
                )
        return self

    @model_validator(mode="after")
    def _current_kid_is_a_signing_key(self) -> Self:
        if self.token_current_kid is not None and self.token_current_kid not in self.signing_keys:
            raise ValueError("DEBRIEF_TOKEN_CURRENT_KID must name one of the token signing keys")
        return self

    @property
    def signing_keys(self) -> dict[str, str]:
        """kid → secret; in dev without configured keys, one derived from the secret key."""
        if self.token_signing_keys:
            return {kid: key.get_secret_value() for kid, key in self.token_signing_keys.items()}
        derived = hmac.new(
            self.secret_key.get_secret_value().encode(), b"debrief-token-signing", hashlib.sha256
        ).hexdigest()
        return {DEV_SIGNING_KID: derived}

    @property
    def current_kid(self) -> str:
        return self.token_current_kid or next(iter(self.signing_keys))

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
