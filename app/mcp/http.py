"""The streamable HTTP transport behind /mcp (app/mcp/mount.py authenticates first).

Stateless and answering in JSON: any API process can answer any call, as for the REST API.
"""

from __future__ import annotations

from fastapi import FastAPI
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings

from app.mcp.backend import Backend
from app.mcp.tools import build_server


def build_session_manager(app: FastAPI) -> StreamableHTTPSessionManager:
    server = build_server(Backend(app))
    # Builds the session manager the gateway hands requests to; its own routes are unused.
    # DNS-rebinding protection guards servers that trust the network they listen on; this
    # one trusts only the bearer credential, which a rebound page cannot send.
    server.streamable_http_app(
        stateless_http=True,
        json_response=True,
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    return server.session_manager
