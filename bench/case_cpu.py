"""CPU per request of one `bench/http.py` case, in-process, `--concurrency` in flight.

    .venv/bin/python bench/case_cpu.py --case "put answers" [--db postgres]
        [--requests 2000] [--repeats 5]

Sets up the database as bench/profile_http.py does (bench/support.py's `fresh_app`),
builds the app as the server does (logging to /dev/null) and drives the ASGI app
directly. For each repeat it prints this process's CPU time per request
(`time.process_time`: the app, its driver's protocol work and the driver's threads; not
the database server's), then the median. To compare two commits, run this file from an
export of each, back to back, alternating.
"""

from __future__ import annotations

import sys
from pathlib import Path

_BENCH = Path(__file__).resolve().parent  # keep bench/http.py from shadowing `http`
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
sys.path.insert(0, str(_BENCH.parent))

import argparse
import statistics
import time

import uvloop

from bench import http as bench_http
from bench.profile_http import drive
from bench.support import DEFAULT_PG_URL, FreshApp, fresh_app


async def _measure(args: argparse.Namespace, case: bench_http.Case, fresh: FreshApp) -> list[float]:
    app = fresh.create()
    api_key = fresh.api_key
    assert fresh.fixture is not None
    lists = case.build(fresh.fixture, args.concurrency)
    await drive(app, lists, api_key, 500, args.concurrency)  # warm-up
    figures = []
    for _ in range(args.repeats):
        started = time.process_time()
        _, statuses = await drive(app, lists, api_key, args.requests, args.concurrency)
        done = sum(statuses.values())
        figures.append((time.process_time() - started) / done * 1e6)
        print(f"  {figures[-1]:,.0f} µs/request  statuses {statuses}")
    await app.state.database.dispose()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", required=True, choices=[c.name for c in bench_http.CASES])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--sessions", type=int, default=200)
    args = parser.parse_args()
    case = next(c for c in bench_http.CASES if c.name == args.case)
    with fresh_app(args.db, args.pg_url, "casecpu", args.sessions) as fresh:
        figures = uvloop.run(_measure(args, case, fresh))
    print(f"{case.name} ({args.db}): median {statistics.median(figures):,.0f} µs/request")
    return 0


if __name__ == "__main__":
    sys.exit(main())
