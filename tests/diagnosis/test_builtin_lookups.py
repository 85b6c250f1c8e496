"""The preview finds a built-in rule set and its texts in a locale without the general
checks: the same outcome as the checks and the search they replace."""

from __future__ import annotations

import re

import pytest

from app.diagnosis import rule_sets
from app.diagnosis.builtin import BUILTIN_RULE_SETS, BUILTIN_VERSIONS
from app.diagnosis.builtin_locales import _localized, in_locale
from app.diagnosis.schemas import RULE_SET_KEY_PATTERN
from app.i18n.locales import BUILTIN_LOCALES, DEFAULT_LOCALE
from app.rules.engine import CompiledRuleSet


def _searched(compiled: CompiledRuleSet, locale: str) -> tuple[CompiledRuleSet, str]:
    """`in_locale` as it was: a search of the built-in versions for this very object."""
    for (key, version), builtin in BUILTIN_VERSIONS.items():
        if builtin.compiled is compiled:
            found = _localized(key, version, locale)
            if found is None:
                return compiled, DEFAULT_LOCALE
            return found, locale
    return compiled, DEFAULT_LOCALE


def test_built_in_keys_pass_the_key_check_they_skip() -> None:
    for key, _ in BUILTIN_VERSIONS:
        assert re.fullmatch(RULE_SET_KEY_PATTERN, key)
        rule_sets._check_key(key)  # raises NotFound for a malformed key
    assert set(BUILTIN_RULE_SETS) == {key for key, _ in BUILTIN_VERSIONS}


@pytest.mark.parametrize("locale", [*BUILTIN_LOCALES, "xx", "fr_CA", ""])
def test_in_locale_as_the_search(locale: str) -> None:
    copy_of_default = rule_sets.compile_cached(
        BUILTIN_RULE_SETS["default"].compiled.content, screened=True
    )
    candidates = [b.compiled for b in BUILTIN_VERSIONS.values()]
    candidates += [in_locale(c, other)[0] for c in candidates for other in BUILTIN_LOCALES]
    candidates.append(copy_of_default)
    for compiled in candidates:
        found, written_in = in_locale(compiled, locale)
        expected, expected_in = _searched(compiled, locale)
        assert found is expected
        assert written_in == expected_in
