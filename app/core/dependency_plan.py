"""A route's dependency tree, resolved once when the route is built and replayed per request.

FastAPI 0.165 works the tree out again on every request: a `solve_dependencies` call per
dependency, four `request_params_to_args` calls each, cache keys, callable kinds and
parameter aliases recomputed. A plan keeps FastAPI's order and results (sub-dependencies
first, the per-request cache keyed as FastAPI keys it, the same fields validating the same
values into the same errors, the body as FastAPI's `request_body_to_args` validates it)
and computes everything that does not depend on the request once: which body is one
field validated whole, which dependencies take nothing but the request. Kinds it does not handle
(generator dependencies, concurrency limits, parameter models, websockets) leave the route
to FastAPI's solver: `compile_plan` names the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace
from typing import Any

from fastapi import params
from fastapi._compat import ModelField, field_annotation_is_sequence
from fastapi.background import BackgroundTasks
from fastapi.dependencies.models import (
    Dependant,
    _get_cache_key,
    _get_oauth_scopes,
    _is_async_gen_callable,
    _is_coroutine_callable,
    _is_gen_callable,
)
from fastapi.dependencies.utils import (
    SolvedDependency,
    _get_form_models,
    _get_param_aliases,
    _get_param_model,
    _is_json_field,
    _should_embed_body_fields,
    _validate_value_with_model_field,
    request_body_to_args,
    solve_dependencies,
)
from fastapi.security.oauth2 import SecurityScopes
from fastapi.types import DependencyCacheKey
from pydantic_core import PydanticUndefined
from starlette.background import BackgroundTasks as StarletteBackgroundTasks
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, Headers, ImmutableMultiDict
from starlette.requests import Request
from starlette.responses import Response

Undefined = PydanticUndefined
# Types `copy.deepcopy` returns as they are.
_ATOMIC = (type(None), bool, int, float, str, bytes)


class Unplannable(Exception):
    """A dependency or parameter of a kind the plan leaves to FastAPI's solver."""


@dataclass(frozen=True, slots=True)
class _Param:
    field: ModelField
    name: str
    location: str
    request_keys: tuple[str, ...]
    multi: bool  # read with getlist from a multi-dict (a non-JSON sequence)
    sequence: bool  # an empty value counts as missing
    # The value when missing, when that is the default as it is (not validated, and one
    # `deepcopy` returns itself); else None.
    missing: tuple[Any] | None


@dataclass(frozen=True, slots=True)
class _Step:
    node: _Node
    call: Callable[..., Any]
    is_coroutine: bool
    name: str | None
    use_cache: bool
    cache_key: DependencyCacheKey


@dataclass(frozen=True, slots=True)
class _Node:
    steps: tuple[_Step, ...]
    path: tuple[_Param, ...]
    query: tuple[_Param, ...]
    header: tuple[_Param, ...]
    cookie: tuple[_Param, ...]
    body_fields: list[ModelField]
    request_names: tuple[str, ...]  # Request and HTTPConnection parameters
    response_name: str | None
    background_tasks_name: str | None
    security_scopes_name: str | None
    security_scopes: tuple[str, ...]
    # Nothing but Request parameters (most leaves): its values are the request, no errors.
    request_only: bool
    # The one body field FastAPI validates as the whole body (unless the route embeds).
    whole_body_field: ModelField | None


class _State:
    """What one request's solve shares across the tree, as FastAPI threads it through."""

    __slots__ = ("background_tasks", "body", "cache", "embed_body_fields", "request", "response")

    def __init__(self, request: Request, body: Any, embed_body_fields: bool) -> None:
        self.request = request
        self.body = body
        self.embed_body_fields = embed_body_fields
        self.background_tasks: StarletteBackgroundTasks | None = None
        self.cache: dict[DependencyCacheKey, Any] = {}
        self.response = blank_response()


def blank_response() -> Response:
    """The response FastAPI's solver hands the dependencies (`Response()` with its
    content-length deleted and no status), as `Response()` would leave it but built
    without rendering a body or writing headers only to delete one."""
    response = Response.__new__(Response)
    response.status_code = None  # type: ignore[assignment]
    response.background = None
    response.body = b""
    response.raw_headers = []
    return response


def _compile_param(field: ModelField) -> _Param:
    if _get_param_model(field) is not None:
        raise Unplannable(f"parameter model {field.name!r}")
    info = field.field_info
    if not isinstance(info, params.Param):
        raise Unplannable(f"parameter {field.name!r} is not a Param")
    sequence = field_annotation_is_sequence(info.annotation)
    missing = None
    if not info.is_required() and not info.validate_default and type(field.default) in _ATOMIC:
        missing = (field.default,)
    return _Param(
        field=field,
        name=field.name,
        location=info.in_.value,
        request_keys=tuple(key for _, key in _get_param_aliases(field)),
        multi=sequence and not _is_json_field(field),
        sequence=sequence,
        missing=missing,
    )


def _compile_node(dependant: Dependant) -> _Node:
    if dependant.websocket_param_name:
        raise Unplannable("a WebSocket parameter")
    steps = []
    for sub in dependant.dependencies:
        call = sub.call
        assert call is not None
        if _is_gen_callable(call) or _is_async_gen_callable(call):
            raise Unplannable(f"generator dependency {getattr(call, '__name__', call)!r}")
        if sub.concurrency is not None:
            raise Unplannable(f"concurrency limit on {getattr(call, '__name__', call)!r}")
        steps.append(
            _Step(
                node=_compile_node(sub),
                call=call,
                is_coroutine=_is_coroutine_callable(call),
                name=sub.name,
                use_cache=sub.use_cache,
                cache_key=_get_cache_key(dependant=sub, uses_scopes_cache={}),
            )
        )
    request_names = tuple(
        name
        for name in (dependant.http_connection_param_name, dependant.request_param_name)
        if name
    )
    body_fields = list(dependant.body_params)
    node = _Node(
        steps=tuple(steps),
        path=tuple(map(_compile_param, dependant.path_params)),
        query=tuple(map(_compile_param, dependant.query_params)),
        header=tuple(map(_compile_param, dependant.header_params)),
        cookie=tuple(map(_compile_param, dependant.cookie_params)),
        body_fields=body_fields,
        request_names=request_names,
        response_name=dependant.response_param_name,
        background_tasks_name=dependant.background_tasks_param_name,
        security_scopes_name=dependant.security_scopes_param_name,
        security_scopes=tuple(_get_oauth_scopes(dependant=dependant)),
        request_only=False,
        whole_body_field=(
            body_fields[0]
            if len(body_fields) == 1
            and not _should_embed_body_fields(body_fields)
            and not _get_form_models(body_fields[0])
            else None
        ),
    )
    blank = replace(node, request_names=(), security_scopes=(), whole_body_field=None)
    if blank == _EMPTY_NODE:
        return replace(node, request_only=True)
    return node


_EMPTY_NODE = _Node(
    steps=(),
    path=(),
    query=(),
    header=(),
    cookie=(),
    body_fields=[],
    request_names=(),
    response_name=None,
    background_tasks_name=None,
    security_scopes_name=None,
    security_scopes=(),
    request_only=False,
    whole_body_field=None,
)


def _read_params(
    fields: tuple[_Param, ...], received: Mapping[str, Any], errors: list[Any]
) -> dict[str, Any]:
    """`request_params_to_args` with each field's aliases and shape worked out beforehand."""
    values: dict[str, Any] = {}
    for param in fields:
        keys = param.request_keys
        key = keys[0] if len(keys) == 1 else next((k for k in keys if k in received), keys[0])
        value: Any
        if param.multi and isinstance(received, (ImmutableMultiDict, Headers)):
            value = received.getlist(key)
        else:
            value = received.get(key, None)
        if value is None or (param.sequence and len(value) == 0):
            if param.missing is not None:  # what validating Undefined answers
                values[param.name] = param.missing[0]
                continue
            value = Undefined
        solved, field_errors = _validate_value_with_model_field(
            field=param.field, value=value, values=values, loc=(param.location, key)
        )
        if field_errors:
            errors.extend(field_errors)
        else:
            values[param.name] = solved
    return values


async def _solve(node: _Node, state: _State) -> tuple[dict[str, Any], list[Any]]:
    values: dict[str, Any] = {}
    errors: list[Any] = []
    cache = state.cache
    request = state.request
    for step in node.steps:
        if step.node.request_only:
            sub_values = dict.fromkeys(step.node.request_names, request)
        else:
            sub_values, sub_errors = await _solve(step.node, state)
            if sub_errors:
                errors.extend(sub_errors)
                continue
        key = step.cache_key
        if step.use_cache and key in cache:
            solved = cache[key]
        elif step.is_coroutine:
            solved = await step.call(**sub_values)
        else:
            solved = await run_in_threadpool(step.call, **sub_values)
        if step.name is not None:
            values[step.name] = solved
        if key not in cache:
            cache[key] = solved
    param_errors: list[Any] = []
    if node.path:
        values.update(_read_params(node.path, request.path_params, param_errors))
    if node.query:
        values.update(_read_params(node.query, request.query_params, param_errors))
    if node.header:
        values.update(_read_params(node.header, request.headers, param_errors))
    if node.cookie:
        values.update(_read_params(node.cookie, request.cookies, param_errors))
    errors += param_errors
    whole = node.whole_body_field
    if whole is not None and not state.embed_body_fields and not isinstance(state.body, FormData):
        # `request_body_to_args` for one field validated as the whole body, as it does it.
        value, body_errors = _validate_value_with_model_field(
            field=whole, value=state.body, values={}, loc=("body",)
        )
        values[whole.name] = value
        errors.extend(body_errors)
    elif node.body_fields:
        body_values, body_errors = await request_body_to_args(
            body_fields=node.body_fields,
            received_body=state.body,
            embed_body_fields=state.embed_body_fields,
        )
        values.update(body_values)
        errors.extend(body_errors)
    for name in node.request_names:
        values[name] = request
    if node.background_tasks_name:
        if state.background_tasks is None:
            state.background_tasks = BackgroundTasks()
        values[node.background_tasks_name] = state.background_tasks
    if node.response_name:
        values[node.response_name] = state.response
    if node.security_scopes_name:
        values[node.security_scopes_name] = SecurityScopes(scopes=list(node.security_scopes))
    return values, errors


def _overrides_set(request: Request, provider: Any) -> bool:
    if provider is not None and getattr(provider, "dependency_overrides", None):
        return True
    app = request.scope.get("app")
    return bool(getattr(app, "dependency_overrides", None))


class DependencyPlan:
    """A route's compiled tree, with the signature of FastAPI's `solve_dependencies` (the
    one call FastAPI's request handler makes), so that handler is kept as it is."""

    def __init__(self, dependant: Dependant) -> None:
        self.dependant = dependant
        self._root = _compile_node(dependant)

    async def solve_dependencies(
        self,
        *,
        request: Request,
        dependant: Dependant,
        body: Any = Undefined,
        dependency_overrides_provider: Any | None = None,
        async_exit_stack: AsyncExitStack,
        embed_body_fields: bool,
        **rest: Any,
    ) -> SolvedDependency:
        if (
            rest
            or dependant is not self.dependant
            or not isinstance(request, Request)
            or _overrides_set(request, dependency_overrides_provider)
        ):
            return await solve_dependencies(
                request=request,
                dependant=dependant,
                body=body,
                dependency_overrides_provider=dependency_overrides_provider,
                async_exit_stack=async_exit_stack,
                embed_body_fields=embed_body_fields,
                **rest,
            )
        state = _State(request, body, embed_body_fields)
        values, errors = await _solve(self._root, state)
        return SolvedDependency(
            values=values,
            errors=errors,
            background_tasks=state.background_tasks,
            response=state.response,
            dependency_cache=state.cache,
        )


def compile_plan(dependant: Dependant) -> DependencyPlan | str:
    """The route's plan, or why FastAPI's solver keeps the route."""
    try:
        return DependencyPlan(dependant)
    except Unplannable as reason:
        return str(reason)
