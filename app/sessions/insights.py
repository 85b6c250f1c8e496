"""Where a candidate stands across their sessions, and everything stored about them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.candidates.schemas import CandidateRead
from app.candidates.service import get_candidate
from app.core.ids import utc_now
from app.core.lookup import visible
from app.core.outbox_models import OutboxEvent
from app.core.security import Principal
from app.sessions import action_items, service
from app.sessions.models import ActionItem, ReflectionSession
from app.sessions.schemas import (
    ActionItemRead,
    ActionStatus,
    SessionEventRead,
    SessionRead,
    Stage,
)

TYPICAL_NOS_PER_YES = (5, 10)
STAGE_ORDER = list(Stage)


class OutcomeCounts(BaseModel):
    rejected: int = 0
    offer: int = 0
    withdrawn: int = 0
    no_response: int = 0


class Ratio(BaseModel):
    nos: int = Field(description="Rejections and applications with no response.")
    yeses: int = Field(description="Offers.")
    nos_per_yes: float | None = Field(description="Null until there is an offer.")
    typical_range: list[int] = Field(description='The 5–10 "no"s per "yes" of most searches.')
    message: str


class FunnelStep(BaseModel):
    stage: Stage
    ended_here: int = Field(description="Sessions whose furthest stage was this one.")
    reached: int = Field(description="Sessions that got at least this far.")


class ActionCounts(BaseModel):
    done: int = 0
    open: int = Field(default=0, description="To do or in progress.")
    dropped: int = 0


class RecurringCategory(BaseModel):
    category: str
    sessions: int = Field(description="Sessions whose latest diagnosis put this first.")


class Insights(BaseModel):
    candidate_id: str
    sessions: int
    by_outcome: OutcomeCounts
    ratio: Ratio
    funnel: list[FunnelStep]
    action_items: ActionCounts
    recurring_categories: list[RecurringCategory] = Field(
        default_factory=list,
        description="What the diagnoses keep finding, most frequent first.",
    )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def ratio_message(nos: int, yeses: int) -> str:
    low, high = TYPICAL_NOS_PER_YES
    if nos == 0 and yeses == 0:
        return "Nothing recorded yet. Each application you add makes this picture clearer."
    if yeses == 0:
        noes = _plural(nos, '"no"')
        if nos < low:
            return (
                f'{noes} so far and no offer yet. Most searches bring five to ten "no"s '
                'for every "yes": you are still early, and every one teaches you something.'
            )
        if nos <= high:
            return (
                f"{noes} so far: right in the range of five to ten that most searches go "
                'through before a "yes". It is hard, and it is normal. Keep going.'
            )
        return (
            f'{noes} so far, more than the usual five to ten before a "yes". That is a '
            "reason to look at the patterns here (where applications stop, what the "
            "feedback says), not a verdict on you."
        )
    per_yes = nos / yeses
    if per_yes < low:
        return f'{per_yes:.1f} "no"s per "yes": better than the usual five to ten. Well done.'
    if per_yes <= high:
        return f'{per_yes:.1f} "no"s per "yes": within the usual five to ten.'
    return (
        f'{per_yes:.1f} "no"s per "yes", above the usual five to ten: worth looking at where '
        "applications stop, and aiming the next ones accordingly."
    )


async def insights(session: AsyncSession, caller: Principal, candidate_id: str) -> Insights:
    candidate = await get_candidate(session, caller, candidate_id)
    scoped = (
        *visible(ReflectionSession, caller),
        ReflectionSession.candidate_id == candidate.id,
    )
    by_outcome = OutcomeCounts()
    ended_at: dict[str, int] = {}
    rows = await session.execute(
        select(ReflectionSession.outcome, ReflectionSession.stage_reached, func.count())
        .where(*scoped)
        .group_by(ReflectionSession.outcome, ReflectionSession.stage_reached)
    )
    total = 0
    for outcome, stage, count in rows:
        total += count
        setattr(by_outcome, outcome, getattr(by_outcome, outcome) + count)
        ended_at[stage] = ended_at.get(stage, 0) + count
    funnel = []
    reached = total
    for stage in STAGE_ORDER:
        funnel.append(FunnelStep(stage=stage, ended_here=ended_at.get(stage, 0), reached=reached))
        reached -= ended_at.get(stage, 0)
    counts = ActionCounts()
    item_rows = await session.execute(
        select(ActionItem.status, func.count())
        .join(ReflectionSession, ActionItem.session_id == ReflectionSession.id)
        .where(*scoped)
        .group_by(ActionItem.status)
    )
    for item_status, count in item_rows:
        if item_status == ActionStatus.DONE.value:
            counts.done += count
        elif item_status == ActionStatus.DROPPED.value:
            counts.dropped += count
        else:
            counts.open += count
    nos = by_outcome.rejected + by_outcome.no_response
    yeses = by_outcome.offer
    return Insights(
        candidate_id=candidate.id,
        sessions=total,
        by_outcome=by_outcome,
        ratio=Ratio(
            nos=nos,
            yeses=yeses,
            nos_per_yes=round(nos / yeses, 2) if yeses else None,
            typical_range=list(TYPICAL_NOS_PER_YES),
            message=ratio_message(nos, yeses),
        ),
        funnel=funnel,
        action_items=counts,
    )


class ExportedSession(SessionRead):
    events: list[SessionEventRead]
    action_items: list[ActionItemRead]


class Export(BaseModel):
    exported_at: datetime
    candidate: CandidateRead
    sessions: list[ExportedSession]


async def export(session: AsyncSession, caller: Principal, candidate_id: str) -> Export:
    candidate = await get_candidate(session, caller, candidate_id)
    sessions = (
        await session.scalars(
            select(ReflectionSession)
            .where(
                *visible(ReflectionSession, caller),
                ReflectionSession.candidate_id == candidate.id,
            )
            .order_by(ReflectionSession.id)
        )
    ).all()
    session_ids = [s.id for s in sessions]
    events: dict[str, list[SessionEventRead]] = {i: [] for i in session_ids}
    items: dict[str, list[ActionItemRead]] = {i: [] for i in session_ids}
    if session_ids:
        for event in await session.scalars(
            select(OutboxEvent)
            .where(
                *visible(OutboxEvent, caller),
                OutboxEvent.session_id.in_(session_ids),
                OutboxEvent.type.in_(service.TIMELINE_TYPES),
            )
            .order_by(OutboxEvent.id)
        ):
            events[str(event.session_id)].append(service.read_event(event))
        for item in await session.scalars(
            select(ActionItem).where(ActionItem.session_id.in_(session_ids)).order_by(ActionItem.id)
        ):
            items[item.session_id].append(action_items.read(item))
    return Export(
        exported_at=utc_now(),
        candidate=CandidateRead.of(candidate),
        sessions=[
            ExportedSession(
                **service.read(row).model_dump(), events=events[row.id], action_items=items[row.id]
            )
            for row in sessions
        ],
    )
