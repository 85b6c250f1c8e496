"""An AsyncSession whose ORM Session is made when something first needs it.

A reading request on PostgreSQL gets its session from the dependency and often hands it
only to a read sent straight through the driver (app/core/driver_reads), which needs the
session's engine, its autocommit mark and whether it holds a connection: never the ORM
Session behind it (identity map, transaction state, events), which costs more to make than
the rest of the dependency. Here that Session is made by `AsyncSession.__init__` itself,
called with the same arguments, at the first touch of anything else; until then `bind`,
`info` and `in_transaction()` answer from what is known. Nothing changes for the request:
one session, made once, committed or closed at its end as before.

`tests/core/test_deferred_session.py` fails if AsyncSession's constructor starts keeping
anything else, or its proxied members stop going through `sync_session`/`_proxied`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session


class DeferredSession(AsyncSession):
    _made: Session | None = None
    _pending_info: dict[Any, Any] | None = None

    def __init__(self, bind: Any = None, **kw: Any) -> None:
        self._deferred: tuple[Any, dict[str, Any]] = (bind, kw)

    @property
    def made(self) -> bool:
        return self._made is not None

    def _make(self) -> Session:
        bind, kw = self._deferred
        AsyncSession.__init__(self, bind, **kw)  # sets sync_session: see its setter
        made = self._made
        assert made is not None
        if self._pending_info:
            made.info.update(self._pending_info)
        self._pending_info = None
        return made

    @property
    def sync_session(self) -> Session:
        made = self._made
        return made if made is not None else self._make()

    @sync_session.setter
    def sync_session(self, session: Session) -> None:
        self._made = session

    _proxied = sync_session

    @property
    def bind(self) -> Any:
        if self._made is None:
            return self._deferred[0]
        return AsyncSession.bind.fget(self)  # type: ignore[attr-defined]

    @bind.setter
    def bind(self, bind: Any) -> None:
        AsyncSession.bind.fset(self, bind)  # type: ignore[attr-defined]

    @property
    def info(self) -> dict[Any, Any]:
        made = self._made
        if made is not None:
            return made.info
        if self._pending_info is None:
            self._pending_info = {}
        return self._pending_info

    def in_transaction(self) -> bool:
        made = self._made
        return made is not None and made.in_transaction()
