"""Dependencies FastAPI awaits on the event loop instead of running in its thread pool.

FastAPI calls a class dependency, or any plain `def`, through the thread pool: two thread
hops a request for what is only a few assignments.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def awaited(cls: type[T]) -> Callable[..., Coroutine[Any, Any, T]]:
    """``cls`` as an async dependency taking its constructor's parameters."""
    signature = inspect.signature(cls.__init__, eval_str=True)
    parameters = list(signature.parameters.values())[1:]  # without `self`

    async def build(**values: Any) -> T:
        return cls(**values)

    build.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=parameters, return_annotation=cls
    )
    build.__name__ = build.__qualname__ = f"awaited_{cls.__name__}"
    return build
