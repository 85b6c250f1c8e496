"""Debrief under HTTP load, against a bare FastAPI endpoint served the same way.

    .venv/bin/python bench/http.py [--db sqlite|postgres|both] [--seconds 5] [--strict]
    .venv/bin/python bench/http.py --smoke          # CI: ~1 s a case, 8 connections, SQLite
    .venv/bin/python bench/http.py --db sqlite --case "get session by id" --platform-cost

Per database: a fresh one (a temporary SQLite file, or a PostgreSQL database created and
dropped here), migrated with `debrief migrate`, an organisation from `debrief
create-org --json`, a few candidates and sessions made through the API. Debrief and the
bare app (bench/bare_app.py) each run under one uvicorn worker (uvloop, httptools) on a
free port; a load generator in its own process (bench/loadgen.py, or `wrk` when it is on
PATH) holds N keep-alive connections busy, after a warm-up, for a fixed time per case:
the bare endpoint and the two floors (bench/floor_apps.py) first, then each case, then the
bare endpoint and the floors again (each yardstick's two runs are averaged, which evens out
drift). Prints requests/s, p50, p99, errors (any non-2xx or transport error), the ratios
to the yardsticks, each target with PASS/MISS, and the worker's peak resident memory
(VmHWM). Exits non-zero on a miss only with --strict; in --smoke mode, on errors or on a
case that did not run.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is called http.py: drop its directory from the path before anything imports
# the standard library's `http`, and put the repository root there instead.
_BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
sys.path.insert(0, str(_BENCH.parent))

import argparse
import json
import math
import os
import resource
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from bench.bare_app import PATH as BARE_PATH
from bench.floor_apps import BODY_PATH, FLOOR_TOKEN, READ_PATH, body_document
from bench.support import (
    DEFAULT_PG_URL,
    ROOT,
    debrief_cli,
    environment,
    fresh_database,
)

# ---------------------------------------------------------------------------------------
# Request bodies: one place each, so they can be corrected as the API evolves.

# A valid self-reflection (the built-in set, as in tests/diagnosis/test_diagnoses.py).
REFLECTION: dict[str, Any] = {
    "wanted_job": True,
    "wow_self_rating": 2,
    "articulated_fit": False,
    "interviewer_signals": ["bored"],
    "enthusiasm": 4,
    "had_advocate": True,
}
DIAGNOSIS_PREVIEW_BODY: dict[str, Any] = {
    "answers": REFLECTION,
    "session": {"stage_reached": "first_interview"},
}
# POST /v1/messages/preview (app/messages/routes.py): correct this body if its schema moves.
# The case is `pending`: while the route answers 404/405 it is skipped, not failed.
MESSAGE_PREVIEW_BODY: dict[str, Any] = {
    "kind": "feedback_request_email",
    "tone": "warm",
    "facts": {
        "candidate": {"name": "Alex Morgan"},
        "interviewer": {"name": "Dana Lee", "email": "dana@example.com"},
        "company": "Northwind",
        "role": "Designer",
        "interview_date": "2026-11-20",
    },
}
CANDIDATE_BODY: dict[str, Any] = {
    "display_name": "Alex Morgan",
    "email": "alex@example.com",
    "locale": "en-GB",
    "time_zone": "Europe/London",
}
SESSION_BODY: dict[str, Any] = {
    "company": "Northwind Health",
    "role_title": "Product designer",
    "posting": {
        "url": "https://jobs.example.com/123",
        "required_credentials": ["Portfolio"],
        "preferred_credentials": ["Figma certification"],
        "years_required": 5,
    },
    "stage_reached": "final_interview",
    "interview_date": "2026-11-10",
    "decision_date": "2026-11-20",
    "stated_reason": "We went with a candidate with more healthcare experience.",
    "interviewer": {"name": "Jordan Lee", "title": "Design lead", "email": "jordan@example.com"},
}
CANDIDATES = 4

# ---------------------------------------------------------------------------------------
# Targets (issue #14): CPU per request against the matching floor, in the same run.

P99_OVER_P50 = 4.0  # every case's p99 at most 4x its own p50
NEW_CONNECTIONS_PER_1000 = 2.0  # fewer than this many connections replaced per 1,000 requests
RSS_LIMIT_MB = 150.0  # the worker's peak resident memory
WINDOWS = 3  # the measured window in parts: CPU per request is the median of the parts


@dataclass(frozen=True)
class Target:
    floor: str | None = None  # "read" or "body": the floor the CPU per request is held to
    cpu_factor: float = math.inf
    max_round_trips: float | None = None


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: dict[str, Any] | None = None


@dataclass
class Fixture:
    """What the setup made: the key to call with and the rows to call about."""

    api_key: str
    candidate_ids: list[str]
    session_ids: list[str]
    # A token for the first candidate (as a web app holds), and that candidate's sessions.
    candidate_token: str = ""
    own_session_ids: list[str] = field(default_factory=list)


# A case builds, for `connections` connections, the calls each one cycles through.
Builder = Callable[[Fixture, int], list[list[Call]]]


@dataclass(frozen=True)
class Case:
    name: str
    target: Target
    build: Builder
    # A route still being built: a 404/405 skips the case instead of failing the run.
    pending: bool = False
    # Who calls: the organisation's API key, unless the case says otherwise.
    credential: Callable[[Fixture], str] = lambda fixture: fixture.api_key


def _same(call: Call) -> Builder:
    return lambda _fixture, _connections: [[call]]


def _session_reads(fixture: Fixture, _connections: int) -> list[list[Call]]:
    # One list; each connection starts at its own offset, so they read different rows.
    return [[Call("GET", f"/v1/sessions/{sid}") for sid in fixture.session_ids]]


def _own_session_reads(fixture: Fixture, _connections: int) -> list[list[Call]]:
    """The first candidate's sessions: what their token may read, and the key too."""
    return [[Call("GET", f"/v1/sessions/{sid}") for sid in fixture.own_session_ids]]


def _answer_writes(fixture: Fixture, connections: int) -> list[list[Call]]:
    """Each connection writes its own sessions only (two writers on one row would be 409s,
    not load), without If-Match, and every write changes something (an unchanged answer
    set is not written at all): `feeling` cycles 1-5 per session."""
    owned = [fixture.session_ids[i::connections] for i in range(connections)]
    lists = []
    for sessions in owned:
        if not sessions:
            raise SystemExit(f"need at least {connections} sessions for the answers case")
        calls = []
        for turn in range(5 * len(sessions)):
            sid = sessions[turn % len(sessions)]
            feeling = 1 + (turn // len(sessions)) % 5
            body = {"answers": {**REFLECTION, "feeling": feeling}}
            calls.append(Call("PUT", f"/v1/sessions/{sid}/answers", body))
        lists.append(calls)
    return lists


# Add a case here; a `pending` one starts being measured as soon as its route exists.
CASES: list[Case] = [
    Case(
        "diagnosis preview",
        Target("body", 2.0, 0),
        _same(Call("POST", "/v1/diagnoses/preview", DIAGNOSIS_PREVIEW_BODY)),
    ),
    Case("get session by id", Target("read", 2.2, 1), _session_reads),
    Case("get own session (API key)", Target("read", 2.2, 1), _own_session_reads),
    Case(
        "get own session (candidate token)",
        Target("read", 2.2, 1),
        _own_session_reads,
        credential=lambda fixture: fixture.candidate_token,
    ),
    Case("list sessions (50)", Target("read", 8.0), _same(Call("GET", "/v1/sessions?limit=50"))),
    Case("put answers", Target("read", 5.0, 3), _answer_writes),
    Case(
        "message preview",
        Target("body", 2.0, 0),
        _same(Call("POST", "/v1/messages/preview", MESSAGE_PREVIEW_BODY)),
        pending=True,
    ),
]

# ---------------------------------------------------------------------------------------
# Settings of one run.


@dataclass(frozen=True)
class Options:
    connections: int
    seconds: float
    warmup: float
    sessions: int
    loader: str  # "python" or "wrk"
    pg_url: str
    cases: list[Case]
    platform_cost: bool = False


@dataclass
class Measurement:
    name: str
    rps: float = 0.0
    p50_ms: float = float("nan")
    p99_ms: float = float("nan")
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    loader_cpu: float = 0.0
    server_cpu: float = 0.0
    skipped: str | None = None
    case: Case | None = None
    cpu_us: float = float("nan")  # server CPU per request, median over the windows
    cpu_us_windows: list[float] = field(default_factory=list)
    round_trips: float = float("nan")  # database round trips per request
    connections_per_1000: float = float("nan")  # database connections opened
    replaced_per_1000: float = float("nan")  # connections the pool closed (to be replaced)


@dataclass
class DatabaseRun:
    database: str
    bare: list[Measurement]
    floors: dict[str, list[Measurement]]
    cases: list[Measurement]
    debrief_rss_mb: float
    bare_rss_mb: float
    setup_seconds: float


# ---------------------------------------------------------------------------------------
# Processes.


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class CpuSampler:
    """Samples a server's CPU time and database counters every 50 ms, so that they can be
    read for exactly the loader's measured windows (it reports their wall-clock ends)."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.samples: list[tuple[float, float, int, int, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.time(), self.server.cpu_seconds(), *self.server.counters()))
            self._stop.wait(0.05)

    def __enter__(self) -> CpuSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append((time.time(), self.server.cpu_seconds(), *self.server.counters()))

    def between(self, start: float, end: float, column: int = 1) -> float:
        """How much a sampled column (1: CPU seconds, 2: round trips, 3: connections opened,
        4: connections closed by the pool) grew between two wall-clock instants (interpolated)."""

        def at(moment: float) -> float:
            before = max((s for s in self.samples if s[0] <= moment), default=self.samples[0])
            after = min((s for s in self.samples if s[0] >= moment), default=self.samples[-1])
            if after[0] == before[0]:
                return before[column]
            weight = (moment - before[0]) / (after[0] - before[0])
            return before[column] + weight * (after[column] - before[column])

        return at(end) - at(start)

    def share(self, start: float, end: float) -> float:
        """CPU seconds per second between two wall-clock instants."""
        return self.between(start, end) / (end - start)


class Server:
    """One uvicorn worker (bench/serve.py) on a free port, logging to a file."""

    def __init__(self, which: str, env: dict[str, str], workdir: Path) -> None:
        self.which = which
        self.port = free_port()
        self.log_path = workdir / f"{which}-{self.port}.log"
        self.counters_path = workdir / f"{which}-{self.port}.counters"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.serve", which, "--port", str(self.port)],
            env={**env, "DEBRIEF_BENCH_COUNTERS": str(self.counters_path)},
            cwd=workdir,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.base_url = f"http://127.0.0.1:{self.port}"

    def wait_ready(self, path: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if httpx.get(self.base_url + path, timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"{self.which} did not start; its log:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def cpu_seconds(self) -> float:
        """User + system CPU of the worker so far, all its threads (aiosqlite's too)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text(encoding="ascii")
        utime, stime = fields.rsplit(")", 1)[1].split()[11:13]
        return (int(utime) + int(stime)) / _CLOCK_TICKS

    def counters(self) -> tuple[int, int, int]:
        """Database round trips made, connections opened and connections the pool closed so
        far (bench/serve.py)."""
        try:
            data = self.counters_path.read_bytes()
        except FileNotFoundError:
            return 0, 0, 0
        if len(data) < 24:
            return 0, 0, 0
        trips, connections, closed = struct.unpack_from("<qqq", data)
        return trips, connections, closed

    def peak_rss_mb(self) -> float:
        """VmHWM: the most resident memory this worker ever had."""
        status = Path(f"/proc/{self.process.pid}/status").read_text(encoding="ascii")
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


# ---------------------------------------------------------------------------------------
# Load.


def render(call: Call, port: int, api_key: str | None) -> str:
    body = b"" if call.body is None else json.dumps(call.body, separators=(",", ":")).encode()
    lines = [f"{call.method} {call.path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    if api_key is not None:
        lines.append(f"Authorization: Bearer {api_key}")
    if call.body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return "\r\n".join(lines) + "\r\n\r\n" + body.decode()


def run_python_loader(spec: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.loadgen"],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise SystemExit(f"the load generator failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    if done.stderr.strip():  # a protocol callback that raised would be silent otherwise
        raise SystemExit(f"the load generator reported problems:\n{done.stderr[-3000:]}")
    return result


def _lua_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\r", "\\r").replace("\n", "\\n") + '"'


_WRK_SCRIPT = """
local lists = {%s}
local counter = 0
local threads = {}
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end
function init(args)
  mine = lists[((id - 1) %% #lists) + 1]
  turn = math.floor((id - 1) / #lists)
  non_2xx = 0
end
function request()
  turn = turn + 1
  return mine[((turn - 1) %% #mine) + 1]
end
function response(status, headers, body)
  if status < 200 or status > 299 then non_2xx = non_2xx + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("non_2xx") end
  local e = summary.errors
  io.write(string.format(
    '{"requests":%%d,"duration_us":%%d,"p50_us":%%d,"p99_us":%%d,"max_us":%%d,' ..
    '"non_2xx":%%d,"transport":%%d,"timeouts":%%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, bad, e.connect + e.read + e.write, e.timeout))
end
"""


def run_wrk(spec: dict[str, Any], workdir: Path) -> dict[str, Any]:
    """The same load through wrk: one thread per connection, so a connection's list is its
    own, exactly as with the Python loader."""
    lists = ",".join(
        "{" + ",".join(_lua_string(r) for r in requests) + "}" for requests in spec["request_lists"]
    )
    script = workdir / "bench.lua"
    script.write_text(_WRK_SCRIPT % lists, encoding="utf-8")
    url = f"http://{spec['host']}:{spec['port']}/"
    connections = str(spec["connections"])

    def wrk(seconds: float) -> subprocess.CompletedProcess[str]:
        duration = f"{max(1, math.ceil(seconds))}s"
        timeout = f"{math.ceil(spec['timeout'])}s"
        command = ["wrk", "-t", connections, "-c", connections, "-d", duration]
        command += ["--timeout", timeout, "-s", str(script), url]
        return subprocess.run(
            command,
            capture_output=True,
            text=True,
            check=True,
        )

    wrk(spec["warmup"])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = wrk(spec["seconds"])
    ended = time.time()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next(x for x in done.stdout.splitlines() if x.startswith('{"requests"'))
    data = json.loads(line)
    seconds = data["duration_us"] / 1e6
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {
        # The measured run only (it ends as wrk exits): not the warm-up run before it,
        # whose requests the counts below do not include.
        "window": [ended - seconds, ended],
        "requests": data["requests"],
        "seconds": seconds,
        "rps": data["requests"] / seconds,
        "p50_ms": data["p50_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
        "max_ms": data["max_us"] / 1000,
        "errors": data["non_2xx"] + data["transport"] + data["timeouts"],
        "statuses": {"non-2xx": data["non_2xx"]} if data["non_2xx"] else {},
        "transport_errors": data["transport"],
        "timeouts": data["timeouts"],
        "loader_cpu": cpu / seconds,
    }


def load(
    server: Server,
    lists: list[list[Call]],
    api_key: str | None,
    options: Options,
    workdir: Path,
    name: str,
) -> Measurement:
    spec = {
        "host": "127.0.0.1",
        "port": server.port,
        "connections": options.connections,
        "warmup": options.warmup,
        "seconds": options.seconds,
        "timeout": 10.0,
        "windows": WINDOWS,
        "request_lists": [[render(c, server.port, api_key) for c in calls] for calls in lists],
    }
    with CpuSampler(server) as sampler:
        result = run_wrk(spec, workdir) if options.loader == "wrk" else run_python_loader(spec)
    window = result.get("window") or [sampler.samples[0][0], sampler.samples[-1][0]]
    server_cpu = sampler.share(window[0], window[1])
    # wrk reports no parts: its whole window is then the only one.
    windows = result.get("windows") or [[window[0], window[1], result["requests"]]]
    cpu_us_windows = [
        sampler.between(start, end) / count * 1e6 for start, end, count in windows if count
    ]
    requests = max(1, int(result["requests"]))
    round_trips = sampler.between(window[0], window[1], 2) / requests
    connections = sampler.between(window[0], window[1], 3) / requests * 1000
    replaced = sampler.between(window[0], window[1], 4) / requests * 1000
    errors = int(result["errors"])
    if result["requests"] == 0:
        errors += 1  # nothing completed: the case did not really run
    statuses = dict(result["statuses"])
    for kind in ("transport_errors", "timeouts"):
        if result.get(kind):
            statuses[kind.removesuffix("s")] = result[kind]
    return Measurement(
        name=name,
        rps=result["rps"],
        p50_ms=result["p50_ms"],
        p99_ms=result["p99_ms"],
        errors=errors,
        statuses=statuses,
        loader_cpu=result["loader_cpu"],
        server_cpu=server_cpu,
        cpu_us=statistics.median(cpu_us_windows) if cpu_us_windows else float("nan"),
        cpu_us_windows=cpu_us_windows,
        round_trips=round_trips,
        connections_per_1000=connections,
        replaced_per_1000=replaced,
    )


# ---------------------------------------------------------------------------------------
# One database.


def make_fixture(server: Server, api_key: str, sessions: int) -> Fixture:
    headers = {"Authorization": f"Bearer {api_key}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=30) as client:

        def created(path: str, body: dict[str, Any]) -> str:
            response = client.post(path, json=body)
            if response.status_code != 201:
                raise SystemExit(f"setup: POST {path} gave {response.status_code}: {response.text}")
            return str(response.json()["id"])

        candidate_ids = [
            created("/v1/candidates", {**CANDIDATE_BODY, "external_ref": f"bench-{i}"})
            for i in range(CANDIDATES)
        ]
        session_ids = [
            created(
                "/v1/sessions",
                {
                    **SESSION_BODY,
                    "company": f"Company {i}",
                    "candidate_id": candidate_ids[i % len(candidate_ids)],
                },
            )
            for i in range(sessions)
        ]
        minted = client.post(
            "/v1/tokens",
            json={"subject": candidate_ids[0], "scopes": ["read"], "expires_in": 86_400},
        )
        if minted.status_code != 201:
            raise SystemExit(f"setup: POST /v1/tokens gave {minted.status_code}: {minted.text}")
        own = session_ids[:: len(candidate_ids)]
    return Fixture(api_key, candidate_ids, session_ids, minted.json()["token"], own)


def _wait_for(server: Server, call: Call, credential: str, timeout: float = 60.0) -> None:
    """Until the server answers this call with a 2xx (a floor has no health route)."""
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline and server.process.poll() is None:
        try:
            response = probe(server, call, credential)
            if 200 <= response.status_code < 300:
                return
            last = f"{response.status_code}: {response.text[:300]}"
        except httpx.TransportError as error:
            last = repr(error)
        time.sleep(0.1)
    raise SystemExit(f"{server.which} did not answer ({last}); its log:\n{server.log_tail()}")


def probe(server: Server, call: Call, api_key: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {api_key}"}
    return httpx.request(
        call.method, server.base_url + call.path, json=call.body, headers=headers, timeout=30
    )


def run_database(kind: str, options: Options, say: Callable[[str], None]) -> DatabaseRun:
    workdir = Path(tempfile.mkdtemp(prefix=f"debrief-bench-{kind}-"))
    try:
        with fresh_database(kind, workdir, options.pg_url, "bench") as url:
            started = time.perf_counter()
            env = environment(url, workdir)
            debrief_cli(["migrate"], env, workdir)
            api_key = json.loads(debrief_cli(["create-org", "Bench", "--json"], env, workdir))[
                "api_key"
            ]
            bare = Server("bare", env, workdir)
            debrief = Server("debrief", env, workdir)
            floors = {"read": Server("floor-read", env, workdir)}
            floors["body"] = Server("floor-body", env, workdir)
            try:
                bare.wait_ready(BARE_PATH)
                debrief.wait_ready("/healthz")
                fixture = make_fixture(debrief, api_key, options.sessions)
                setup_seconds = time.perf_counter() - started
                say(
                    f"[{kind}] set up in {setup_seconds:.1f} s: {len(fixture.candidate_ids)} "
                    f"candidates, {len(fixture.session_ids)} sessions"
                )
                floor_calls = {
                    "read": [
                        [
                            Call("GET", READ_PATH.format(session_id=sid))
                            for sid in fixture.session_ids
                        ]
                    ],
                    "body": [[Call("POST", BODY_PATH, body_document())]],
                }
                for which, server in floors.items():
                    first_call = floor_calls[which][0][0]
                    _wait_for(server, first_call, FLOOR_TOKEN)
                bare_lists = [[Call("GET", BARE_PATH)]]

                def yardsticks(when: str) -> None:
                    runs.append(load(bare, bare_lists, None, options, workdir, f"bare ({when})"))
                    say(f"[{kind}] {_line(runs[-1])}")
                    for which, server in floors.items():
                        name = f"{which} floor ({when})"
                        measured_floor = load(
                            server, floor_calls[which], FLOOR_TOKEN, options, workdir, name
                        )
                        floor_runs[which].append(measured_floor)
                        say(f"[{kind}] {_line(measured_floor)}")

                runs: list[Measurement] = []
                floor_runs: dict[str, list[Measurement]] = {"read": [], "body": []}
                yardsticks("before")
                # Fill Debrief's connection pool first: the connections-per-1,000 figure is
                # about connections opened in a steady state, not the pool's first fill.
                priming = replace(options, seconds=options.warmup + 1, warmup=0.0)
                load(debrief, _session_reads(fixture, 0), api_key, priming, workdir, "priming")
                measured = []
                for case in options.cases:
                    lists = case.build(fixture, options.connections)
                    credential = case.credential(fixture)
                    first = probe(debrief, lists[0][0], credential)
                    if first.status_code in (404, 405):
                        result = Measurement(case.name, case=case)
                        result.skipped = (
                            f"skipped: not available ({lists[0][0].method} "
                            f"{lists[0][0].path.split('?')[0]} -> {first.status_code})"
                        )
                        measured.append(result)
                        say(f"[{kind}] {case.name}: {result.skipped}")
                        continue
                    if not 200 <= first.status_code < 300:
                        say(f"[{kind}] {case.name}: probe gave {first.status_code}: {first.text}")
                    result = load(debrief, lists, credential, options, workdir, case.name)
                    result.case = case
                    measured.append(result)
                    say(f"[{kind}] {_line(result)}")
                if options.platform_cost:
                    platform_cost(env, workdir, fixture, options, say, kind)
                # Debrief's pool holds 64 of PostgreSQL's 100 connections: it goes before the
                # floors run again, so that the read floor's pool finds room.
                debrief_rss_mb = debrief.peak_rss_mb()
                debrief.stop()
                yardsticks("after")
                return DatabaseRun(
                    kind,
                    runs,
                    floor_runs,
                    measured,
                    debrief_rss_mb,
                    bare.peak_rss_mb(),
                    setup_seconds,
                )
            except BaseException:
                print(f"--- debrief log (tail)\n{debrief.log_tail()}", file=sys.stderr)
                raise
            finally:
                debrief.stop()
                bare.stop()
                for server in floors.values():
                    server.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


PLATFORM_OFF = {"DEBRIEF_RATE_LIMITS_ENABLED": "false", "DEBRIEF_METRICS_ENABLED": "false"}
PLATFORM_CASE = "get session by id"


def platform_cost(
    env: dict[str, str],
    workdir: Path,
    fixture: Fixture,
    options: Options,
    say: Callable[[str], None],
    kind: str,
) -> None:
    """One case against Debrief with the platform layer (rate limits and metrics) on and
    off, alternately twice: server CPU per request and requests/s of each."""
    case = next(c for c in CASES if c.name == PLATFORM_CASE)
    lists = case.build(fixture, options.connections)
    on = Server("debrief", env, workdir)
    off = Server("debrief", env | PLATFORM_OFF, workdir)
    try:
        on.wait_ready("/healthz")
        off.wait_ready("/healthz")
        figures: dict[str, list[Measurement]] = {"on": [], "off": []}
        for _ in range(2):
            for name, server in (("off", off), ("on", on)):
                m = load(server, lists, fixture.api_key, options, workdir, f"platform {name}")
                figures[name].append(m)
                say(f"[{kind}] {_line(m)}")
    finally:
        on.stop()
        off.stop()

    def cpu_us(ms: list[Measurement]) -> float:
        return sum(m.server_cpu / m.rps * 1e6 for m in ms if m.rps) / len(ms)

    def rps(ms: list[Measurement]) -> float:
        return sum(m.rps for m in ms) / len(ms)

    on_cpu, off_cpu = cpu_us(figures["on"]), cpu_us(figures["off"])
    print(
        f"\n== {kind}: rate limits + metrics, {PLATFORM_CASE!r}: server CPU per request "
        f"{off_cpu:.0f} µs off, {on_cpu:.0f} µs on ({(on_cpu / off_cpu - 1):+.1%}); "
        f"{rps(figures['off']):,.0f} req/s off, {rps(figures['on']):,.0f} req/s on "
        f"({(rps(figures['on']) / rps(figures['off']) - 1):+.1%}); target: under +5%"
    )


# ---------------------------------------------------------------------------------------
# Report.


def _line(m: Measurement) -> str:
    statuses = ", ".join(f"{k}: {v}" for k, v in m.statuses.items())
    windows = " ".join(f"{w:.0f}" for w in m.cpu_us_windows)
    return (
        f"{m.name}: {m.cpu_us:,.0f} µs CPU/req ({windows}), {m.round_trips:.2f} round trips/req, "
        f"{m.connections_per_1000:.1f} connections/1000, "
        f"{m.replaced_per_1000:.1f} replaced/1000, {m.rps:,.0f} req/s, "
        f"p50 {m.p50_ms:.2f} ms, p99 {m.p99_ms:.2f} ms, errors {m.errors} ({statuses}), "
        f"server CPU {m.server_cpu:.0%}, loader CPU {m.loader_cpu:.0%}"
    )


@dataclass
class Verdict:
    misses: list[str]
    errors: int
    not_run: list[str]


def _mean(runs: list[Measurement], attribute: str) -> float:
    values = [getattr(m, attribute) for m in runs]
    return sum(values) / len(values) if values else float("nan")


def yardstick_cpu_us(run: DatabaseRun) -> dict[str, float]:
    """What the ratios divide by: the mean CPU per request of the bare endpoint's runs and
    of each floor's, before and after the cases (one pair of runs swings with the machine)."""
    means = {"bare": _mean(run.bare, "cpu_us")}
    means.update((which, _mean(runs, "cpu_us")) for which, runs in run.floors.items())
    return means


def _row(m: Measurement, yardsticks: dict[str, float]) -> str:
    return (
        f"{m.name:<34}{m.cpu_us:>8,.0f}{m.round_trips:>7.2f}{m.connections_per_1000:>7.1f}"
        f"{m.replaced_per_1000:>7.1f}{m.rps:>8,.0f}{m.p50_ms:>8.2f}{m.p99_ms:>8.2f}{m.errors:>5}"
        f"{m.cpu_us / yardsticks['bare']:>7.2f}{m.cpu_us / yardsticks['read']:>7.2f}"
        f"{m.cpu_us / yardsticks['body']:>7.2f}{m.server_cpu:>6.0%}{m.loader_cpu:>6.0%}"
    )


def report(run: DatabaseRun, options: Options) -> Verdict:
    yardsticks = yardstick_cpu_us(run)
    verdict = Verdict([], sum(m.errors for m in run.bare), [])
    print(
        f"\n== {run.database}: {options.connections} connections, {options.seconds:g} s a case "
        f"({WINDOWS} windows) after {options.warmup:g} s of warm-up, loader: {options.loader}, "
        f"{options.sessions} sessions (setup {run.setup_seconds:.1f} s)"
    )
    print(
        "cpu µs: the server's CPU (utime+stime) per request, median of the windows; rt: "
        "database round trips per request; conn: connections opened per 1,000 requests; "
        "repl: connections the pool closed, so to be replaced, per 1,000 requests; "
        "x bare / x read / x body: cpu µs against the mean of the bare endpoint's runs "
        "before and after the cases, and of each floor's; srv/ldr: CPU share of the server "
        "/ load generator"
    )
    header = (
        f"{'case':<34}{'cpu µs':>8}{'rt':>7}{'conn':>7}{'repl':>7}{'req/s':>8}{'p50 ms':>8}"
        f"{'p99 ms':>8}{'err':>5}{'x bare':>7}{'x read':>7}{'x body':>7}{'srv':>6}{'ldr':>6}"
        "  result"
    )
    print(header)
    print("-" * len(header))
    for m in [*run.bare, *[m for runs in run.floors.values() for m in runs]]:
        print(_row(m, yardsticks))
        verdict.errors += m.errors
    for m in run.cases:
        assert m.case is not None
        if m.skipped:
            print(f"{m.name:<34}  {m.skipped}")
            if not m.case.pending:
                verdict.not_run.append(f"{run.database}: {m.name}")
            continue
        target = m.case.target
        missed = []
        goal = []
        if target.floor is not None:
            goal.append(f"cpu<={target.cpu_factor:g}x {target.floor}")
            if m.cpu_us > target.cpu_factor * yardsticks[target.floor]:
                missed.append("cpu")
        if target.max_round_trips is not None and run.database == "postgres":
            goal.append(f"rt<={target.max_round_trips:g}")
            # Counted at the driver: a round trip more than the target in any request shows.
            if m.round_trips > target.max_round_trips + 0.05:
                missed.append("round trips")
        if m.p99_ms > P99_OVER_P50 * m.p50_ms:
            missed.append("p99")
        if not m.replaced_per_1000 < NEW_CONNECTIONS_PER_1000:
            missed.append("connections replaced")
        if m.errors:
            missed.append("errors")
        result = "PASS" if not missed else "MISS (" + ", ".join(missed) + ")"
        verdict.misses += [f"{run.database}: {m.name} {what}" for what in missed]
        verdict.errors += m.errors
        print(f"{_row(m, yardsticks)}  {result}  [{', '.join(goal)}]")
        if m.errors:
            print(f"{'':<34}  errors by kind: {m.statuses}")
    print(
        f"every case: p99 <= {P99_OVER_P50:g}x its p50, no errors, "
        f"< {NEW_CONNECTIONS_PER_1000:g} connections replaced per 1,000 requests (repl)"
    )
    rss_ok = run.debrief_rss_mb < RSS_LIMIT_MB
    if not rss_ok:
        verdict.misses.append(f"{run.database}: peak RSS")
    print(
        f"peak RSS (VmHWM) of the Debrief worker: {run.debrief_rss_mb:.1f} MB "
        f"(target < {RSS_LIMIT_MB:g} MB): {'PASS' if rss_ok else 'MISS'}; "
        f"bare worker: {run.bare_rss_mb:.1f} MB"
    )
    return verdict


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default=None)
    parser.add_argument("--seconds", type=float, default=None, help="per case (default 5)")
    parser.add_argument("--warmup", type=float, default=None, help="per case (default 1)")
    parser.add_argument("--connections", type=int, default=None, help="default 64")
    parser.add_argument("--sessions", type=int, default=None, help="made for the cases (200)")
    parser.add_argument(
        "--loader", choices=["auto", "python", "wrk"], default="auto", help="auto: wrk if on PATH"
    )
    parser.add_argument("--case", action="append", default=None, help="only this case (repeat)")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="PostgreSQL server to use")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--smoke", action="store_true", help="CI: ~1 s a case, 8 connections, SQLite"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument(
        "--platform-cost",
        action="store_true",
        help=f"also measure {PLATFORM_CASE!r} with rate limits and metrics off and on",
    )
    args = parser.parse_args()

    smoke = args.smoke
    loader = args.loader
    if loader == "auto":
        loader = "wrk" if shutil.which("wrk") else "python"
    cases = CASES
    if args.case:
        known = {c.name: c for c in CASES}
        unknown = [n for n in args.case if n not in known]
        if unknown:
            parser.error(f"unknown case(s) {unknown}; known: {list(known)}")
        cases = [known[n] for n in args.case]
    options = Options(
        connections=args.connections or (8 if smoke else 64),
        seconds=args.seconds or (1.0 if smoke else 5.0),
        warmup=args.warmup if args.warmup is not None else (0.3 if smoke else 1.0),
        sessions=args.sessions or (60 if smoke else 200),
        loader=loader,
        pg_url=args.pg_url,
        cases=cases,
        platform_cost=args.platform_cost,
    )
    database = args.db or ("sqlite" if smoke else "both")
    kinds = ["sqlite", "postgres"] if database == "both" else [database]

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    runs = [run_database(kind, options, say) for kind in kinds]
    verdicts = [report(run, options) for run in runs]
    misses = [m for v in verdicts for m in v.misses]
    errors = sum(v.errors for v in verdicts)
    not_run = [n for v in verdicts for n in v.not_run]
    print(f"\ntargets missed: {', '.join(misses) if misses else 'none'}")
    if args.json:
        args.json.write_text(
            json.dumps([as_json(r) for r in runs], indent=2),
            encoding="utf-8",
        )
    if smoke:
        if errors or not_run:
            print(f"smoke: FAILED ({errors} error(s); did not run: {not_run or 'none'})")
            return 1
        print("smoke: ok (no errors; every available case ran)")
    if args.strict and (misses or not_run):
        return 1
    return 0


def as_json(run: DatabaseRun) -> dict[str, Any]:
    """One database's figures for --json: every run of the bare endpoint and of each floor
    (before, then after the cases), the means the ratios divide by, the cases."""
    return {
        "database": run.database,
        "bare": [_as_dict(m) for m in run.bare],
        "floors": {k: [_as_dict(m) for m in v] for k, v in run.floors.items()},
        "yardstick_cpu_us": yardstick_cpu_us(run),
        "cases": [_as_dict(m) for m in run.cases],
        "debrief_peak_rss_mb": run.debrief_rss_mb,
        "bare_peak_rss_mb": run.bare_rss_mb,
    }


def _as_dict(m: Measurement) -> dict[str, Any]:
    return {
        "name": m.name,
        "rps": m.rps,
        "p50_ms": m.p50_ms,
        "p99_ms": m.p99_ms,
        "errors": m.errors,
        "statuses": m.statuses,
        "loader_cpu": m.loader_cpu,
        "server_cpu": m.server_cpu,
        "cpu_us": m.cpu_us,
        "cpu_us_windows": m.cpu_us_windows,
        "round_trips": m.round_trips,
        "connections_per_1000": m.connections_per_1000,
        "replaced_per_1000": m.replaced_per_1000,
        "skipped": m.skipped,
    }


if __name__ == "__main__":
    sys.exit(main())
