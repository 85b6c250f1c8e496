"""The published OpenAPI document: problems as ``application/problem+json``, stable output."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic.json_schema import models_json_schema

from app.core.errors import PROBLEM_SCHEMAS, PROBLEM_TYPES, SHARED_RESPONSE_KEY
from app.core.fields import (
    TEXT_KINDS,
)
from app.core.operation_ids import operation_id


def _problem_schemas() -> dict[str, Any]:
    _, top = models_json_schema(
        [(model, "serialization") for model in PROBLEM_SCHEMAS],
        ref_template="#/components/schemas/{model}",
    )
    definitions: dict[str, Any] = top["$defs"]
    for model in PROBLEM_SCHEMAS:
        parent = model.__mro__[1]
        if parent in PROBLEM_SCHEMAS:
            definitions[model.__name__] = _extending(
                definitions[model.__name__], parent.__name__, set(parent.model_fields)
            )
    definitions["Problem"]["properties"]["type"]["description"] = "One of: " + ", ".join(
        f"`{p.type_uri()}`" for p in PROBLEM_TYPES
    )
    return definitions


def _extending(schema: dict[str, Any], parent: str, inherited: set[str]) -> dict[str, Any]:
    """A problem subtype says it is its parent (`allOf`) plus its own members, rather
    than repeating every member of the parent."""
    properties = {k: v for k, v in schema["properties"].items() if k not in inherited}
    required = [k for k in schema.get("required", []) if k not in inherited]
    own: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        own["required"] = required
    extended = {k: v for k, v in schema.items() if k in ("title", "description")}
    extended["allOf"] = [{"$ref": f"#/components/schemas/{parent}"}, own]
    return extended


def _name_operations(app: FastAPI, paths: dict[str, Any]) -> None:
    for route in app.routes:
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods or ():
            operation = paths.get(route.path_format, {}).get(method.lower())
            if operation is not None:
                operation["operationId"] = operation_id(route, method)


def _every_object(node: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object under `node`; what is inside one is walked after the caller has
    handled (and perhaps changed) it."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, list):
            stack.extend(current)
        elif isinstance(current, dict):
            yield current
            stack.extend(current.values())


def _close_pattern_keyed_maps(node: Any) -> None:
    """Pydantic writes a map with constrained keys as `patternProperties` alone, which lets
    any other key through; the validation refuses them, so the schema must say so."""
    for current in _every_object(node):
        patterns = current.get("patternProperties")
        if (
            isinstance(patterns, dict)
            and len(patterns) == 1
            and "additionalProperties" not in current
        ):
            (pattern,) = patterns
            current["additionalProperties"] = False
            current.setdefault("propertyNames", {})["pattern"] = pattern


def _share_responses(document: dict[str, Any]) -> None:
    """Each problem response is written once, in `components/responses`, and referred to."""
    shared = document["components"].setdefault("responses", {})
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.get("responses", {})
            for status, response in responses.items():
                name = response.pop(SHARED_RESPONSE_KEY, None)
                if name is None:
                    continue
                shared.setdefault(name, response)
                responses[status] = {"$ref": f"#/components/responses/{name}"}


def _server_errors_as_a_range(document: dict[str, Any]) -> None:
    """The server errors every operation can answer (500, and 503 when the database is
    away) are one `5XX` response whose description names each status and its problem."""
    shared = document["components"]["responses"]
    for operation in _operations(document):
        responses = operation.get("responses", {})
        statuses = sorted(status for status in responses if status.startswith("5"))
        if not statuses:
            continue
        refs = [responses.pop(status)["$ref"] for status in statuses]
        names = [ref.rsplit("/", 1)[1] for ref in refs]
        if len(names) == 1:
            responses["5XX"] = {"$ref": refs[0]}
            continue
        # What every route that opens the database answers: short, as ~100 operations name it.
        common = ["InternalError", "DatabaseUnavailableTransactionConflict"]
        name = "ServerError" if names == common else "".join(names)
        parts = [shared[n] for n in names]
        if len({json.dumps(part["content"], sort_keys=True) for part in parts}) != 1:
            raise ValueError(f"server errors with different bodies: {names}")
        shared.setdefault(
            name,
            {
                "content": parts[0]["content"],
                "description": "; ".join(
                    f"{status}: {part['description']}"
                    for status, part in zip(statuses, parts, strict=True)
                ),
            },
        )
        responses["5XX"] = {"$ref": f"#/components/responses/{name}"}
    used = {
        response["$ref"].rsplit("/", 1)[1]
        for operation in _operations(document)
        for response in operation.get("responses", {}).values()
        if "$ref" in response
    }
    for name in [n for n in shared if n not in used]:
        del shared[name]


def _share_answers(document: dict[str, Any]) -> None:
    """A success answered alike by several operations (a `SessionRead` with its `ETag`) is
    written once, in `components/responses`, under its schema's name, and referred to."""
    answers = [
        (operation["responses"], status)
        for operation in _operations(document)
        for status, response in operation.get("responses", {}).items()
        if status.startswith("2") and "$ref" not in response
    ]
    uses: dict[str, int] = {}
    for responses, status in answers:
        key = json.dumps(responses[status], sort_keys=True)
        uses[key] = uses.get(key, 0) + 1
    shared = document["components"]["responses"]
    names: dict[str, str] = {}
    for key in sorted(k for k, count in uses.items() if count > 1):
        response = json.loads(key)
        schemas = _refs(response.get("content", {}))
        if len(schemas) != 1:  # nothing to name it after (and little to share)
            continue
        (base,) = schemas
        headers = sorted(h.replace("-", "") for h in response.get("headers", {}))
        if headers:
            base += "With" + "".join(headers)
        name, suffix = base, 2
        while name in shared:
            name, suffix = f"{base}{suffix}", suffix + 1
        shared[name] = response
        names[key] = name
    for responses, status in answers:
        shared_name = names.get(json.dumps(responses[status], sort_keys=True))
        if shared_name is not None:
            responses[status] = {"$ref": f"#/components/responses/{shared_name}"}


def _share_parameters(document: dict[str, Any]) -> None:
    """A parameter used the same way by several operations (`session_id`, `If-Match`) is
    written once, in `components/parameters`, and referred to."""
    operations = [
        operation
        for path_item in document.get("paths", {}).values()
        for operation in path_item.values()
    ]
    uses: dict[str, int] = {}
    for operation in operations:
        for parameter in operation.get("parameters", []):
            # FastAPI repeats the parameter's description and names it again in its schema.
            schema = parameter.get("schema", {})
            schema.pop("title", None)
            if schema.get("description") == parameter.get("description"):
                schema.pop("description", None)
            key = json.dumps(parameter, sort_keys=True)
            uses[key] = uses.get(key, 0) + 1
    shared = document["components"].setdefault("parameters", {})
    names: dict[str, str] = {}
    for key in sorted(k for k, count in uses.items() if count > 1):
        parameter = json.loads(key)
        base = "".join(part.capitalize() for part in re.split(r"[_-]", parameter["name"]))
        name = base if base not in shared else f"{base}In{parameter['in'].capitalize()}"
        suffix = 2
        while name in shared:
            name, suffix = f"{base}{suffix}", suffix + 1
        shared[name] = parameter
        names[key] = name
    for operation in operations:
        if "parameters" in operation:
            operation["parameters"] = [
                {"$ref": f"#/components/parameters/{names[k]}"} if k in names else parameter
                for parameter in operation["parameters"]
                for k in (json.dumps(parameter, sort_keys=True),)
            ]


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for item in document.get("paths", {}).values() for op in item.values()]


def _share_security(document: dict[str, Any]) -> None:
    """Most operations take the bearer credential: it is said once, as the document's
    default, and an operation open to anyone says so with an empty `security`."""
    operations = _operations(document)
    uses: dict[str, int] = {}
    for operation in operations:
        key = json.dumps(operation.get("security", []), sort_keys=True)
        uses[key] = uses.get(key, 0) + 1
    common = json.loads(max(sorted(uses), key=lambda k: uses[k]))
    if not common:
        return
    document["security"] = common
    for operation in operations:
        if operation.get("security", []) == common:
            operation.pop("security", None)
        else:
            operation["security"] = operation.get("security", [])


def _share_headers(document: dict[str, Any]) -> None:
    """A response header documented alike on several operations (`ETag`, `Link`) is
    written once, in `components/headers`, and referred to."""
    headers = [
        (response["headers"], name)
        for operation in _operations(document)
        for response in operation.get("responses", {}).values()
        for name in response.get("headers", {})
    ]
    uses: dict[tuple[str, str], int] = {}
    for where, name in headers:
        key = (name, json.dumps(where[name], sort_keys=True))
        uses[key] = uses.get(key, 0) + 1
    shared = document["components"].setdefault("headers", {})
    names: dict[tuple[str, str], str] = {}
    for name, spec in sorted(key for key, count in uses.items() if count > 1):
        base = name.replace("-", "")
        component, suffix = base, 2
        while component in shared:
            component, suffix = f"{base}{suffix}", suffix + 1
        shared[component] = json.loads(spec)
        names[name, spec] = component
    for where, name in headers:
        shared_name = names.get((name, json.dumps(where[name], sort_keys=True)))
        if shared_name is not None:
            where[name] = {"$ref": f"#/components/headers/{shared_name}"}
    if not shared:
        del document["components"]["headers"]


def _drop_property_titles(schemas: dict[str, Any]) -> None:
    """Pydantic titles each property after its own name: noise that doubles the document."""
    stack: list[Any] = list(schemas.values())
    while stack:
        current = stack.pop()
        if isinstance(current, list):
            stack.extend(current)
        elif isinstance(current, dict):
            properties = current.get("properties")
            if isinstance(properties, dict):
                for member in properties.values():
                    if isinstance(member, dict):
                        member.pop("title", None)
            stack.extend(current.values())


def _nullable_as_type_lists(document: dict[str, Any]) -> None:
    """Pydantic writes `X | None` as `anyOf: [X, {type: null}]`; where X is a plain scalar
    schema, OpenAPI 3.1 says the same in one schema with `type: [X's type, "null"]` (X's
    constraints apply to its type only)."""
    for current in _every_object([document["paths"], document["components"]]):
        options = current.get("anyOf")
        if isinstance(options, list) and len(options) == 2 and {"type": "null"} in options:
            (other,) = (option for option in options if option != {"type": "null"})
            kind = other.get("type")
            if kind in _SCALARS and not set(other) & _NOT_MERGED:
                del current["anyOf"]
                clashes = set(other) & set(current)
                if clashes:  # never: the member's own keys sit beside `anyOf`
                    raise ValueError(f"cannot merge {sorted(clashes)}")
                current.update(other)
                current["type"] = [kind, "null"]


_SCALARS = {"string", "integer", "number", "boolean"}
# Keys whose meaning would change once the schema also admits null (an enum must then list
# null too; a title or a description belongs to the member, not the field).
_NOT_MERGED = {"enum", "const", "title", "description", "default", "examples", "$ref"}


def _drop_component_titles(schemas: dict[str, Any]) -> None:
    """A component's title that only repeats its name is noise."""
    for name, schema in schemas.items():
        if schema.get("title") == name:
            del schema["title"]


_SCHEMA_REF = "#/components/schemas/"


def _refs(node: Any) -> set[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, list):
            stack.extend(current)
        elif isinstance(current, dict):
            ref = current.get("$ref")
            if isinstance(ref, str) and ref.startswith(_SCHEMA_REF):
                found.add(ref.removeprefix(_SCHEMA_REF))
            stack.extend(current.values())
    return found


def _reachable(start: set[str], schemas: dict[str, Any]) -> set[str]:
    seen: set[str] = set()
    todo = list(start)
    while todo:
        name = todo.pop()
        if name in seen or name not in schemas:
            continue
        seen.add(name)
        todo.extend(_refs(schemas[name]))
    return seen


def _defaults_required(schemas: dict[str, Any], answered_only: set[str]) -> None:
    """The server writes every field of its answers, defaulted or not: say so, so that a
    client need not check for an absent one. Problems leave out what they do not have."""
    problems = _reachable({model.__name__ for model in PROBLEM_SCHEMAS}, schemas)
    for name in sorted(answered_only - problems):
        schema = schemas[name]
        properties = schema.get("properties", {})
        required = set(schema.get("required", [])) | {
            member for member, spec in properties.items() if "default" in spec
        }
        if required:
            schema["required"] = [member for member in properties if member in required]


def _request_defaults_as_text(document: dict[str, Any]) -> None:
    """A field the server fills in when it is absent is optional to send. Generators (e.g.
    openapi-typescript's defaults) read a `default` as "always present", which is true of a
    response and false of a request: in the schemas only requests use, the default is
    said in words instead."""
    schemas = document["components"]["schemas"]
    operations = [op for item in document["paths"].values() for op in item.values()]
    sent = _reachable(
        set().union(*(_refs(op.get("requestBody", {})) for op in operations)), schemas
    )
    answered = _reachable(
        _refs([op.get("responses", {}) for op in operations])
        | _refs(document["components"].get("responses", {})),
        schemas,
    )
    _defaults_required(schemas, answered - sent)
    stack: list[Any] = [schemas[name] for name in sorted(sent - answered)]
    while stack:
        current = stack.pop()
        if isinstance(current, list):
            stack.extend(current)
        elif isinstance(current, dict):
            for member in (current.get("properties") or {}).values():
                if isinstance(member, dict) and "default" in member:
                    default = json.dumps(member.pop("default"), ensure_ascii=False)
                    said = f"Default: `{default}`."
                    described = member.get("description")
                    member["description"] = f"{described} {said}" if described else said
            stack.extend(current.values())


# The middleware compares any value it gets, so none is refused: the document promises no
# length limit here (the server's head limit, DEBRIEF_MAX_HEADER_BYTES, still holds).
_IF_NONE_MATCH = {
    "description": "ETag you hold; 304 if current.",
    "in": "header",
    "name": "If-None-Match",
    "required": False,
    "schema": {"type": "string"},
}


def _document_conditional_gets(document: dict[str, Any]) -> None:
    """Every GET that answers an ETag honours If-None-Match (app/core/request_pipeline)."""
    for path_item in document.get("paths", {}).values():
        operation = path_item.get("get")
        if operation is None or "ETag" not in operation["responses"].get("200", {}).get(
            "headers", {}
        ):
            continue
        parameters = operation.setdefault("parameters", [])
        if not any(p.get("name") == "If-None-Match" for p in parameters):
            parameters.append(_IF_NONE_MATCH)
        operation["responses"].setdefault(
            "304", {"description": "Not Modified: the ETag sent is current."}
        )


# The texts fields take, by their pattern: named once in the document, per length range.
_TEXT_DESCRIPTIONS = {
    "SingleLine": "One line of text (no control characters, not blank)",
    "PlainText": "Text; line breaks and tabs, no other control characters",
    "NonBlankText": "Text; line breaks and tabs, no other control characters, not blank",
}
_TEXT_KINDS = {pattern: (name, _TEXT_DESCRIPTIONS[name]) for pattern, name in TEXT_KINDS.items()}
_TEXT_KEYS = {"type", "pattern", "minLength", "maxLength"}
_BESIDE_TEXT = {"description", "examples", "default"}


def _text_kind(node: dict[str, Any]) -> tuple[str, int, int | None] | None:
    pattern = node.get("pattern")
    if (
        isinstance(pattern, str)
        and pattern in _TEXT_KINDS
        and node.get("type") in ("string", ["string", "null"])
        and set(node) <= _TEXT_KEYS | _BESIDE_TEXT
    ):
        return pattern, node.get("minLength", 0), node.get("maxLength")
    return None


def _name_texts(schemas: dict[str, Any]) -> None:
    """A text field (one line, or running text, with its length range) that several
    schemas use is one component, referred to; its field keeps its own description."""
    found: list[tuple[dict[str, Any], tuple[str, int, int | None]]] = []
    stack: list[Any] = list(schemas.values())
    while stack:
        current = stack.pop()
        if isinstance(current, list):
            stack.extend(current)
        elif isinstance(current, dict):
            kind = _text_kind(current)
            if kind is not None:
                found.append((current, kind))
            else:
                stack.extend(current.values())
    uses: dict[tuple[str, int, int | None], int] = {}
    for _, kind in found:
        uses[kind] = uses.get(kind, 0) + 1
    for node, kind in found:
        if uses[kind] < 2:
            continue
        pattern, low, high = kind
        base, said = _TEXT_KINDS[pattern]
        name = f"{base}{low}To{high}" if high is not None else base
        text: dict[str, Any] = {"type": "string", "pattern": pattern}
        if low:
            text["minLength"] = low
        if high is not None:
            text["maxLength"] = high
        length = f"{low} to {high} characters" if high is not None else "any length"
        text["description"] = f"{said}, {length}."
        if schemas.setdefault(name, text) != text:
            raise ValueError(f"two texts named {name}")
        ref = {"$ref": f"#/components/schemas/{name}"}
        nullable = node["type"] != "string"
        for key in _TEXT_KEYS:
            node.pop(key, None)
        node.update({"anyOf": [ref, {"type": "null"}]} if nullable else ref)


def _parent_of(name: str, schemas: dict[str, Any]) -> str | None:
    """The largest other component whose members this one repeats word for word (a read
    model that adds to a summary, an export that adds to a read model), if it is worth it."""
    schema = schemas[name]
    members = schema.get("properties")
    if not members or "allOf" in schema or schema.get("additionalProperties") is False:
        return None
    best: tuple[int, str] | None = None
    for other, candidate in schemas.items():
        inherited = candidate.get("properties")
        if (
            other == name
            or not inherited
            or len(inherited) >= len(members)
            or "allOf" in candidate
            or candidate.get("additionalProperties") is False
            or not set(candidate.get("required", [])) <= set(schema.get("required", []))
            or any(members.get(k) != v for k, v in inherited.items())
        ):
            continue
        size = len(json.dumps(inherited))
        if size >= MIN_SHARED_MEMBERS_BYTES and (best is None or size > best[0]):
            best = (size, other)
    return best[1] if best else None


MIN_SHARED_MEMBERS_BYTES = 400


def _extend_supersets(schemas: dict[str, Any]) -> None:
    """A component that repeats all of another's members says it is that one (`allOf`) plus
    its own, as the problem subtypes do."""
    parents = {name: _parent_of(name, schemas) for name in schemas}
    for name, parent in parents.items():
        if parent is not None:
            inherited = set(schemas[parent]["properties"])
            schemas[name] = _extending(schemas[name], parent, inherited)


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
    _name_operations(app, document.get("paths", {}))
    _document_conditional_gets(document)
    _share_responses(document)
    _server_errors_as_a_range(document)
    _share_answers(document)
    _share_parameters(document)
    _share_security(document)
    _share_headers(document)
    _drop_property_titles(schemas)
    _drop_component_titles(schemas)
    _nullable_as_type_lists(document)
    _request_defaults_as_text(document)
    _close_pattern_keyed_maps(document)
    _name_texts(schemas)
    _extend_supersets(schemas)
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
