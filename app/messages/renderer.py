"""The app's render pool, as a dependency of the routes that render templates."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.messages.render_pool import RenderPool


async def _render_pool(request: Request) -> RenderPool:
    pool: RenderPool = request.app.state.render_pool
    return pool


RendererDep = Annotated[RenderPool, Depends(_render_pool)]
