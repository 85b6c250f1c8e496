"""Field types shared by every schema: strict about what they accept, exact in OpenAPI."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    StringConstraints,
    WithJsonSchema,
)

# One line of text: no control characters (they break mail headers and terminals alike),
# and something besides spaces (surrounding spaces are stripped).
SINGLE_LINE_PATTERN = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
SingleLine = Annotated[str, StringConstraints(strip_whitespace=True, pattern=SINGLE_LINE_PATTERN)]

# Running text: line breaks and tabs, but no other control characters (PostgreSQL cannot
# even store NUL in text).
_PLAIN_CHARACTER = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
PLAIN_TEXT_PATTERN = f"^{_PLAIN_CHARACTER}*$"
PlainText = Annotated[str, StringConstraints(pattern=PLAIN_TEXT_PATTERN)]

# Running text that says something: not only spaces and line breaks (a template writes it
# trimmed, and would otherwise write nothing where a sentence is promised).
NON_BLANK_TEXT_PATTERN = rf"^{_PLAIN_CHARACTER}*[^\s\x00-\x1f\x7f]{_PLAIN_CHARACTER}*$"
NonBlankText = Annotated[str, StringConstraints(pattern=NON_BLANK_TEXT_PATTERN)]

# Each kind of text by its pattern: the name OpenAPI gives it, and the key of the sentence
# that tells a person what is wrong with a text that does not match it.
TEXT_KINDS = {
    SINGLE_LINE_PATTERN: "SingleLine",
    PLAIN_TEXT_PATTERN: "PlainText",
    NON_BLANK_TEXT_PATTERN: "NonBlankText",
}

_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})")


def _rfc3339_only(value: Any) -> Any:
    """Pydantic would take `0.5` or `1700000000` as a Unix time; the API promises RFC 3339."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        raise ValueError("must be an RFC 3339 date-time with an offset, e.g. 2026-11-26T09:30:00Z")
    return value


Timestamp = Annotated[AwareDatetime, BeforeValidator(_rfc3339_only)]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_only(value: Any) -> Any:
    """Pydantic would take `0` as 1970-01-01; the API promises YYYY-MM-DD."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("must be a date as YYYY-MM-DD")
    return value


CalendarDate = Annotated[date, BeforeValidator(_iso_date_only)]


@lru_cache(maxsize=4096)
def _email(value: str) -> str:
    # Cached: the same few addresses come back on every read of a session or candidate,
    # and checking one costs more than the rest of the request's validation.
    try:
        # Syntax only: no DNS at request time. `.test` addresses are welcome (test platforms).
        return validate_email(value, check_deliverability=False, test_environment=True).normalized
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from None


EmailAddress = Annotated[
    str,
    StringConstraints(max_length=254),
    AfterValidator(_email),
    WithJsonSchema({"type": "string", "format": "email", "maxLength": 254}),
]


def _number_only(value: Any) -> Any:
    """JSON numbers only: `true` is not 1 and `"3"` is not 3 (but 2.0 is the integer 2)."""
    if isinstance(value, bool | str | bytes):
        raise ValueError("must be a number")
    return value


NUMBER_ONLY = BeforeValidator(_number_only)
# Constraints go before NUMBER_ONLY (`Annotated[float, Field(ge=0), NUMBER_ONLY]`), or
# pydantic leaves them out of the JSON Schema inside a union.
Integer = Annotated[int, NUMBER_ONLY]
Number = Annotated[float, NUMBER_ONLY]
