"""The lean handler of planned routes answers every request as FastAPI's own handler (with
the same plan) does: every operation that takes a JSON body, sent a matrix of bodies and
content types through both, compared byte for byte."""

from __future__ import annotations

import contextlib
import email.message
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import httpx
import pytest
import starlette
from fastapi import FastAPI
from fastapi.routing import request_response
from hypothesis import given
from hypothesis import strategies as st
from starlette.requests import ClientDisconnect, Request

from app.core import planned_request_handler, routing
from app.core.dependency_plan import DependencyPlan
from app.core.planned_request_handler import is_json_media_type, parse_json_body, read_body
from app.core.routing import DebriefRoute

# The same requests' set-up as the plan's differential test: rate limits off, a raw client.
from tests.core.test_dependency_plan import STAMPED_NOW, raw_client, settings  # noqa: F401
from tests.core.test_dependency_plan import _requests as plan_requests
from tests.core.test_dependency_plan import _send as plan_send
from tests.request_catalogue import base_bodies, operations, subjects, url

pytestmark = pytest.mark.anyio

# Operations that store nothing, whatever the body: sent valid bodies too.
PURE = {"/v1/diagnoses/preview", "/v1/messages/preview", "/v1/templates/preview"}

CONTENT_TYPES: list[str | None] = [
    None,
    "application/json",
    "application/json; charset=utf-8",
    "APPLICATION/JSON",
    " application/json ;",
    "application/merge-patch+json",
    "application/problem+json; q=1",
    "application/a/b+json",
    "application/jsonx",
    "text/plain",
    "text/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "",
]
REFUSED_BODIES: list[bytes] = [
    b"",
    b" ",
    b"{",
    b"[]",
    b"null",
    b"{}",
    b'"text"',
    b'{"unexpected": [1, {"x": null}]}',
    b'{"a": "\\ud800"}',
    b'{"a": "\xed\xa0\x80"}',
    b"\xff\xfe{\x00}\x00",
    b"\xef\xbb\xbf{}",
    b'{"n": 123456789012345678901234567890}',
    b"NaN",
    b"[" * 5000,
    # Bodies orjson refuses or could read otherwise than json.loads (`parse_json_body`).
    b'{"n": -9223372036854775809, "m": 18446744073709551616, "f": 1.0000000000000000001}',
    b'{"n": 9223372036854775807, "f": 1e400, "g": -Infinity, "h": 4.9e-324}',
    b'{"a": 1, "a": {"b": 2}, "c": -0, "d": -0.0, "e": 1E2}',
    b'{"a": "\\udfff\\ud800", "b": "\\ud83d\\ude00"}',
    b'{"a": "\xf4\x90\x80\x80"}',
    b'{"a": "\xff"}',
    b'{"a": "x\x01y"}',
    b"\xef\xbb\xbf" + b'{"a": 1}',
    '{"a": "\u00e9"}'.encode("utf-16"),
    '{"a": "\u00e9"}'.encode("utf-16-le"),
    '{"a": "\u00e9"}'.encode("utf-32"),
    b"[" * 300 + b"]" * 300,
    b"[" * 990 + b"]" * 990,
    b"\r\n\t{}\t",
    b"{}\x00",
]


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value).encode()


def _bodies(path: str, valid: Any) -> Iterator[bytes]:
    yield from REFUSED_BODIES
    if isinstance(valid, dict):
        for key in list(valid)[:3]:
            yield _json_bytes({**valid, key: {"wrong": "type"}})
        if path in PURE:
            yield _json_bytes(valid)
            yield _json_bytes(valid).decode().encode("utf-16")
            for key in list(valid)[:3]:
                yield _json_bytes({k: v for k, v in valid.items() if k != key})


def fastapis_handlers(app: FastAPI) -> tuple[list[DebriefRoute], list[Any]]:
    """Every Debrief route, and its ASGI app served by FastAPI's own handler (with the
    route's plan), as before this handler existed."""
    routes = [r for r in app.router.routes if isinstance(r, DebriefRoute)]
    saved = [(route.app, route.dependency_plan, route._planned_handler) for route in routes]
    original = routing.unplanned_shape
    routing.unplanned_shape = lambda route: "the reference"  # type: ignore[assignment]
    try:
        reference = [request_response(route.get_route_handler()) for route in routes]
    finally:
        routing.unplanned_shape = original  # type: ignore[assignment]
        for route, (app_, plan, handler) in zip(routes, saved, strict=True):
            route.app, route.dependency_plan, route._planned_handler = app_, plan, handler
    return routes, reference


@contextmanager
def served_by(routes: list[DebriefRoute], apps: list[Any]) -> Iterator[None]:
    saved = [route.app for route in routes]
    for route, app_ in zip(routes, apps, strict=True):
        route.app = app_
    try:
        yield
    finally:
        for route, app_ in zip(routes, saved, strict=True):
            route.app = app_


def _lean_operations(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of each operation this handler serves."""
    return {
        (method.lower(), route.path)
        for route in app.router.routes
        if isinstance(route, DebriefRoute)
        and isinstance(route.dependency_plan, DependencyPlan)
        and routing.unplanned_shape(route) is None
        and route._planned_handler is not None
        for method in route.methods
    }


Answer = tuple[int, list[tuple[str, str]], bytes]

# What differs between two requests that each create something: ids, times, ETags.
_CREATED = re.compile(rb"[a-z]+_[0-9A-HJKMNP-TV-Z]{26}|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


def _masked(answer: Answer) -> Any:
    status, headers, content = answer
    headers = [
        (k, _CREATED.sub(b"X", v.encode()).decode())
        for k, v in headers
        if k not in ("etag", "content-length")
    ]
    return status, headers, _CREATED.sub(b"X", content)


async def _send(
    client: httpx.AsyncClient, method: str, target: str, headers: dict[str, str], body: bytes
) -> Answer:
    response = await client.request(
        method, target, headers={"X-Request-ID": "differential", **headers}, content=body
    )
    return response.status_code, list(response.headers.multi_items()), response.content


async def test_body_routes_answer_as_fastapis_handler(
    app: FastAPI,
    api: httpx.AsyncClient,
    raw_client: httpx.AsyncClient,  # noqa: F811 (the imported fixture)
    tenant: Any,
) -> None:
    candidate, ids = await subjects(api)
    lean = _lean_operations(app)
    with_body = [
        (method, path)
        for method, path, operation in operations(app)
        if "requestBody" in operation and (method, path) in lean
    ]
    assert len(with_body) >= 20
    valid_bodies = base_bodies(candidate["id"])
    auth = tenant.headers()
    cases = [
        (method, path, url(path, ids), content_type, body)
        for method, path in with_body
        for body in _bodies(path, valid_bodies.get((method, path)))
        for content_type in CONTENT_TYPES
    ]
    routes, reference_apps = fastapis_handlers(app)
    assert len(routes) > 90
    statuses = set()
    created = 0
    for case in cases:
        method, _, target, content_type, body = case
        headers = dict(auth) if content_type is None else {**auth, "Content-Type": content_type}
        answer = await _send(raw_client, method, target, headers, body)
        with served_by(routes, reference_apps):
            expected = await _send(raw_client, method, target, headers, body)
        if answer != expected:  # each created its own object
            created += 1
            assert _masked(answer) == _masked(expected), case
        statuses.add(answer[0])
    assert created < len(cases) / 20
    assert len(cases) > 5000
    assert {200, 201, 400, 415, 422} <= statuses


async def test_a_request_followed_by_telemetry_goes_to_fastapis_handler(
    api: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    followed = object()
    monkeypatch.setattr(planned_request_handler, "_get_request_telemetry", lambda: followed)
    calls = 0
    original = planned_request_handler.RequestValidationError

    class Counted(original):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            nonlocal calls
            calls += 1
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(planned_request_handler, "RequestValidationError", Counted)
    response = await api.post(
        "/v1/diagnoses/preview", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text  # malformed JSON
    assert calls == 0  # raised by FastAPI's handler, not this one


def _email_reading(content_type: str) -> bool:
    message = email.message.Message()
    message["content-type"] = content_type
    if message.get_content_maintype() != "application":
        return False
    subtype = message.get_content_subtype()
    return subtype == "json" or subtype.endswith("+json")


_HEADER_TEXT = st.text(
    alphabet=st.sampled_from([*"aAjJ/+;= \t,\"'()sonplictxn-", "\x85", "\xa0", "\xff"]),
    max_size=40,
)


@given(st.one_of(_HEADER_TEXT, st.text(alphabet=st.characters(max_codepoint=255), max_size=30)))
def test_json_media_type_reads_as_email_message_reads(content_type: str) -> None:
    assert is_json_media_type(content_type) == _email_reading(content_type)


@pytest.mark.parametrize(
    "content_type",
    ["application/json", " Application/JSON ; x", "application/+json", "application/a/b+json",
     "application/json\x85", "\xa0application/ld+json", "application/", "/json", "application"],
)  # fmt: skip
def test_json_media_type_edge_cases(content_type: str) -> None:
    assert is_json_media_type(content_type) == _email_reading(content_type)


async def test_every_planned_operation_answers_as_fastapis_handler(
    app: FastAPI,
    api: httpx.AsyncClient,
    raw_client: httpx.AsyncClient,  # noqa: F811 (the imported fixture)
    tenant: Any,
) -> None:
    """The plan's differential requests (reads, previews, refusals; no credentials, bad
    ones, bad ids, bad queries, conditional requests) through both handlers."""
    candidate, ids = await subjects(api)
    lean = _lean_operations(app)
    operation_list = [op for op in operations(app) if (op[0], op[1]) in lean]
    assert len(operation_list) > 90
    routes, reference_apps = fastapis_handlers(app)
    compared = 0
    statuses = set()
    requests = plan_requests(operation_list, ids, base_bodies(candidate["id"]), tenant.headers())
    for method, path, target, headers, body in requests:
        answer = await plan_send(raw_client, method, target, headers, body)
        with served_by(routes, reference_apps):
            expected = await plan_send(raw_client, method, target, headers, body)
        if answer != expected:
            assert path in STAMPED_NOW
            assert _masked(answer) == _masked(expected), (target, headers, body)
        compared += 1
        statuses.add(answer[0])
    assert compared > 900
    assert {200, 304, 400, 401, 404, 412, 415, 422} <= statuses


def _reading(parse: Any, body: bytes) -> tuple[str, str]:
    """What `parse` makes of `body`: the document (its repr tells 1 from 1.0, -0.0 from
    0.0, and shows the keys' order), or the exception with its arguments."""
    try:
        return "read", repr(parse(body))
    except Exception as error:
        return type(error).__qualname__, repr(error.args)


_PARSE_EDGES: list[bytes] = [
    *REFUSED_BODIES,
    *(
        b"%s" % number
        for number in (
            b"9223372036854775807", b"-9223372036854775808", b"9223372036854775808",
            b"18446744073709551615", b"18446744073709551616", b"-9223372036854775809",
            b"1" * 19, b"1" * 4301, b"1e400", b"-1e400", b"1e-400", b"-1e-400", b"4.9e-324",
            b"2.2250738585072014e-308", b"1.7976931348623157e308", b"0.30000000000000004",
            b"-0", b"-0.0", b"1E5", b"01", b"+1", b".5", b"1.", b"1.e5", b"0x10", b"1_0",
            b"Infinity", b"-Infinity", b"NaN", b"-NaN",
        )
    ),
    b'"\\ud800\\u0041"', b'"\\ud83d\\ude00"', b'"\xed\xa0\x80"', b'"\xf0\x9f\x98\x80"',
    b'"\xc0\x80"', b'"\x7f"', b'"\\u0000"', b'"\\/"', b'"\\x41"', b"'a'",
    b"\xc2\xa0{}", b"{}\xe2\x80\xa8", b"\x0c{}", b"[1 2]", b"[]]", b"[1,]", b"{a:1}",
    b"\x00{}", b"{\x00}", b"1\x00", b" \x00", b"\x00\x00\x00{", b"\xff\xfe\x00\x00{\x00\x00\x00}",
    b"\xfe\xff\x00{\x00}", b"tru", b"True", b"nul", b"\n", b"1 ",
    b"[" * 256 + b"]" * 256, b"[" * 257 + b"]" * 257, b"[" * 1023 + b"]" * 1023,
    b"[" * 1025 + b"]" * 1025, b'{"a":' * 600 + b"1" + b"}" * 600,
]  # fmt: skip


@pytest.mark.parametrize("body", _PARSE_EDGES)
def test_the_body_is_parsed_as_json_loads_parses_it(body: bytes) -> None:
    assert _reading(parse_json_body, body) == _reading(json.loads, body)


_JSON_BYTES = st.lists(
    st.sampled_from(
        [*(bytes([c]) for c in b'{}[]",:-+.eE0123456789 \t\n\r\\/ubtrfalsnNIy'),
         b"\\u", b"\\ud800", b"\\udc00", b"\\u00e9", b"true", b"null", b"NaN",
         b"Infinity", b"\xed\xa0\x80", b"\xef\xbb\xbf", b"\x00", b"\x01", b"\xc3\xa9",
         b"\xff", b"1234567890", b"99999999999"]
    ),
    max_size=40,
).map(b"".join)  # fmt: skip

_DOCUMENTS = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(_JSON_BYTES)
def test_any_bytes_are_parsed_as_json_loads_parses_them(body: bytes) -> None:
    assert _reading(parse_json_body, body) == _reading(json.loads, body)


@given(_DOCUMENTS, st.booleans(), st.sampled_from(["utf-8", "utf-16", "utf-16-le", "utf-32"]))
def test_any_document_is_parsed_as_json_loads_parses_it(
    document: Any, ascii_only: bool, encoding: str
) -> None:
    body = json.dumps(document, ensure_ascii=ascii_only).encode(encoding, "surrogatepass")
    assert _reading(parse_json_body, body) == _reading(json.loads, body)


_MESSAGES = st.lists(
    st.one_of(
        st.builds(
            lambda body, more: {"type": "http.request", "body": body, "more_body": more},
            st.sampled_from([b"", b"{", b'"a"}']),
            st.booleans(),
        ),
        st.just({"type": "http.request"}),
        st.just({"type": "http.request", "more_body": True}),
        st.just({"type": "http.disconnect"}),
        st.just({"type": "http.other"}),
    ),
    max_size=6,
).map(lambda messages: [*messages, {"type": "http.request", "body": b"end"}])


async def _body_read(read: Any, messages: list[Any], before: str) -> Any:
    """What `read` makes of a request receiving `messages`, and the request's state."""
    pending = list(messages)

    async def receive() -> Any:
        return pending.pop(0)

    request = Request({"type": "http", "headers": []}, receive)
    with contextlib.suppress(ClientDisconnect):
        if before == "read":
            await request.body()
        elif before == "streamed":
            async for _ in request.stream():
                pass
    try:
        outcome: Any = ("read", await read(request))
    except Exception as error:
        outcome = (type(error), error.args)
    state = {k: v for k, v in vars(request).items() if k.startswith(("_body", "_stream", "_is"))}
    return outcome, state, len(pending)


@given(_MESSAGES, st.sampled_from(["nothing", "read", "streamed"]))
def test_the_body_is_read_as_starlette_reads_it(messages: list[Any], before: str) -> None:
    reference = anyio.run(_body_read, Request.body, messages, before)
    assert anyio.run(_body_read, read_body, messages, before) == reference


def test_starlettes_body_reading_is_as_read_body_repeats_it() -> None:
    assert starlette.__version__ == "1.10.0", "recheck planned_request_handler.read_body"
