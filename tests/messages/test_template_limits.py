"""A template can no longer stall the server: every hostile template is refused, for
work comparable to a trivial preview's, on preview and on save alike, and a rendering that
runs past the wall clock is stopped while the event loop goes on answering."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.messages import render_pool
from app.messages.render import Rendered, Source
from app.messages.render_pool import RenderPool
from tests.work_done import calls_made

pytestmark = pytest.mark.anyio

COSTLY = "/problems/template-too-costly"
FORBIDDEN = "/problems/validation-error"  # calls are refused as a construct, not a cost

# (body, problem type, words of the detail naming the limit)
HOSTILE: list[tuple[str, str, str]] = [
    ("{{ (((10**64)**64)**64)**64 > 1 }}", COSTLY, "at most 18 digits"),
    ("{{ 10**64 }}", COSTLY, "at most 18 digits"),
    ("{{ 99999999999999999999999 }}", COSTLY, "at most 18 digits"),
    ("{{ 9" + "9" * 5000 + " }}", COSTLY, "at most 18 digits"),
    ("{{ (10**18)|string }}", COSTLY, "at most 18 digits"),
    ("{{ -(10**18) }}", COSTLY, "at most 18 digits"),
    ("{{ (1.5)**1000 }}", COSTLY, "Exponents above 64"),
    (
        "{% for a in [0]*3000 %}{% for b in [0]*3000 %}{% endfor %}{% endfor %}",
        COSTLY,
        "loops more than 10,000 times",
    ),
    ("{% for i in 'x'*20000 %}{% endfor %}", COSTLY, "loops more than 10,000 times"),
    (
        "{% for i in [0]*99 %}{% for j in [0]*99 %}{{ i * j + i - j }}"
        "{% if i > j %}{{ i // (j + 1) }}{% endif %}{% endfor %}{% endfor %}",
        COSTLY,
        "steps of work",
    ),
    ("{% set s = 'x'*50000 %}{{ [s, s, s]|join }}", COSTLY, "longer than 50,000"),
    ("{% set s = 'x'*50000 %}{{ s ~ s }}", COSTLY, "longer than 50,000"),
    ("{{ 'x'*30000 + 'y'*30000 }}", COSTLY, "longer than 50,000"),
    ("{% set s = 'ab'*20000 %}{{ s|join(s) }}", COSTLY, "longer than 50,000"),
    ("{{ '%100000000s' % 'x' }}", COSTLY, "at most 100 characters"),
    ("{{ '%*s' % (100000000, 'x') }}", COSTLY, "width from a value"),
    ("{{ '%.100000000f' % 1.0 }}", COSTLY, "at most 100 characters"),
    ("{% set s = 'x'*20000 %}{{ '%(a)s%(a)s%(a)s' % {'a': s} }}", COSTLY, "longer than 50,000"),
    ("{{ '%r' % ('\\x00'*10000) }}", COSTLY, "longer than 50,000"),
    ("{{ (([0]*20000)*2)|sort }}", COSTLY, "longer than 50,000"),
    ("{{ [1]*100000000 }}", COSTLY, "longer than 50,000"),
    ("{{ ((1,)*30000) }}", COSTLY, "longer than 50,000"),
    ("{{ {'a': 'x'*30000, 'b': 'y'*30000} }}", COSTLY, "longer than 50,000"),
    ("{{ ('ß'*30000)|upper }}", COSTLY, "longer than 50,000"),
    (
        "{% set a = [1,2,3,4,5,6,7,8,9,10] %}{% set b = [a,a,a,a,a,a,a,a,a,a] %}"
        "{% set c = [b,b,b,b,b,b,b,b,b,b] %}{% set d = [c,c,c,c,c,c,c,c,c,c] %}"
        "{% set e = [d,d,d,d,d,d,d,d,d,d] %}{{ e }}",
        COSTLY,
        "longer than 50,000",
    ),
    (
        "{% set s = 'x'*40000 %}{% for i in [0]*9000 %}{{ s[::-1]|length }}{% endfor %}",
        COSTLY,
        "builds more than 1,000,000",
    ),
    (
        "{% set s = 'ab ' * 16000 %}{% for i in [0]*19 %}{{ s|title|wordcount }}{% endfor %}",
        COSTLY,
        "builds more than 1,000,000",
    ),
    (
        "{% for i in [0]*9000 %}{{ 'x'*40 }}{{ 'x'*40 }}{% endfor %}",
        COSTLY,
        "writes more than 50,000",
    ),
    (
        "{% set s %}{% for i in [0]*5000 %}xxxxxxxxxxxxxxxxxxxxxx{% endfor %}{% endset %}",
        COSTLY,
        "writes more than 50,000",
    ),
    (
        "{% for a in questions %}{% for b in questions %}{% for c in questions %}x"
        "{% endfor %}{% endfor %}{% endfor %}",
        COSTLY,
        "nest at most 2 deep",
    ),
    ("{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}", COSTLY, "nested too deeply"),
    ("{{ 'x'.center(100000000) }}", FORBIDDEN, "may not use calls"),
    ("{{ 'x'.ljust(100000000) }}", FORBIDDEN, "may not use calls"),
    ("{{ 'x'.zfill(100000000) }}", FORBIDDEN, "may not use calls"),
    ("{{ 'x'.replace('x', 'xx') }}", FORBIDDEN, "may not use calls"),
    ("{{ '\\t'.expandtabs(100000000) }}", FORBIDDEN, "may not use calls"),
    ("{{ '{:>100000000}'.format('x') }}", FORBIDDEN, "may not use calls"),
]
TRIVIAL = "Hello {{ interviewer.name }}"
FACTS = {"company": "Acme", "role": "Designer", "interviewer": {"name": "Dana"}}


def _preview(body: str) -> dict[str, Any]:
    return {"kind": "call_script", "subject": "Script", "body": body, "facts": FACTS}


def _template(body: str, key: str = "hostile") -> dict[str, Any]:
    return {"key": key, "kind": "call_script", "tone": "warm", "subject": "Script", "body": body}


def _refusal(response: httpx.Response) -> tuple[int, str, list[dict[str, Any]]]:
    problem = response.json()
    return response.status_code, problem["type"], problem["errors"]


@pytest.mark.parametrize(("body", "kind", "words"), HOSTILE, ids=range(len(HOSTILE)))
async def test_a_hostile_template_is_refused_alike_on_preview_and_on_save(
    api: httpx.AsyncClient, body: str, kind: str, words: str
) -> None:
    previewed = await api.post("/v1/templates/preview", json=_preview(body))
    status, problem_type, errors = _refusal(previewed)
    assert (status, problem_type) == (422, kind), previewed.text
    assert words in previewed.json()["detail"]
    assert errors[0]["pointer"] == "/body/body"

    created = await api.post("/v1/templates", json=_template(body))
    assert _refusal(created) == (status, problem_type, errors)

    good = await api.post("/v1/templates", json=_template("Hi {{ company }}", "good"))
    assert good.status_code == 201
    patched = await api.patch(f"/v1/templates/{good.json()['id']}", json={"body": body})
    assert _refusal(patched) == (status, problem_type, errors)
    assert (await api.get(f"/v1/templates/{good.json()['id']}")).json()["version"] == 1


class _InlineWorkers:
    """A render pool's workers, but this process: its renderings' calls are counted."""

    def schedule(
        self, work: Callable[..., Any], args: tuple[Any, ...], timeout: float
    ) -> Future[Any]:
        done: Future[Any] = Future()
        done.set_result(work(*args))
        return done


async def test_hostile_templates_are_refused_for_about_the_work_of_a_trivial_preview(
    api: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each limit stops the checks or the rendering early: the work is counted in function
    calls (the rendering done in this process). Counted at 2026-12-03: median 1.1x a
    trivial preview; the loops stopped at their 10,000 turns 41-61x, the nested list's
    100,000 items 81x. Unbounded, the nested loops of 3,000 alone would make 9 million
    turns, thousands of times a trivial preview."""
    monkeypatch.setattr(render_pool, "_pool", lambda _workers: _InlineWorkers())

    async def calls(body: str, budget: int | None = None) -> int:
        async def preview() -> httpx.Response:
            return await api.post("/v1/templates/preview", json=_preview(body))

        # The first fills the caches, so it may do more; bounded all the same.
        await calls_made(preview, None if budget is None else 10 * budget)
        return await calls_made(preview, budget)

    trivial = await calls(TRIVIAL)
    # A limit that no longer holds stops at the budget instead of rendering for ever.
    refusals = {body: await calls(body, 150 * trivial) for body, _, _ in HOSTILE}
    print(f"\ntrivial preview: {trivial} calls")
    for body, made in refusals.items():
        print(f"{made:9} calls ({made / trivial:5.1f}x)  {body[:50]}")
    assert statistics.median(refusals.values()) <= 10 * trivial
    most = max(refusals, key=lambda body: refusals[body])
    assert refusals[most] <= 150 * trivial, most


def _sleep_instead_of_rendering(source: Source, variables: dict[str, Any]) -> Rendered:
    time.sleep(30)  # a rendering nobody foresaw, which would never end on its own
    raise AssertionError("the worker should have been stopped")


class _StuckPool(RenderPool):
    work = staticmethod(_sleep_instead_of_rendering)


async def test_a_rendering_past_the_wall_clock_is_stopped_while_the_server_answers(
    app: FastAPI, api: httpx.AsyncClient
) -> None:
    async def healthz() -> float:
        started = time.perf_counter()
        assert (await api.get("/healthz")).status_code == 200
        return time.perf_counter() - started

    baseline = statistics.median([await healthz() for _ in range(10)])
    normal = app.state.render_pool
    app.state.render_pool = _StuckPool(normal.workers, 0.5)
    stuck = asyncio.create_task(api.post("/v1/templates/preview", json=_preview(TRIVIAL)))
    during = []
    while not stuck.done():
        during.append(await healthz())
        await asyncio.sleep(0.01)
    refused = await stuck
    assert refused.status_code == 422
    assert refused.json()["type"] == "/problems/template-too-slow"
    assert refused.json()["detail"] == "The template took longer than 0.5 seconds to render."
    assert len(during) >= 10  # the loop answered all along the rendering...
    assert statistics.median(during) <= 20 * baseline + 0.005  # ...and promptly

    app.state.render_pool = normal  # the stopped worker was replaced: the pool works on
    recovered = await api.post("/v1/templates/preview", json=_preview(TRIVIAL))
    assert recovered.status_code == 200
    assert recovered.json()["text"].startswith("Hello Dana")
