"""The request id: taken from ``X-Request-ID`` when it is sane, generated otherwise."""

from __future__ import annotations

import os
import re
from contextvars import ContextVar

REQUEST_ID_HEADER = "X-Request-ID"
_ACCEPTABLE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")
# `uuid.UUID(bytes=…, version=4)`'s variant and version bits, set on the integer directly.
_UUID4_CLEAR = ~((0xC000 << 48) | (0xF000 << 64))
_UUID4_SET = (0x8000 << 48) | (4 << 76)

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


def choose_request_id(incoming: str | None) -> str:
    """Keep a caller's id so traces join up; never echo anything that could forge a log line."""
    if incoming is not None and _ACCEPTABLE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return new_request_id()


def new_request_id() -> str:
    """`uuid.uuid4().hex`, without the UUID object."""
    return f"{int.from_bytes(os.urandom(16)) & _UUID4_CLEAR | _UUID4_SET:032x}"


def current_request_id() -> str | None:
    return request_id_var.get()
