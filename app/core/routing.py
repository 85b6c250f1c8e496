"""The route class every Debrief router uses: it documents the problems any route can return."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.dependencies.utils import get_flat_params
from fastapi.routing import APIRoute

from app.core.errors import (
    BadRequest,
    ContentTooLarge,
    InternalError,
    MalformedJSON,
    ProblemError,
    ValidationFailed,
    problem_responses,
)
from app.core.text_input import refuse_invalid_text


class DebriefRoute(APIRoute):
    def __init__(self, path: str, endpoint: Any, **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        # Any request can carry a NUL in its query (400) or fail in the server (500).
        implied: list[type[ProblemError]] = [BadRequest, InternalError]
        has_parameters = bool(get_flat_params(self.dependant))
        if self.body_field is not None:
            implied += [MalformedJSON, ContentTooLarge]
        if has_parameters or self.body_field is not None:
            implied.append(ValidationFailed)
        documented = set(map(str, self.responses))
        for status, response in problem_responses(*implied).items():
            if str(status) not in documented:
                self.responses[status] = response

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        reads_body = self.body_field is not None

        async def handle(request: Request) -> Response:
            # Before the body is parsed: a lone surrogate must never reach a model or a row.
            body = await request.body() if reads_body else b""
            refuse_invalid_text(body, request.scope["query_string"])
            return await handler(request)

        return handle


def api_router(**kwargs: Any) -> APIRouter:
    """An APIRouter whose routes document their implied problems."""
    return APIRouter(route_class=DebriefRoute, **kwargs)
