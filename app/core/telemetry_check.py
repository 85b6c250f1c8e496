"""FastAPI's per-request question "is native telemetry on?", answered for less.

`NativeTelemetry.enabled()` asks each OpenTelemetry API (traces, metrics, logs) for its
global provider and whether it is still the API's deferred proxy: three `get_*_provider`
calls, each reading the environment. While no provider has been set and no environment
variable names one, each API would hand back its proxy, so the answer rests on the
providers in FastAPI's own configuration alone; otherwise `enabled()` is asked as before.
`tests/core/test_telemetry_check.py` compares the two in every such state.
"""

from __future__ import annotations

import os

from fastapi.telemetry._asgi import NativeTelemetry
from opentelemetry import trace
from opentelemetry._logs import _internal as logs_api
from opentelemetry.environment_variables import (
    _OTEL_PYTHON_LOGGER_PROVIDER,
    OTEL_PYTHON_METER_PROVIDER,
    OTEL_PYTHON_TRACER_PROVIDER,
)
from opentelemetry.metrics import _internal as metrics_api

_PROVIDER_VARIABLES = (
    OTEL_PYTHON_TRACER_PROVIDER,
    OTEL_PYTHON_METER_PROVIDER,
    _OTEL_PYTHON_LOGGER_PROVIDER,
)
# `name in os.environ` raises and catches a KeyError for each absent name; CPython's
# environ keeps its entries in a dict under encoded names, which is asked directly.
_ENVIRON_DATA: dict[object, object] | None = getattr(os.environ, "_data", None)
_ENCODE_KEY = getattr(os.environ, "encodekey", None)
_ENCODED_VARIABLES = (
    tuple(_ENCODE_KEY(variable) for variable in _PROVIDER_VARIABLES)
    if isinstance(_ENVIRON_DATA, dict) and _ENCODE_KEY is not None
    else None
)


def _provider_named_in_environment() -> bool:
    if _ENCODED_VARIABLES is not None and _ENVIRON_DATA is not None:
        return any(key in _ENVIRON_DATA for key in _ENCODED_VARIABLES)
    return any(variable in os.environ for variable in _PROVIDER_VARIABLES)


def telemetry_enabled(telemetry: NativeTelemetry) -> bool:
    """`telemetry.enabled()`."""
    if (
        trace._TRACER_PROVIDER is not None
        or metrics_api._METER_PROVIDER is not None
        or logs_api._LOGGER_PROVIDER is not None
    ):
        return telemetry.enabled()
    if _provider_named_in_environment():
        return telemetry.enabled()
    config = telemetry.config
    return bool(
        (config["tracing"] and config["tracer_provider"] is not None)
        or (config["metrics"] and config["meter_provider"] is not None)
        or (config["logs"] and config["logger_provider"] is not None)
    )
