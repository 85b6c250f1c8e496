"""A lone surrogate in any string the OpenAPI document declares is a 422 pointing at it.

The document is walked: every operation, every place in its request body that holds a
string at any depth (arrays of strings, free-form objects' values and their keys, every
branch of a union), and every string query parameter. Each place gets a lone surrogate
in an otherwise valid body (the tests' own fixtures where the operation has one) and the
answer must be a 422 problem whose only pointer names that place — never a 500. (Bodies
of operations on objects that do not exist here, e.g. a PATCH of an unknown template,
are built from the schema alone: the refusal comes before any lookup.)
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.core.problem_responses import json_pointer
from tests.candidates.test_candidates import ALEX
from tests.request_catalogue import base_bodies, candidate_and_session, operations, url

pytestmark = pytest.mark.anyio

LONE = "\ud800"
KEY = object()  # marks "the key of a member of this free-form object"
MAX_DEPTH = 8

Place = tuple[Any, ...]


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> tuple[dict[str, Any], str]:
    ref = schema.get("$ref", "")
    if not ref:
        return schema, ""
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node, ref


def string_places(
    document: dict[str, Any], schema: Any, place: Place = (), seen: frozenset[str] = frozenset()
) -> Iterator[Place]:
    """Every place under ``schema`` where a string may stand (a recursive schema is
    followed once along each path)."""
    if schema is True or schema == {}:
        yield place  # anything goes, a string included
        return
    if not isinstance(schema, dict) or len(place) > MAX_DEPTH:
        return
    schema, ref = _resolve(document, schema)
    if ref in seen:
        return
    seen = seen | {ref} if ref else seen
    for branch in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
        yield from string_places(document, branch, place, seen)
    kind = schema.get("type")
    if kind == "string" or (isinstance(kind, list) and "string" in kind):
        yield place
    for name, member in schema.get("properties", {}).items():
        yield from string_places(document, member, (*place, name), seen)
    extra = schema.get("additionalProperties", kind == "object" and "properties" not in schema)
    if extra is not False and extra is not None and (kind == "object" or "properties" in schema):
        yield (*place, KEY)
        yield from string_places(document, {} if extra is True else extra, (*place, "k"), seen)
    if "items" in schema:
        yield from string_places(document, schema["items"], (*place, 0), seen)


def _with_lone_surrogate(base: Any, place: Place) -> tuple[Any, tuple[str | int, ...]]:
    """The base with a lone surrogate at ``place`` (containers made as needed), and the
    place as the problem's pointer names it."""
    root: Any = copy.deepcopy(base) if isinstance(base, dict) else {}
    node = root
    pointer: list[str | int] = ["body"]
    for index, part in enumerate(place):
        if part is KEY:
            node[LONE + "k"] = "v"
            pointer.append("\ufffdk")
            break
        pointer.append(part)
        if isinstance(part, int) and not node:
            node.append(None)
        if index == len(place) - 1:
            node[part] = LONE
            break
        wanted = list if isinstance(place[index + 1], int) else dict
        current = node[part] if isinstance(part, int) else node.get(part)
        if not isinstance(current, wanted):
            node[part] = wanted()
        node = node[part]
    return root, tuple(pointer)


@pytest.fixture
async def subjects(api: httpx.AsyncClient) -> tuple[dict[str, Any], dict[str, Any]]:
    return await candidate_and_session(api)


def _ids(candidate: dict[str, Any], session: dict[str, Any]) -> dict[str, str]:
    return {
        "candidate_id": candidate["id"],
        "session_id": session["id"],
        "item_id": "act_01JD6Z0000000000000000000A",
        "diagnosis_id": "dgn_01JD6Z0000000000000000000A",
        "message_id": "msg_01JD6Z0000000000000000000A",
        "template_id": "tpl_01JD6Z0000000000000000000A",
        "api_key_id": "key_01JD6Z0000000000000000000A",
        "key": "self-reflection",
        "version": "1",
        "slug": "not-found",
    }


# Bodies with no string in them at all: nothing here to put a surrogate in.
NUMBERS_ONLY = {("put", "/v1/follow-up-cadence")}


def _assert_points_at(response: httpx.Response, pointer: str, what: str) -> None:
    assert response.status_code == 422, (what, response.status_code, response.text)
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "/problems/validation-error"
    assert [e["pointer"] for e in problem["errors"]] == [pointer], what


async def test_a_lone_surrogate_in_any_body_string_is_a_422_pointing_at_it(
    app: FastAPI,
    api: httpx.AsyncClient,
    subjects: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    candidate, session = subjects
    document = app.openapi()
    ids = _ids(candidate, session)
    bases = base_bodies(candidate["id"])
    tried = 0
    for method, path, operation in operations(app):
        content = operation.get("requestBody", {}).get("content", {})
        for media_type, spec in content.items():
            places = dict.fromkeys(string_places(document, spec["schema"]))
            assert places or (method, path) in NUMBERS_ONLY, (method, path)
            for place in places:
                body, location = _with_lone_surrogate(bases.get((method, path)), place)
                response = await api.request(
                    method,
                    url(path, ids),
                    content=json.dumps(body).encode("ascii"),
                    headers={"Content-Type": media_type},
                )
                _assert_points_at(response, json_pointer(location), f"{method} {path} {place}")
                tried += 1
    print(f"{tried} places")
    assert tried > 200  # the walk reaches deep: every field of every body


async def test_a_lone_surrogate_in_any_string_query_parameter_is_a_422_pointing_at_it(
    app: FastAPI,
    api: httpx.AsyncClient,
    subjects: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    candidate, session = subjects
    document = app.openapi()
    ids = _ids(candidate, session)
    tried = 0
    for method, path, operation in operations(app):
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query" or not list(string_places(document, parameter["schema"])):
                continue
            for encoded in ("%ED%A0%80", "%ED%BF%BF", "%FF", "ok%C3"):
                name = parameter["name"]
                target = f"{url(path, ids)}?{name}={encoded}"
                response = await api.request(method, target)
                _assert_points_at(response, f"/query/{name}", f"{method} {target}")
                tried += 1
    assert tried >= 40


async def test_valid_surrogate_pairs_and_astral_characters_are_welcome(
    api: httpx.AsyncClient,
) -> None:
    body = json.dumps({**ALEX, "display_name": "Alex \U0001f600", "metadata": {"\U0001f4a1": "x"}})
    response = await api.post(
        "/v1/candidates", content=body.encode("ascii"), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 201, response.text
    assert response.json()["display_name"] == "Alex \U0001f600"
    raw_utf8_surrogate = (
        body.replace("\\ud83d\\ude00", "").encode().replace(b"Alex ", b"Alex \xed\xa0\x80")
    )
    response = await api.post(
        "/v1/candidates", content=raw_utf8_surrogate, headers={"Content-Type": "application/json"}
    )
    _assert_points_at(response, "/body/display_name", "raw UTF-8 encoded surrogate")
