"""`formats._quote` writes what `urllib.parse.quote` writes, for any text: few or many
different bytes to escape (past `_FEW` the rest go through a table), `%` among them or
not, non-ASCII, line breaks."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import given, settings
from hypothesis import strategies as st

from app.messages.formats import _FEW, _QUOTED, _QUOTED_ADDRESS, _quote

_MARKS = st.sampled_from([*" %@\r\n\t+&=?#/:;,'\"<>\\_.-~aZ9", "é", "中", "😀", "\u2028"])
TEXTS = st.text(_MARKS, max_size=80) | st.text(max_size=200)


@settings(max_examples=1000, deadline=None)
@given(text=TEXTS)
def test_any_text_is_quoted_as_urllib_quotes_it(text: str) -> None:
    assert _quote(text, _QUOTED) == quote(text, safe="")
    assert _quote(text, _QUOTED_ADDRESS) == quote(text, safe="@")


def test_many_different_bytes_to_escape() -> None:
    for text in (
        "".join(map(chr, range(1024))),
        "%" + "".join(map(chr, range(32, 32 + _FEW + 1))),
        "".join(map(chr, range(0x4E00, 0x4E00 + 3 * _FEW))) + " %20 %",
        "%%%",
        "",
    ):
        assert _quote(text, _QUOTED) == quote(text, safe="")
        assert _quote(text, _QUOTED_ADDRESS) == quote(text, safe="@")
