"""Rate limits per caller and per organisation, with the IETF RateLimit header fields.

Each request spends one unit of one budget (reads, writes, diagnoses, renders) twice: from
the caller's own allowance (an API key, or a person's token) and from its organisation's.
The counters live in the process (embedded default) or in Redis (``DEBRIEF_REDIS_URL``),
where every process of a deployment shares them. When Redis cannot answer, requests are
served without a limit (fail open): a missing counter must never take the API down.

Headers follow draft-ietf-httpapi-ratelimit-headers (-10/-11): structured-field lists,
``RateLimit-Policy: "writes";q=60;w=60`` and ``RateLimit: "writes";r=59;t=42``.
"""

from __future__ import annotations

import logging
import math
import time
from enum import StrEnum
from typing import NamedTuple, Protocol

from limits import RateLimitItemPerSecond
from limits.aio.storage import RedisStorage as AsyncRedisStorage

from app.core.config import Settings
from app.core.errors import TooManyRequests
from app.core.security import Principal
from app.platform import metrics

logger = logging.getLogger(__name__)

STATE_KEY = "debrief.rate_limit"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Budget(StrEnum):
    READS = "reads"
    WRITES = "writes"
    DIAGNOSES = "diagnoses"
    RENDERS = "renders"


def budget_for(method: str, route_path: str) -> Budget:
    """Diagnoses and message rendering cost far more than other writes: budgets of their own."""
    if method in _SAFE_METHODS:
        return Budget.READS
    if route_path.endswith("/diagnoses") or route_path.endswith("/diagnoses/preview"):
        return Budget.DIAGNOSES
    if route_path.endswith("/messages") or route_path.endswith("/preview"):
        return Budget.RENDERS
    return Budget.WRITES


class Outcome(NamedTuple):
    """What one check found, for the response's headers (or the 429). (A named tuple: two
    are made on every request, at a third of a frozen dataclass's cost.)"""

    policy: str
    quota: int
    window: int
    remaining: int
    reset_after: int

    def policy_header(self) -> str:
        return f'"{self.policy}";q={self.quota};w={self.window}'

    def state_header(self) -> str:
        return f'"{self.policy}";r={self.remaining};t={self.reset_after}'


def _header_values(outcomes: list[Outcome]) -> tuple[str, str]:
    """The RateLimit-Policy and RateLimit values for these outcomes."""
    return (
        ", ".join([outcome.policy_header() for outcome in outcomes]),
        ", ".join([outcome.state_header() for outcome in outcomes]),
    )


def headers_for(outcomes: list[Outcome]) -> dict[str, str]:
    policy, state = _header_values(outcomes)
    return {"RateLimit-Policy": policy, "RateLimit": state}


def header_fields(outcomes: list[Outcome]) -> list[tuple[bytes, bytes]]:
    """`headers_for(outcomes)` as a response's raw header fields (lower-case names)."""
    policy, state = _header_values(outcomes)
    return [(b"ratelimit-policy", policy.encode()), (b"ratelimit", state.encode())]


class _Counters(Protocol):
    async def incr(self, key: str, expiry: int) -> tuple[int, float]: ...


class _MemoryCounters:
    """In this process: one fixed window per key, in a dict. (limits' MemoryStorage starts
    a timer thread to expire its keys whenever the last one has finished: a thread start
    every few requests, and a thread contending for the GIL, on every request's path.)
    Windows that ended are swept once per window length, so the dict holds only the keys
    of the current and the previous window."""

    def __init__(self) -> None:
        # key -> [count, the window's end (epoch seconds)]
        self._windows: dict[str, list[float]] = {}
        self._next_sweep = 0.0

    async def incr(self, key: str, expiry: int) -> tuple[int, float]:
        now = time.time()
        window = self._windows.get(key)
        if window is None or window[1] <= now:
            if now >= self._next_sweep:
                self._windows = {k: w for k, w in self._windows.items() if w[1] > now}
                self._next_sweep = now + expiry
            window = [0, now + expiry]
            self._windows[key] = window
        window[0] += 1
        return int(window[0]), window[1]


class _RedisCounters:
    """Shared by every process: limits' Redis storage (redis-py)."""

    def __init__(self, url: str, timeout: float) -> None:
        url = url.replace("redis://", "async+redis://", 1).replace(
            "rediss://", "async+rediss://", 1
        )
        self.storage = AsyncRedisStorage(
            url,
            implementation="redispy",
            wrap_exceptions=True,
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
        )

    async def incr(self, key: str, expiry: int) -> tuple[int, float]:
        return await self.storage.incr(key, expiry), await self.storage.get_expiry(key)


class RateLimiter:
    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.rate_limits_enabled
        self.window = settings.rate_limit_window_seconds
        # A fixed window straight on the storage: one increment and one expiry read per
        # budget, where the strategy's hit and window stats would make four calls.
        self._counters: _Counters = (
            _RedisCounters(settings.redis_url, settings.redis_timeout_seconds)
            if settings.redis_url
            else _MemoryCounters()
        )
        per_caller = {
            Budget.READS: settings.rate_limit_reads,
            Budget.WRITES: settings.rate_limit_writes,
            Budget.DIAGNOSES: settings.rate_limit_diagnoses,
            Budget.RENDERS: settings.rate_limit_renders,
        }
        factor = settings.rate_limit_organization_factor
        self._items = {
            budget: (
                RateLimitItemPerSecond(quota, self.window, namespace="debrief"),
                RateLimitItemPerSecond(quota * factor, self.window, namespace="debrief"),
            )
            for budget, quota in per_caller.items()
        }
        # Each item's key without the caller: limits' `key_for` joins its parts anew on
        # every call; `counter_key` gives the same string.
        self._key_parts = {
            id(item): (
                f"{item.namespace}/",
                f"/{item.amount}/{item.multiples}/{item.GRANULARITY.name}",
            )
            for pair in self._items.values()
            for item in pair
        }
        self._failing_since: float | None = None

    def counter_key(self, policy: str, item: RateLimitItemPerSecond, who: str) -> str:
        """`item.key_for(policy, who)`: the counter's key, as limits names it."""
        head, tail = self._key_parts[id(item)]
        return f"{head}{policy}/{who}{tail}"

    async def _spend(self, policy: str, item: RateLimitItemPerSecond, who: str) -> Outcome:
        key = self.counter_key(policy, item, who)
        used, resets_at = await self._counters.incr(key, self.window)
        reset_after = max(0, math.ceil(resets_at - time.time()))
        remaining = max(0, item.amount - used)
        outcome = Outcome(policy, item.amount, self.window, remaining, reset_after)
        if used > item.amount:
            metrics.RATE_LIMITED.labels(policy).inc()
            raise TooManyRequests(
                f"Too many requests for the `{policy}` budget: {item.amount} per "
                f"{self.window} seconds. Retry in {max(reset_after, 1)} seconds.",
                headers={**headers_for([outcome]), "Retry-After": str(max(reset_after, 1))},
            )
        return outcome

    async def spend(self, principal: Principal, method: str, route_path: str) -> list[Outcome]:
        """Spends one unit of the request's budget, or raises TooManyRequests. Answers no
        outcome at all (no headers, no limit) while the storage cannot answer."""
        if not self.enabled:
            return []
        budget = budget_for(method, route_path)
        caller_item, organization_item = self._items[budget]
        caller = principal.api_key_id or f"{principal.organization_id}/{principal.subject}"
        try:
            outcomes = [
                await self._spend(budget.value, caller_item, caller),
                await self._spend(
                    f"{budget.value}-organization", organization_item, principal.organization_id
                ),
            ]
        except TooManyRequests:
            raise
        except Exception as error:
            self._storage_failed(error)
            return []
        if self._failing_since is not None:
            logger.warning("rate-limit storage answers again: limits apply again")
            self._failing_since = None
        return outcomes

    def _storage_failed(self, error: Exception) -> None:
        metrics.RATE_LIMIT_STORAGE_ERRORS.inc()
        if self._failing_since is None:
            self._failing_since = time.monotonic()
            logger.error(
                "rate-limit storage unavailable (%s): serving requests without limits",
                type(error).__name__,
            )
