"""Turning problems and framework errors into ``application/problem+json`` responses."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from app.core.errors import (
    PROBLEM_MEDIA_TYPE,
    FieldProblem,
    MalformedJSON,
    MethodNotAllowed,
    NotFound,
    ProblemError,
    ValidationFailed,
    generic_problem,
)
from app.core.request_context import REQUEST_ID_HEADER, current_request_id
from app.i18n.problem_texts import problem_texts
from app.i18n.validation_texts import field_detail


def render_problem(
    error: ProblemError, instance: str, accept_language: str | None = None
) -> JSONResponse:
    request_id = current_request_id()
    problem = error.to_problem(instance, request_id)
    locale, texts = problem_texts(error.slug, accept_language)
    if texts is not None:
        problem.title, problem.detail = texts["title"], texts["detail"]
    if error.errors:  # in English too: pydantic's own sentences stand, but no pattern
        problem.errors = [_localised(field, locale) for field in error.errors]
    elif texts is not None:
        problem.errors = None
    headers = {
        **error.headers,
        "Content-Language": locale,
        "Vary": ", ".join(v for v in (error.headers.get("Vary"), "Accept-Language") if v),
    }
    if request_id is not None:
        headers[REQUEST_ID_HEADER] = request_id
    return JSONResponse(
        problem.model_dump(mode="json", exclude_none=True),
        status_code=error.status,
        headers=headers,
        media_type=PROBLEM_MEDIA_TYPE,
    )


def _localised(field: FieldProblem, locale: str) -> FieldProblem:
    """A field problem pydantic found, said in `locale`; any other as it is."""
    if field._context is None:
        return field
    detail = field_detail(field.code, field._context, locale)
    return field if detail is None else field.model_copy(update={"detail": detail})


def json_pointer(location: Sequence[str | int]) -> str:
    """RFC 6901 pointer for a pydantic error location such as ``("body", "name")``."""
    parts = (str(part).replace("~", "~0").replace("/", "~1") for part in location)
    return "/" + "/".join(parts)


_NOTHING = object()
_FASTAPI_UNPARSABLE_BODY = "There was an error parsing the body"


def _child(node: Any, part: str | int) -> Any:
    if isinstance(node, dict) and part in node:
        return node[part]
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return _NOTHING


def located(location: Sequence[str | int], body: Any) -> list[str | int]:
    """The location as a path through the request itself: pydantic also names the union
    branch it tried (`single_choice`, `str`), which is no place in the document."""
    if not location or location[0] != "body":
        return list(location)
    path: list[str | int] = ["body"]
    node: Any = body
    last = len(location) - 1
    for index, part in enumerate(location[1:], start=1):
        if part == "[key]":
            continue  # pydantic's mark for "the key itself": the pointer names the member
        child = _child(node, part)
        is_branch_name = (
            child is _NOTHING
            and node is not _NOTHING
            and (
                not isinstance(node, dict) or index != last  # a missing field is a real place
            )
        )
        if is_branch_name:
            continue
        node = child
        path.append(part)
    return path


def _field_problems(errors: Sequence[Any], body: Any) -> list[FieldProblem]:
    return [FieldProblem.of_pydantic(json_pointer(located(e["loc"], body)), e) for e in errors]


def validation_problem(exc: RequestValidationError) -> ProblemError:
    errors = exc.errors()
    malformed = next((e for e in errors if e["type"] == "json_invalid"), None)
    if malformed is not None:
        reason = malformed.get("ctx", {}).get("error", "invalid JSON")
        position = malformed["loc"][-1]
        return MalformedJSON(
            f"The request body is not valid JSON: {reason} at character {position}.",
            errors=[FieldProblem(pointer="/body", detail=reason, code="json_invalid")],
        )
    fields = _field_problems(errors, exc.body)
    pointers = ", ".join(dict.fromkeys(f.pointer for f in fields))
    noun = "field is" if len(fields) == 1 else "fields are"
    return ValidationFailed(f"{len(fields)} {noun} invalid: {pointers}.", errors=fields)


def _path_methods(app: FastAPI) -> list[tuple[re.Pattern[str], int, frozenset[str]]]:
    cached: list[tuple[re.Pattern[str], int, frozenset[str]]] | None = getattr(
        app.state, "path_methods", None
    )
    if cached is None:
        cached = [
            (
                re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)) + "$"),
                path.count("{"),
                frozenset(method.upper() for method in item),
            )
            for path, item in app.openapi()["paths"].items()
        ]
        app.state.path_methods = cached
    return cached


def allowed_methods(request: Request) -> list[str]:
    """The documented methods of the most specific path that matches (`/diagnoses/preview`
    over `/diagnoses/{id}`): Starlette's 405 names only the first route's."""
    matches = [
        (parameters, methods)
        for pattern, parameters, methods in _path_methods(request.app)
        if pattern.match(request.url.path)
    ]
    if not matches:
        return []
    fewest = min(parameters for parameters, _ in matches)
    return sorted(
        set().union(*(methods for parameters, methods in matches if parameters == fewest))
    )


def http_exception_problem(request: Request, exc: StarletteHTTPException) -> ProblemError:
    headers = dict(exc.headers or {})
    if exc.status_code == 404:
        return NotFound(f"Nothing is found at {request.url.path}.", headers=headers)
    if exc.status_code == 405:
        allowed = ", ".join(allowed_methods(request)) or headers.get("Allow", "")
        headers["Allow"] = allowed
        return MethodNotAllowed(
            f"{request.method} is not allowed on {request.url.path}; allowed: {allowed}.",
            headers=headers,
        )
    if exc.status_code == 400 and exc.detail == _FASTAPI_UNPARSABLE_BODY:
        return MalformedJSON(
            "The request body could not be read as JSON: it is not UTF-8, or it is nested "
            "too deeply.",
            errors=[FieldProblem(pointer="/body", detail="unreadable", code="json_invalid")],
        )
    error = generic_problem(exc.status_code, str(exc.detail) if exc.detail else None)
    error.headers.update(headers)
    return error


async def handle_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    return render_problem(exc, request.url.path, request.headers.get("accept-language"))


async def handle_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return render_problem(
        validation_problem(exc), request.url.path, request.headers.get("accept-language")
    )


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    problem = http_exception_problem(request, exc)
    if exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=problem.headers)
    return render_problem(problem, request.url.path, request.headers.get("accept-language"))
