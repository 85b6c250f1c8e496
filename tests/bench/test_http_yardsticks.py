"""bench/http.py's ratios: each yardstick measured before and after the cases, and every
ratio taken against the mean of its two runs (no load is run here: made-up figures)."""

from __future__ import annotations

import json

import pytest

from bench import http as bench_http
from bench.http import Case, DatabaseRun, Measurement, Options, Target

CASE = Case("get session by id", Target("read", 2.2, 1), lambda _fixture, _connections: [])
YARDSTICK_CPU_US = {
    "bare": (90.0, 110.0),
    "read": (200.0, 400.0),
    "body": (150.0, 250.0),
}


def _measured(name: str, cpu_us: float) -> Measurement:
    return Measurement(
        name,
        rps=1000.0,
        p50_ms=10.0,
        p99_ms=20.0,
        cpu_us=cpu_us,
        round_trips=1.0,
        connections_per_1000=0.0,
        replaced_per_1000=0.0,
    )


def _run(case_cpu_us: float) -> DatabaseRun:
    before_after = ("before", "after")
    bare = [
        _measured(f"bare ({when})", cpu)
        for when, cpu in zip(before_after, YARDSTICK_CPU_US["bare"], strict=True)
    ]
    floors = {
        which: [
            _measured(f"{which} floor ({when})", cpu)
            for when, cpu in zip(before_after, YARDSTICK_CPU_US[which], strict=True)
        ]
        for which in ("read", "body")
    }
    case = _measured(CASE.name, case_cpu_us)
    case.case = CASE
    return DatabaseRun("postgres", bare, floors, [case], 100.0, 50.0, 1.0)


OPTIONS = Options(64, 5.0, 1.0, 200, "python", "", [CASE])


def test_the_ratios_divide_by_the_mean_of_each_yardsticks_runs() -> None:
    assert bench_http.yardstick_cpu_us(_run(600.0)) == {"bare": 100.0, "read": 300.0, "body": 200.0}


def test_the_table_shows_both_runs_of_every_yardstick_and_ratios_to_their_means(
    capsys: pytest.CaptureFixture[str],
) -> None:
    bench_http.report(_run(600.0), OPTIONS)
    rows = {line[:34].strip(): line[34:].split() for line in capsys.readouterr().out.splitlines()}
    for which in ("bare", "read floor", "body floor"):
        assert f"{which} (before)" in rows
        assert f"{which} (after)" in rows
    # cpu µs, rt, conn, repl, req/s, p50, p99, err, x bare, x read, x body, ...
    assert rows["get session by id"][8:11] == ["6.00", "2.00", "3.00"]
    assert rows["read floor (before)"][9] == "0.67"
    assert rows["read floor (after)"][9] == "1.33"


@pytest.mark.parametrize(
    ("case_cpu_us", "verdict"),
    # 2.2x the mean read floor (300) is 660; 2.2x its first run alone (200) would be 440.
    [(650.0, "PASS"), (670.0, "MISS (cpu)")],
)
def test_the_target_is_held_to_the_mean_floor(
    case_cpu_us: float, verdict: str, capsys: pytest.CaptureFixture[str]
) -> None:
    bench_http.report(_run(case_cpu_us), OPTIONS)
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith(CASE.name))
    assert f"  {verdict}  " in line


def test_the_json_keeps_every_run_and_the_means() -> None:
    document = json.loads(json.dumps(bench_http.as_json(_run(600.0))))
    assert [m["name"] for m in document["bare"]] == ["bare (before)", "bare (after)"]
    assert {k: [m["name"] for m in v] for k, v in document["floors"].items()} == {
        "read": ["read floor (before)", "read floor (after)"],
        "body": ["body floor (before)", "body floor (after)"],
    }
    assert document["yardstick_cpu_us"] == {"bare": 100.0, "read": 300.0, "body": 200.0}
