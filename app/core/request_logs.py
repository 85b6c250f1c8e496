"""The loggers every request writes to: one access line each, and unhandled errors."""

from __future__ import annotations

import logging

access_logger = logging.getLogger("debrief.access")
error_logger = logging.getLogger("debrief.error")
# The access log's status for a request whose client went away before it was read
# (nginx's convention; nothing is sent).
CLIENT_CLOSED_REQUEST = 499
