"""Which rule set each organisation has active, as this process last read it.

Every diagnosis needs it, and it changes rarely: a process trusts what it read for
`DEBRIEF_RULE_SET_CACHE_SECONDS`. An activation through this process is seen at once (the
entry is dropped when it is made and again when it commits, and a read that overlapped
either is not kept); through another process, within that time (twice it at worst, for
requests that arrive while the entry is being read again).
"""

from __future__ import annotations

from collections import OrderedDict
from time import monotonic
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.database import SessionOnDemand
from app.core.security import Principal
from app.diagnosis import rule_sets

MAX_ENTRIES = 10_000
RuleSetKey = tuple[str, int]


class ActiveRuleSets:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._entries: OrderedDict[str, tuple[RuleSetKey, float]] = OrderedDict()
        # Bumped by every forget(): a read that began before it must not be kept.
        self._generations: dict[str, int] = {}
        self._refreshing: set[str] = set()

    async def ref(self, session: AsyncSession | SessionOnDemand, caller: Principal) -> RuleSetKey:
        organization_id = caller.organization_id
        entry = self._entries.get(organization_id)
        if entry is not None:
            age = monotonic() - entry[1]
            if age <= self.seconds:
                return entry[0]
            # Expired: the first request to notice reads it again; those that arrive
            # meanwhile keep the entry a moment longer instead of all reading at once.
            if organization_id in self._refreshing and age <= 2 * self.seconds:
                return entry[0]
        generation = self._generations.get(organization_id, 0)
        self._refreshing.add(organization_id)
        try:
            read = await rule_sets.active_ref(session, caller)
        finally:
            self._refreshing.discard(organization_id)
        if self.seconds > 0 and self._generations.get(organization_id, 0) == generation:
            self._entries[organization_id] = (read, monotonic())
            self._entries.move_to_end(organization_id)
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)
        return read

    def forget(self, organization_id: str) -> None:
        self._entries.pop(organization_id, None)
        self._generations[organization_id] = self._generations.get(organization_id, 0) + 1


async def active_rule_sets(request: Request) -> ActiveRuleSets:
    cache: ActiveRuleSets = request.app.state.active_rule_sets
    return cache


ActiveRuleSetsDep = Annotated[ActiveRuleSets, Depends(active_rule_sets)]


def forget_on_commit(session: AsyncSession, actives: ActiveRuleSets, organization_id: str) -> None:
    """After an activation: drop the organisation's entry now, and again once it commits
    (a diagnosis in between may have read the rule set still active until then)."""
    actives.forget(organization_id)
    event.listen(
        session.sync_session, "after_commit", lambda _s: actives.forget(organization_id), once=True
    )
