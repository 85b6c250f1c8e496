"""Strong ETags from a row's version; If-Match (412) and If-None-Match (304)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header

from app.core.errors import PreconditionFailed

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=1024,
        description="ETag from a previous response; the write fails with 412 if it changed.",
    ),
]
IfNoneMatch = Annotated[
    str | None,
    Header(alias="If-None-Match", max_length=1024, description="ETag you hold; 304 if current."),
]


ETAG_HEADER_DOC = {
    "ETag": {
        "description": "Send it back as If-Match to change the resource safely.",
        "schema": {"type": "string"},
    }
}


def etag_for(version: int) -> str:
    return f'"{version}"'


def _tags(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def check_if_match(if_match: str | None, current: str) -> None:
    """RFC 9110 If-Match: strong comparison; ``*`` matches any current representation."""
    if if_match is None:
        return
    tags = _tags(if_match)
    if "*" in tags or current in tags:
        return
    raise PreconditionFailed(
        f"If-Match {if_match} does not match the current ETag {current}.",
        extensions={"current_etag": current},
    )


# What a 304 keeps of the 200 it replaces; the representation's own headers go.
DROPPED_ON_304 = ("content-type", "content-length", "content-disposition", "content-language")


def is_not_modified(if_none_match: str | None, current: str) -> bool:
    """RFC 9110 If-None-Match: weak comparison."""
    if if_none_match is None:
        return False
    tags = [tag.removeprefix("W/") for tag in _tags(if_none_match)]
    return "*" in tags or current in tags
