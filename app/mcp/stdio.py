"""`debrief mcp`: the same tools over stdio, as the one caller whose credential the
process was started with."""

from __future__ import annotations

from app.core.config import Settings
from app.core.errors import ProblemError
from app.mcp.backend import Backend
from app.mcp.caller import resolve_principal
from app.mcp.tools import build_server

# What authentication sees of the stdio "request": a POST, so the caller's write budget.
_STDIO_SCOPE = {
    "type": "http",
    "method": "POST",
    "path": "/mcp",
    "raw_path": b"/mcp",
    "root_path": "",
    "query_string": b"",
    "headers": [],
}


class CredentialRefused(Exception):
    pass


async def serve_stdio(settings: Settings, credential: str | None) -> None:
    from app.main import create_app

    app = create_app(settings)
    render_pool = app.state.render_pool
    render_pool.start()
    try:
        try:
            principal = await resolve_principal(app, dict(_STDIO_SCOPE), credential)
        except ProblemError as problem:
            raise CredentialRefused(problem.detail) from None
        await build_server(Backend(app, fixed_principal=principal)).run_stdio_async()
    finally:
        render_pool.close()
        await app.state.database.dispose()
