"""Log configuration: every record carries the request id; JSON on request.

A client controls much of what is logged (the path, headers, parts of a body). Neither
format lets it start a line of its own: the text format escapes line breaks and every
other control or format character once, in the formatter, so no call site can forget;
the JSON format escapes them by construction.
"""

from __future__ import annotations

import json
import logging
import logging.config
import time
from datetime import UTC, datetime
from typing import Any

from app.core.config import LogFormat, Settings
from app.core.request_context import current_request_id

# Attributes every LogRecord has; anything else was passed through ``extra=``.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "request_id",
    "trace",
    "color_message",
    "taskName",
}


TEXT_FORMAT = "%(asctime)s %(levelname)-7s [%(request_id)s%(trace)s] %(name)s: %(message)s"

_trace_ids = False


def include_trace_ids() -> None:
    """Tracing is on: every line logged inside a span carries its trace id too."""
    global _trace_ids
    _trace_ids = True


def _current_trace_id() -> str | None:
    from opentelemetry import trace

    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None


def trace_id_to_log() -> str | None:
    """The trace id a line logged now carries, if any."""
    return _current_trace_id() if _trace_ids else None


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        record.trace = ""
        if (trace_id := trace_id_to_log()) is not None:
            record.trace_id = trace_id
            record.trace = f" trace={trace_id}"
        return True


_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped_character(character: str) -> str:
    if character in _ESCAPES:
        return _ESCAPES[character]
    code = ord(character)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def one_line(text: str) -> str:
    """The text with every character that is not printable (CR, LF, NEL, U+2028, ESC,
    bidirectional overrides, lone surrogates…) written as a backslash escape."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _escaped_character(c) for c in text)


def _indented(text: str) -> str:
    """A traceback keeps its lines, each escaped and indented: none can pass for a record."""
    return "\n".join("    " + one_line(line) for line in text.split("\n"))


class TextFormatter(logging.Formatter):
    """The human-readable format: one line per record, plus an indented traceback."""

    _second: tuple[int, str] = (-1, "")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        # The default format (no datefmt) written once a second, not once a record.
        if datefmt is not None:
            return super().formatTime(record, datefmt)
        second = int(record.created)
        if self._second[0] != second:
            self._second = (second, time.strftime("%Y-%m-%d %H:%M:%S", self.converter(second)))
        return f"{self._second[1]},{int(record.msecs):03d}"

    def format(self, record: logging.LogRecord) -> str:
        record.message = record.getMessage()
        if self.usesTime():
            record.asctime = self.formatTime(record, self.datefmt)
        text = one_line(self.formatMessage(record))
        # Not record.exc_text: another handler may have cached it unescaped.
        if record.exc_info:
            text += "\n" + _indented(self.formatException(record.exc_info))
        elif record.exc_text:
            text += "\n" + _indented(record.exc_text)
        if record.stack_info:
            text += "\n" + _indented(self.formatStack(record.stack_info))
        return text


def json_safe(line: str) -> str:
    """json.dumps(ensure_ascii=False) leaves U+2028, NEL and the like as they are, which
    some readers take for line breaks, and lone surrogates, which cannot be written."""
    if line.isprintable():
        return line
    return "".join(c if c.isprintable() else json.dumps(c)[1:-1] for c in line)


# What `json.dumps(…, default=str, ensure_ascii=False)` builds on every call, built once.
ENCODER = json.JSONEncoder(default=str, ensure_ascii=False)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json_safe(ENCODER.encode(entry))


def logging_config(settings: Settings) -> dict[str, Any]:
    """A dictConfig for the app and uvicorn alike, so every line has the same shape."""
    formatter: dict[str, Any]
    if settings.log_format is LogFormat.JSON:
        formatter = {"()": JsonFormatter}
    else:
        formatter = {
            "()": TextFormatter,
            "fmt": TEXT_FORMAT,
        }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"default": formatter},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["request_id"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["default"], "level": settings.log_level.value},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False},
            "alembic.runtime.plugins": {"level": "WARNING"},
        },
    }


def configure_logging(settings: Settings) -> None:
    logging.config.dictConfig(logging_config(settings))
