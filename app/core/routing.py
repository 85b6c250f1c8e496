"""The route class every Debrief router uses: it documents the problems any route can return."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
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


def api_router(**kwargs: Any) -> APIRouter:
    """An APIRouter whose routes document their implied problems."""
    return APIRouter(route_class=DebriefRoute, **kwargs)
