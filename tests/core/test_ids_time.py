"""Truncating a moment to the millisecond answers as `replace` did."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from app.core.ids import to_the_millisecond, utc_now

_ZONES = st.sampled_from([UTC, None, timezone(timedelta(hours=-5, minutes=-30))])


@given(st.datetimes(min_value=datetime(1, 1, 1, 0, 0, 0, 999), timezones=_ZONES))
def test_a_moment_is_truncated_as_replace_truncated_it(moment: datetime) -> None:
    moment = moment.replace(fold=0)
    expected = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    truncated = to_the_millisecond(moment)
    assert repr(truncated) == repr(expected)
    assert (truncated.fold, truncated.tzinfo) == (expected.fold, expected.tzinfo)


def test_now_is_utc_to_the_millisecond() -> None:
    before = datetime.now(UTC)
    now = utc_now()
    assert now.tzinfo is UTC
    assert now.microsecond % 1000 == 0
    assert before - timedelta(milliseconds=1) < now <= datetime.now(UTC)
