"""The request id: taken from ``X-Request-ID`` when it is sane, generated otherwise."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

REQUEST_ID_HEADER = "X-Request-ID"
_ACCEPTABLE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


def choose_request_id(incoming: str | None) -> str:
    """Keep a caller's id so traces join up; never echo anything that could forge a log line."""
    if incoming is not None and _ACCEPTABLE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    return request_id_var.get()
