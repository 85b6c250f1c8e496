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


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    directory = tmp_path_factory.mktemp("server")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEBRIEF_")}
    env |= {"DEBRIEF_DATA_DIR": str(directory / "data"), "PYTHONPATH": str(ROOT)}
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
        deadline = time.monotonic() + 60
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
