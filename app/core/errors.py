"""RFC 9457 problems: the exception classes services raise, and the body they become.

Each class names one kind of problem with a stable ``type`` URI, and can document itself
in OpenAPI through :func:`problem_responses`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from http import HTTPStatus
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "/problems/"
SCHEMA_REF_PREFIX = "#/components/schemas/"
SHARED_RESPONSE_KEY = "x-shared-response"


class FieldProblem(BaseModel):
    """One invalid part of a request, located by a JSON pointer."""

    pointer: str = Field(examples=["/body/name"], description="JSON pointer into the request.")
    detail: str = Field(examples=["Field required"])
    code: str = Field(examples=["missing"], description="Machine-readable reason.")
    line: int | None = Field(
        default=None, description="For a template: the line of the template at fault."
    )
    # For a problem pydantic found: its error's context, so `detail` can be said in the
    # caller's language (app/i18n/validation_texts.py).
    _context: dict[str, Any] | None = PrivateAttr(default=None)

    @classmethod
    def of_pydantic(cls, pointer: str, error: Mapping[str, Any]) -> FieldProblem:
        problem = cls(pointer=pointer, detail=error["msg"], code=error["type"])
        problem._context = dict(error.get("ctx") or {})
        return problem


class Problem(BaseModel):
    """An RFC 9457 problem detail."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=["/problems/not-found"])
    title: str = Field(examples=["Not Found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["No candidate with id cand_01J…"])
    instance: str = Field(examples=["/v1/candidates/cand_01J…"])
    request_id: str | None = Field(default=None, description="Also sent as X-Request-ID.")
    errors: list[FieldProblem] | None = None


class ConflictProblem(Problem):
    """A conflict with the resource's state; the members present depend on the conflict."""

    allowed: list[str] | None = Field(
        default=None, description="The status moves possible from here (none once closed)."
    )
    missing_required: list[str] | None = Field(
        default=None, description="The required questions still unanswered."
    )
    failing_tests: list[str] | None = Field(
        default=None, description="The rule set's embedded tests that fail."
    )


class PreconditionFailedProblem(Problem):
    current_etag: str = Field(description="The resource's ETag now: read it again, then retry.")


class NotAcceptableProblem(Problem):
    available: list[str] | None = Field(
        default=None, description="The formats the resource is available in."
    )


class LimitExceededProblem(Problem):
    limit: str | None = Field(default=None, description="The name of the limit exceeded.")
    maximum: int | None = Field(default=None, description="Its value.")


class ContentTooLargeProblem(LimitExceededProblem):
    max_body_bytes: int | None = Field(
        default=None, description="The largest request body the server accepts, in bytes."
    )


class ProblemError(Exception):
    """Base of every error that becomes a problem response."""

    # The body's schema in OpenAPI: Problem, or a subtype naming the extension members.
    schema: ClassVar[type[Problem]] = Problem
    status: ClassVar[int] = 500
    slug: ClassVar[str] = "internal-error"
    title: ClassVar[str] = "Internal Server Error"
    description: ClassVar[str] = "The server failed; the request id identifies the log entry."

    def __init__(
        self,
        detail: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        errors: Iterable[FieldProblem] | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        self.detail = detail or self.description
        self.headers = dict(headers or {})
        self.errors = list(errors) if errors is not None else None
        self.extensions = dict(extensions or {})
        super().__init__(self.detail)

    @classmethod
    def type_uri(cls) -> str:
        return PROBLEM_TYPE_PREFIX + cls.slug

    def to_problem(self, instance: str, request_id: str | None) -> Problem:
        return Problem(
            type=self.type_uri(),
            title=self.title,
            status=self.status,
            detail=self.detail,
            instance=instance,
            request_id=request_id,
            errors=self.errors,
            **self.extensions,
        )


class BadRequest(ProblemError):
    status = 400
    slug = "bad-request"
    title = "Bad Request"
    description = "The request could not be understood."


class MalformedRequest(ProblemError):
    status = 400
    slug = "malformed-request"
    title = "Malformed Request"
    description = (
        "The request is not valid HTTP/1.1 (e.g. a NUL in a header or a bad Content-Length); "
        "the server closes the connection."
    )


class MalformedJSON(ProblemError):
    status = 400
    slug = "malformed-json"
    title = "Malformed JSON"
    description = "The request body is not valid JSON."


class InvalidCursor(ProblemError):
    status = 400
    slug = "invalid-cursor"
    title = "Invalid Cursor"
    description = "The pagination cursor was not issued by this API for this list."


class Unauthorized(ProblemError):
    status = 401
    slug = "unauthorized"
    title = "Unauthorized"
    description = "A valid API key (`Bearer dbr_…`) or person's token (`Bearer eyJ…`) is required."


class Forbidden(ProblemError):
    status = 403
    slug = "forbidden"
    title = "Forbidden"
    description = (
        "The credential lacks the scope this operation needs, or the operation is the "
        "organisation's own and a person's token cannot do it."
    )


class NotFound(ProblemError):
    status = 404
    slug = "not-found"
    title = "Not Found"
    description = "Nothing exists at this address for the caller."


class MethodNotAllowed(ProblemError):
    status = 405
    slug = "method-not-allowed"
    title = "Method Not Allowed"
    description = "The resource exists but does not support this method; see Allow."


class NotAcceptable(ProblemError):
    schema = NotAcceptableProblem
    status = 406
    slug = "not-acceptable"
    title = "Not Acceptable"
    description = "The resource has no representation in the media types the request accepts."


class Conflict(ProblemError):
    schema = ConflictProblem
    status = 409
    slug = "conflict"
    title = "Conflict"
    description = "The request conflicts with the current state, e.g. a duplicate."


class IdempotencyKeyReused(ProblemError):
    status = 409
    slug = "idempotency-key-reused"
    title = "Idempotency Key Reused"
    description = "This Idempotency-Key was already used with a different request."


class PreconditionFailed(ProblemError):
    schema = PreconditionFailedProblem
    status = 412
    slug = "precondition-failed"
    title = "Precondition Failed"
    description = "If-Match does not match the current ETag: the resource changed."


class RequestTimeout(ProblemError):
    status = 408
    slug = "request-timeout"
    title = "Request Timeout"
    description = (
        "The request's head or body did not arrive in time; the connection is closed. Send "
        "it again, whole."
    )


class ContentTooLarge(ProblemError):
    schema = ContentTooLargeProblem
    status = 413
    slug = "content-too-large"
    title = "Content Too Large"
    description = "The request body is larger than the server accepts."


class UnsupportedMediaType(ProblemError):
    status = 415
    slug = "unsupported-media-type"
    title = "Unsupported Media Type"
    description = "The request body must be JSON (`Content-Type: application/json`)."


class UriTooLong(ProblemError):
    status = 414
    slug = "uri-too-long"
    title = "URI Too Long"
    description = "The request's URL is longer than the server accepts."


class HeaderFieldsTooLarge(ProblemError):
    status = 431
    slug = "request-header-fields-too-large"
    title = "Request Header Fields Too Large"
    description = "The request's headers are larger, or more, than the server accepts."


class ValidationFailed(ProblemError):
    status = 422
    slug = "validation-error"
    title = "Validation Failed"
    description = "One or more fields are invalid; `errors` points at each."


class TemplateTooCostly(ProblemError):
    status = 422
    slug = "template-too-costly"
    title = "Template Too Costly"
    description = (
        "The template would make too large a value or do too much work: `detail` names "
        "the limit in plain words, `errors` the part and the line."
    )


class TemplateTooSlow(ProblemError):
    status = 422
    slug = "template-too-slow"
    title = "Template Too Slow"
    description = "The template did not finish rendering within the time the server allows."


class LimitExceeded(ProblemError):
    schema = LimitExceededProblem
    status = 422
    slug = "limit-exceeded"
    title = "Limit Exceeded"
    description = (
        "A documented limit on a count, a nesting depth or a length is exceeded: `limit` "
        "names it, `maximum` is its value and `errors` points at the part."
    )


class TooManyRequests(ProblemError):
    status = 429
    slug = "too-many-requests"
    title = "Too Many Requests"
    description = (
        "The caller or its organisation has used up a rate-limit budget: retry after the "
        "seconds in `Retry-After`; the `RateLimit` header names the budget."
    )


class ServiceUnavailable(ProblemError):
    status = 503
    slug = "service-unavailable"
    title = "Service Unavailable"
    description = "A dependency of the service is not answering."


class DatabaseUnavailable(ProblemError):
    status = 503
    slug = "database-unavailable"
    title = "Database Unavailable"
    description = (
        "The database did not answer in time (unreachable, or too busy). A write it "
        "interrupted is either complete or not made at all: retry after `Retry-After` "
        "seconds, with the same `Idempotency-Key`."
    )
    retry_after_seconds: ClassVar[int] = 5

    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.headers.setdefault("Retry-After", str(self.retry_after_seconds))


class TransactionConflict(ProblemError):
    status = 503
    slug = "transaction-conflict"
    title = "Transaction Conflict"
    description = (
        "The request ran into a concurrent one in the database (a serialisation failure or "
        "a deadlock) and was undone whole: nothing of it was kept. Retry after `Retry-After` "
        "seconds, with the same `Idempotency-Key`."
    )
    retry_after_seconds: ClassVar[int] = 1

    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.headers.setdefault("Retry-After", str(self.retry_after_seconds))


class InternalError(ProblemError):
    pass


PROBLEM_TYPES: tuple[type[ProblemError], ...] = (
    BadRequest,
    MalformedRequest,
    MalformedJSON,
    InvalidCursor,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    NotAcceptable,
    Conflict,
    IdempotencyKeyReused,
    PreconditionFailed,
    RequestTimeout,
    ContentTooLarge,
    UnsupportedMediaType,
    UriTooLong,
    HeaderFieldsTooLarge,
    ValidationFailed,
    TemplateTooCostly,
    TemplateTooSlow,
    LimitExceeded,
    TooManyRequests,
    ServiceUnavailable,
    DatabaseUnavailable,
    TransactionConflict,
    InternalError,
)


_KNOWN_STATUSES = frozenset(int(s) for s in HTTPStatus)
# The general kind for each status: the first listed (BadRequest, not MalformedJSON).
_GENERAL_KINDS = {p.status: p for p in reversed(PROBLEM_TYPES)}


@lru_cache(maxsize=64)
def _class_for_status(status: int) -> type[ProblemError]:
    if status in _GENERAL_KINDS:
        return _GENERAL_KINDS[status]
    phrase = HTTPStatus(status).phrase if status in _KNOWN_STATUSES else "Error"
    attributes = {
        "status": status,
        "slug": phrase.lower().replace(" ", "-"),
        "title": phrase,
        "description": f"{phrase}.",
    }
    return type(f"HTTP{status}Problem", (ProblemError,), attributes)


def generic_problem(status: int, detail: str | None = None) -> ProblemError:
    """A problem for a status no specific class covers (e.g. a framework 406)."""
    return _class_for_status(status)(detail)


def problem_responses(*errors: type[ProblemError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the given problem classes, grouped by status."""
    grouped: dict[int, list[type[ProblemError]]] = {}
    for error in errors:
        grouped.setdefault(error.status, []).append(error)
    return {
        status: {
            "description": "; ".join(f"`{e.type_uri()}`: {e.description}" for e in kinds),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": _body_schema(kinds)}},
            # The document moves this response to `components/responses` under this name
            # and refers to it, instead of repeating it on every operation.
            SHARED_RESPONSE_KEY: "".join(e.__name__ for e in kinds),
        }
        for status, kinds in sorted(grouped.items())
    }


def _body_schema(kinds: list[type[ProblemError]]) -> dict[str, Any]:
    # Each subtype only adds optional members to Problem, except PreconditionFailed's
    # current_etag, alone at 412: the richest one describes every kind of the status.
    schemas = sorted({kind.schema for kind in kinds}, key=lambda s: len(s.model_fields))
    return {"$ref": SCHEMA_REF_PREFIX + schemas[-1].__name__}


PROBLEM_SCHEMAS: tuple[type[Problem], ...] = (
    Problem,
    ConflictProblem,
    PreconditionFailedProblem,
    NotAcceptableProblem,
    LimitExceededProblem,
    ContentTooLargeProblem,
)
