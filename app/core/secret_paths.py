"""Paths that carry their own credential (a calendar feed's token) are logged without it."""

from __future__ import annotations

import re

_SECRET_SEGMENTS = re.compile(r"^(/v1/calendar-feeds/)[^/]+(\.ics)$")


_PREFIX = "/v1/calendar-feeds/"


def redacted(path: str) -> str:
    if not path.startswith(_PREFIX):  # every other path, without the expression
        return path
    return _SECRET_SEGMENTS.sub(r"\1[redacted]\2", path)
