from __future__ import annotations

from datetime import datetime
from importlib import resources
from typing import Annotated, Any

from pydantic import (
    MISSING,
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)

from app.candidates.models import Candidate
from app.core.fields import EmailAddress, SingleLine

MAX_METADATA_KEYS = 20
MAX_METADATA_KEY_LENGTH = 40
MAX_METADATA_STRING_LENGTH = 500

LOCALE_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"


# The zone names of the pinned tzdata package: the same list on every machine, so what
# `GET /v1/time-zones` lists and what validation accepts agree everywhere. The schema
# says "a string" rather than repeating ~600 names as an enum in every model that has one.
TIME_ZONES: tuple[str, ...] = tuple(
    sorted(resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8").split())
)
_TIME_ZONE_SET = frozenset(TIME_ZONES)


def _known_time_zone(value: str) -> str:
    if value not in _TIME_ZONE_SET:
        raise ValueError("not an IANA time zone name such as Europe/Paris")
    return value


ExternalRef = Annotated[SingleLine, StringConstraints(min_length=1, max_length=200)]
DisplayName = Annotated[SingleLine, StringConstraints(min_length=1, max_length=200)]
Pronouns = Annotated[SingleLine, StringConstraints(min_length=1, max_length=40)]
Locale = Annotated[
    str,
    StringConstraints(max_length=35, pattern=LOCALE_PATTERN),
    Field(description="BCP 47 language tag, e.g. `en`, `pt-BR`."),
]
TimeZone = Annotated[
    str,
    StringConstraints(max_length=64),
    AfterValidator(_known_time_zone),
    WithJsonSchema(
        {
            "type": "string",
            "maxLength": 64,
            "description": "An IANA time zone name such as `Europe/Paris`, from the tz "
            "database; `GET /v1/time-zones` lists every name accepted.",
            "examples": ["Europe/Paris"],
        }
    ),
]
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
    email: EmailAddress | None = None
    pronouns: Pronouns | None = Field(
        default=None, description="As the person gives them, e.g. `she/her`, `they/them`."
    )
    sign_as: DisplayName | None = Field(
        default=None,
        description="How the person signs messages (`Alex`, `Dr. Alex Morgan`); "
        "the display name when absent.",
    )
    locale: Locale = Field(default="en", description="BCP 47 language tag.")
    time_zone: TimeZone = "UTC"
    metadata: Metadata = Field(default_factory=dict)


class CandidateUpdate(BaseModel):
    """A JSON Merge Patch (RFC 7396): absent fields stay, `null` clears an optional one;
    the fields every candidate must have cannot be null."""

    model_config = ConfigDict(extra="forbid")

    external_ref: ExternalRef | MISSING = MISSING
    display_name: DisplayName | MISSING = MISSING
    email: EmailAddress | MISSING | None = MISSING
    pronouns: Pronouns | MISSING | None = MISSING
    sign_as: DisplayName | MISSING | None = MISSING
    locale: Locale | MISSING = MISSING
    time_zone: TimeZone | MISSING = MISSING
    metadata: dict[MetadataKey, MetadataValue] | MISSING | None = Field(
        default=MISSING,
        description="Merged key by key; a key set to `null` is removed; `null` clears all.",
    )


class CandidateRead(BaseModel):
    id: str = Field(examples=["cand_01JD6Z3K8Q2W5X7Y9A1B3C5D7E"])
    external_ref: str
    display_name: str
    email: str | None
    pronouns: str | None
    sign_as: str | None
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
            sign_as=candidate.sign_as,
            locale=candidate.locale,
            time_zone=candidate.time_zone,
            metadata=candidate.metadata_,
            created_at=candidate.created_at,
            updated_at=candidate.updated_at,
        )
