"""The HTTP/1.1 protocol `debrief serve` runs: uvicorn's httptools protocol with limits on
the request head, and problem documents for what it refuses before the app sees a request.

Uvicorn's httptools protocol reads a head of any size (httptools gathers each header in
memory before its callback runs) and answers a malformed request in plain text, without
a request id. Here the head is counted as it arrives: a URL over ``max_url_bytes`` is a
414, a head over ``max_header_bytes`` or with more than ``max_header_count`` fields a 431,
and anything the parser cannot read a 400 — each an ``application/problem+json``
document with ``X-Request-ID``, followed by closing the connection.

Reading is bounded in time too (slowloris): a head must arrive whole within
``request_head_timeout_seconds`` of its first byte, and a body within
``request_body_timeout_seconds`` of the head's end, or the request is a 408 problem and
the connection is closed (a body the app was already handed ends for it as a client
disconnect). A connection that sends nothing at all is closed silently after the head
timeout: uvicorn itself only times out connections idle after a response.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from app.core.config import get_settings
from app.core.errors import (
    PROBLEM_MEDIA_TYPE,
    HeaderFieldsTooLarge,
    MalformedRequest,
    ProblemError,
    RequestTimeout,
    UriTooLong,
)
from app.core.request_context import REQUEST_ID_HEADER, choose_request_id, request_id_var

logger = logging.getLogger("debrief.access")

# After refusing, what the client still sends is read and dropped for a moment, so that
# closing does not reset the connection before the client has read the answer.
LINGER_SECONDS = 1.0
_REQUEST_ID_HEADER = REQUEST_ID_HEADER.lower().encode("ascii")


class _Refused(Exception):
    """Raised in a parser callback to stop reading the request."""


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = get_settings()
        self.max_url_bytes = settings.max_url_bytes
        self.max_header_bytes = settings.max_header_bytes
        self.max_header_count = settings.max_header_count
        self.head_timeout = settings.request_head_timeout_seconds
        self.body_timeout = settings.request_body_timeout_seconds
        self._in_head = True
        self._in_body = False
        self._read_deadline: asyncio.TimerHandle | None = None
        self._head_bytes = 0
        self._header_count = 0
        self._client_request_id: str | None = None
        self._refusal: ProblemError | None = None
        self._discarding = False
        self._linger: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # A connection must start a request in time, like one idle after a response.
        self._read_deadline = self.loop.call_later(self.head_timeout, self._read_timed_out)

    # Counting the head as it arrives.
    def data_received(self, data: bytes) -> None:
        if self._discarding:
            return
        self._unset_keepalive_if_required()
        self._receive(data)
        # Only a request left incomplete by this read gets a deadline (none is set for the
        # usual one that arrives in one read); it runs from the read that started it.
        if self._read_deadline is None and not self._discarding:
            if self._in_body:
                self._read_deadline = self.loop.call_later(self.body_timeout, self._read_timed_out)
            elif self._in_head and self._head_bytes:
                self._read_deadline = self.loop.call_later(self.head_timeout, self._read_timed_out)

    def _receive(self, data: bytes) -> None:
        if not self._in_head:
            self._feed(data)
            return
        room = self.max_header_bytes - self._head_bytes
        if len(data) <= room:
            self._head_bytes += len(data)
            self._feed(data)
            return
        # Only as much as the limit allows; if the head is still not complete, refuse.
        self._head_bytes += room
        self._feed(data[:room])
        if self._discarding:
            return
        if self._in_head:
            self._refuse(
                HeaderFieldsTooLarge(
                    f"The request's head is larger than {self.max_header_bytes} bytes."
                )
            )
            return
        self._feed(data[room:])

    def _feed(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
        except httptools.HttpParserError as exc:
            self._refuse(self._refusal or _malformed(exc))

    # Parser callbacks.
    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._header_count = 0
        self._client_request_id = None

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > self.max_url_bytes:
            self._refusal = UriTooLong(
                f"The request's URL is longer than {self.max_url_bytes} bytes."
            )
            raise _Refused

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_count += 1
        if self._header_count > self.max_header_count:
            self._refusal = HeaderFieldsTooLarge(
                f"The request has more than {self.max_header_count} header fields."
            )
            raise _Refused
        if name.lower() == _REQUEST_ID_HEADER:
            self._client_request_id = value.decode("latin-1")
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._in_body = True
        self._cancel_read_deadline()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head = True
        self._in_body = False
        self._head_bytes = 0
        self._cancel_read_deadline()

    # Reading in time.
    def _cancel_read_deadline(self) -> None:
        if self._read_deadline is not None:
            self._read_deadline.cancel()
            self._read_deadline = None

    def _read_timed_out(self) -> None:
        self._read_deadline = None
        if self._discarding or self.transport.is_closing():
            return
        if self._in_body:
            if self.flow.read_paused:  # the app is not reading yet: not the client's fault
                self._read_deadline = self.loop.call_later(self.body_timeout, self._read_timed_out)
                return
            cycle = self.cycle
            if cycle is not None and cycle.response_complete:
                # Answered without reading the body: the rest is not awaited.
                self.transport.close()
                return
            self._refuse(
                RequestTimeout(
                    f"The request's body did not arrive within {self.body_timeout:g} seconds."
                )
            )
            if cycle is not None:
                # The app reading this body sees the client gone; what it sends is dropped.
                cycle.disconnected = True
                cycle.message_event.set()
        elif self._head_bytes:
            self._refuse(
                RequestTimeout(
                    f"The request's head did not arrive within {self.head_timeout:g} seconds."
                )
            )
        else:  # nothing of a request: there is nobody to answer
            self.transport.close()

    # Refusing.
    def send_400_response(self, msg: str) -> None:
        self._refuse(MalformedRequest(f"The request is not valid HTTP/1.1: {msg}"))

    def _refuse(self, problem: ProblemError) -> None:
        self._discarding = True
        cycle = self.cycle
        if cycle is not None and cycle.response_started and not cycle.response_complete:
            # A response is already on its way: there is no clean way to add another.
            self.transport.close()
            return
        request_id = choose_request_id(self._client_request_id)
        token = request_id_var.set(request_id)
        try:
            logger.warning("refused before the app: %s %s", problem.status, problem.detail)
        finally:
            request_id_var.reset(token)
        self.transport.write(self._problem_response(problem, request_id))
        if self.transport.can_write_eof():
            self.transport.write_eof()
            self._linger = self.loop.call_later(LINGER_SECONDS, self.transport.close)
        else:  # pragma: no cover - TLS transports cannot half-close
            self.transport.close()

    def _problem_response(self, problem: ProblemError, request_id: str) -> bytes:
        body = problem.to_problem(self._instance(), request_id).model_dump_json(exclude_none=True)
        content = body.encode("utf-8")
        head = [STATUS_LINE[problem.status]]
        for name, value in self.server_state.default_headers:
            head.extend([name, b": ", value, b"\r\n"])
        head.extend(
            [
                b"content-type: " + PROBLEM_MEDIA_TYPE.encode("ascii") + b"\r\n",
                b"content-length: " + str(len(content)).encode("ascii") + b"\r\n",
                b"x-request-id: " + request_id.encode("ascii") + b"\r\n",
                b"connection: close\r\n\r\n",
            ]
        )
        return b"".join(head) + content

    def _instance(self) -> str:
        """The path refused, when it was read in full and within the limit."""
        url = getattr(self, "url", b"")
        if not url or len(url) > self.max_url_bytes or isinstance(self._refusal, UriTooLong):
            return "/"
        try:
            path: bytes = httptools.parse_url(url).path
            return path.decode("ascii")
        except (httptools.HttpParserInvalidURLError, UnicodeDecodeError):
            return "/"

    def connection_lost(self, exc: Exception | None) -> None:
        if self._linger is not None:
            self._linger.cancel()
        self._cancel_read_deadline()
        super().connection_lost(exc)


def _malformed(exc: httptools.HttpParserError) -> MalformedRequest:
    reason = str(exc).rstrip(".") or "unreadable"
    return MalformedRequest(f"The request is not valid HTTP/1.1: {reason}.")
