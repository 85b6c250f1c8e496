"""The candidates each coach may see, as this process last read them from the grants.

Read once per bound (`DEBRIEF_AUTH_CACHE_SECONDS`, as API keys and token subjects) and
never past the earliest expiry among the grants read, so an expired grant stops at its
time. A grant or revocation made by this process drops the coach's entry once it has
committed; one made by another process is seen here within the bound.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from app.core.ids import utc_now

MAX_ENTRIES = 50_000


@dataclass(frozen=True, slots=True)
class CoachReach:
    """What a coach may see and comment on right now."""

    candidate_ids: frozenset[str]
    commentable_ids: frozenset[str]
    # The earliest expiry among the grants read: the reach is stale from then on.
    expires_at: datetime | None


class GrantCache:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._entries: OrderedDict[tuple[str, str], tuple[CoachReach, float]] = OrderedDict()
        # Bumped by every change: a read that began before a change must not be stored
        # after it, or a revocation could be undone for a whole bound.
        self._generation = 0

    def generation(self) -> int:
        return self._generation

    def get(self, organization_id: str, coach_id: str) -> CoachReach | None:
        entry = self._entries.get((organization_id, coach_id))
        if entry is None:
            return None
        reach, checked_at = entry
        if self.seconds <= 0 or time.monotonic() - checked_at > self.seconds:
            return None
        if reach.expires_at is not None and reach.expires_at <= utc_now():
            return None
        return reach

    def put(self, organization_id: str, coach_id: str, reach: CoachReach, generation: int) -> None:
        if generation != self._generation:
            return
        pair = (organization_id, coach_id)
        self._entries[pair] = (reach, time.monotonic())
        self._entries.move_to_end(pair)
        while len(self._entries) > MAX_ENTRIES:
            self._entries.popitem(last=False)

    def changed(self, organization_id: str, coach_id: str) -> None:
        """A grant of this coach was made or revoked (and committed) by this process."""
        self._generation += 1
        self._entries.pop((organization_id, coach_id), None)
