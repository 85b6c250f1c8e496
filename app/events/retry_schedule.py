"""When to try a failed delivery again: the Standard Webhooks schedule, with jitter."""

from __future__ import annotations

import random
from datetime import timedelta
from email.utils import parsedate_to_datetime

from app.core.ids import utc_now

# Delay before attempt n+1 (the first attempt is immediate): 5 s, 5 min, 30 min, 2 h, 5 h,
# 10 h, 10 h; eight attempts in all, then the delivery has failed.
SCHEDULE_SECONDS = (0, 5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)
MAX_ATTEMPTS = len(SCHEDULE_SECONDS)
JITTER = 0.1
# A receiver's Retry-After is honoured up to the schedule's longest wait.
MAX_RETRY_AFTER_SECONDS = max(SCHEDULE_SECONDS)
RETRY_AFTER_STATUSES = frozenset({429, 503})


def next_delay(attempts_made: int, factor: float, retry_after: float | None) -> timedelta | None:
    """The wait before the next attempt, or None when the delivery has used them all."""
    if attempts_made >= MAX_ATTEMPTS:
        return None
    seconds = SCHEDULE_SECONDS[attempts_made] * factor
    seconds *= 1 + random.uniform(-JITTER, JITTER)  # noqa: S311 (spreading load, not secrecy)
    if retry_after is not None:
        seconds = max(seconds, min(retry_after, MAX_RETRY_AFTER_SECONDS))
    return timedelta(seconds=seconds)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return max((moment - utc_now()).total_seconds(), 0.0)
