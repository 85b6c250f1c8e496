"""No value a client sends can start a log line of its own, in either log format.

Every way a client value reaches a log line is tried (path, query, headers, request id,
a message built from a body, an exception's text) with every kind of line break and
terminal escape; every record must come out as one line (plus an indented traceback),
and no line may begin with a timestamp the client wrote.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from app.core.config import LogFormat, Settings
from app.core.logging import RequestIdFilter, logging_config
from app.core.routing import api_router

pytestmark = pytest.mark.anyio

FORGED = "2026-11-29 09:00:00,000 INFO    [forged] debrief.access: DELETE /v1/candidates/cand_X 204"
BREAKS = ["\n", "\r", "\r\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1b[2K\r", "\x1e"]
PAYLOADS = [f"x{brk}{FORGED}" for brk in BREAKS]
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")

probe_logger = logging.getLogger("debrief.probe")
probe = api_router(prefix="/probe-log")


class Note(BaseModel):
    text: str


@probe.post("/notes")
async def log_a_note(note: Note) -> dict[str, str]:
    probe_logger.warning("note received: %s", note.text, extra={"note": note.text})
    return {"ok": "yes"}


@probe.get("/crash")
async def crash_with(word: str) -> None:
    raise RuntimeError(f"could not handle {word}")


@pytest.fixture
def app(app: FastAPI) -> FastAPI:
    app.router.routes.extend(probe.routes)
    return app


def _handler(log_format: LogFormat, stream: io.StringIO) -> logging.Handler:
    """The handler `debrief serve` configures, writing to ``stream``."""
    settings = Settings(log_format=log_format, _env_file=None)  # type: ignore[call-arg]
    spec: dict[str, Any] = dict(logging_config(settings)["formatters"]["default"])
    handler = logging.StreamHandler(stream)
    handler.setFormatter(spec.pop("()")(**spec))
    handler.addFilter(RequestIdFilter())
    return handler


@pytest.fixture(params=[LogFormat.TEXT, LogFormat.JSON], ids=["text", "json"])
def log_stream(request: pytest.FixtureRequest) -> Iterator[tuple[LogFormat, io.StringIO]]:
    stream = io.StringIO()
    handler = _handler(request.param, stream)
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield request.param, stream
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


async def _send_every_way(client: httpx.AsyncClient, payload: str) -> int:
    """Sends the payload through each channel; returns how many requests it made."""
    encoded = quote(payload, safe="")
    requests = [
        client.get(f"/v1/candidates/{encoded}"),
        client.get(f"/nowhere/{encoded}"),
        client.get("/v1/candidates", params={"external_ref": payload}),
        client.post("/probe-log/notes", json={"text": payload}),
        client.get("/probe-log/crash", params={"word": payload}),
    ]
    # A header cannot hold CR or LF on the wire; every other byte is sent as it is.
    header_safe = payload.encode("utf-8").replace(b"\r", b"").replace(b"\n", b"")
    for name in ("User-Agent", "X-Request-ID", "Referer", "Idempotency-Key"):
        requests.append(client.get("/healthz", headers={name: header_safe}))
    for request in requests:
        response = await request
        assert response.status_code < 500 or response.request.url.path == "/probe-log/crash"
        assert "\n" not in response.headers["x-request-id"]
    return len(requests)


TEXT_RECORD = re.compile(r"^\S+ \S+ [A-Z]+ +\[[^\]\s]+\] (?P<logger>[\w.]+): ")


def _logger_of(log_format: LogFormat, record: str) -> str:
    if log_format is LogFormat.JSON:
        return str(json.loads(record)["logger"])
    match = TEXT_RECORD.match(record)
    assert match is not None, record
    return match["logger"]


def _records(log_format: LogFormat, output: str) -> list[str]:
    lines = output.split("\n")
    assert lines[-1] == ""
    lines = lines[:-1]
    for line in lines:
        assert not TIMESTAMP.match(line) or "[forged]" not in line.split(": ", 1)[0], line
        assert line.isprintable(), repr(line)
        assert line.splitlines() == [line], repr(line)  # no U+2028, NEL … either
        if log_format is LogFormat.JSON:
            json.loads(line)
    if log_format is LogFormat.TEXT:
        records = [line for line in lines if TIMESTAMP.match(line)]
        continuation = [line for line in lines if not TIMESTAMP.match(line)]
        assert all(line.startswith("    ") for line in continuation), continuation
        return records
    return lines


@pytest.mark.parametrize("payload", PAYLOADS, ids=[repr(b) for b in BREAKS])
async def test_no_client_value_can_forge_a_log_line(
    api: httpx.AsyncClient, log_stream: tuple[LogFormat, io.StringIO], payload: str
) -> None:
    log_format, stream = log_stream
    sent = await _send_every_way(api, payload)
    records = _records(log_format, stream.getvalue())
    access = [r for r in records if _logger_of(log_format, r) == "debrief.access"]
    assert len(access) == sent  # one access line per request, none forged
    forged_at_start = [r for r in records if r.startswith(FORGED[:19])]
    assert forged_at_start == []
    # The payload is still there to read, escaped.
    assert sum("cand_X 204" in r for r in records) >= 3


def test_the_text_formatter_escapes_messages_extras_and_arguments() -> None:
    stream = io.StringIO()
    handler = _handler(LogFormat.TEXT, stream)
    record = logging.LogRecord(
        "debrief.t", logging.INFO, __file__, 1, "a %s\nb", ("c\u2028d\x1b[31m\ud800",), None
    )
    handler.handle(record)
    line = stream.getvalue()
    assert line.count("\n") == 1
    assert line.rstrip("\n").endswith("a c\\u2028d\\x1b[31m\\ud800\\nb")
