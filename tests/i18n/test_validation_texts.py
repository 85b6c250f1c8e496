"""What is wrong with each field is said in the caller's language. The pydantic error
types our request models can raise are enumerated from the OpenAPI document (each schema
feature and the error it brings); each has a sentence in every locale, with only the
placeholders its context gives, counts in plural forms and no English left."""

from __future__ import annotations

import typing
from typing import Any

import httpx
import pytest
from babel import Locale
from pydantic_core import core_schema

from app.core.fields import TEXT_KINDS
from app.i18n.formatting import formatting_locale
from app.i18n.locales import BUILTIN_LOCALES
from app.i18n.validation_texts import DEFAULT, field_detail, validation_catalogue
from app.main import create_app
from app.rules.explain import FORM, PLURAL, Template
from tests.i18n.test_catalogues import ENGLISH

pytestmark = pytest.mark.anyio
OTHERS = [locale for locale in BUILTIN_LOCALES if locale != "en"]
PYDANTIC_TYPES = set(typing.get_args(core_schema.ErrorType))
# A text that does not match one of our kinds of text is told what that kind is.
PATTERN_KEYS = {f"string_pattern_mismatch/{kind}" for kind in TEXT_KINDS.values()}

# Every request may fail these (the body as a whole, a required field, an unknown one).
ALWAYS = {"json_invalid", "missing", "extra_forbidden", "model_type", "value_error"}
# What each schema feature can raise (strict scalars: no lax parsing).
BY_TYPE = {
    "string": {"string_type"},
    "integer": {"int_type", "int_from_float"},
    "number": {"float_type", "finite_number", "int_type"},
    "boolean": {"bool_type"},
    "array": {"list_type"},
    "object": {"dict_type", "model_attributes_type"},
}
BY_KEYWORD = {
    "minLength": {"string_too_short"},
    "maxLength": {"string_too_long"},
    "pattern": {"string_pattern_mismatch"},
    "minimum": {"greater_than_equal"},
    "maximum": {"less_than_equal"},
    "exclusiveMinimum": {"greater_than"},
    "exclusiveMaximum": {"less_than"},
    "multipleOf": {"multiple_of"},
    "enum": {"enum", "literal_error"},
    "const": {"literal_error"},
    "minItems": {"too_short"},
    "maxItems": {"too_long"},
    "minProperties": {"too_short"},
    "maxProperties": {"too_long"},
    "discriminator": {"union_tag_invalid", "union_tag_not_found"},
}
BY_FORMAT = {
    "date": {
        "date_type",
        "date_parsing",
        "date_from_datetime_parsing",
        "date_from_datetime_inexact",
    },
    "date-time": {
        "datetime_type",
        "datetime_parsing",
        "datetime_from_date_parsing",
        "timezone_aware",
    },
    "uri": {"url_type", "url_parsing", "url_scheme", "url_too_long"},
    "email": {"value_error"},
}
# A sample context per type, as pydantic gives it.
CONTEXTS: dict[str, dict[str, Any]] = {
    "string_too_short": {"min_length": 1},
    "string_too_long": {"max_length": 200},
    "string_pattern_mismatch": {"pattern": "^[a-z]+$"},
    "greater_than": {"gt": 0},
    "greater_than_equal": {"ge": 1},
    "less_than": {"lt": 100},
    "less_than_equal": {"le": 60},
    "multiple_of": {"multiple_of": 5},
    "enum": {"expected": "'warm', 'formal' or 'concise'"},
    "literal_error": {"expected": "'a' or 'b'"},
    "too_short": {"field_type": "List", "min_length": 1, "actual_length": 0},
    "too_long": {"field_type": "List", "max_length": 30, "actual_length": 31},
    "union_tag_invalid": {"discriminator": "'type'", "tag": "x", "expected_tags": "'a', 'b'"},
    "union_tag_not_found": {"discriminator": "'type'"},
    "url_parsing": {"error": "relative URL without a base"},
    "url_scheme": {"expected_schemes": "'http' or 'https'"},
    "url_too_long": {"max_length": 2000},
    "value_error": {"error": "not a time zone"},
    "date_parsing": {"error": "input is too short"},
    "date_from_datetime_parsing": {"error": "input is too short"},
    "datetime_parsing": {"error": "input is too short"},
    "datetime_from_date_parsing": {"error": "input is too short"},
    "json_invalid": {"error": "EOF while parsing a value"},
}


def _walk(node: Any, document: dict[str, Any], seen: set[str], found: set[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(item, document, seen, found)
        return
    if not isinstance(node, dict):
        return
    ref = node.get("$ref")
    if isinstance(ref, str) and ref not in seen:
        seen.add(ref)
        target: Any = document
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        _walk(target, document, seen, found)
    kind = node.get("type")
    if isinstance(kind, str):
        found |= BY_TYPE.get(kind, set())
    for keyword, types in BY_KEYWORD.items():
        if keyword in node:
            found |= types
    found |= BY_FORMAT.get(str(node.get("format")), set())
    for value in node.values():
        _walk(value, document, seen, found)


def request_error_types() -> set[str]:
    """Every pydantic error type a request body or parameter of ours can raise."""
    document = create_app().openapi()
    found: set[str] = set(ALWAYS)
    for operations in document["paths"].values():
        for operation in operations.values():
            _walk(operation.get("requestBody", {}), document, set(), found)
            _walk(operation.get("parameters", []), document, set(), found)
    return found


TYPES = sorted(request_error_types())


def test_the_enumerated_types_are_pydantics() -> None:
    assert set(TYPES) <= PYDANTIC_TYPES, set(TYPES) - PYDANTIC_TYPES
    assert len(TYPES) >= 30


@pytest.mark.parametrize("locale", OTHERS)
@pytest.mark.parametrize("error_type", TYPES)
def test_every_error_type_reads_in_every_locale(locale: str, error_type: str) -> None:
    text = validation_catalogue(locale)[error_type]
    context = CONTEXTS.get(error_type, {})
    assert set(Template(text).fields) <= set(context), (error_type, text)
    categories = set(Locale.parse(formatting_locale(locale)).plural_form.tags) | {"other"}
    for _, forms in PLURAL.findall(text):
        assert set(dict(FORM.findall(forms))) == categories, text
    said = field_detail(error_type, context, locale)
    assert said
    assert "{" not in said, said
    assert "None" not in said, said
    assert not ENGLISH.search(said), said
    assert " or " not in said, said


@pytest.mark.parametrize("locale", OTHERS)
def test_the_catalogues_have_the_same_keys_and_a_default(locale: str) -> None:
    assert set(validation_catalogue(locale)) == set(validation_catalogue("fr"))
    assert DEFAULT in validation_catalogue(locale)
    assert set(validation_catalogue(locale)) - {DEFAULT} <= PYDANTIC_TYPES | PATTERN_KEYS
    # A type no request raises today still gets a sentence of the locale, never English.
    assert field_detail("uuid_parsing", {}, locale) == validation_catalogue(locale)[DEFAULT]


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("fr", "Valeurs possibles\u00a0: warm, formal ou concise."),
        ("es", "Valores posibles: warm, formal o concise."),
        ("de", "Mögliche Werte: warm, formal oder concise."),
    ],
)
async def test_a_request_gets_field_details_in_its_language(
    api: httpx.AsyncClient, locale: str, expected: str
) -> None:
    response = await api.post(
        "/v1/messages/preview",
        json={"kind": "call_script", "tone": "loud", "facts": {}, "stray": 1},
        headers={"Accept-Language": locale},
    )
    assert response.status_code == 422
    assert response.headers["content-language"] == locale
    details = {e["pointer"]: e["detail"] for e in response.json()["errors"]}
    assert details["/body/tone"] == expected
    assert details["/body/stray"] == validation_catalogue(locale)["extra_forbidden"]
    english = await api.post("/v1/messages/preview", json={"kind": "call_script", "stray": 1})
    assert english.json()["errors"][0]["detail"] == "Extra inputs are not permitted"


async def test_counts_in_field_details_take_plural_forms(api: httpx.AsyncClient) -> None:
    response = await api.post(
        "/v1/candidates",
        json={"external_ref": "", "display_name": "x" * 201},
        headers={"Accept-Language": "fr"},
    )
    assert response.status_code == 422
    details = {e["pointer"]: e["detail"] for e in response.json()["errors"]}
    assert details["/body/external_ref"] == "Il faut au moins 1 caractère."
    assert details["/body/display_name"] == "200 caractères au maximum."


@pytest.mark.parametrize("locale", BUILTIN_LOCALES)
@pytest.mark.parametrize("pattern", sorted(TEXT_KINDS))
def test_a_text_of_the_wrong_kind_is_told_the_kind_never_the_pattern(
    locale: str, pattern: str
) -> None:
    said = field_detail("string_pattern_mismatch", {"pattern": pattern}, locale)
    assert said == validation_catalogue(locale)[f"string_pattern_mismatch/{TEXT_KINDS[pattern]}"]
    assert pattern not in said
    assert not {"^", "$", "\\"} & set(said)
    other = field_detail("string_pattern_mismatch", {"pattern": "^[a-z]+$"}, locale)
    assert other == validation_catalogue(locale)["string_pattern_mismatch"]
    if locale != "en":
        assert not ENGLISH.search(said), said


def test_english_keeps_pydantics_sentences_but_for_patterns() -> None:
    assert set(validation_catalogue("en")) == PATTERN_KEYS | {"string_pattern_mismatch"}
    assert field_detail("missing", {}, "en") is None
    assert field_detail("string_too_long", {"max_length": 3}, "en") is None


async def test_an_english_problem_shows_no_pattern(api: httpx.AsyncClient) -> None:
    response = await api.post(
        "/v1/messages/preview",
        json={"kind": "stay_in_touch_note", "facts": {"news": "\n", "company": "a\x01"}},
    )
    assert response.status_code == 422
    details = {e["pointer"]: e["detail"] for e in response.json()["errors"]}
    assert details["/body/facts/news"].startswith("Write some text here")
    assert details["/body/facts/company"].startswith("Write one line of text")
