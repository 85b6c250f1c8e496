"""Who calls /mcp and the transaction a tool runs in, as a request has them (without the
MCP SDK: /mcp authenticates before the SDK is loaded)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from app.access.auth import authenticate
from app.core.database import REQUEST_SESSION, SQLITE_BEGIN_OPTION, Database
from app.core.errors import Unauthorized
from app.core.reactions import forget_pending, run_reactions
from app.core.security import Principal

PRINCIPAL_KEY = "debrief.principal"


async def resolve_principal(
    app: FastAPI, scope: dict[str, Any], credential: str | None
) -> Principal:
    """The caller, exactly as the API's own dependency finds it (and spends its budget)."""
    if not credential:
        raise Unauthorized("This needs an API key or a person's token: `Authorization: Bearer …`.")
    database: Database = app.state.database
    credentials = HTTPAuthorizationCredentials(scheme="Bearer", credentials=credential)
    async with transaction(database, writing=True) as session:
        request = Request({**scope, "app": app, REQUEST_SESSION: session})
        return await authenticate(request, credentials)


@asynccontextmanager
async def transaction(database: Database, *, writing: bool) -> AsyncIterator[AsyncSession]:
    """One transaction as a request has it: SQLite writers take their turn, in order."""
    async with AsyncExitStack() as stack:
        session = await stack.enter_async_context(database.sessionmaker())
        if database.is_sqlite and writing:
            await stack.enter_async_context(database.sqlite_write_turn())
            await session.connection(execution_options={SQLITE_BEGIN_OPTION: "IMMEDIATE"})
        try:
            yield session
            # As a request's transaction: what the change sets in motion (follow-ups
            # planned for a new session, …) commits with it.
            await run_reactions(session)
        except BaseException:
            forget_pending(session)
            await session.rollback()
            raise
        await session.commit()
