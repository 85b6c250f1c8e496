"""Reactions: a feature higher up acts on a change made lower down, in the same transaction.

Data flows one way between features (a feature never imports one above it), yet some
changes must move things above them at once: a message marked sent completes its
follow-up, a closed session cancels what is left. The lower feature already reports each
change to the outbox (`app.core.outbox.emit`); a higher feature registers a reaction to
that event type here, and the request's transaction runs the reactions before it commits
(`app.core.database.get_session`). A reaction may emit events in turn; they are reacted to
as well, in order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.event_types import EventType

if TYPE_CHECKING:
    from app.core.outbox_models import OutboxEvent

Reaction = Callable[[AsyncSession, "OutboxEvent"], Awaitable[None]]

PENDING_KEY = "debrief.events_to_react_to"
# A reaction that emits what it reacts to would never end; no real chain is this long.
MAX_ROUNDS = 20

_REACTIONS: dict[EventType, list[Reaction]] = {}


def react_to(*types: EventType) -> Callable[[Reaction], Reaction]:
    """Register the decorated coroutine for these event types (once per function)."""

    def register(reaction: Reaction) -> Reaction:
        for event_type in types:
            registered = _REACTIONS.setdefault(event_type, [])
            if reaction not in registered:
                registered.append(reaction)
        return reaction

    return register


def is_reacted_to(event_type: EventType) -> bool:
    """Whether a reaction is registered for this type: an event of it must be written
    through the session (`app.core.outbox.emit`), in a transaction that runs them."""
    return event_type in _REACTIONS


def remember(session: AsyncSession, event: OutboxEvent) -> None:
    """Called by the outbox writer for every event it adds."""
    if EventType(event.type) in _REACTIONS:
        session.info.setdefault(PENDING_KEY, []).append(event)


async def run_reactions(session: AsyncSession) -> None:
    """Run the reactions to every event emitted in this transaction, and to theirs."""
    for _ in range(MAX_ROUNDS):
        pending: list[OutboxEvent] = session.info.pop(PENDING_KEY, [])
        if not pending:
            return
        for event in pending:
            for reaction in _REACTIONS.get(EventType(event.type), ()):
                await reaction(session, event)
        await session.flush()
    raise RuntimeError("reactions kept emitting events to react to")


def forget_pending(session: AsyncSession) -> None:
    session.info.pop(PENDING_KEY, None)
