from __future__ import annotations

import pytest

from app.core.security import Principal, Scope
from app.organizations import key_cache
from app.organizations.key_cache import KeyCache

PRINCIPAL = Principal("org_1", "key_1", frozenset({Scope.READ}))


def test_when_an_entry_expires_one_caller_checks_again_while_the_others_wait_on_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [100.0]
    monkeypatch.setattr(key_cache, "monotonic", lambda: now[0])
    cache = KeyCache(5)
    cache.put("dbr_x", PRINCIPAL, None, None)
    assert cache.get("dbr_x") is not None
    now[0] += 6
    assert cache.get("dbr_x") is None  # this caller asks the database
    assert cache.get("dbr_x") is not None  # the others meanwhile keep the entry
    now[0] += 5
    assert cache.get("dbr_x") is None  # but never beyond twice the time
    cache.put("dbr_x", PRINCIPAL, None, None)
    assert cache.get("dbr_x") is not None
    cache.forget("key_1")
    assert cache.get("dbr_x") is None


def test_zero_seconds_turns_it_off() -> None:
    cache = KeyCache(0)
    cache.put("dbr_x", PRINCIPAL, None, None)
    assert cache.get("dbr_x") is None
