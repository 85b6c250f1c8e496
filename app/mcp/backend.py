"""What a tool needs: the caller, a transaction like a request's, and problems as tool
errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.database import Database
from app.core.database_faults import database_problem
from app.core.errors import Forbidden, ProblemError, Unauthorized
from app.core.security import Principal, Scope
from app.mcp.caller import PRINCIPAL_KEY, transaction


def tool_error(problem: ProblemError) -> ToolError:
    """The problem's detail, and where a field is at fault, which one and why."""
    lines = [problem.detail]
    lines += [f"{error.pointer}: {error.detail}" for error in problem.errors or ()]
    return ToolError("\n".join(lines))


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
