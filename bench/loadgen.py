"""A closed-loop HTTP/1.1 load generator: N keep-alive connections, one request in flight each.

    python -m bench.loadgen < spec.json > result.json

Run by `bench/http.py` in a process of its own (so it never shares an interpreter with
the server it measures). Requests are pre-rendered bytes; connection ``i`` sends
``request_lists[i % len(request_lists)]`` round and round, which lets a case give each
connection its own rows (concurrent writes to one row would be conflicts, not load).
It is written on bare asyncio protocols with uvloop so that it stays well below one
core at the rates one uvicorn worker reaches; the result carries its own CPU share so a
saturated loader is visible.

Spec (JSON on stdin)::

    {"host": "127.0.0.1", "port": 8000, "connections": 64, "warmup": 1.0,
     "seconds": 5.0, "timeout": 10.0, "request_lists": [["GET / HTTP/1.1\\r\\n..."]]}

Result (JSON on stdout): requests, seconds, rps, p50_ms, p99_ms, max_ms, errors,
statuses ({"200": n, ...}), transport_errors, timeouts, loader_cpu (share of one core),
window ([start, end] of the measured window, Unix time), windows ([start, end, requests]
for each of the spec's "windows" equal parts of it, default 1).
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import time
from dataclasses import dataclass, field
from typing import Any, cast

from bench.support import percentile

_HEADER_END = b"\r\n\r\n"


@dataclass
class Totals:
    """What the measured window saw; the warm-up records nothing."""

    recording: bool = False
    stopping: bool = False
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    transport_errors: int = 0
    timeouts: int = 0


def _header_value(head: bytes, name: bytes) -> bytes | None:
    lowered = head.lower()
    at = lowered.find(b"\r\n" + name + b":")
    if at < 0:
        return None
    start = at + len(name) + 3
    end = lowered.find(b"\r\n", start)
    return head[start : end if end >= 0 else len(head)].strip()


def _chunked_end(buffer: bytearray, start: int) -> int | None:
    """Index just past a complete chunked body starting at ``start``, or None if partial."""
    at = start
    while True:
        line_end = buffer.find(b"\r\n", at)
        if line_end < 0:
            return None
        size = int(bytes(buffer[at:line_end]).split(b";")[0], 16)
        at = line_end + 2
        if size == 0:
            trailer_end = buffer.find(_HEADER_END, at - 2)
            return None if trailer_end < 0 else trailer_end + 4
        at += size + 2
        if at > len(buffer):
            return None


class _Connection(asyncio.Protocol):
    def __init__(self, pool: _Pool, requests: list[bytes], offset: int) -> None:
        self.pool = pool
        self.requests = requests
        self.index = offset
        self.buffer = bytearray()
        self.started = 0.0
        self.in_flight = False
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's are not subclasses
        self._send()

    def _send(self) -> None:
        assert self.transport is not None
        if self.pool.totals.stopping:
            self.transport.close()
            return
        request = self.requests[self.index % len(self.requests)]
        self.index += 1
        self.in_flight = True
        self.started = time.perf_counter()
        self.transport.write(request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        head_end = self.buffer.find(_HEADER_END)
        if head_end < 0:
            return
        head = bytes(self.buffer[:head_end])
        body_start = head_end + 4
        status = int(head[9:12])
        length = _header_value(head, b"content-length")
        end: int | None
        if length is not None:
            end = body_start + int(length)
            if len(self.buffer) < end:
                return
        elif (_header_value(head, b"transfer-encoding") or b"").lower() == b"chunked":
            end = _chunked_end(self.buffer, body_start)
            if end is None:
                return
        else:
            end = body_start  # 204, 304 or a response without a body
        finished = time.perf_counter()
        del self.buffer[:end]
        self.in_flight = False
        totals = self.pool.totals
        if totals.recording:
            totals.latencies.append(finished - self.started)
            totals.statuses[status] = totals.statuses.get(status, 0) + 1
        if (_header_value(head, b"connection") or b"").lower() == b"close":
            assert self.transport is not None
            self.transport.close()  # connection_lost reconnects
            return
        self._send()

    def connection_lost(self, exc: Exception | None) -> None:
        totals = self.pool.totals
        if self.in_flight and not totals.stopping and totals.recording:
            totals.transport_errors += 1
        self.in_flight = False
        if not totals.stopping:
            self.pool.reconnect(self)


class _Pool:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.host: str = spec["host"]
        self.port: int = int(spec["port"])
        self.totals = Totals()
        lists = [[r.encode("utf-8") for r in requests] for requests in spec["request_lists"]]
        count = int(spec["connections"])
        # Connection i starts at its own offset so that shared lists are spread out.
        self.plan = [(lists[i % len(lists)], i // len(lists)) for i in range(count)]
        self.connections: list[_Connection] = []

    async def open(self) -> None:
        loop = asyncio.get_running_loop()
        for requests, offset in self.plan:
            connection = _Connection(self, requests, offset)

            def factory(made: _Connection = connection) -> _Connection:
                return made

            await loop.create_connection(factory, self.host, self.port)
            self.connections.append(connection)

    def reconnect(self, old: _Connection) -> None:
        async def again() -> None:
            loop = asyncio.get_running_loop()
            fresh = _Connection(self, old.requests, old.index)
            try:
                await loop.create_connection(lambda: fresh, self.host, self.port)
            except OSError:
                self.totals.transport_errors += 1
                await asyncio.sleep(0.05)
                if not self.totals.stopping:
                    self.reconnect(old)
                return
            self.connections[self.connections.index(old)] = fresh

        asyncio.get_running_loop().create_task(again())

    def close(self, timeout: float) -> None:
        self.totals.stopping = True
        now = time.perf_counter()
        for connection in self.connections:
            if connection.in_flight and now - connection.started > timeout:
                self.totals.timeouts += 1
            if connection.transport is not None:
                connection.transport.close()


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    pool = _Pool(spec)
    await pool.open()
    await asyncio.sleep(float(spec.get("warmup", 1.0)))
    pool.totals.recording = True
    cpu_started = time.process_time()
    window_started = time.time()
    started = time.perf_counter()
    # The measured window in equal parts, each with the requests completed within it, so
    # that the server's CPU per request can be read per part (its median holds on a
    # machine shared with other work).
    parts = max(1, int(spec.get("windows", 1)))
    windows: list[list[float]] = []
    for _ in range(parts):
        part_started, done_before = time.time(), len(pool.totals.latencies)
        await asyncio.sleep(float(spec["seconds"]) / parts)
        windows.append([part_started, time.time(), len(pool.totals.latencies) - done_before])
    elapsed = time.perf_counter() - started
    window_ended = time.time()
    cpu = time.process_time() - cpu_started
    pool.totals.recording = False
    pool.close(float(spec.get("timeout", 10.0)))
    await asyncio.sleep(0.05)
    totals = pool.totals
    ordered = sorted(totals.latencies)
    non_2xx = sum(n for status, n in totals.statuses.items() if not 200 <= status < 300)
    return {
        "requests": len(ordered),
        "seconds": elapsed,
        "rps": len(ordered) / elapsed,
        "p50_ms": percentile(ordered, 0.50) * 1000,
        "p99_ms": percentile(ordered, 0.99) * 1000,
        "max_ms": (ordered[-1] * 1000) if ordered else float("nan"),
        "errors": non_2xx + totals.transport_errors + totals.timeouts,
        "statuses": {str(status): n for status, n in sorted(totals.statuses.items())},
        "transport_errors": totals.transport_errors,
        "timeouts": totals.timeouts,
        "loader_cpu": cpu / elapsed,
        "window": [window_started, window_ended],
        "windows": windows,
    }


def main() -> None:
    spec = json.load(sys.stdin)
    try:
        import uvloop

        runner: Any = uvloop.run
    except ImportError:  # pragma: no cover - uvloop ships with uvicorn[standard]
        runner = asyncio.run
    gc.disable()  # a collection pause would show up as server latency
    result = runner(run(spec))
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
