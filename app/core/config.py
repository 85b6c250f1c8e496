"""Settings, read from the environment (prefix ``DEBRIEF_``) or a ``.env`` file."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEV_SECRET_KEY = "debrief-dev-secret-key-never-use-in-production"  # noqa: S105 (refused in prod)
MIN_SECRET_KEY_LENGTH = 32
DEV_SIGNING_KID = "dev"


# Seconds. A healthy database connects in milliseconds and Debrief's statements (indexed,
# keyset-paginated) answer in milliseconds too: these bounds only ever end an outage's
# wait, and they end it long before the 30-60 s after which gateways and clients give up
# on their own (asyncpg's connect timeout is 60 s by default, SQLAlchemy's pool wait 30 s).
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_POOL_TIMEOUT = 5.0
DEFAULT_STATEMENT_TIMEOUT = 15.0
# One PostgreSQL connection per request in flight, kept: a pool smaller than the load opens
# and closes overflow connections all the time (7-33 per 1,000 requests at 64 in flight).
DEFAULT_POOL_SIZE = 64
# A connection idle this long is checked (one round trip) before use; one in steady use is
# not, and a dead one is found at its first statement instead (a 503, pool discarded).
DEFAULT_POOL_CHECK_IDLE = 10.0
# Connections older than this are closed on return and replaced: no connection outlives a
# server-side idle or lifetime limit unnoticed.
DEFAULT_POOL_RECYCLE = 1800.0


@dataclass(frozen=True)
class DatabaseTimeouts:
    """How long a request waits on the database before it is answered with a 503."""

    connect: float = DEFAULT_CONNECT_TIMEOUT
    pool: float = DEFAULT_POOL_TIMEOUT
    # None: no limit (migrations may rewrite a large table).
    statement: float | None = DEFAULT_STATEMENT_TIMEOUT
    # And how the pool keeps PostgreSQL connections (these go together: see config).
    pool_size: int = DEFAULT_POOL_SIZE
    pool_check_idle: float = DEFAULT_POOL_CHECK_IDLE
    pool_recycle: float = DEFAULT_POOL_RECYCLE


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
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The address clients reach the API at; the OpenAPI document's `servers`.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL. Unset: SQLite file `debrief.db` in the data directory.",
    )
    database_connect_timeout: float = Field(
        default=DEFAULT_CONNECT_TIMEOUT,
        gt=0,
        le=60,
        description="Seconds to open a connection to PostgreSQL before the request gets a "
        "503 problem.",
    )
    database_pool_timeout: float = Field(
        default=DEFAULT_POOL_TIMEOUT,
        gt=0,
        le=60,
        description="Seconds a request waits for a free connection of the pool (on SQLite: "
        "for the write lock) before it gets a 503 problem.",
    )
    database_pool_size: int = Field(
        default=DEFAULT_POOL_SIZE,
        ge=1,
        le=1000,
        description="PostgreSQL connections each process keeps (no overflow): at least the "
        "requests a process has in flight, and the processes' sum within the server's "
        "max_connections.",
    )
    database_pool_check_idle: float = Field(
        default=DEFAULT_POOL_CHECK_IDLE,
        ge=0,
        le=3600,
        description="Seconds a pooled connection may sit idle before it is checked (one round "
        "trip) on its next use; 0 checks every use.",
    )
    database_pool_recycle: float = Field(
        default=DEFAULT_POOL_RECYCLE,
        gt=0,
        le=86400,
        description="Seconds after which a pooled connection is replaced by a new one.",
    )
    database_statement_timeout: float = Field(
        default=DEFAULT_STATEMENT_TIMEOUT,
        gt=0,
        le=600,
        description="Seconds one statement may run (PostgreSQL cancels it) before the "
        "request gets a 503 problem.",
    )
    rule_set_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        le=60,
        description="How long a process trusts which rule set an organisation has active "
        "(0 reads it on every diagnosis). An activation through another process is "
        "seen within this time; through this one, at once.",
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
    request_head_timeout_seconds: float = Field(
        default=10.0,
        ge=0.1,
        le=300,
        description="Seconds a request's head (request line and headers) may take to arrive "
        "from its first byte, and a new connection to start one; then a 408 problem (or, "
        "before any byte, a close). Stops clients that send their headers slowly.",
    )
    request_body_timeout_seconds: float = Field(
        default=30.0,
        ge=0.1,
        le=3600,
        description="Seconds a request's body may take to arrive after its head; then a "
        "408 problem and the connection is closed.",
    )
    docs_enabled: bool = Field(default=True, description="Serve /docs and /redoc.")
    public_base_url: str | None = Field(
        default=None,
        pattern=r"^https?://[^/?#\s]+(/[^?#\s]*)?$",
        max_length=500,
        description="The API's public address (e.g. `https://api.example.com`), for links "
        "that leave it such as calendar feeds. Unset: the address the request came to.",
    )
    auth_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        le=60,
        description="How long a process trusts an API key it has checked, a token's person "
        "and a coach's grants (0: check every request). A key revoked, a person removed or a "
        "grant revoked elsewhere takes effect within this time.",
    )
    template_render_timeout_seconds: float = Field(
        default=2.0,
        gt=0,
        le=60,
        description="Wall-clock limit on rendering one organisation's template (or a "
        "preview); a worker that takes longer is stopped and replaced.",
    )
    template_render_workers: int = Field(
        default=2,
        ge=1,
        le=32,
        description="Worker processes per API process that render organisations' templates.",
    )
    secret_key: SecretStr = Field(
        default=SecretStr(DEV_SECRET_KEY),
        description="Signs pagination cursors. Every process of one deployment shares it.",
    )

    webhooks_allow_private: bool = Field(
        default=False,
        description="Let webhook endpoints reach loopback, private, link-local and metadata "
        "addresses, and plain http in prod (tests and local development only).",
    )
    webhooks_timeout_seconds: float = Field(
        default=10.0, gt=0, le=60, description="How long one webhook delivery may take."
    )
    webhooks_retry_delay_factor: float = Field(
        default=1.0,
        ge=0,
        le=10,
        description="Scales the retry schedule (0 s, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h); "
        "tests shrink it.",
    )
    webhooks_disable_after_days: float = Field(
        default=5.0,
        gt=0,
        description="An endpoint that has failed every delivery for this long is disabled.",
    )
    webhooks_secret_overlap_hours: float = Field(
        default=24.0,
        ge=0,
        le=24 * 30,
        description="After a secret rotation, how long deliveries are signed with both secrets.",
    )
    worker_in_process: bool | None = Field(
        default=None,
        description="Run the worker loop inside `debrief serve`. Unset: on for SQLite, off for "
        "PostgreSQL (run `debrief worker` processes instead).",
    )
    worker_poll_seconds: float = Field(
        default=1.0, gt=0, le=60, description="How often an idle worker looks for work."
    )
    worker_lease_seconds: float = Field(
        default=60.0,
        gt=0,
        le=3600,
        description="How long a worker holds a claimed delivery; a worker killed mid-batch "
        "loses its claims after this.",
    )
    worker_batch_size: int = Field(
        default=50, ge=1, le=1000, description="Deliveries one worker claims at a time."
    )
    worker_concurrency: int = Field(
        default=10, ge=1, le=200, description="Deliveries one worker sends at once."
    )

    redis_url: str | None = Field(
        default=None,
        description="Redis URL (`redis://host:6379/0`) where every process keeps the rate "
        "limits' counters. Unset: each process counts for itself, in memory.",
    )
    redis_timeout_seconds: float = Field(
        default=0.25,
        gt=0,
        le=10,
        description="How long a rate-limit check waits for Redis before the request is "
        "served without a limit.",
    )
    rate_limits_enabled: bool = Field(default=True, description="Apply the rate limits.")
    rate_limit_window_seconds: int = Field(
        default=60, ge=1, le=86_400, description="The window every rate-limit budget counts in."
    )
    rate_limit_reads: int = Field(
        default=1200,
        ge=1,
        description="Reads (GET) one API key or person's token may make per window.",
    )
    rate_limit_writes: int = Field(
        default=300, ge=1, description="Writes one API key or person's token may make per window."
    )
    rate_limit_diagnoses: int = Field(
        default=120,
        ge=1,
        description="Diagnoses (and diagnosis previews) one API key or person's token may "
        "run per window.",
    )
    rate_limit_renders: int = Field(
        default=120,
        ge=1,
        description="Messages (and previews) one API key or person's token may render per window.",
    )
    rate_limit_organization_factor: int = Field(
        default=10,
        ge=1,
        le=10_000,
        description="An organisation's budget, all its keys and tokens together, as a "
        "multiple of one caller's.",
    )
    mcp_credential: SecretStr | None = Field(
        default=None,
        description="For `debrief mcp` (stdio): the API key or person's token it acts as.",
    )
    metrics_enabled: bool = Field(
        default=True, description="Count requests and the rest for /metrics."
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="Bearer token that `GET /metrics` requires. Unset (or metrics not "
        "enabled): /metrics is off (404).",
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
    def database_timeouts(self) -> DatabaseTimeouts:
        return DatabaseTimeouts(
            connect=self.database_connect_timeout,
            pool=self.database_pool_timeout,
            statement=self.database_statement_timeout,
            pool_size=self.database_pool_size,
            pool_check_idle=self.database_pool_check_idle,
            pool_recycle=self.database_pool_recycle,
        )

    @property
    def uses_embedded_default(self) -> bool:
        return self.database_url is None

    @property
    def runs_worker_in_process(self) -> bool:
        if self.worker_in_process is not None:
            return self.worker_in_process
        return self.effective_database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
