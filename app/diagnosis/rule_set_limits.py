"""Rule sets in requests are held to their limits before anything is built from them.

A route that takes a rule set declares `RuleSetWithinLimits` (or `InlineRuleSetWithinLimits`)
after its caller's credentials: FastAPI solves it before it validates the body into models,
so an oversized or overgrown rule set is refused for the price of reading it once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request

from app.core.errors import (
    ContentTooLarge,
    FieldProblem,
    LimitExceeded,
    ProblemError,
    ValidationFailed,
    problem_responses,
)
from app.i18n.formatting import english_count
from app.rules.engine import InvalidRuleSet
from app.rules.limits import LimitProblem, screen

LIMIT_PROBLEMS = problem_responses(ContentTooLarge, LimitExceeded)


def refusal(problem: LimitProblem, prefix: str) -> ProblemError:
    """The problem for an exceeded limit; `prefix` locates the rule set in the request."""
    kind = ContentTooLarge if problem.too_large else LimitExceeded
    pointer = prefix + problem.pointer
    return kind(
        f"The rule set is over a limit at {pointer}: {problem.message}.",
        errors=[FieldProblem(pointer=pointer, detail=problem.message, code=problem.limit)],
        extensions={"limit": problem.limit, "maximum": problem.maximum},
    )


def check_limits(content: Any, prefix: str) -> None:
    exceeded = screen(content)
    if exceeded is not None:
        raise refusal(exceeded, prefix)


def invalid_rule_set(exc: InvalidRuleSet, prefix: str, what: str) -> ProblemError:
    """A refusal for a rule set that does not compile: the limit's own problem when one
    was exceeded, else every problem found, each with its pointer."""
    exceeded = next((p.limit for p in exc.problems if p.limit is not None), None)
    if exceeded is not None:
        return refusal(exceeded, prefix)
    return ValidationFailed(
        f"{what} has {english_count(len(exc.problems), 'problem', 'problems')}.",
        errors=[
            FieldProblem(pointer=prefix + p.pointer, detail=p.message, code="rule_set")
            for p in exc.problems
        ],
    )


def _within_limits(*path: str) -> Callable[[Request], Awaitable[None]]:
    prefix = "/body" + "".join(f"/{part}" for part in path)

    async def within_limits(request: Request) -> None:
        try:
            content: Any = await request.json()  # already parsed by FastAPI: no second parse
        except (ValueError, RecursionError):
            return  # not JSON: the body's own validation answers
        for part in path:
            content = content.get(part) if isinstance(content, dict) else None
        if content is not None:
            check_limits(content, prefix)

    return within_limits


RuleSetWithinLimits = Annotated[None, Depends(_within_limits())]
InlineRuleSetWithinLimits = Annotated[None, Depends(_within_limits("rule_set"))]
