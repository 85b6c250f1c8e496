"""Candidates, always within one organisation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.candidates.models import Candidate
from app.candidates.schemas import CandidateCreate, CandidateRead, CandidateUpdate, Metadata
from app.core import ids
from app.core.concurrency import flush_changes
from app.core.errors import Conflict, FieldProblem, ValidationFailed
from app.core.etags import check_if_match, etag_for
from app.core.event_types import EventType
from app.core.idempotency import forget_subject
from app.core.ids import utc_now
from app.core.lookup import get_owned, visible
from app.core.merge_patch import apply_merge_patch
from app.core.outbox import StreamEvent, emit
from app.core.pagination import Page, PageRequest, paginate
from app.core.row_writes import update_with_events
from app.core.security import Principal

_metadata_adapter: TypeAdapter[dict[str, Any]] = TypeAdapter(Metadata)


def etag(candidate: Candidate) -> str:
    return etag_for(candidate.version)


def _duplicate(external_ref: str) -> Conflict:
    return Conflict(
        f"A candidate with the external reference {external_ref!r} already exists "
        "in your organisation.",
        errors=[FieldProblem(pointer="/body/external_ref", detail="already used", code="unique")],
    )


async def _ensure_ref_free(session: AsyncSession, caller: Principal, external_ref: str) -> None:
    taken = await session.scalar(
        select(Candidate.id).where(
            *visible(Candidate, caller),
            Candidate.external_ref == external_ref,
        )
    )
    if taken is not None:
        raise _duplicate(external_ref)


async def _save(session: AsyncSession, external_ref: str, if_match: str | None) -> None:
    await flush_changes(
        session, "candidate", if_match, on_duplicate=lambda: _duplicate(external_ref)
    )


async def create_candidate(
    session: AsyncSession, caller: Principal, data: CandidateCreate
) -> Candidate:
    await _ensure_ref_free(session, caller, data.external_ref)
    now = utc_now()
    candidate = Candidate(
        id=ids.CANDIDATE.new(now),
        organization_id=caller.organization_id,
        external_ref=data.external_ref,
        display_name=data.display_name,
        email=data.email,
        pronouns=data.pronouns,
        sign_as=data.sign_as,
        locale=data.locale,
        time_zone=data.time_zone,
        metadata_=data.metadata,
        created_at=now,
        updated_at=now,
    )
    session.add(candidate)
    await flush_changes(
        session, "candidate", None, on_duplicate=lambda: _duplicate(data.external_ref)
    )
    emit(
        session,
        caller.organization_id,
        EventType.CANDIDATE_CREATED,
        {"candidate_id": candidate.id},
        candidate_id=candidate.id,
        at=now,
    )
    return candidate


async def get_candidate(session: AsyncSession, caller: Principal, candidate_id: str) -> Candidate:
    return await get_owned(session, Candidate, ids.CANDIDATE, candidate_id, caller, "candidate")


async def list_candidates(
    session: AsyncSession,
    caller: Principal,
    page: PageRequest,
    *,
    external_ref: str | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
) -> Page[CandidateRead]:
    statement = select(Candidate).where(*visible(Candidate, caller))
    if external_ref is not None:
        statement = statement.where(Candidate.external_ref == external_ref)
    # Ids begin with their creation time, so a time range is an id range on the same index.
    if created_after is not None:
        statement = statement.where(Candidate.id >= ids.CANDIDATE.lowest_at(created_after))
    if created_before is not None:
        statement = statement.where(Candidate.id < ids.CANDIDATE.lowest_at(created_before))
    return await paginate(session, statement, Candidate.id, page, "candidates", CandidateRead.of)


def _merged_metadata(current: dict[str, Any], patch: dict[str, Any] | None) -> dict[str, Any]:
    merged = apply_merge_patch(current, patch) if patch is not None else {}
    try:
        return _metadata_adapter.validate_python(merged)
    except ValidationError as exc:
        raise ValidationFailed(
            "The metadata would exceed its limits after the merge.",
            errors=[FieldProblem.of_pydantic("/body/metadata", error) for error in exc.errors()],
        ) from None


async def update_candidate(
    session: AsyncSession,
    caller: Principal,
    candidate_id: str,
    patch: CandidateUpdate,
    if_match: str | None,
) -> Candidate:
    candidate = await get_candidate(session, caller, candidate_id)
    check_if_match(if_match, etag(candidate))
    changes = patch.model_dump(exclude_unset=True)
    if "external_ref" in changes and changes["external_ref"] != candidate.external_ref:
        await _ensure_ref_free(session, caller, changes["external_ref"])
    if "metadata" in changes:
        changes["metadata_"] = _merged_metadata(candidate.metadata_, changes.pop("metadata"))
    changed = [name for name, value in changes.items() if getattr(candidate, name) != value]
    if changed:
        now = utc_now()
        fields = sorted(name.rstrip("_") for name in changed)
        event = StreamEvent(
            EventType.CANDIDATE_UPDATED,
            {"candidate_id": candidate.id, "fields": fields},
            candidate_id=candidate.id,
        )
        ref = changes.get("external_ref", candidate.external_ref)
        # One statement on PostgreSQL: the change and its event (app/core/row_writes).
        await update_with_events(
            session,
            candidate,
            {**{name: changes[name] for name in changed}, "updated_at": now},
            [event],
            at=now,
            noun="candidate",
            if_match=if_match,
            on_duplicate=lambda: _duplicate(ref),
        )
    return candidate


async def delete_candidate(
    session: AsyncSession, caller: Principal, candidate_id: str, if_match: str | None
) -> None:
    """Erase the candidate and everything stored about them."""
    candidate = await get_candidate(session, caller, candidate_id)
    check_if_match(if_match, etag(candidate))
    await forget_subject(session, candidate.id)
    await session.delete(candidate)
    # Their earlier events go with them (a cascade); this one names only the erased id.
    emit(
        session, caller.organization_id, EventType.CANDIDATE_ERASED, {"candidate_id": candidate.id}
    )
    await flush_changes(
        session, "candidate", if_match, on_duplicate=lambda: _duplicate(candidate.external_ref)
    )
