"""The built-in rule sets in each built-in locale: the same rules, conditions and weights,
with the texts a person reads (`because`, category labels, next steps, the words for answer
values) from `builtin_rule_sets/translations/<locale>.<key>.v<version>.json`.

English has such a file too, naming only the texts it words differently from the rule set
as published (counts with their plural forms): the published content, and so its hash,
stays as it was."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from app.diagnosis.builtin import BUILTIN_VERSIONS, BuiltinRuleSet
from app.diagnosis.variables import KNOWN_FIELDS, option_words
from app.i18n.formatting import formatting_locale
from app.i18n.locales import DEFAULT_LOCALE
from app.question_sets.builtin import BUILTIN_SETS
from app.question_sets.compiled import compile_question_set
from app.question_sets.locales import localized
from app.rules.definition import RuleSetContent
from app.rules.engine import CompiledRuleSet
from app.rules.explain import Labels, Wording


def _catalogue(locale: str, builtin: BuiltinRuleSet) -> dict[str, Any] | None:
    name = f"{locale}.{builtin.key}.v{builtin.version}.json"
    file = resources.files("app.diagnosis.builtin_rule_sets").joinpath("translations", name)
    if not file.is_file():
        return None
    data: dict[str, Any] = json.loads(file.read_text(encoding="utf-8"))
    return data


@cache
def wording_in(locale: str) -> Wording:
    """How explanations in `locale` join lists and say yes, no and nothing (the words from
    `translations/<locale>.words.json`, the rest from Babel's CLDR data)."""
    file = resources.files("app.diagnosis.builtin_rule_sets").joinpath(
        "translations", f"{locale}.words.json"
    )
    words: dict[str, str] = json.loads(file.read_text(encoding="utf-8"))
    return Wording(formatting_locale(locale), **words)


def value_labels_in(locale: str, stages: dict[str, str]) -> dict[str, dict[Any, str]]:
    """The words for answer values as the built-in question sets say them in `locale`."""
    sets = {
        root: compile_question_set(localized(BUILTIN_SETS[key].content, locale))
        for root, key in (("answers", "self-reflection"), ("feedback", "interviewer-feedback"))
    }
    labels = {
        **option_words("answers", sets["answers"]),
        **option_words("feedback", sets["feedback"]),
        "session.stage_reached": dict(stages),
    }
    labels["session.negative_signals"] = labels["answers.interviewer_signals"]
    labels["session.positive_signals"] = labels["answers.interviewer_signals"]
    return labels


def translated_content(content: RuleSetContent, texts: dict[str, Any]) -> RuleSetContent:
    data = content.model_dump(mode="json", exclude_unset=True)
    labels, because, steps = (
        texts.get(name, {}) for name in ("categories", "because", "next_steps")
    )
    for category in data["categories"]:
        category["label"] = labels.get(category["key"], category["label"])
    for rule in data["rules"]:
        rule["because"] = because.get(rule["id"], rule["because"])
        for step in rule["next_steps"]:
            step["text"] = steps.get(step["id"], step["text"])
    return RuleSetContent.model_validate(data)


@cache
def _localized(key: str, version: int, locale: str) -> CompiledRuleSet | None:
    builtin = BUILTIN_VERSIONS[key, version]
    texts = _catalogue(locale, builtin)
    if texts is None:
        return None
    content = translated_content(builtin.compiled.content, texts)
    labels: Labels = (
        value_labels_in(locale, texts["stages"])
        if "stages" in texts
        else builtin.compiled.value_labels
    )
    return CompiledRuleSet(content, KNOWN_FIELDS, labels, wording=wording_in(locale))


# Each built-in rule set's key and version, by the identity of its compiled form (kept for
# the life of the process, so an id is never reused for another rule set).
_BUILTIN_OF = {id(builtin.compiled): found for found, builtin in BUILTIN_VERSIONS.items()}


def in_locale(compiled: CompiledRuleSet, locale: str) -> tuple[CompiledRuleSet, str]:
    """A built-in rule set's texts in `locale` where they exist; any other rule set (an
    organisation's own, written in its own words) as it is. Also the locale written in."""
    builtin = _BUILTIN_OF.get(id(compiled))
    if builtin is None:
        return compiled, DEFAULT_LOCALE
    found = _localized(*builtin, locale)
    if found is None:
        return compiled, DEFAULT_LOCALE
    return found, locale
