"""API keys this process has checked recently, so a request need not ask the database.

Entries are keyed by the key's SHA-256, never the key itself, and live for a few seconds:
a key revoked by another process stops working within that time (twice it, at worst, for
requests that arrive while the key is being checked again); one revoked here, at once.
Expiry is checked on every request, cached or not.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from time import monotonic

from app.core.security import Principal, hash_key

MAX_ENTRIES = 10_000


@dataclass
class CheckedKey:
    principal: Principal
    expires_at: datetime | None
    last_used_at: datetime | None
    checked_at: float
    refreshing: bool = False


class KeyCache:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._entries: OrderedDict[str, CheckedKey] = OrderedDict()

    def get(self, presented: str) -> CheckedKey | None:
        if self.seconds <= 0:
            return None
        digest = hash_key(presented)
        entry = self._entries.get(digest)
        if entry is None:
            return None
        age = monotonic() - entry.checked_at
        if age <= self.seconds:
            return entry
        # Expired: the first request to notice checks the database again; those that
        # arrive while it does keep the entry a moment longer, instead of all of them
        # asking the database at once.
        if entry.refreshing and age <= 2 * self.seconds:
            return entry
        entry.refreshing = True
        return None

    def put(
        self,
        presented: str,
        principal: Principal,
        expires_at: datetime | None,
        last_used_at: datetime | None,
    ) -> CheckedKey:
        entry = CheckedKey(principal, expires_at, last_used_at, monotonic())
        if self.seconds > 0:
            digest = hash_key(presented)
            self._entries[digest] = entry
            self._entries.move_to_end(digest)
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)
        return entry

    def drop(self, presented: str) -> None:
        self._entries.pop(hash_key(presented), None)

    def forget(self, api_key_id: str) -> None:
        """Drop a key this process has just revoked."""
        stale = [d for d, e in self._entries.items() if e.principal.api_key_id == api_key_id]
        for digest in stale:
            del self._entries[digest]
