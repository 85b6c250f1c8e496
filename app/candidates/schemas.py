from __future__ import annotations

import re
import zoneinfo
from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
)

from app.candidates.models import Candidate

MAX_METADATA_KEYS = 20
MAX_METADATA_KEY_LENGTH = 40
MAX_METADATA_STRING_LENGTH = 500

_LOCALE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")


@lru_cache(maxsize=1)
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _known_time_zone(value: str) -> str:
    if value != "UTC" and value not in _time_zones():
        raise ValueError("not an IANA time zone name such as Europe/Paris")
    return value


def _bcp47(value: str) -> str:
    if not _LOCALE.fullmatch(value):
        raise ValueError("not a BCP 47 language tag such as en or pt-BR")
    return value


ExternalRef = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
DisplayName = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
Pronouns = Annotated[str, StringConstraints(min_length=1, max_length=40, strip_whitespace=True)]
Locale = Annotated[str, StringConstraints(max_length=35), AfterValidator(_bcp47)]
TimeZone = Annotated[str, StringConstraints(max_length=64), AfterValidator(_known_time_zone)]
MetadataKey = Annotated[str, StringConstraints(min_length=1, max_length=MAX_METADATA_KEY_LENGTH)]
MetadataValue = (
    Annotated[str, StringConstraints(max_length=MAX_METADATA_STRING_LENGTH)]
    | int
    | float
    | bool
    | None
)
Metadata = Annotated[
    dict[MetadataKey, MetadataValue],
    Field(
        max_length=MAX_METADATA_KEYS,
        description=f"Your own flat key–value data: up to {MAX_METADATA_KEYS} keys of up to "
        f"{MAX_METADATA_KEY_LENGTH} characters; values are strings (up to "
        f"{MAX_METADATA_STRING_LENGTH} characters), numbers, booleans or null.",
    ),
]


class CandidateCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    external_ref: ExternalRef = Field(
        description="Your platform's own id for this person; unique in your organisation.",
        examples=["client-4711"],
    )
    display_name: DisplayName = Field(examples=["Alex Morgan"])
    email: EmailStr | None = Field(default=None, max_length=254)
    pronouns: Pronouns | None = Field(
        default=None, description="As the person gives them, e.g. `she/her`, `they/them`."
    )
    locale: Locale = Field(default="en", description="BCP 47 language tag.")
    time_zone: TimeZone = Field(default="UTC", description="IANA time zone name.")
    metadata: Metadata = Field(default_factory=dict)


class CandidateUpdate(BaseModel):
    """A JSON Merge Patch (RFC 7396): absent fields stay, `null` clears an optional one."""

    model_config = ConfigDict(extra="forbid")

    external_ref: ExternalRef | None = None
    display_name: DisplayName | None = None
    email: EmailStr | None = Field(default=None, max_length=254)
    pronouns: Pronouns | None = None
    locale: Locale | None = None
    time_zone: TimeZone | None = None
    metadata: dict[MetadataKey, MetadataValue] | None = Field(
        default=None,
        description="Merged key by key; a key set to `null` is removed; `null` clears all.",
    )


class CandidateRead(BaseModel):
    id: str = Field(examples=["cand_01JD6Z3K8Q2W5X7Y9A1B3C5D7E"])
    external_ref: str
    display_name: str
    email: str | None
    pronouns: str | None
    locale: str
    time_zone: str
    metadata: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, candidate: Candidate) -> CandidateRead:
        return cls(
            id=candidate.id,
            external_ref=candidate.external_ref,
            display_name=candidate.display_name,
            email=candidate.email,
            pronouns=candidate.pronouns,
            locale=candidate.locale,
            time_zone=candidate.time_zone,
            metadata=candidate.metadata_,
            created_at=candidate.created_at,
            updated_at=candidate.updated_at,
        )
