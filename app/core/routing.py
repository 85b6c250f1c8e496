"""The route class every Debrief router uses: it documents the problems any route can return."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from fastapi import APIRouter, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_flat_params
from fastapi.routing import APIRoute

from app.core.database import end_request_session, request_session
from app.core.dependency_plan import DependencyPlan, compile_plan
from app.core.errors import (
    BadRequest,
    ContentTooLarge,
    DatabaseUnavailable,
    FieldProblem,
    InternalError,
    MalformedJSON,
    ProblemError,
    TransactionConflict,
    UnsupportedMediaType,
    ValidationFailed,
    problem_responses,
)
from app.core.planned_handler import planned_route_handler
from app.core.planned_request_handler import (
    BodyHandler,
    planned_request_handler,
    read_body,
    unplanned_shape,
)
from app.core.planned_route_app import planned_route_app
from app.core.text_input import refuse_invalid_text

EndpointT = TypeVar("EndpointT", bound=Callable[..., Any])
_MAX_BODY_ATTRIBUTE = "__debrief_max_body_bytes__"


def max_body(limit: int) -> Callable[[EndpointT], EndpointT]:
    """A tighter body limit for one route, refused from Content-Length before the body is
    read or parsed, as a problem (FastAPI's own `max_body_size` answers in plain text);
    the application's limit still counts a streamed body."""

    def mark(endpoint: EndpointT) -> EndpointT:
        setattr(endpoint, _MAX_BODY_ATTRIBUTE, limit)
        return endpoint

    return mark


def refuse_non_json(content_type: str | None) -> None:
    """A body is JSON (`application/json`, or a `+json` type such as merge-patch), and says
    so: one without a Content-Type is refused too, rather than misread."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    ):
        return
    raise UnsupportedMediaType(
        f"The request body is {media or 'of no type'}; send it as JSON "
        "(Content-Type: application/json)."
    )


def _uses_database(dependant: Dependant) -> bool:
    pending = [dependant]
    while pending:
        current = pending.pop()
        if current.call is request_session or getattr(
            current.call, "__debrief_uses_database__", False
        ):
            return True
        pending.extend(current.dependencies)
    return False


class DebriefRoute(APIRoute):
    # The route's compiled dependency plan, or why FastAPI's solver keeps it.
    dependency_plan: DependencyPlan | str
    # The handler `get_route_handler` made last, when it is the planned request handler.
    _planned_handler: Callable[[Request], Coroutine[Any, Any, Response]] | None = None

    def __init__(self, path: str, endpoint: Any, **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        if self._planned_handler is not None:
            self.app = planned_route_app(self._planned_handler)
        # Any request can carry a NUL in its query (400) or fail in the server (500); one
        # that opens a database session can find the database unavailable (503).
        implied: list[type[ProblemError]] = [BadRequest, InternalError]
        has_parameters = bool(get_flat_params(self.dependant))
        if self.body_field is not None:
            implied += [MalformedJSON, ContentTooLarge, UnsupportedMediaType]
        if has_parameters or self.body_field is not None:
            implied.append(ValidationFailed)
        if _uses_database(self.dependant):
            implied += [DatabaseUnavailable, TransactionConflict]
        documented = set(map(str, self.responses))
        for status, response in problem_responses(*implied).items():
            if str(status) not in documented:
                self.responses[status] = response

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        self.dependency_plan = compile_plan(self.dependant)
        planned: BodyHandler | None = None
        if isinstance(self.dependency_plan, DependencyPlan):
            handler = planned_route_handler(self, self.dependency_plan.solve_dependencies)
            if unplanned_shape(self) is None:
                planned = planned_request_handler(self, self.dependency_plan, handler)
        else:
            handler = super().get_route_handler()
        reads_body = self.body_field is not None
        limit: int | None = getattr(self.endpoint, _MAX_BODY_ATTRIBUTE, None)

        async def handle(request: Request) -> Response:
            if limit is not None:
                declared = request.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise ContentTooLarge(
                        f"The request body exceeds this operation's limit of {limit} bytes.",
                        errors=[
                            FieldProblem(pointer="/body", detail="too large", code="body_bytes")
                        ],
                        extensions={"limit": "body_bytes", "maximum": limit},
                    )
            # Before the body is parsed: a lone surrogate must never reach a model or a row.
            body = await read_body(request) if reads_body else b""
            if body:
                refuse_non_json(request.headers.get("content-type"))
            refuse_invalid_text(body, request.scope["query_string"])
            try:
                if planned is not None:  # handed the body read here
                    response = await planned(request, body if reads_body else None)
                else:
                    response = await handler(request)
            except BaseException as error:
                await end_request_session(request.scope, error)
                raise
            await end_request_session(request.scope, None)
            if response.status_code == 204:  # no content, so no type or length of one
                for name in ("content-type", "content-length"):
                    if name in response.headers:
                        del response.headers[name]
            return response

        self._planned_handler = handle if planned is not None else None
        return handle


def api_router(**kwargs: Any) -> APIRouter:
    """An APIRouter whose routes document their implied problems."""
    return APIRouter(route_class=DebriefRoute, **kwargs)
