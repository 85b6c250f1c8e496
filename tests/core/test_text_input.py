"""The check of a body's encoding answers as `json.detect_encoding` does."""

from __future__ import annotations

import codecs
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.text_input import _read_as_utf8

_BOMS = [codecs.BOM_UTF8, codecs.BOM_UTF16_BE, codecs.BOM_UTF16_LE]
_BOMS += [codecs.BOM_UTF32_BE, codecs.BOM_UTF32_LE]
_BYTES = st.lists(
    st.sampled_from([b"\x00", b"\xef", b"\xbb", b"\xbf", b"\xfe", b"\xff", b"{", b"a"])
)


@given(st.sampled_from([b"", *_BOMS]), _BYTES.map(b"".join))
def test_a_body_is_read_as_utf8_where_json_would(start: bytes, rest: bytes) -> None:
    body = start + rest
    if body:
        assert _read_as_utf8(body) == (json.detect_encoding(body) == "utf-8")


@pytest.mark.parametrize(
    "body",
    [b"{}", b"{\x00", b"\x00{", b"{\x00}", b"{}\x00", b"a", b"\x00", b"ab", b"a\x00", b"\x00\x00",
     *_BOMS, '{"a": 1}'.encode("utf-16"), '{"a": 1}'.encode("utf-16-le"),
     '{"a": 1}'.encode("utf-32-be"), b"\xef\xbb", b"\xff\xfe\x00"],
)  # fmt: skip
def test_edge_bodies_are_read_as_json_would(body: bytes) -> None:
    assert _read_as_utf8(body) == (json.detect_encoding(body) == "utf-8")
