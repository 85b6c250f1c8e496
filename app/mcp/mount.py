"""/mcp, mounted without the MCP SDK: the SDK (~30 MB of a worker's memory) is imported,
and its session manager started, by the first authenticated request to /mcp; a worker
that never serves one never loads it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING

import anyio
from anyio.abc import TaskGroup, TaskStatus
from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from app.core.errors import ProblemError
from app.core.problem_responses import render_problem
from app.mcp.caller import PRINCIPAL_KEY, resolve_principal

if TYPE_CHECKING:
    from mcp.server.streamable_http_manager import StreamableHTTPSessionManager

MCP_PATH = "/mcp"
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="debrief"'}


class McpGateway:
    """Authenticates as the API does, then hands the request to the MCP transport with
    the caller in its scope (an ASGI app, not a function: Starlette would make a function
    a request-response endpoint). The transport is built on first use, under a lock, and
    runs in the task group the app's lifespan holds open."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.manager: StreamableHTTPSessionManager | None = None
        self.task_group: TaskGroup | None = None
        self._lock = anyio.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        authorization = Headers(scope=scope).get("authorization", "")
        scheme, _, credential = authorization.partition(" ")
        try:
            principal = await resolve_principal(
                self.app, dict(scope), credential.strip() if scheme.lower() == "bearer" else None
            )
        except ProblemError as problem:
            if problem.status == 401:
                problem.headers = {**_CHALLENGE, **problem.headers}
            await render_problem(problem, scope["path"])(scope, receive, send)
            return
        scope[PRINCIPAL_KEY] = principal
        manager = self.manager or await self._start()
        await manager.handle_request(scope, receive, send)

    async def _start(self) -> StreamableHTTPSessionManager:
        async with self._lock:
            if self.manager is None:
                if self.task_group is None:
                    raise RuntimeError("/mcp is served only while the app's lifespan runs.")
                from app.mcp.http import build_session_manager

                manager = build_session_manager(self.app)
                await self.task_group.start(_run, manager)
                self.manager = manager
        return self.manager

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The lifespan's part: a task group for the session manager, should it start,
        cancelled at shutdown."""
        async with anyio.create_task_group() as task_group:
            self.task_group = task_group
            try:
                yield
            finally:
                self.task_group = None
                self.manager = None
                task_group.cancel_scope.cancel()


async def _run(
    manager: StreamableHTTPSessionManager,
    *,
    task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED,
) -> None:
    async with manager.run():
        task_status.started()
        await anyio.sleep_forever()


def install_mcp(app: FastAPI) -> None:
    gateway = McpGateway(app)
    app.router.routes.append(
        Route(MCP_PATH, gateway, methods=["GET", "POST", "DELETE"], include_in_schema=False)
    )
    app.state.mcp_gateway = gateway


def mcp_running(app: FastAPI) -> AbstractAsyncContextManager[None]:
    gateway: McpGateway = app.state.mcp_gateway
    return gateway.running()
