"""The published OpenAPI document: problems as ``application/problem+json``, stable output."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.core.errors import PROBLEM_TYPES, Problem


def _problem_schemas() -> dict[str, Any]:
    schema = Problem.model_json_schema(
        ref_template="#/components/schemas/{model}", mode="serialization"
    )
    definitions: dict[str, Any] = schema.pop("$defs", {})
    schema["properties"]["type"]["description"] = "One of: " + ", ".join(
        f"`{p.type_uri()}`" for p in PROBLEM_TYPES
    )
    return {"Problem": schema, **definitions}


def _close_pattern_keyed_maps(node: Any) -> None:
    """Pydantic writes a map with constrained keys as `patternProperties` alone, which lets
    any other key through; the validation refuses them, so the schema must say so."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, list):
            stack.extend(current)
            continue
        if not isinstance(current, dict):
            continue
        patterns = current.get("patternProperties")
        if (
            isinstance(patterns, dict)
            and len(patterns) == 1
            and "additionalProperties" not in current
        ):
            (pattern,) = patterns
            current["additionalProperties"] = False
            current.setdefault("propertyNames", {})["pattern"] = pattern
        stack.extend(current.values())


def build_openapi(app: FastAPI) -> dict[str, Any]:
    document = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version=app.openapi_version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
        servers=app.servers,
        contact=app.contact,
        license_info=app.license_info,
    )
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(_problem_schemas())
    _close_pattern_keyed_maps(document)
    return document


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def dump_openapi(document: dict[str, Any]) -> str:
    """The committed form: sorted keys, two-space indent, trailing newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
