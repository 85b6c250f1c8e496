"""Idempotency-Key on creating POSTs, kept in the database so it holds across processes.

The first response is stored in the same transaction as the resource it created, so a
retry either finds both or neither. Concurrent first uses meet at a unique index: the
loser's transaction is rolled back and it replays the winner's response.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated

from fastapi import Header, Request
from pydantic import BaseModel
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from app.core.errors import Conflict, IdempotencyKeyReused
from app.core.idempotency_models import IdempotencyRecord
from app.core.ids import utc_now
from app.core.security import Principal

RETENTION = timedelta(hours=24)
REPLAYED_HEADER = "Idempotent-Replayed"
_REPLAYED_HEADERS = ("location", "etag", "content-type")

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Makes a retry safe: the same key and body within 24 hours replay the "
        "first response (with `Idempotent-Replayed: true`); another body is a 409.",
    ),
]


@dataclass(frozen=True)
class Created:
    """What a creating operation returns: the response, and the id of what it made."""

    status_code: int
    body: str
    resource_id: str
    headers: dict[str, str] = field(default_factory=dict)
    subject_id: str | None = None
    # The body to store for replays, when it must differ (a secret shown only once).
    replay_body: str | None = None

    def response(self) -> Response:
        return Response(
            self.body,
            status_code=self.status_code,
            headers=self.headers,
            media_type="application/json",
        )


def fingerprint(request: Request, payload: BaseModel) -> str:
    """What makes two requests "the same": method, path and the fields that were sent."""
    canonical = payload.model_dump_json(exclude_unset=True)
    text = f"{request.method}\n{request.url.path}\n{canonical}"
    return hashlib.sha256(text.encode()).hexdigest()


async def _find(session: AsyncSession, organization_id: str, key: str) -> IdempotencyRecord | None:
    record = await session.get(IdempotencyRecord, (organization_id, key))
    if record is not None and record.created_at < utc_now() - RETENTION:
        await session.delete(record)
        await session.flush()
        return None
    return record


def _replay(record: IdempotencyRecord, request_fingerprint: str) -> Response:
    if record.fingerprint != request_fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was first used with another request; use a new key."
        )
    headers = {**record.response_headers, REPLAYED_HEADER: "true"}
    return Response(
        record.response_body,
        status_code=record.status_code,
        headers=headers,
        media_type="application/json",
    )


def _stored_key(caller: Principal, key: str) -> str:
    """Keys are the caller's own: a person's never meet their organisation's or another's.
    Hashed, so that the subject and any key the client chose fit the column."""
    if caller.subject is None:
        return key
    return f"{caller.subject}:{hashlib.sha256(key.encode()).hexdigest()}"


async def run_idempotently(
    session: AsyncSession,
    caller: Principal,
    key: str | None,
    request: Request,
    payload: BaseModel,
    create: Callable[[], Awaitable[Created]],
) -> Response:
    if key is None:
        return (await create()).response()
    organization_id = caller.organization_id
    key = _stored_key(caller, key)
    request_fingerprint = fingerprint(request, payload)
    existing = await _find(session, organization_id, key)
    if existing is not None:
        return _replay(existing, request_fingerprint)
    try:
        created = await create()
        session.add(
            IdempotencyRecord(
                organization_id=organization_id,
                key=key,
                fingerprint=request_fingerprint,
                status_code=created.status_code,
                response_body=created.replay_body or created.body,
                response_headers={
                    k: v for k, v in created.headers.items() if k.lower() in _REPLAYED_HEADERS
                },
                resource_id=created.resource_id,
                subject_id=created.subject_id,
                created_at=utc_now(),
            )
        )
        await session.flush()
    except (IntegrityError, Conflict):
        # A concurrent request with this key may have won: if so, answer as it did.
        await session.rollback()
        winner = await _find(session, organization_id, key)
        if winner is None:
            raise
        return _replay(winner, request_fingerprint)
    return created.response()


async def forget_subject(session: AsyncSession, subject_id: str) -> None:
    """Erase stored responses about a person or that describe them (they hold their data)."""
    await session.execute(
        delete(IdempotencyRecord).where(
            (IdempotencyRecord.subject_id == subject_id)
            | (IdempotencyRecord.resource_id == subject_id)
        )
    )


async def purge_expired(session: AsyncSession) -> int:
    result = await session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.created_at < utc_now() - RETENTION)
    )
    return int(getattr(result, "rowcount", 0) or 0)
