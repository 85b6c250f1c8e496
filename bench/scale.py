"""Does a page cost the same at any size? Session lists and reads at 10,000 and 1,000,000.

    .venv/bin/python bench/scale.py [--db postgres|sqlite] [--sizes 10000,1000000]
        [--organizations 1] [--requests 500] [--explain] [--strict]
    .venv/bin/python bench/scale.py --smoke      # CI: sizes 1000,5000, few requests, SQLite

Fills a fresh database (migrated with `debrief migrate`, one organisation from `debrief
create-org`) with 1,000 candidates and sessions in bulk (PostgreSQL: COPY through
asyncpg; SQLite: SQLAlchemy Core executemany), rows shaped exactly as
app/sessions/service.py `create_session` and `put_answers` store them, with ULIDs from
app/core/ids.py whose time part increases row by row. One candidate in ten sessions is
one heavy candidate's (so a filtered list has a deep cursor chain at every size); the
rest are spread round-robin over the other 999. After each size is reached (the next
size tops the same table up), the real app, built in-process by app.main.create_app and
called through httpx.ASGITransport one request at a time, is timed on: the first page of
`GET /v1/sessions?limit=50`, a page in the middle of its cursor chain, both again with
`candidate_id`, and `GET /v1/sessions/{id}` over a random sample of ids. Deep cursors are
made the way app/core/pagination.py makes them (checked against the one the app returns
for page 2). Prints p50/p99 per size and the ratio largest/smallest; target <= 1.2 for
both. With --organizations N the table is shared: the measured organisation (from
create-org) holds one row in ten, interleaved with the rows of N-1 neighbours (10
candidates each) that share the other nine round-robin, so every request must find its
own rows among the others' (and the smallest size still gives it full pages). With
--explain, or when a ratio misses on PostgreSQL, prints EXPLAIN (ANALYZE, BUFFERS) of the
list queries the app actually sent at the largest size. In-process p99 is
mostly Python's full garbage collections (~70-90 ms each, whatever the table's size)
unless the app's lifespan has frozen its long-lived heap, as it does when it is served;
the app is run with its lifespan (--no-lifespan to see the difference).
"""

from __future__ import annotations

import sys
from pathlib import Path

_BENCH = Path(__file__).resolve().parent  # keep bench/http.py from shadowing `http`
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
sys.path.insert(0, str(_BENCH.parent))

import argparse
import asyncio
import contextlib
import gc
import json
import os
import random
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from app.core.config import normalise_database_url
from bench.support import (
    DEFAULT_PG_URL,
    debrief_cli,
    environment,
    fresh_database,
    percentile,
)

CANDIDATES = 1_000
NEIGHBOUR_CANDIDATES = 10  # per neighbouring organisation with --organizations N
OWN_EVERY = 10  # with neighbours, one row in ten is the measured organisation's
HEAVY_EVERY = 10  # every 10th session is the heavy candidate's
PAGE = 50
RATIO_TARGET = 1.2
SAMPLE_IDS = 2_000
SESSION_SPACING = timedelta(seconds=2)  # created_at (and the id's time) of row g+1 - row g

# Answers that complete the built-in self-reflection (tests/diagnosis/test_diagnoses.py).
REFLECTION: dict[str, Any] = {
    "wanted_job": True,
    "wow_self_rating": 2,
    "articulated_fit": False,
    "interviewer_signals": ["bored"],
    "enthusiasm": 4,
    "had_advocate": True,
}
ROLES = ["Product designer", "Backend engineer", "Data analyst", "Project manager", "Nurse"]


# ---------------------------------------------------------------------------------------
# Rows, shaped by the app's own code.


@dataclass(frozen=True)
class Variant:
    """One kind of session row: its status, answers and derived progress."""

    status: str
    answers: dict[str, Any]
    reflection_progress: dict[str, Any]
    reflected: bool
    closed: bool


@dataclass
class Shapes:
    reflection_key: str
    reflection_version: int
    feedback_key: str
    feedback_version: int
    feedback_progress: dict[str, Any]
    variants: list[Variant]
    postings: list[dict[str, Any]]
    interviewers: list[dict[str, Any]]
    stages: list[str]


def shapes() -> Shapes:
    """Column values as `create_session` and `put_answers` would compute them."""
    from app.question_sets.answers import check_answers
    from app.question_sets.builtin import BUILTIN_SETS
    from app.sessions.schemas import Interviewer, Posting, Progress, Stage

    reflection = BUILTIN_SETS["self-reflection"]
    feedback = BUILTIN_SETS["interviewer-feedback"]

    def progress(compiled: Any, answers: dict[str, Any]) -> dict[str, Any]:
        report = check_answers(compiled, answers)
        assert not report.problems, report.problems
        return Progress.of(report).model_dump(mode="json")

    partial = {"wanted_job": True, "wow_self_rating": 3}
    variants = [
        Variant("open", {}, progress(reflection.compiled, {}), False, False),
        Variant("open", partial, progress(reflection.compiled, partial), False, False),
        Variant("reflected", REFLECTION, progress(reflection.compiled, REFLECTION), True, False),
        Variant("closed", REFLECTION, progress(reflection.compiled, REFLECTION), True, True),
    ]
    assert variants[2].reflection_progress["complete"]
    postings = [
        Posting.model_validate(p).model_dump(mode="json")
        for p in (
            {},
            {
                "url": "https://jobs.example.com/123",
                "required_credentials": ["Portfolio"],
                "preferred_credentials": ["Figma certification"],
                "years_required": 5,
            },
        )
    ]
    interviewers = [
        Interviewer.model_validate(i).model_dump(mode="json")
        for i in ({}, {"name": "Jordan Lee", "title": "Design lead", "email": "jordan@example.com"})
    ]
    return Shapes(
        reflection.key,
        reflection.version,
        feedback.key,
        feedback.version,
        progress(feedback.compiled, {}),
        variants,
        postings,
        interviewers,
        [s.value for s in Stage],
    )


@dataclass
class Tracker:
    """What the measurements need from the measured organisation's rows generated so far:
    the id after which the middle page of each chain starts, and a uniform sample of ids
    (reservoir) per size. Sizes here count that organisation's rows."""

    sizes: list[int]
    deep_all: dict[int, str] = field(default_factory=dict)
    deep_heavy: dict[int, str] = field(default_factory=dict)
    page_two_all: str = ""
    page_two_heavy: str = ""
    samples: dict[int, list[str]] = field(default_factory=dict)
    _reservoir: list[str] = field(default_factory=list)
    seen: int = 0
    heavy_seen: int = 0
    _rng: random.Random = field(default_factory=lambda: random.Random(8))  # noqa: S311

    def __post_init__(self) -> None:
        self._deep_at = {size // 2 - 1: size for size in self.sizes}
        self._heavy_deep_at = {
            (size + HEAVY_EVERY - 1) // HEAVY_EVERY // 2 - 1: size for size in self.sizes
        }

    def see(self, g: int, session_id: str, heavy: bool) -> None:
        if g in self._deep_at:
            self.deep_all[self._deep_at[g]] = session_id
        if g == PAGE - 1:
            self.page_two_all = session_id
        if heavy:
            if self.heavy_seen in self._heavy_deep_at:
                self.deep_heavy[self._heavy_deep_at[self.heavy_seen]] = session_id
            if self.heavy_seen == PAGE - 1:
                self.page_two_heavy = session_id
            self.heavy_seen += 1
        self.seen += 1
        if len(self._reservoir) < SAMPLE_IDS:
            self._reservoir.append(session_id)
        else:
            slot = self._rng.randrange(self.seen)
            if slot < SAMPLE_IDS:
                self._reservoir[slot] = session_id
        if self.seen in self.sizes:
            self.samples[self.seen] = list(self._reservoir)


def own_every(organizations: int) -> int:
    return OWN_EVERY if organizations > 1 else 1


def own_rows(size: int, organizations: int) -> int:
    """How many of the first ``size`` rows are the measured organisation's."""
    every = own_every(organizations)
    return (size + every - 1) // every


@dataclass
class Filler:
    organization_id: str
    candidate_ids: list[str]
    shapes: Shapes
    tracker: Tracker
    base: datetime
    neighbours: list[tuple[str, list[str]]] = field(default_factory=list)
    made: int = 0

    def rows(self, count: int) -> Iterator[dict[str, Any]]:
        from app.core import ids

        s = self.shapes
        every = own_every(1 + len(self.neighbours))
        for g in range(self.made, self.made + count):
            created = self.base + g * SESSION_SPACING
            session_id = ids.SESSION.new(created)
            if g % every == 0:
                local = g // every
                heavy = local % HEAVY_EVERY == 0
                organization_id = self.organization_id
                candidate = self.candidate_ids[0 if heavy else 1 + local % (CANDIDATES - 1)]
                self.tracker.see(local, session_id, heavy)
            else:
                other = g - g // every - 1  # the neighbours' rows before this one
                organization_id, theirs = self.neighbours[other % len(self.neighbours)]
                candidate = theirs[other // len(self.neighbours) % len(theirs)]
            variant = s.variants[g % len(s.variants)]
            decided = created.date()
            yield {
                "id": session_id,
                "organization_id": organization_id,
                "candidate_id": candidate,
                "company": f"Company {g % 5000}",
                "role_title": ROLES[g % len(ROLES)],
                "posting": s.postings[g % len(s.postings)],
                "stage_reached": s.stages[g % len(s.stages)],
                "interview_date": decided - timedelta(days=7),
                "decision_date": decided,
                "outcome": "rejected",
                "stated_reason": None if g % 3 else "We went with another candidate.",
                "interviewer": s.interviewers[g % len(s.interviewers)],
                "notes": None,
                "status": variant.status,
                "reflection_set_key": s.reflection_key,
                "reflection_set_version": s.reflection_version,
                "feedback_set_key": s.feedback_key,
                "feedback_set_version": s.feedback_version,
                "answers": variant.answers,
                "reflection_progress": variant.reflection_progress,
                "feedback_answers": {},
                "feedback_progress": s.feedback_progress,
                "reflected_at": created + timedelta(hours=1) if variant.reflected else None,
                "feedback_requested_at": None,
                "call_scheduled_for": None,
                "feedback_received_at": None,
                "closed_at": created + timedelta(hours=2) if variant.closed else None,
                "created_at": created,
                "updated_at": created + timedelta(hours=2 if variant.closed else 1),
                "revision": 1 + (variant.reflected + variant.closed),
            }
        self.made += count


def candidate_rows(
    organization_id: str, base: datetime, count: int = CANDIDATES
) -> list[dict[str, Any]]:
    from app.core import ids

    rows: list[dict[str, Any]] = []
    for i in range(count):
        created = base + timedelta(milliseconds=i)
        rows.append(
            {
                "id": ids.CANDIDATE.new(created),
                "organization_id": organization_id,
                "external_ref": f"scale-{i:04d}",
                "display_name": f"Candidate {i}",
                "email": f"candidate{i}@example.com",
                "pronouns": None,
                "locale": "en",
                "time_zone": "UTC",
                "metadata": {},
                "created_at": created,
                "updated_at": created,
                "version": 1,
            }
        )
    return rows


async def add_neighbours(
    kind: str, url: str, count: int, base: datetime
) -> list[tuple[str, list[str]]]:
    """``count`` other organisations, each with a few candidates, written in bulk."""
    from app.core import ids

    organizations = [
        {"id": ids.ORGANIZATION.new(base), "name": f"Neighbour {i}", "created_at": base}
        for i in range(count)
    ]
    candidates = [candidate_rows(o["id"], base, NEIGHBOUR_CANDIDATES) for o in organizations]
    if organizations:
        await insert_rows(kind, url, "organizations", organizations)
        await insert_rows(kind, url, "candidates", [c for cs in candidates for c in cs])
    return [
        (o["id"], [c["id"] for c in cs]) for o, cs in zip(organizations, candidates, strict=True)
    ]


# ---------------------------------------------------------------------------------------
# Bulk loading.


def _pg_value(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, dict | list) else value


async def _copy(url: str, table: str, rows: list[dict[str, Any]]) -> None:
    import asyncpg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    connection = await asyncpg.connect(
        host=parsed.host,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        database=parsed.database,
    )
    try:
        columns = list(rows[0])
        records = [tuple(_pg_value(row[c]) for c in columns) for row in rows]
        await connection.copy_records_to_table(table, records=records, columns=columns)
    finally:
        await connection.close()


async def _executemany(url: str, table: str, rows: list[dict[str, Any]]) -> None:
    from sqlalchemy import insert

    from app.core.database import create_engine
    from app.core.models import metadata

    engine = create_engine(normalise_database_url(url), pooled=False)
    try:
        async with engine.begin() as connection:
            await connection.execute(insert(metadata.tables[table]), rows)
    finally:
        await engine.dispose()


async def insert_rows(kind: str, url: str, table: str, rows: list[dict[str, Any]]) -> None:
    if kind == "postgres":
        await _copy(url, table, rows)
    else:
        await _executemany(url, table, rows)


async def fill_to(kind: str, url: str, filler: Filler, size: int, batch: int) -> None:
    while filler.made < size:
        rows = list(filler.rows(min(batch, size - filler.made)))
        await insert_rows(kind, url, "sessions", rows)


async def analyze(kind: str, url: str) -> None:
    """What autovacuum would soon do after a bulk load: statistics and the visibility map."""
    from sqlalchemy import text

    from app.core.database import create_engine

    engine = create_engine(normalise_database_url(url), pooled=False)
    try:
        if kind == "postgres":
            async with engine.connect() as connection:
                connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await connection.execute(text("VACUUM (ANALYZE) sessions"))
                await connection.execute(text("VACUUM (ANALYZE) candidates"))
        else:
            async with engine.begin() as connection:
                await connection.execute(text("ANALYZE"))
    finally:
        await engine.dispose()


# ---------------------------------------------------------------------------------------
# Measuring through the app.


@dataclass
class Timing:
    case: str
    size: int
    p50_ms: float
    p99_ms: float
    items: int


@dataclass
class Captured:
    """The last list query the app sent, per case, for EXPLAIN."""

    statements: dict[str, tuple[str, Any]] = field(default_factory=dict)
    current: str | None = None


async def measure(
    url: str,
    api_key: str,
    organization_id: str,
    size: int,
    tracker: Tracker,
    candidate_id: str,
    requests: int,
    warmup: int,
    captured: Captured,
    raw: bool,
    organizations: int,
) -> tuple[list[Timing], list[str]]:
    from sqlalchemy import event

    from app.core.config import Settings
    from app.core.pagination import encode_cursor
    from app.main import create_app

    settings = Settings(database_url=url, _env_file=None)  # type: ignore[call-arg,unused-ignore]
    app = create_app(settings)
    secret = settings.secret_key.get_secret_value()
    problems: list[str] = []

    def remember(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if captured.current and statement.lstrip().upper().startswith("SELECT SESSIONS."):
            captured.statements[captured.current] = (statement, parameters)

    engine = app.state.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", remember)
    own = own_rows(size, organizations)
    deep_all = encode_cursor(secret, "sessions", tracker.deep_all[own])
    deep_heavy = encode_cursor(secret, "sessions", tracker.deep_heavy[own])
    cases: list[tuple[str, list[str]]] = [
        ("list, first page", [f"/v1/sessions?limit={PAGE}"]),
        ("list, deep page", [f"/v1/sessions?limit={PAGE}&cursor={deep_all}"]),
        ("candidate, first page", [f"/v1/sessions?limit={PAGE}&candidate_id={candidate_id}"]),
        (
            "candidate, deep page",
            [f"/v1/sessions?limit={PAGE}&candidate_id={candidate_id}&cursor={deep_heavy}"],
        ),
        ("get by id", [f"/v1/sessions/{sid}" for sid in tracker.samples[own]]),
    ]
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    headers = {"Authorization": f"Bearer {api_key}"}
    results = []
    # The app's lifespan runs as under uvicorn (it freezes the long-lived heap out of the
    # garbage collector's full passes); --no-lifespan measures without it.
    lifespan = app.router.lifespan_context(app) if not raw else contextlib.nullcontext()
    async with (
        lifespan,
        httpx.AsyncClient(transport=transport, base_url="http://bench", headers=headers) as c,
    ):
        # The constructed cursors are the app's: page 2's cursor must be the same string.
        for name, last, rows, extra in (
            ("list", tracker.page_two_all, tracker.seen, ""),
            (
                "candidate list",
                tracker.page_two_heavy,
                tracker.heavy_seen,
                f"&candidate_id={candidate_id}",
            ),
        ):
            if rows <= PAGE:
                continue  # that chain has no second page yet
            issued = (await c.get(f"/v1/sessions?limit={PAGE}{extra}")).json().get("next_cursor")
            if issued != encode_cursor(secret, "sessions", last):
                problems.append(f"{name}: the app's page-2 cursor is not the one constructed")
        for case, paths in cases:
            captured.current = case if case.startswith(("list", "candidate")) else None
            latencies = []
            items = 0
            for turn in range(warmup + requests):
                path = paths[turn % len(paths)]
                started = time.perf_counter()
                response = await c.get(path)
                elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    problems.append(f"{case}: {path} -> {response.status_code} {response.text}")
                    break
                if turn >= warmup:
                    latencies.append(elapsed)
                if turn == 0:
                    body = response.json()
                    items = len(body["items"]) if "items" in body else 1
            latencies.sort()
            results.append(
                Timing(
                    case,
                    size,
                    percentile(latencies, 0.5) * 1000,
                    percentile(latencies, 0.99) * 1000,
                    items,
                )
            )
    captured.current = None
    if not raw:
        gc.unfreeze()  # the next size's app freezes its own heap
    await app.state.database.dispose()
    return results, problems


async def explain(kind: str, url: str, captured: Captured) -> None:
    from app.core.database import create_engine

    engine = create_engine(normalise_database_url(url), pooled=False)
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if kind == "postgres" else "EXPLAIN QUERY PLAN "
    try:
        async with engine.connect() as connection:
            for case, (statement, parameters) in captured.statements.items():
                print(f"\n-- {case}\n{statement.strip()}\n-- parameters: {parameters}")
                result = await connection.exec_driver_sql(prefix + statement, parameters)
                for row in result:
                    print("   ", " ".join(str(part) for part in row))
    finally:
        await engine.dispose()


# ---------------------------------------------------------------------------------------
# The run.


def report(timings: list[Timing], sizes: list[int]) -> list[str]:
    small, large = sizes[0], sizes[-1]
    by = {(t.case, t.size): t for t in timings}
    cases = list(dict.fromkeys(t.case for t in timings))
    head = f"{'case':<24}"
    for n in sizes:
        head += f"{f'p50 @{n:,}':>17}{f'p99 @{n:,}':>17}{'items':>7}"
    head += f"{'p50 ratio':>11}{'p99 ratio':>11}  result (target <= {RATIO_TARGET:g})"
    print("\n" + head)
    print("-" * len(head))
    misses = []
    for case in cases:
        line = f"{case:<24}"
        for n in sizes:
            t = by[(case, n)]
            line += f"{t.p50_ms:>14.2f} ms{t.p99_ms:>14.2f} ms{t.items:>7}"
        p50_ratio = by[(case, large)].p50_ms / by[(case, small)].p50_ms
        p99_ratio = by[(case, large)].p99_ms / by[(case, small)].p99_ms
        missed = [
            what for what, ratio in (("p50", p50_ratio), ("p99", p99_ratio)) if ratio > RATIO_TARGET
        ]
        misses += [f"{case} {what}" for what in missed]
        verdict = "PASS" if not missed else "MISS (" + ", ".join(missed) + ")"
        print(f"{line}{p50_ratio:>11.2f}{p99_ratio:>11.2f}  {verdict}")
    return misses


async def _run(args: argparse.Namespace, kind: str, url: str, workdir: Path) -> int:
    env = environment(url, workdir)
    os.environ.update({k: v for k, v in env.items() if k.startswith("DEBRIEF_")})
    sizes: list[int] = args.sizes
    debrief_cli(["migrate"], env, workdir)
    created = json.loads(debrief_cli(["create-org", "Scale", "--json"], env, workdir))
    organization_id, api_key = created["organization_id"], created["api_key"]

    from app.core.ids import utc_now

    base = utc_now() - timedelta(days=60)
    started = time.perf_counter()
    candidates = candidate_rows(organization_id, base)
    await insert_rows(kind, url, "candidates", candidates)
    organizations: int = args.organizations
    neighbours = await add_neighbours(kind, url, organizations - 1, base)
    tracker = Tracker([own_rows(size, organizations) for size in sizes])
    filler = Filler(
        organization_id,
        [c["id"] for c in candidates],
        shapes(),
        tracker,
        base + timedelta(days=1),
        neighbours,
    )
    print(
        f"{kind}: {CANDIDATES:,} candidates in {time.perf_counter() - started:.1f} s"
        + (
            f", and {organizations - 1} neighbouring organisations with "
            f"{NEIGHBOUR_CANDIDATES} candidates each"
            if neighbours
            else ""
        )
    )
    assert filler.base + sizes[-1] * SESSION_SPACING < datetime.now(UTC), "ids in the future"

    timings: list[Timing] = []
    problems: list[str] = []
    captured = Captured()
    for size in sizes:
        began = time.perf_counter()
        added = size - filler.made
        await fill_to(kind, url, filler, size, args.batch)
        filled = time.perf_counter() - began
        await analyze(kind, url)
        analysed = time.perf_counter() - began - filled
        print(
            f"{kind}: +{added:,} sessions (to {size:,}) in {filled:.1f} s "
            f"({added / filled:,.0f} rows/s), then VACUUM/ANALYZE in {analysed:.1f} s",
            flush=True,
        )
        results, found = await measure(
            url,
            api_key,
            organization_id,
            size,
            tracker,
            filler.candidate_ids[0],
            args.requests,
            args.warmup,
            captured,
            args.no_lifespan,
            organizations,
        )
        timings += results
        problems += [f"@{size:,}: {p}" for p in found]
    print(
        f"{kind}: filled {sizes[-1]:,} sessions over {len(sizes)} step(s)"
        + (
            f" shared by {organizations} organisations (the measured one holds "
            + ", ".join(f"{own_rows(s, organizations):,}" for s in sizes)
            + "); "
            if organizations > 1
            else "; "
        )
        + f"{args.requests} sequential requests per case after {args.warmup} warm-up, "
        f"in-process (httpx.ASGITransport){', without the lifespan' if args.no_lifespan else ''}"
    )
    misses = report(timings, sizes)
    if args.explain or (misses and kind == "postgres"):
        print(f"\nQuery plans of the list queries the app sent at {sizes[-1]:,} sessions:")
        await explain(kind, url, captured)
    for problem in problems:
        print(f"PROBLEM {problem}")
    print(f"\ntargets missed: {', '.join(misses) if misses else 'none'}")
    if args.smoke:
        print(
            "smoke: " + ("FAILED" if problems else "ok") + " (only failed requests and cursor "
            "checks count; 30-sample percentiles are not figures of record)"
        )
    if problems:
        return 1
    return 1 if args.strict and misses else 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["postgres", "sqlite"], default=None)
    parser.add_argument("--sizes", default=None, help="ascending, comma-separated")
    parser.add_argument("--requests", type=int, default=None, help="per case and size (500)")
    parser.add_argument("--warmup", type=int, default=None, help="requests first (50)")
    parser.add_argument("--batch", type=int, default=50_000, help="rows per bulk insert")
    parser.add_argument(
        "--organizations",
        type=int,
        default=None,
        help="organisations sharing the table, rows round-robin (1; --smoke: 10)",
    )
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--explain", action="store_true", help="always print the query plans")
    parser.add_argument(
        "--no-lifespan",
        action="store_true",
        help="skip the app's lifespan (and its gc.freeze): p99 with full-collection pauses",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a ratio misses")
    parser.add_argument(
        "--smoke", action="store_true", help="CI: sizes 1000,5000, 30 requests, SQLite"
    )
    args = parser.parse_args()
    kind = args.db or ("sqlite" if args.smoke else "postgres")
    sizes_text = args.sizes or ("1000,5000" if args.smoke else "10000,1000000")
    args.sizes = sorted(int(s.replace("_", "")) for s in sizes_text.split(","))
    args.organizations = args.organizations or (10 if args.smoke else 1)
    if args.organizations < 1:
        parser.error("--organizations: at least 1")
    if len(args.sizes) < 2 or own_rows(args.sizes[0], args.organizations) < 2 * PAGE:
        parser.error(
            f"--sizes: two or more, the smallest holding at least {2 * PAGE} rows of the "
            "measured organisation"
        )
    args.requests = args.requests or (30 if args.smoke else 500)
    args.warmup = args.warmup if args.warmup is not None else (5 if args.smoke else 50)
    if kind == "sqlite":
        args.batch = min(args.batch, 5_000)  # SQLite's bound-parameter limit per statement

    workdir = Path(tempfile.mkdtemp(prefix="debrief-scale-"))
    try:
        with fresh_database(kind, workdir, args.pg_url, "scale") as url:
            started = time.perf_counter()
            code = asyncio.run(_run(args, kind, url, workdir))
            print(f"total {time.perf_counter() - started:.0f} s")
            return code
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
