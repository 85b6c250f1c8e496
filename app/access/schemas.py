from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.fields import Integer
from app.core.security import Role

MAX_TOKEN_SECONDS = 86_400
DEFAULT_TOKEN_SECONDS = 3_600
# One prefix per role a token can be minted for: candidates and coaches.
SUBJECT_PATTERN = r"^(cand|coach)_[0-9A-Za-z]{1,58}$"


class TokenScope(StrEnum):
    READ = "read"
    WRITE = "write"


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: str = Field(
        max_length=64,
        pattern=SUBJECT_PATTERN,
        description="The person the token acts for: a candidate `cand_…` or a coach "
        "`coach_…` of your organisation. The id's kind decides the token's role.",
        examples=["cand_01JD6Z3K8Q2W5X7Y9A1B3C5D7E"],
    )
    scopes: list[TokenScope] = Field(
        min_length=1,
        max_length=2,
        description="`read`, `write` (which implies `read`); never more than the API key "
        "that mints the token has.",
        examples=[["read", "write"]],
    )
    expires_in: Integer = Field(
        default=DEFAULT_TOKEN_SECONDS,
        ge=60,
        le=MAX_TOKEN_SECONDS,
        description="Seconds until the token expires (at most a day).",
    )


class TokenIssued(BaseModel):
    token: str = Field(description="A signed JWT: send it as `Authorization: Bearer …`.")
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 (a scheme name, not a secret)
    subject: str
    role: Role
    scopes: list[TokenScope]
    expires_at: datetime
    key_id: str = Field(description="The signing key's id (the JWT's `kid` header).")
