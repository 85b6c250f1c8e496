from __future__ import annotations

import json
import logging
import uuid
from unittest import mock

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core import request_context
from app.core.config import LogFormat, Settings
from app.core.logging import JsonFormatter, RequestIdFilter, logging_config
from app.core.request_context import request_id_var

pytestmark = pytest.mark.anyio


async def test_request_id_is_echoed(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"


async def test_request_id_is_generated_when_absent(client: httpx.AsyncClient) -> None:
    first = (await client.get("/healthz")).headers["x-request-id"]
    second = (await client.get("/healthz")).headers["x-request-id"]
    assert len(first) == 32
    assert first != second


async def test_unsafe_request_id_is_replaced(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "a b\tc" + "x" * 200})
    assert response.headers["x-request-id"].isalnum()


async def test_access_log_line_carries_request_id(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.INFO, logger="debrief.access"):
        await client.get("/healthz", headers={"X-Request-ID": "log-me"})
    access = [r for r in caplog.records if r.name == "debrief.access"]
    assert len(access) == 1
    assert access[0].request_id == "log-me"  # type: ignore[attr-defined]
    assert access[0].status == 200  # type: ignore[attr-defined]


def test_json_formatter_emits_one_object_per_line() -> None:
    record = logging.LogRecord("debrief.test", logging.INFO, __file__, 1, "hello %s", ("x",), None)
    record.status = 201
    token = request_id_var.set("rid-1")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["message"] == "hello x"
    assert entry["request_id"] == "rid-1"
    assert entry["status"] == 201
    assert entry["level"] == "INFO"
    assert "\n" not in line


def test_logging_config_selects_json_formatter() -> None:
    settings = Settings(log_format=LogFormat.JSON, _env_file=None)  # type: ignore[call-arg]
    config = logging_config(settings)
    assert config["formatters"]["default"]["()"] is JsonFormatter
    assert config["handlers"]["default"]["filters"] == ["request_id"]


@given(st.binary(min_size=16, max_size=16))
def test_generated_ids_are_uuid4_hex(random: bytes) -> None:
    fake_os = mock.Mock(urandom=mock.Mock(return_value=random))
    with mock.patch.object(request_context, "os", fake_os):
        assert request_context.new_request_id() == uuid.UUID(bytes=random, version=4).hex
