from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.access.models import AccessLogEntry, Grant
from app.core.fields import Timestamp


class Permission(StrEnum):
    READ = "read"
    COMMENT = "comment"


class GrantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    coach_id: str = Field(
        max_length=64,
        description="The coach `coach_…` of your organisation who may see this candidate.",
        examples=["coach_01JD6Z3K8Q2W5X7Y9A1B3C5D7E"],
    )
    permissions: list[Permission] = Field(
        min_length=1,
        max_length=2,
        description="`read`: everything about the candidate, read-only. `read` and "
        "`comment`: may also add and change next steps (action items) and a session's notes.",
        examples=[["read", "comment"]],
    )
    expires_at: Timestamp | None = Field(
        default=None, description="When the access ends by itself (RFC 3339); never if absent."
    )

    @field_validator("permissions")
    @classmethod
    def _reads(cls, value: list[Permission]) -> list[Permission]:
        if Permission.READ not in value:
            raise ValueError("must include read: a coach who may comment may also read")
        return [permission for permission in Permission if permission in value]


GrantStatus = Literal["active", "expired", "revoked"]


class GrantRead(BaseModel):
    id: str = Field(examples=["grant_01JD6Z3K8Q2W5X7Y9A1B3C5D7E"])
    candidate_id: str
    coach_id: str
    permissions: list[Permission]
    status: GrantStatus = Field(description="`active` until revoked or past `expires_at`.")
    granted_by: Literal["candidate", "organization"]
    expires_at: datetime | None
    revoked_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, grant: Grant, now: datetime) -> GrantRead:
        status: GrantStatus = "active"
        if grant.revoked_at is not None:
            status = "revoked"
        elif grant.expires_at is not None and grant.expires_at <= now:
            status = "expired"
        permissions = (
            [Permission.READ, Permission.COMMENT] if grant.may_comment else [Permission.READ]
        )
        return cls(
            id=grant.id,
            candidate_id=grant.candidate_id,
            coach_id=grant.coach_id,
            permissions=permissions,
            status=status,
            granted_by="candidate" if grant.granted_by == "candidate" else "organization",
            expires_at=grant.expires_at,
            revoked_at=grant.revoked_at,
            created_at=grant.created_at,
        )


class AccessLogEntryRead(BaseModel):
    id: str = Field(examples=["alog_01JD6Z3K8Q2W5X7Y9A1B3C5D7E"])
    candidate_id: str
    coach_id: str
    method: str = Field(examples=["GET"])
    operation: str = Field(description="The operation's name.", examples=["get_session"])
    path: str = Field(description="The address's template.", examples=["/v1/sessions/{session_id}"])
    resource_id: str | None = Field(description="The id the address named, if any.")
    request_id: str | None = Field(description="The request's `X-Request-ID`.")
    at: datetime

    @classmethod
    def of(cls, entry: AccessLogEntry) -> AccessLogEntryRead:
        return cls(
            id=entry.id,
            candidate_id=entry.candidate_id,
            coach_id=entry.coach_id,
            method=entry.method,
            operation=entry.operation,
            path=entry.path_template,
            resource_id=entry.resource_id,
            request_id=entry.request_id,
            at=entry.at,
        )
