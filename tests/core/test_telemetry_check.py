"""`telemetry_enabled` answers as `NativeTelemetry.enabled()` in every state of the three
OpenTelemetry APIs and of FastAPI's telemetry configuration."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry._logs import _internal as logs_api
from opentelemetry.metrics import _internal as metrics_api

from app.core import telemetry_check
from app.core.telemetry_check import _PROVIDER_VARIABLES, telemetry_enabled

GLOBALS = [
    (trace, "_TRACER_PROVIDER"),
    (metrics_api, "_METER_PROVIDER"),
    (logs_api, "_LOGGER_PROVIDER"),
]


class Provider:
    """Neither a proxy nor unset: a configured provider, as FastAPI sees one."""


@pytest.mark.parametrize("configured", list(itertools.product([False, True], repeat=3)))
@pytest.mark.parametrize(
    "config",
    [
        {},
        {"tracing": False, "metrics": False, "logs": False},
        {"tracer_provider": Provider()},
        {"tracing": False, "tracer_provider": Provider()},
        {"meter_provider": Provider(), "tracing": False},
        {"logger_provider": Provider(), "metrics": False},
    ],
)
def test_as_enabled_answers(
    configured: tuple[bool, bool, bool], config: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    for (module, name), on in zip(GLOBALS, configured, strict=True):
        monkeypatch.setattr(module, name, Provider() if on else None)
    telemetry = FastAPI(telemetry=config)._native_telemetry  # type: ignore[arg-type]
    assert telemetry_enabled(telemetry) == telemetry.enabled()


@pytest.mark.parametrize("variable", _PROVIDER_VARIABLES)
def test_a_provider_named_in_the_environment_is_left_to_enabled(
    variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for module, name in GLOBALS:
        monkeypatch.setattr(module, name, None)
    telemetry = FastAPI()._native_telemetry
    monkeypatch.setattr(telemetry, "enabled", lambda: "asked")
    assert telemetry_enabled(telemetry) is False
    monkeypatch.setenv(variable, "some_provider")
    assert telemetry_enabled(telemetry) == "asked"
    monkeypatch.setattr(telemetry_check, "_ENCODED_VARIABLES", None)
    assert telemetry_enabled(telemetry) == "asked"
    monkeypatch.delenv(variable)
    assert telemetry_enabled(telemetry) is False
