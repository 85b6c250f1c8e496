"""The OpenAPI document generates clients that work with default settings (issue 16):
operation ids, request and response schemas, problem subtypes, no giant enums."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from app.core.errors import PROBLEM_TYPES, Problem

COMMITTED = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
DOCUMENT: dict[str, Any] = json.loads(COMMITTED.read_text(encoding="utf-8"))
SCHEMAS: dict[str, Any] = DOCUMENT["components"]["schemas"]
OPERATIONS = [
    (method, path, operation)
    for path, item in DOCUMENT["paths"].items()
    for method, operation in item.items()
]

# Verbs an operation id may start with; a new kind of operation adds its verb here.
VERBS = {
    "activate", "check", "create", "delete", "diagnose", "dismiss", "export", "get", "list",
    "mark", "snooze",
    "preview", "publish", "replace", "replay", "retire", "revoke", "rotate", "run", "send",
    "transition", "update", "validate",
}  # fmt: skip
CAMEL_CASE = re.compile(r"^[a-z]+(?:[A-Z][a-z0-9]*)+$")


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if ref is None:
        return node
    *_, section, name = ref.split("/")
    resolved: dict[str, Any] = DOCUMENT["components"][section][name]
    return resolved


def test_operation_ids_are_unique_camel_case_and_verb_first() -> None:
    ids = [operation["operationId"] for _, _, operation in OPERATIONS]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for method, path, operation in OPERATIONS:
        operation_id = operation["operationId"]
        assert CAMEL_CASE.match(operation_id), f"{method} {path}: {operation_id}"
        verb = re.match(r"^[a-z]+", operation_id)
        assert verb, operation_id
        assert verb.group() in VERBS, f"{method} {path}: {operation_id}"


def test_resources_read_in_operation_ids() -> None:
    ids = {f"{m.upper()} {p}": o["operationId"] for m, p, o in OPERATIONS}
    assert ids["GET /v1/sessions"] == "listSessions"
    assert ids["POST /v1/sessions/{session_id}/messages"] == "createSessionMessage"
    assert ids["GET /v1/candidates/{candidate_id}"] == "getCandidate"


def test_schema_names_are_plain_identifiers() -> None:
    # Qualified (`app__x__Y`) or suffixed names collide in generators or read badly.
    for name in SCHEMAS:
        assert re.match(r"^[A-Z][A-Za-z0-9_]*$", name), name
        assert "__" not in name, name


def test_no_schema_lists_hundreds_of_values() -> None:
    stack: list[Any] = [DOCUMENT]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            assert len(node.get("enum", [])) <= 50, node.get("description")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def test_time_zones_are_documented_strings() -> None:
    zone = SCHEMAS["CandidateCreate"]["properties"]["time_zone"]
    assert zone["type"] == "string"
    assert "IANA" in zone["description"]
    assert "/v1/time-zones" in zone["description"]


def test_server_defaults_are_optional_to_send_and_present_in_answers() -> None:
    create, read = SCHEMAS["CandidateCreate"], SCHEMAS["CandidateRead"]
    for field in ("locale", "time_zone"):
        assert field not in create.get("required", [])
        assert "default" not in create["properties"][field]
        assert field in read["required"]
    assert "outcome" not in SCHEMAS["SessionCreate"].get("required", [])
    assert "outcome" in SCHEMAS["SessionRead"]["required"]


def test_request_schemas_carry_no_default_a_generator_would_make_required() -> None:
    for method, path, operation in OPERATIONS:
        body = operation.get("requestBody", {}).get("content", {})
        for media in body.values():
            schema = resolve(media["schema"])
            for name, member in schema.get("properties", {}).items():
                assert "default" not in member, f"{method} {path}: {name}"


def test_session_updates_are_typed() -> None:
    update = SCHEMAS["SessionUpdate"]["properties"]
    for field, patch in (("posting", "PostingPatch"), ("interviewer", "InterviewerPatch")):
        refs = [branch.get("$ref") for branch in update[field]["anyOf"]]
        assert f"#/components/schemas/{patch}" in refs
        assert SCHEMAS[patch]["additionalProperties"] is False


def members(name: str, key: str) -> set[str]:
    """A schema's `properties` or `required`, its `allOf` parents' included."""
    schema = SCHEMAS[name]
    found = set(schema.get(key, []))
    for part in schema.get("allOf", []):
        ref = part.get("$ref")
        found |= members(ref.rsplit("/", 1)[1], key) if ref else set(part.get(key, []))
    return found


def test_problem_subtypes_declare_their_extension_members() -> None:
    assert members("PreconditionFailedProblem", "required") >= {"current_etag", "type"}
    assert "allowed" in members("ConflictProblem", "properties")
    assert "available" in members("NotAcceptableProblem", "properties")
    assert {"limit", "maximum", "max_body_bytes", "detail"} <= members(
        "ContentTooLargeProblem", "properties"
    )
    assert {"limit", "maximum"} <= members("LimitExceededProblem", "properties")
    for kind in PROBLEM_TYPES:
        assert kind.schema is Problem or issubclass(kind.schema, Problem)


def test_every_problem_response_refers_to_its_kind() -> None:
    carrying_extras = [kind for kind in PROBLEM_TYPES if kind.schema is not Problem]
    assert carrying_extras
    for method, path, operation in OPERATIONS:
        for status, response in operation["responses"].items():
            if status[0] not in "45":
                continue
            resolved = resolve(response)
            schema = resolved["content"]["application/problem+json"]["schema"]
            for kind in carrying_extras:
                if f"`{kind.type_uri()}`" in resolved["description"]:
                    assert schema["$ref"].endswith("/" + kind.schema.__name__), (
                        f"{method} {path} {status}"
                    )


def test_every_non_json_answer_is_declared_as_text() -> None:
    seen = set()
    for _, _, operation in OPERATIONS:
        for response in operation["responses"].values():
            for media, content in resolve(response).get("content", {}).items():
                if not media.endswith("json"):
                    seen.add(media)
                    assert content["schema"] == {"type": "string"}, media
    assert seen >= {"text/plain", "text/markdown", "text/html", "message/rfc822", "text/calendar"}


def test_servers_name_the_public_url() -> None:
    assert DOCUMENT["servers"] == [{"url": "http://127.0.0.1:8000"}]
