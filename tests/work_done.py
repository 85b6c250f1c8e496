"""Work done, counted rather than timed: the same on a loaded machine as on a quiet one."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any


@contextmanager
def calls_counted() -> Iterator[list[int]]:
    """The function calls made in this thread meanwhile, Python's and built-ins' (each
    `len`, `isinstance`, list method...): a loop over a hostile input counts once a turn
    even when it calls nothing of ours. `[0]` holds the count."""
    counted = [0]

    def count(_frame: FrameType, event: str, _arg: Any) -> None:
        if event == "call" or event == "c_call":
            counted[0] += 1

    previous = sys.getprofile()
    sys.setprofile(count)
    try:
        yield counted
    finally:
        sys.setprofile(previous)


async def calls_made(call: Callable[[], Awaitable[Any]]) -> int:
    """The function calls one awaited call makes, the app's included where it runs in
    this thread (the tests' in-process ASGI transport)."""
    with calls_counted() as counted:
        await call()
    return counted[0]
