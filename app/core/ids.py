"""Opaque, prefixed, time-ordered ids: ``cand_01JD6Z…`` (a ULID after the prefix).

The first 10 characters of the ULID are the creation time in milliseconds, so ordering by
id is ordering by creation, and a creation-time range is an id range: keyset pagination
and time filters both ride the primary key index.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ULID_PATTERN = r"[0-7][0-9A-HJKMNP-TV-Z]{25}"
TIME_LENGTH = 10
RANDOM_LENGTH = 16


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, remainder = divmod(value, 32)
        chars.append(_CROCKFORD[remainder])
    return "".join(reversed(chars))


def _milliseconds(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


# By the microseconds past its millisecond: what to take off a moment to truncate it.
_PAST_THE_MILLISECOND = tuple(timedelta(microseconds=n) for n in range(1000))


def to_the_millisecond(moment: datetime) -> datetime:
    """`moment.replace(microsecond=moment.microsecond // 1000 * 1000)` for a moment whose
    fold is 0 (as `datetime.now(UTC)`'s always is), in a third of the time: a subtraction,
    where `replace` parses keyword arguments."""
    return moment - _PAST_THE_MILLISECOND[moment.microsecond % 1000]


def utc_now() -> datetime:
    """Now, truncated to the millisecond the ids carry."""
    return to_the_millisecond(datetime.now(UTC))


def new_id(prefix: str, at: datetime) -> str:
    return f"{prefix}_{_encode(_milliseconds(at), TIME_LENGTH)}{_encode(secrets.randbits(80), 16)}"


def lowest_id_at(prefix: str, at: datetime) -> str:
    """The smallest id that could have been created at or after ``at``."""
    milliseconds = -(-int(at.timestamp() * 1_000_000) // 1000)  # round up to the millisecond
    return f"{prefix}_{_encode(max(milliseconds, 0), TIME_LENGTH)}{'0' * RANDOM_LENGTH}"


SHOWN_ID_LENGTH = 64


def shown_id(value: str) -> str:
    """An identifier from a request as a message shows it: an over-long one is cut short."""
    if len(value) <= SHOWN_ID_LENGTH:
        return value
    return value[:SHOWN_ID_LENGTH] + "…"


class IdKind:
    """One kind of id: its prefix and the check that a string is one of them."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self._pattern = re.compile(rf"{re.escape(prefix)}_{_ULID_PATTERN}")

    def new(self, at: datetime) -> str:
        return new_id(self.prefix, at)

    def is_valid(self, value: str) -> bool:
        return self._pattern.fullmatch(value) is not None

    def lowest_at(self, at: datetime) -> str:
        return lowest_id_at(self.prefix, at)


ORGANIZATION = IdKind("org")
API_KEY = IdKind("key")
CANDIDATE = IdKind("cand")
QUESTION_SET = IdKind("qs")
SESSION = IdKind("ses")
EVENT = IdKind("evt")
ACTION_ITEM = IdKind("act")
RULE_SET = IdKind("rs")
DIAGNOSIS = IdKind("dgn")
TEMPLATE = IdKind("tpl")
MESSAGE = IdKind("msg")
COACH = IdKind("coach")
GRANT = IdKind("grant")
ACCESS_LOG_ENTRY = IdKind("alog")
