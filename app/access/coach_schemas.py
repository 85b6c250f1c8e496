from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import MISSING, BaseModel, ConfigDict, Field, StringConstraints

from app.access.models import Coach
from app.core.fields import EmailAddress, SingleLine

ExternalRef = Annotated[SingleLine, StringConstraints(min_length=1, max_length=200)]
CoachName = Annotated[SingleLine, StringConstraints(min_length=1, max_length=200)]


class CoachCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    external_ref: ExternalRef = Field(
        description="Your platform's own id for this coach; unique in your organisation.",
        examples=["coach-17"],
    )
    name: CoachName = Field(examples=["Sam Rivera"])
    email: EmailAddress | None = None


class CoachUpdate(BaseModel):
    """A JSON Merge Patch (RFC 7396): absent fields stay, `null` clears the email."""

    model_config = ConfigDict(extra="forbid")

    external_ref: ExternalRef | MISSING = MISSING
    name: CoachName | MISSING = MISSING
    email: EmailAddress | MISSING | None = MISSING


class CoachRead(BaseModel):
    id: str = Field(examples=["coach_01JD6Z3K8Q2W5X7Y9A1B3C5D7E"])
    external_ref: str
    name: str
    email: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, coach: Coach) -> CoachRead:
        return cls(
            id=coach.id,
            external_ref=coach.external_ref,
            name=coach.name,
            email=coach.email,
            created_at=coach.created_at,
            updated_at=coach.updated_at,
        )
