"""Work done, counted rather than timed: the same on a loaded machine as on a quiet one."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any


class CallBudgetSpent(Exception):
    """More calls than the budget: raised inside the work itself (Python then unsets the
    profile function), so that a bound that no longer holds fails the test instead of
    hanging it. Whatever catches it on the way, the count it leaves is over budget."""


@contextmanager
def calls_counted(budget: int | None = None) -> Iterator[list[int]]:
    """The function calls made in this thread meanwhile, Python's and built-ins' (each
    `len`, `isinstance`, list method...): a loop over a hostile input counts once a turn
    even when it calls nothing of ours. `[0]` holds the count."""
    counted = [0]
    limit = sys.maxsize if budget is None else budget

    def count(_frame: FrameType, event: str, _arg: Any) -> None:
        if event == "c_call":
            counted[0] += 1
        elif event == "call":
            counted[0] += 1
            if counted[0] > limit:
                raise CallBudgetSpent(f"more than {limit} calls")

    previous = sys.getprofile()
    sys.setprofile(count)
    try:
        yield counted
    finally:
        sys.setprofile(previous)


async def calls_made(call: Callable[[], Awaitable[Any]], budget: int | None = None) -> int:
    """The function calls one awaited call makes, the app's included where it runs in
    this thread (the tests' in-process ASGI transport). Past `budget`, the call is
    stopped by `CallBudgetSpent`."""
    with calls_counted(budget) as counted:
        await call()
    return counted[0]
