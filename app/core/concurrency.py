"""Turning the database's verdict on a write into the right problem."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from app.core.errors import Conflict, PreconditionFailed, ProblemError


async def flush_changes(
    session: AsyncSession,
    noun: str,
    if_match: str | None = None,
    *,
    on_duplicate: Callable[[], ProblemError] | None = None,
) -> None:
    """Flush; a lost optimistic-lock race is a 412 when the caller sent If-Match (their
    ETag is stale) and a 409 otherwise; a unique-index clash is `on_duplicate` or a 409."""
    try:
        await session.flush()
    except IntegrityError:
        if on_duplicate is not None:
            raise on_duplicate() from None
        raise Conflict(f"Another request wrote the same {noun} at the same time; retry.") from None
    except StaleDataError:
        raise lost_race(noun, if_match) from None


def lost_race(noun: str, if_match: str | None) -> ProblemError:
    """Another request wrote the row between this one's read and its write."""
    if if_match is not None:
        return PreconditionFailed(f"The {noun} changed since the ETag you sent.")
    return Conflict(f"Another request changed the {noun} at the same time; retry.")
