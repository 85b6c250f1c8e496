"""Every text a request brings in is valid Unicode, or the request is a 422 pointing at it.

Python's JSON parser turns ``"\\ud800"`` (and raw UTF-8-encoded surrogates) into a string
holding a lone surrogate, which is no character: it passes pydantic, lands in the
database, and fails only when a response is encoded. Starlette decodes a query string's
percent-escapes leniently, so ``%ED%A0%80`` or ``%FF`` would silently become U+FFFD. Both
are checked here, once, for every route, free-form objects and their keys included.
Headers need nothing: the ASGI server hands them over as ISO-8859-1, where every byte is
a character.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote_to_bytes

from app.core.errors import FieldProblem, ValidationFailed
from app.core.problem_responses import json_pointer

_SURROGATE = re.compile("[\ud800-\udfff]")
# What a body must contain for a lone surrogate to come out of it: a `\uD8xx`-`\uDFxx`
# escape, or the bytes UTF-8 would use to encode one (json.loads lets those through).
_MAY_HOLD_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")
_MAY_START_ANOTHER_ENCODING = frozenset(b"\x00\xef\xfe\xff")
# A query string needs a strict decode only when it carries non-ASCII bytes.
_NON_ASCII_QUERY = re.compile(rb"%[89a-fA-F]|[\x80-\xff]")

_NOT_UNICODE_DETAIL = "must be valid Unicode text: a lone surrogate is not a character"
_NOT_UNICODE_CODE = "string_unicode"


def _readable(text: str) -> str:
    """The text with each lone surrogate shown as U+FFFD, so a pointer can be sent back."""
    return _SURROGATE.sub("\ufffd", text)


def _lone_surrogates(
    value: Any, location: tuple[str | int, ...]
) -> Iterator[tuple[str | int, ...]]:
    if isinstance(value, str):
        if _SURROGATE.search(value):
            yield location
    elif isinstance(value, dict):
        for key, item in value.items():
            if _SURROGATE.search(key):
                yield (*location, _readable(key))
            yield from _lone_surrogates(item, (*location, _readable(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _lone_surrogates(item, (*location, index))


def _read_as_utf8(body: bytes) -> bool:
    """`json.detect_encoding(body) == "utf-8"`, answered without it for the usual body:
    that function finds another encoding only from a BOM (first byte 00, EF, FE or FF) or
    a NUL among the first two bytes."""
    if body[0] not in _MAY_START_ANOTHER_ENCODING and body[1:2] != b"\x00":
        return True
    return json.detect_encoding(body) == "utf-8"


def _body_encoding_may_pass_surrogates(body: bytes) -> bool:
    # UTF-16 and UTF-32 bodies are rare enough to be checked in full.
    return not _read_as_utf8(body) or _MAY_HOLD_SURROGATE.search(body) is not None


def body_problems(body: bytes) -> list[FieldProblem]:
    """A problem for each string and key of a JSON body that is not valid Unicode. A body
    that is not JSON at all is left to the route's own parsing (a 400)."""
    if not body or not _body_encoding_may_pass_surrogates(body):
        return []
    try:
        document = json.loads(body)
    except ValueError:
        return []
    return [
        FieldProblem(
            pointer=json_pointer(where), detail=_NOT_UNICODE_DETAIL, code=_NOT_UNICODE_CODE
        )
        for where in dict.fromkeys(_lone_surrogates(document, ("body",)))
    ]


def _decoded(part: bytes) -> str:
    return unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")


def query_problems(query_string: bytes) -> list[FieldProblem]:
    """A problem for each query parameter whose name or value is not UTF-8 once decoded."""
    if not _NON_ASCII_QUERY.search(query_string):
        return []
    problems: list[FieldProblem] = []
    for pair in query_string.split(b"&"):
        name, _, value = pair.partition(b"=")
        try:
            _decoded(name)
            _decoded(value)
        except UnicodeDecodeError:
            readable = unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8", "replace")
            problems.append(
                FieldProblem(
                    pointer=json_pointer(("query", readable)),
                    detail="must be valid UTF-8 text once percent-decoded",
                    code=_NOT_UNICODE_CODE,
                )
            )
    return problems


def refuse_invalid_text(body: bytes, query_string: bytes) -> None:
    """Raise a 422 problem naming every field of the request that is not valid Unicode."""
    problems = query_problems(query_string) + body_problems(body)
    if problems:
        pointers = ", ".join(dict.fromkeys(p.pointer for p in problems))
        noun = "field is" if len(problems) == 1 else "fields are"
        raise ValidationFailed(
            f"{len(problems)} {noun} not valid Unicode text: {pointers}.", errors=problems
        )
