from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.core.fields import SingleLine, Timestamp
from app.core.ids import utc_now
from app.core.security import Role, Scope
from app.organizations.models import ApiKey, Organization


class OrganizationRead(BaseModel):
    id: str = Field(examples=["org_01JD6Z3K8Q2W5X7Y9A1B3C5D7E"])
    name: str
    created_at: datetime

    @classmethod
    def of(cls, organization: Organization) -> OrganizationRead:
        return cls(id=organization.id, name=organization.name, created_at=organization.created_at)


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: SingleLine = Field(min_length=1, max_length=100, examples=["coach platform, production"])
    scopes: list[Scope] = Field(
        min_length=1,
        max_length=3,
        description="`read`, `write`, `admin`; each implies the ones before it.",
    )
    expires_at: Timestamp | None = Field(default=None, description="RFC 3339, in the future.")

    @field_validator("expires_at")
    @classmethod
    def _in_the_future(cls, value: datetime | None) -> datetime | None:
        if value is not None and value <= utc_now():
            raise ValueError("must be in the future")
        return value


class ApiKeyRead(BaseModel):
    id: str = Field(examples=["key_01JD6Z3K8Q2W5X7Y9A1B3C5D7E"])
    name: str
    prefix: str = Field(description="The first characters of the key, to recognise it.")
    scopes: list[Scope]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, api_key: ApiKey) -> ApiKeyRead:
        return cls(
            id=api_key.id,
            name=api_key.name,
            prefix=api_key.lookup_prefix,
            scopes=[Scope(s) for s in api_key.scopes],
            created_at=api_key.created_at,
            expires_at=api_key.expires_at,
            last_used_at=api_key.last_used_at,
            revoked_at=api_key.revoked_at,
        )


class ApiKeyIssued(ApiKeyRead):
    api_key: str | None = Field(
        description="The key itself, shown in this response only and stored nowhere. "
        "A replay of this response (same Idempotency-Key) has `null` here.",
        examples=["dbr_…"],
    )


class Me(BaseModel):
    organization: OrganizationRead
    api_key: ApiKeyRead | None = Field(description="The calling API key; null for a token.")
    scopes: list[Scope] = Field(description="What the caller may do, implied scopes included.")
    role: Role = Field(description="`organization` for an API key, else the token's role.")
    subject: str | None = Field(description="The person a token acts for; null for a key.")
