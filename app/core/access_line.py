"""The access line of each request, written as `access_logger.info` writes it, for less.

`Logger.info` walks the stack (`findCaller`) for the file, line and function that logged,
builds a `LogRecord` (some thirty attributes), and hands it through the logger's and each
handler's filters to a formatter that reads five of them. When logging is configured as
`app/core/logging.py` configures it (the access logger with no handlers or filters of its
own, propagating to one `StreamHandler` on the root with the request-id filter and one of
our two formatters), `log_access` writes that formatter's line itself, under the
handler's lock, from the request's values. Any other configuration (a test's capture
handler, a custom record factory, another format) gets the record `info` would have made,
caller included, through the same filters and handlers.
`tests/core/test_access_line.py` compares both paths with `info`, line for line.
"""

from __future__ import annotations

import logging
import math
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import encode_basestring
from typing import Any

from app.core import logging as log_config
from app.core.logging import (
    ENCODER,
    TEXT_FORMAT,
    JsonFormatter,
    RequestIdFilter,
    TextFormatter,
    json_safe,
    one_line,
)
from app.core.request_context import current_request_id
from app.core.request_logs import access_logger

_INFO = logging.INFO
_MESSAGE = "%s %s %s"
_UNKNOWN_CALLER = ("(unknown file)", 0, "(unknown function)")
_TRACE_KEY = '"trace_id": '
_string = encode_basestring  # what ENCODER (ensure_ascii=False) writes a string with


@dataclass(slots=True)
class _Moment:
    """What `TextFormatter.formatTime` reads of a record."""

    created: float
    msecs: float


def _standard_handler() -> logging.StreamHandler[Any] | None:
    """The root's one handler, when a record of the access logger would reach only it and
    it would write one of our two formats; None otherwise."""
    logger = access_logger
    if type(logger) is not logging.Logger or logger.handlers or logger.filters:
        return None
    if logger.disabled or logging.getLogRecordFactory() is not logging.LogRecord:
        return None
    current = logger
    while current.propagate and current.parent is not None:
        current = current.parent
        if current.parent is not None and current.handlers:  # a logger between
            return None
    if current.parent is not None or len(current.handlers) != 1:
        return None
    handler = current.handlers[0]
    if type(handler) is not logging.StreamHandler or handler.level > _INFO:
        return None
    if len(handler.filters) != 1 or type(handler.filters[0]) is not RequestIdFilter:
        return None
    formatter = handler.formatter
    if type(formatter) is TextFormatter:
        style = formatter._style
        if (
            type(style) is not logging.PercentStyle
            or style._fmt != TEXT_FORMAT
            or getattr(style, "_defaults", None)
            or formatter.datefmt is not None
        ):
            return None
    elif type(formatter) is not JsonFormatter:
        return None
    return handler


def _line(
    formatter: logging.Formatter, method: str, path: str, status: int, duration_ms: float
) -> str:
    created = time.time()
    request_id = current_request_id() or "-"
    trace_id = log_config.trace_id_to_log()
    message = _MESSAGE % (method, path, status)
    level = logging.getLevelName(_INFO)
    if type(formatter) is TextFormatter:
        msecs = int((created - int(created)) * 1000) + 0.0
        trace = "" if trace_id is None else f" trace={trace_id}"
        return one_line(
            TEXT_FORMAT
            % {
                "asctime": formatter.formatTime(_Moment(created, msecs)),  # type: ignore[arg-type]
                "levelname": level,
                "request_id": request_id,
                "trace": trace,
                "name": access_logger.name,
                "message": message,
            }
        )
    moment = datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")
    if type(status) is int and type(duration_ms) is float and math.isfinite(duration_ms):
        # `ENCODER.encode(entry)` for these types, written out: the same C function
        # writes each string, numbers are written by their repr.
        trace = "" if trace_id is None else f", {_TRACE_KEY}{_string(trace_id)}"
        return json_safe(
            f'{{"time": {_string(moment)}, "level": {_string(level)}, '
            f'"logger": {_string(access_logger.name)}, "message": {_string(message)}, '
            f'"request_id": {_string(request_id)}, "method": {_string(method)}, '
            f'"path": {_string(path)}, "status": {status!r}, "duration_ms": {duration_ms!r}'
            f"{trace}}}"
        )
    entry = {
        "time": moment,
        "level": level,
        "logger": access_logger.name,
        "message": message,
        "request_id": request_id,
        "method": method,
        "path": path,
        "status": status,
        "duration_ms": duration_ms,
    }
    if trace_id is not None:
        entry["trace_id"] = trace_id
    return json_safe(ENCODER.encode(entry))


def _record(
    caller: tuple[str, int, str], method: str, path: str, status: int, duration_ms: float
) -> logging.LogRecord:
    """The record `info` would make, called from `caller` (file, line, function)."""
    filename, line, function = caller if logging._srcfile else _UNKNOWN_CALLER
    return access_logger.makeRecord(
        access_logger.name,
        _INFO,
        filename,
        line,
        _MESSAGE,
        (method, path, status),
        None,
        function,
        {"method": method, "path": path, "status": status, "duration_ms": duration_ms},
        None,
    )


def _caller() -> tuple[str, int, str]:
    """The file, line and function that called `log_access`, as `findCaller` gives them;
    needed only where a record is made."""
    frame = sys._getframe(2)
    return (frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name)


def log_access(method: str, path: str, status: int, duration_ms: float) -> None:
    """`access_logger.info("%s %s %s", method, path, status, extra=…)` said by the
    caller, when INFO is enabled for it (the caller checks)."""
    handler = _standard_handler()
    if handler is None or handler.formatter is None:
        access_logger.handle(_record(_caller(), method, path, status, duration_ms))
        return
    handler.acquire()
    try:  # as `StreamHandler.emit`
        line = _line(handler.formatter, method, path, status, duration_ms)
        handler.stream.write(line + handler.terminator)
        handler.flush()
    except RecursionError:
        raise
    except Exception:
        handler.handleError(_record(_caller(), method, path, status, duration_ms))
    finally:
        handler.release()
