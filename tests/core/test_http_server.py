"""What the server refuses before the app sees a request, against a real `debrief serve`.

Raw sockets send what no HTTP client library would: a 16 MB header, 10,000 headers, a
100 KB URL, a NUL in a header, bad Content-Lengths. Each answer must arrive quickly (as a
ratio of a trivial request's round trip), be a problem document with X-Request-ID, and
leave the server answering.
"""

from __future__ import annotations

import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
# Generous: a refusal is one round trip, plus the time the client takes to send its bytes.
MAX_RATIO = 300
SOCKET_TIMEOUT = 20.0


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _serving(directory: Path, **settings: str) -> Iterator[Server]:
    """`debrief serve` on a free port, with `settings` as DEBRIEF_ variables."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEBRIEF_")}
    env |= {"DEBRIEF_DATA_DIR": str(directory / "data"), "PYTHONPATH": str(ROOT)}
    env |= {f"DEBRIEF_{name.upper()}": value for name, value in settings.items()}
    log = directory / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
            cwd=directory,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 180  # a start, not a figure: a loaded machine is slow
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        yield Server(port, process, log)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with _serving(tmp_path_factory.mktemp("server")) as running:
        yield running


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float


def _exchange(port: int, raw: bytes) -> Answer:
    """Sends raw bytes, reads until the server closes; the server must answer whatever
    happens to the sending (it may stop reading before the client stops writing)."""
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=SOCKET_TIMEOUT) as sock:
        try:
            sock.sendall(raw)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    seconds = time.perf_counter() - started
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Answer(int(status_line.split()[1]), headers, body, seconds)


def _get(path: str, *headers: bytes) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n".encode()
        + b"".join(h + b"\r\n" for h in headers)
        + b"\r\n"
    )


def _baseline(port: int) -> float:
    return statistics.median(_exchange(port, _get("/healthz")).seconds for _ in range(7))


MANY_HEADERS = [b"X-H-%d: v" % i for i in range(10_000)]
CASES = {
    "16 MB header": (_get("/healthz", b"X-Big: " + b"a" * 16 * 1024 * 1024), 431),
    "10,000 headers": (_get("/healthz", *MANY_HEADERS), 431),
    "101 headers": (_get("/healthz", *MANY_HEADERS[:101]), 431),
    "100 KB URL": (_get("/" + "a" * 100_000), 414),
    "100 KB query": (_get("/v1/candidates?q=" + "a" * 100_000), 414),
    "NUL in a header": (_get("/healthz", b"X-A: a\x00b"), 400),
    "NUL in a header name": (_get("/healthz", b"X-\x00: b"), 400),
    "Content-Length not a number": (
        b"POST /v1/candidates HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        400,
    ),
    "two Content-Lengths": (
        b"POST /v1/candidates HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
        b"Content-Length: 2\r\n\r\nab",
        400,
    ),
    "negative Content-Length": (
        b"POST /v1/candidates HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        400,
    ),
    "Content-Length with chunked": (
        b"POST /v1/candidates HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
        b"Transfer-Encoding: chunked\r\n\r\nabc",
        400,
    ),
    "not HTTP at all": (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64, 400),
}


@pytest.mark.parametrize("case", list(CASES))
def test_what_the_server_refuses_is_a_quick_problem_and_it_stays_up(
    server: Server, case: str
) -> None:
    raw, status = CASES[case]
    baseline = _baseline(server.port)
    answer = _exchange(server.port, raw)

    assert answer.status == status, answer
    assert answer.headers["content-type"] == "application/problem+json"
    assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["x-request-id"])
    assert answer.headers["connection"] == "close"
    problem = json.loads(answer.body)
    assert problem["status"] == status
    assert problem["request_id"] == answer.headers["x-request-id"]
    assert problem["type"].startswith("/problems/")
    assert problem["title"]
    assert problem["detail"]
    assert problem["instance"].startswith("/")
    assert answer.seconds < MAX_RATIO * baseline, (answer.seconds, baseline)
    # The server is still there, and still answers normally.
    assert _exchange(server.port, _get("/healthz")).status == 200


def test_a_sane_request_id_is_kept_on_a_refusal(server: Server) -> None:
    answer = _exchange(server.port, _get("/healthz", b"X-Request-ID: trace-42", b"X-A: \x00"))
    assert answer.status == 400
    assert answer.headers["x-request-id"] == "trace-42"


def test_heads_within_the_limits_still_pass(server: Server) -> None:
    headers = [b"X-H-%d: %s" % (i, b"v" * 200) for i in range(90)]
    assert _exchange(server.port, _get("/healthz", *headers)).status == 200
    assert _exchange(server.port, _get("/healthz?" + "a" * 7000)).status == 200


def test_a_percent_encoded_line_break_cannot_forge_a_line_in_the_servers_log(
    server: Server,
) -> None:
    forged = "2026-11-29 09:00:00,000 INFO    [x] debrief.access: DELETE /v1/candidates/cand_F 204"
    for brk in ("%0A", "%0D", "%0D%0A", "%E2%80%A8", "%C2%85", "%1B%5B2K%0D"):
        path = "/v1/candidates/x" + brk + forged.replace(" ", "%20")
        assert _exchange(server.port, _get(path)).status == 404  # no such route
    assert _exchange(server.port, _get("/healthz")).status == 200
    time.sleep(0.2)  # the log is written by the server process
    lines = server.log.read_text(encoding="utf-8").split("\n")
    assert not [line for line in lines if line.startswith(forged[:23])]
    assert sum("cand_F 204" in line for line in lines) == 6


# Slow clients (slowloris): a head or a body that trickles in is cut off at its deadline.
HEAD_TIMEOUT = 1.0
BODY_TIMEOUT = 1.0
DRIP_INTERVAL = 0.05
# The drip would take this many timeouts to finish a head or body.
DRIP_BYTES = int(100 * HEAD_TIMEOUT / DRIP_INTERVAL)


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with _serving(
        tmp_path_factory.mktemp("strict"),
        request_head_timeout_seconds=str(HEAD_TIMEOUT),
        request_body_timeout_seconds=str(BODY_TIMEOUT),
    ) as running:
        yield running


def _drip(port: int, start: bytes, drop: bytes) -> tuple[bytes, float, int]:
    """Sends `start`, then `drop` one byte at a time until the server answers or closes;
    returns what it answered, when (from the first byte), and how many bytes were dripped."""
    with socket.create_connection(("127.0.0.1", port), timeout=SOCKET_TIMEOUT) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        started = time.monotonic()
        sock.sendall(start)
        sock.settimeout(DRIP_INTERVAL)
        received, dripped = b"", 0
        while dripped < DRIP_BYTES:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                try:
                    sock.sendall(drop)
                except OSError:
                    break  # closed under our feet
                dripped += 1
                continue
            except OSError:
                break
            if not chunk:
                break
            received += chunk
        seconds = time.monotonic() - started
        sock.settimeout(SOCKET_TIMEOUT)
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except OSError:
            pass
    return received, seconds, dripped


def _assert_408(received: bytes) -> None:
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 "), received[:200]
    assert b"content-type: application/problem+json" in head.lower()
    assert b"connection: close" in head.lower()
    problem = json.loads(body)
    assert problem["type"] == "/problems/request-timeout"
    assert problem["request_id"]


def test_a_head_sent_byte_by_byte_is_cut_off_at_the_head_timeout(strict_server: Server) -> None:
    received, seconds, dripped = _drip(
        strict_server.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ", b"a"
    )
    _assert_408(received)
    assert seconds >= 0.9 * HEAD_TIMEOUT  # timed by the server from its accept
    assert dripped < DRIP_BYTES / 4  # cut off long before the client would have finished


def test_a_body_sent_byte_by_byte_is_cut_off_at_the_body_timeout(strict_server: Server) -> None:
    start = (
        b"POST /v1/candidates HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n{" % (DRIP_BYTES + 10)
    )
    received, seconds, dripped = _drip(strict_server.port, start, b" ")
    _assert_408(received)
    assert seconds >= 0.9 * BODY_TIMEOUT
    assert dripped < DRIP_BYTES / 4
    time.sleep(0.2)  # the app saw the client gone: no error of its own, no answer
    assert "unhandled error" not in strict_server.log.read_text(encoding="utf-8")


def test_a_connection_that_sends_nothing_is_closed(strict_server: Server) -> None:
    with socket.create_connection(("127.0.0.1", strict_server.port), timeout=30) as sock:
        started = time.monotonic()
        assert sock.recv(1) == b""  # closed, with nothing to answer
        assert time.monotonic() - started >= 0.9 * HEAD_TIMEOUT


def test_the_server_answers_others_while_slow_clients_drip(strict_server: Server) -> None:
    slow = [
        socket.create_connection(("127.0.0.1", strict_server.port), timeout=SOCKET_TIMEOUT)
        for _ in range(20)
    ]
    try:
        for sock in slow:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: a")
        for _ in range(5):
            assert _exchange(strict_server.port, _get("/healthz")).status == 200
        for sock in slow:
            received = b""
            while chunk := sock.recv(65536):
                received += chunk
            _assert_408(received)
    finally:
        for sock in slow:
            sock.close()
    assert _exchange(strict_server.port, _get("/healthz")).status == 200


def _read_response(sock: socket.socket) -> bytes:
    """One whole response (with a Content-Length) from a kept-alive connection."""
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = sock.recv(65536)
        assert chunk, received
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?i)content-length: *(\d+)", head)[1])  # type: ignore[index]
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, received
        body += chunk
    return head


def test_a_whole_request_is_not_held_to_the_timeouts(strict_server: Server) -> None:
    """Quick requests on a connection kept alive past the head timeout still answer."""
    with socket.create_connection(("127.0.0.1", strict_server.port), timeout=30) as sock:
        keep = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        for _ in range(3):
            sock.sendall(keep)
            assert _read_response(sock).startswith(b"HTTP/1.1 200 ")
            time.sleep(HEAD_TIMEOUT * 0.6)
