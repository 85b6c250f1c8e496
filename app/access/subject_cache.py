"""People whose tokens this process has recently found still exist.

A token outlives nothing it names: its subject is looked up once per bound (the same
`DEBRIEF_AUTH_CACHE_SECONDS` as API keys), so a verified token costs no database round
trip on most requests. Erasure in this process marks the subject gone at once; erasure
in another process is seen here within the bound.
"""

from __future__ import annotations

import time
from collections import OrderedDict

MAX_ENTRIES = 50_000


class SubjectCache:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        # (organisation, subject) → (exists, checked at): a token names both, and only
        # the pair exists or not.
        self._entries: OrderedDict[tuple[str, str], tuple[bool, float]] = OrderedDict()

    def get(self, organization_id: str, subject: str) -> bool | None:
        """True or False when known within the bound; None when it must be looked up."""
        entry = self._entries.get((organization_id, subject))
        if entry is None:
            return None
        exists, checked_at = entry
        if not exists:
            # Ids are never reused: a subject seen gone stays gone.
            return False
        if self.seconds <= 0 or time.monotonic() - checked_at > self.seconds:
            return None
        return True

    def put(self, organization_id: str, subject: str, exists: bool) -> None:
        pair = (organization_id, subject)
        self._entries[pair] = (exists, time.monotonic())
        self._entries.move_to_end(pair)
        while len(self._entries) > MAX_ENTRIES:
            self._entries.popitem(last=False)

    def erased(self, organization_id: str, subject: str) -> None:
        """The subject was erased by this process: its tokens stop at once."""
        self.put(organization_id, subject, False)
