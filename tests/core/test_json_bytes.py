"""`json_bytes` writes what pydantic-core wrote, byte for byte, whichever library writes it.

The property test found orjson 3.11.8 to 3.13.0 writing a time of day with 10,000 to
99,999 microseconds one digit short ("00:00:00.10000"): orjson is pinned at 3.11.7, and
this test is what tells whether a newer release may replace it."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from pydantic_core import PydanticSerializationError, to_json

from app.core.json_bytes import json_bytes


class Colour(enum.StrEnum):
    RED = "red"


class Size(enum.IntEnum):
    LARGE = 3


class Point(BaseModel):
    x: int


ZONES = [UTC, ZoneInfo("UTC"), ZoneInfo("Europe/Paris"), ZoneInfo("Asia/Kolkata")]
ZONES += [timezone(timedelta(hours=-5, minutes=-30)), timezone(timedelta(0))]

# Every kind of character a string can hold: the escaped ones (quote, backslash, the
# controls), DEL, the line and paragraph separators, non-ASCII and astral characters.
TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from('"\\/\x7f'),
    max_size=40,
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT
    | st.dates()
    | st.datetimes(timezones=st.none() | st.sampled_from(ZONES))
    | st.times()
    | st.sampled_from([Colour.RED, Size.LARGE])
    | st.uuids()
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.tuples(inner, inner)
        | st.dictionaries(TEXT, inner, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=1500, deadline=None)
@given(DOCUMENTS)
def test_every_json_ready_value_is_written_as_pydantic_core_writes_it(value: Any) -> None:
    assert json_bytes(value) == to_json(value)


@pytest.mark.parametrize(
    "value",
    [
        2**64,  # beyond 64 bits: orjson refuses, pydantic-core writes it
        -(2**63) - 1,
        10**30,
        Decimal("1.10"),
        Point(x=1),
        {1: "a", 2.5: "b"},
        time(1, 2, 3, 5, tzinfo=UTC),
        timedelta(days=1, seconds=5),
        b"bytes",
        {"set": frozenset()},
    ],
    ids=repr,
)
def test_what_orjson_refuses_goes_to_pydantic_core(value: Any) -> None:
    try:
        orjson.dumps(value, option=orjson.OPT_UTC_Z)
    except TypeError:
        pass
    else:  # still a case worth keeping only if the two wrote the same
        assert orjson.dumps(value, option=orjson.OPT_UTC_Z) == to_json(value)
    assert json_bytes(value) == to_json(value)


def test_nesting_is_written_to_the_same_depth_and_refused_beyond_it() -> None:
    deep: Any = 1
    for _ in range(254):
        deep = [deep]
    assert json_bytes(deep) == to_json(deep)
    with pytest.raises(PydanticSerializationError):  # as pydantic-core alone refused it
        json_bytes([deep])


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_a_float_that_is_not_finite_is_null(value: float) -> None:
    assert json_bytes({"x": value, "y": [value]}) == b'{"x":null,"y":[null]}'
    # through the fallback too
    assert json_bytes({"x": value, "big": 2**70}) == b'{"x":null,"big":1180591620717411303424}'


def test_a_datetime_in_utc_ends_in_z() -> None:
    moment = datetime(2026, 12, 3, 9, 6, 48, 24000, tzinfo=UTC)
    assert json_bytes([moment, moment.replace(microsecond=0), date(2026, 1, 2)]) == (
        b'["2026-12-03T09:06:48.024000Z","2026-12-03T09:06:48Z","2026-01-02"]'
    )
    assert json_bytes(uuid.UUID(int=1)) == b'"00000000-0000-0000-0000-000000000001"'
