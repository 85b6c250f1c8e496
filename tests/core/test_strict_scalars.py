"""Numbers and booleans in every request body are strict, as JSON Schema reads them: "3"
is not 3 and 1 is not true. Enumerates the body models of every route, nested ones
included, so a new field declared as a plain `int` or `bool` cannot slip through."""

from __future__ import annotations

import types
from typing import Annotated, Any, Union, get_args, get_origin

from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel, TypeAdapter, ValidationError

from app.core.config import Settings
from app.main import create_app

SCALARS = (bool, int, float)
CANDIDATES = (1, 3, 60, 3600, 0, 0.5, 2.5)


def _wrong_spellings(kind: type, adapter: TypeAdapter[Any], default: Any) -> list[str]:
    """A value the field takes, spelt as what JSON Schema says it is not: a string for a
    number, a number for a boolean."""
    if kind is bool:
        return ["1", '"true"']
    for value in (default, *CANDIDATES):
        if isinstance(value, int | float) and not isinstance(value, bool):
            try:
                adapter.validate_json(str(value))
            except ValidationError:
                continue
            return [f'"{value}"', "true"]
    raise AssertionError("no valid value found to misspell")


def _members(annotation: Any) -> list[Any]:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _members(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [m for arg in get_args(annotation) for m in _members(arg)]
    if origin in (list, tuple, set, frozenset, dict):
        return [m for arg in get_args(annotation) for m in _members(arg)]
    return [annotation]


def _scalar_fields(model: type[BaseModel], seen: set[type[BaseModel]]) -> list[tuple[str, Any]]:
    """Fields that hold one kind of number or a boolean (free-form JSON values, which may
    be any of them, are not such fields), and those of the models nested inside."""
    if model in seen:
        return []
    seen.add(model)
    found = []
    for name, field in model.model_fields.items():
        members = _members(field.annotation)
        for member in members:
            if isinstance(member, type) and issubclass(member, BaseModel):
                found += _scalar_fields(member, seen)
        kinds = [m for m in members if m in SCALARS]
        if len(kinds) == 1 and get_origin(_plain(field.annotation)) not in CONTAINERS:
            found.append((f"{model.__name__}.{name}", (kinds[0], field)))
    return found


CONTAINERS = (list, tuple, set, frozenset, dict)


def _plain(annotation: Any) -> Any:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _body_models(app: FastAPI) -> list[type[BaseModel]]:
    models = []
    for route in app.routes:
        if isinstance(route, APIRoute) and route.body_field is not None:
            for member in _members(route.body_field.field_info.annotation):
                if isinstance(member, type) and issubclass(member, BaseModel):
                    models.append(member)
    return models


def test_every_number_and_boolean_in_a_request_body_is_strict() -> None:
    app = create_app(Settings(docs_enabled=False))
    seen: set[type[BaseModel]] = set()
    fields = [f for model in _body_models(app) for f in _scalar_fields(model, seen)]
    assert len(fields) > 10  # the walk reaches the bodies' scalars
    lax = []
    for where, (kind, field) in fields:
        annotation = (
            Annotated[field.annotation, *field.metadata] if field.metadata else field.annotation
        )
        adapter: TypeAdapter[Any] = TypeAdapter(annotation)
        for wrong in _wrong_spellings(kind, adapter, field.default):
            try:
                adapter.validate_json(wrong)
            except ValidationError:
                continue
            lax.append(f"{where} accepts {wrong}")
    assert lax == []
