"""The one policy for a connection whose statement failed on the driver path
(app/core/driver_connection's `discard_failed`, used by the driver reads and by the
connection checked out for a write): closed or unreachable is dead, which drops the pool's
older connections and becomes a DisconnectionError; anything else, cancellation included,
discards that connection only and lets the error stand. Fakes stand in for the pool."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy.exc import DisconnectionError

from app.core.driver_connection import discard_failed


class _Driver:
    def __init__(self, closed: bool) -> None:
        self.closed = closed

    def is_closed(self) -> bool:
        return self.closed


class _Connection:
    def __init__(self, closed: bool) -> None:
        self.driver_connection = _Driver(closed)
        self.invalidated: list[BaseException] = []

    def invalidate(self, error: BaseException) -> None:
        self.invalidated.append(error)


class _Pool:
    def __init__(self) -> None:
        self.invalidated: list[tuple[Any, BaseException]] = []

    def _invalidate(self, connection: Any, error: BaseException) -> None:
        self.invalidated.append((connection, error))


UNREACHABLE = ConnectionResetError(104, "Connection reset by peer")
OTHER = ValueError("a parameter the driver cannot send")
CANCELLED = asyncio.CancelledError()


@pytest.mark.parametrize(
    ("closed", "error", "dead"),
    [
        (True, OTHER, True),
        (False, UNREACHABLE, True),
        (True, UNREACHABLE, True),
        (False, OTHER, False),
        (False, CANCELLED, False),
        (True, CANCELLED, False),  # not an Exception: never turned into a 503
    ],
)
def test_dead_drops_the_pools_older_connections_otherwise_only_this_one(
    closed: bool, error: BaseException, dead: bool
) -> None:
    pool, connection = _Pool(), _Connection(closed)
    lost = discard_failed(pool, connection, error)  # type: ignore[arg-type]
    if dead:
        assert isinstance(lost, DisconnectionError)
        assert pool.invalidated == [(connection, error)]
        assert connection.invalidated == []
    else:
        assert lost is None
        assert pool.invalidated == []
        assert connection.invalidated == [error]
