"""The streamable HTTP transport at /mcp, behind the API's own authentication.

Stateless and answering in JSON: any API process can answer any call, as for the REST API.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.datastructures import Headers
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from app.core.errors import ProblemError
from app.core.problem_responses import render_problem
from app.mcp.backend import PRINCIPAL_KEY, Backend, resolve_principal
from app.mcp.tools import build_server

MCP_PATH = "/mcp"
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="debrief"'}


class McpGateway:
    """Authenticates as the API does, then hands the request to the MCP transport with
    the caller in its scope (an ASGI app, not a function: Starlette would make a function
    a request-response endpoint)."""

    def __init__(self, app: FastAPI, manager: StreamableHTTPSessionManager) -> None:
        self.app = app
        self.manager = manager

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
        await self.manager.handle_request(scope, receive, send)


def install_mcp(app: FastAPI) -> None:
    server = build_server(Backend(app))
    # Builds the session manager the gateway hands requests to; its own routes are unused.
    # DNS-rebinding protection guards servers that trust the network they listen on; this
    # one trusts only the bearer credential, which a rebound page cannot send.
    server.streamable_http_app(
        stateless_http=True,
        json_response=True,
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    manager = server.session_manager
    app.router.routes.append(
        Route(
            MCP_PATH,
            McpGateway(app, manager),
            methods=["GET", "POST", "DELETE"],
            include_in_schema=False,
        )
    )
    app.state.mcp_session_manager = manager


@asynccontextmanager
async def mcp_running(app: FastAPI) -> AsyncIterator[None]:
    async with app.state.mcp_session_manager.run():
        yield
