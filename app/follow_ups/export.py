"""The candidate export, with each session's follow-ups: composed here, at the top of the
features, because sessions (which build the rest of it) may not read follow-ups."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.lookup import visible
from app.core.security import Principal
from app.follow_ups.models import FollowUp
from app.follow_ups.schemas import FollowUpRead
from app.follow_ups.service import read
from app.sessions import insights


class ExportedSessionWithFollowUps(insights.ExportedSession):
    follow_ups: list[FollowUpRead]


class CandidateExport(insights.Export):
    sessions: list[ExportedSessionWithFollowUps]  # type: ignore[assignment]


async def export(session: AsyncSession, caller: Principal, candidate_id: str) -> CandidateExport:
    base = await insights.export(session, caller, candidate_id)
    follow_ups: dict[str, list[FollowUpRead]] = {s.id: [] for s in base.sessions}
    if follow_ups:
        for row in await session.scalars(
            select(FollowUp)
            .where(*visible(FollowUp, caller), FollowUp.candidate_id == base.candidate.id)
            .order_by(FollowUp.id)
        ):
            follow_ups.setdefault(row.session_id, []).append(read(row))
    return CandidateExport(
        exported_at=base.exported_at,
        candidate=base.candidate,
        sessions=[
            ExportedSessionWithFollowUps(**s.model_dump(), follow_ups=follow_ups[s.id])
            for s in base.sessions
        ],
    )
