"""The route class every Debrief router uses: it documents the problems any route can return."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_flat_params
from fastapi.routing import APIRoute

from app.core.database import get_session
from app.core.errors import (
    BadRequest,
    ContentTooLarge,
    DatabaseUnavailable,
    InternalError,
    MalformedJSON,
    ProblemError,
    ValidationFailed,
    problem_responses,
)


def _uses_database(dependant: Dependant) -> bool:
    pending = [dependant]
    while pending:
        current = pending.pop()
        if current.call is get_session:
            return True
        pending.extend(current.dependencies)
    return False


class DebriefRoute(APIRoute):
    def __init__(self, path: str, endpoint: Any, **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        # Any request can carry a NUL in its query (400) or fail in the server (500); one
        # that opens a database session can find the database unavailable (503).
        implied: list[type[ProblemError]] = [BadRequest, InternalError]
        has_parameters = bool(get_flat_params(self.dependant))
        if self.body_field is not None:
            implied += [MalformedJSON, ContentTooLarge]
        if has_parameters or self.body_field is not None:
            implied.append(ValidationFailed)
        if _uses_database(self.dependant):
            implied.append(DatabaseUnavailable)
        documented = set(map(str, self.responses))
        for status, response in problem_responses(*implied).items():
            if str(status) not in documented:
                self.responses[status] = response


def api_router(**kwargs: Any) -> APIRouter:
    """An APIRouter whose routes document their implied problems."""
    return APIRouter(route_class=DebriefRoute, **kwargs)
