"""`log_access` writes the line `access_logger.info` wrote, in both formats, whatever the
path, request id, trace and time; under any other logging set-up it hands the handlers the
record `info` would have made."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core import access_line
from app.core import logging as log_config
from app.core.access_line import _standard_handler, log_access
from app.core.config import LogFormat, Settings
from app.core.logging import logging_config
from app.core.request_context import request_id_var
from app.core.request_logs import access_logger

HOSTILE_PATHS = [
    "/v1/diagnoses/preview",
    "/v1/x\n2026-01-01 00:00:00,000 INFO    [-] debrief.access: GET / 200",
    "/v1/\r\x1b[31mred\x00\t\x7f\x85\u2028\u2029\u202e\ufeff\ud800\U0001f600",
    '/v1/"quoted"\\back%00%0a',
    "",
]
TIMES = [1_764_000_000.0, 1_764_000_000.9995, 1_764_000_000.999_999_9, 1_764_000_059.0004, 0.5]


def reference(method: str, path: str, status: int, duration_ms: float) -> None:
    """What app/core/request_pipeline.py said before `log_access`."""
    access_logger.info(
        "%s %s %s",
        method,
        path,
        status,
        extra={"method": method, "path": path, "status": status, "duration_ms": duration_ms},
    )


def lean(method: str, path: str, status: int, duration_ms: float) -> None:
    log_access(method, path, status, duration_ms)


@contextmanager
def configured(log_format: LogFormat) -> Iterator[io.StringIO]:
    stream = io.StringIO()
    config = logging_config(Settings(log_format=log_format, _env_file=None))  # type: ignore[call-arg]
    config["handlers"]["default"]["stream"] = stream
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, access_logger.handlers[:], access_logger.propagate)
    logging.config.dictConfig(config)
    try:
        yield stream
    finally:
        root.handlers[:], access_logger.handlers[:] = saved[0], saved[2]
        root.setLevel(saved[1])
        access_logger.propagate = saved[3]


@contextmanager
def traced(trace_id: str | None) -> Iterator[None]:
    saved = log_config._trace_ids, log_config._current_trace_id
    log_config._trace_ids = trace_id is not None
    log_config._current_trace_id = lambda: trace_id  # type: ignore[assignment]
    try:
        yield
    finally:
        log_config._trace_ids, log_config._current_trace_id = saved


class _Clock:
    """The `time` module with its clock stopped at `now`: put in place of the name
    `logging` and `log_access` imported, not of the module every thread shares."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


def _lines(
    say: Any, stream: io.StringIO, monkeypatch: pytest.MonkeyPatch, now: float, *args: Any
) -> str:
    monkeypatch.setattr(logging, "time", _Clock(now))
    monkeypatch.setattr(access_line, "time", _Clock(now))
    start = stream.tell()
    say(*args)
    monkeypatch.undo()
    return stream.getvalue()[start:]


@pytest.mark.parametrize("log_format", list(LogFormat))
@pytest.mark.parametrize("trace_id", [None, "0af7651916cd43dd8448eb211c80319c"])
@pytest.mark.parametrize("request_id", [None, "abc-123", "x" * 128])
def test_lines_as_info_wrote_them(
    log_format: LogFormat,
    trace_id: str | None,
    request_id: str | None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = request_id_var.set(request_id)
    compared = 0
    try:
        with configured(log_format) as stream, traced(trace_id):
            assert _standard_handler() is not None
            for now in TIMES:
                for path in HOSTILE_PATHS:
                    for method, status, duration in (("POST", 200, 0.43), ("GET\n", 499, 12.0)):
                        args = (method, path, status, duration)
                        expected = _lines(reference, stream, monkeypatch, now, *args)
                        assert _lines(lean, stream, monkeypatch, now, *args) == expected
                        assert expected.count("\n") == 1
                        compared += 1
    finally:
        request_id_var.reset(token)
    assert compared == len(TIMES) * len(HOSTILE_PATHS) * 2


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.text(st.characters(codec=None, exclude_categories=()), max_size=40),
    now=st.floats(min_value=0, max_value=4e9),
    duration=st.floats(min_value=0, max_value=1e7, allow_nan=False),
    log_format=st.sampled_from(list(LogFormat)),
)
def test_any_path_and_time(
    path: str, now: float, duration: float, log_format: LogFormat, monkeypatch: pytest.MonkeyPatch
) -> None:
    with configured(log_format) as stream:
        args = ("PATCH", path, 201, round(duration, 2))
        expected = _lines(reference, stream, monkeypatch, now, *args)
        assert _lines(lean, stream, monkeypatch, now, *args) == expected


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


# What differs between two records made one after the other: the clock (and `asctime`, the
# formatter's writing of it, which can cross a millisecond between the two) and the caller.
_PER_RECORD = {"created", "msecs", "relativeCreated", "asctime", "lineno", "funcName"}


@pytest.mark.parametrize("log_format", list(LogFormat))
def test_any_other_set_up_gets_infos_record(log_format: LogFormat) -> None:
    with configured(log_format) as stream:
        capture = Capture()
        access_logger.addHandler(capture)
        assert _standard_handler() is None
        reference("GET", "/v1/me\n", 200, 1.5)
        lean("GET", "/v1/me\n", 200, 1.5)
        access_logger.removeHandler(capture)
    made, ours = capture.records
    assert [k for k in vars(made) if k not in _PER_RECORD] == [
        k for k in vars(ours) if k not in _PER_RECORD
    ]
    assert {k: v for k, v in vars(made).items() if k not in _PER_RECORD} == {
        k: v for k, v in vars(ours).items() if k not in _PER_RECORD
    }
    assert (ours.funcName, ours.lineno) == ("lean", lean.__code__.co_firstlineno + 1)
    assert (made.funcName, made.lineno) == ("reference", reference.__code__.co_firstlineno + 2)
    first, second = stream.getvalue().splitlines()
    if log_format is LogFormat.JSON:
        first, second = (json.dumps({**json.loads(x), "time": ""}) for x in (first, second))
    else:
        first, second = (
            first[len("2026-01-01 00:00:00,000") :],
            second[len("2026-01-01 00:00:00,000") :],
        )
    assert first == second


def test_the_standard_set_up_is_recognised_only_as_configured() -> None:
    with configured(LogFormat.TEXT):
        handler = _standard_handler()
        assert handler is not None
        handler.filters.append(logging.Filter("other"))
        assert _standard_handler() is None
        handler.filters.pop()
        access_logger.propagate = False
        assert _standard_handler() is None
        access_logger.propagate = True
        logging.getLogger("debrief").addHandler(capture := Capture())
        assert _standard_handler() is None
        logging.getLogger("debrief").removeHandler(capture)
        assert _standard_handler() is handler


@pytest.mark.parametrize("log_format", list(LogFormat))
@pytest.mark.parametrize("trace_id", [None, 'a"\u2028b'])
@pytest.mark.parametrize(
    ("status", "duration"),
    [(200, 0.1), (HTTPStatus.OK, 0.1), (True, 0.1), (200, 3), (200, float("nan")),
     (200, float("inf")), (200, 1e22), (200, 5e-324), (200, -0.0)],
)  # fmt: skip
def test_any_status_and_duration_type(
    log_format: LogFormat,
    trace_id: str | None,
    status: int,
    duration: float,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with configured(log_format) as stream, traced(trace_id):
        args = ("GET", "/v1/\u00e9\ud800", status, duration)
        expected = _lines(reference, stream, monkeypatch, 1_764_000_000.5, *args)
        assert _lines(lean, stream, monkeypatch, 1_764_000_000.5, *args) == expected
