"""What a tool needs: the caller, a transaction like a request's, and problems as tool
errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.security import HTTPAuthorizationCredentials
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from app.access.auth import authenticate
from app.core.database import REQUEST_SESSION, SQLITE_BEGIN_OPTION, Database
from app.core.database_faults import database_problem
from app.core.errors import Forbidden, ProblemError, Unauthorized
from app.core.reactions import forget_pending, run_reactions
from app.core.security import Principal, Scope

PRINCIPAL_KEY = "debrief.principal"


def tool_error(problem: ProblemError) -> ToolError:
    """The problem's detail, and where a field is at fault, which one and why."""
    lines = [problem.detail]
    lines += [f"{error.pointer}: {error.detail}" for error in problem.errors or ()]
    return ToolError("\n".join(lines))


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


@dataclass
class Backend:
    app: FastAPI
    # The stdio server's caller, fixed at start; over HTTP each request carries its own.
    fixed_principal: Principal | None = None

    @property
    def database(self) -> Database:
        database: Database = self.app.state.database
        return database

    def principal(self, ctx: Context, scope: Scope) -> Principal:
        request = getattr(ctx.request_context, "request", None) if ctx else None
        found = getattr(request, "scope", {}).get(PRINCIPAL_KEY) if request else None
        principal = found if isinstance(found, Principal) else self.fixed_principal
        if principal is None:
            raise tool_error(Unauthorized("No credential reached this tool."))
        if scope not in principal.scopes:
            raise tool_error(Forbidden(f"This needs a credential with the `{scope}` scope."))
        return principal

    @asynccontextmanager
    async def transaction(self, *, writing: bool) -> AsyncIterator[AsyncSession]:
        """As a request's; any problem becomes a tool error."""
        try:
            async with transaction(self.database, writing=writing) as session:
                yield session
        except ProblemError as problem:
            raise tool_error(problem) from None
        except ToolError:
            raise
        except Exception as error:
            fault = database_problem(error)
            if fault is None:
                raise
            raise tool_error(fault) from None
