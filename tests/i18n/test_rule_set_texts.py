"""The built-in rule sets' texts in every locale, every version: every rule, step, category
and stage translated, the same fields named, counts in each locale's plural forms (CLDR),
no English left; the engine joins lists, says yes and no, and chooses plural forms as the
locale does; `default@1` gives the same verdicts in every locale as in English."""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

import pytest
from babel import Locale

from app.diagnosis.builtin import BUILTIN_VERSIONS
from app.diagnosis.builtin_locales import in_locale, wording_in
from app.diagnosis.variables import prepare_inputs
from app.i18n.formatting import formatting_locale
from app.i18n.locales import BUILTIN_LOCALES
from app.question_sets.answers import visible_answers
from app.question_sets.builtin import BUILTIN_SETS
from app.rules.explain import ENGLISH, FORM, PLACEHOLDER, PLURAL, Template, template_problems
from app.rules.limits import explanation_chars
from tests.diagnosis.personas import PERSONAS, Persona
from tests.diagnosis.test_personas_in_locales import ENGLISH as ENGLISH_WORDS
from tests.diagnosis.test_personas_in_locales import top_factor
from tests.i18n.test_catalogues import ENGLISH as STOP_LIST

OTHERS = [locale for locale in BUILTIN_LOCALES if locale != "en"]
TRANSLATIONS = resources.files("app.diagnosis.builtin_rule_sets").joinpath("translations")
VERSIONS = sorted(BUILTIN_VERSIONS)


def _file(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(TRANSLATIONS.joinpath(name).read_text(encoding="utf-8"))
    return data


def _fields(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text)) | {field for field, _ in PLURAL.findall(text)}


def _plural_categories(locale: str) -> set[str]:
    return set(Locale.parse(formatting_locale(locale)).plural_form.tags) | {"other"}


def _check_plurals(text: str, locale: str) -> None:
    for _, forms in PLURAL.findall(text):
        given = dict(FORM.findall(forms))
        assert set(given) == _plural_categories(locale), (locale, text)
        assert all("#" in form for form in given.values()), text


def _words_only(text: str) -> str:
    """The words a person reads: placeholders out, plural forms' words kept."""
    text = PLURAL.sub(lambda m: " ".join(f for _, f in FORM.findall(m.group(2))), text)
    return PLACEHOLDER.sub(" ", text)


@pytest.mark.parametrize("locale", OTHERS)
@pytest.mark.parametrize(("key", "version"), VERSIONS)
def test_every_text_of_every_version_is_translated(key: str, version: int, locale: str) -> None:
    content = BUILTIN_VERSIONS[key, version].compiled.content
    english = in_locale(BUILTIN_VERSIONS[key, version].compiled, "en")[0].content
    texts = _file(f"{locale}.{key}.v{version}.json")
    assert set(texts["categories"]) == {c.key for c in content.categories}
    assert set(texts["because"]) == {r.id for r in content.rules}
    assert set(texts["next_steps"]) == {s.id for r in content.rules for s in r.next_steps}
    assert texts["stages"]
    for rule in english.rules:
        translated = texts["because"][rule.id]
        assert _fields(translated) == _fields(rule.because), (rule.id, translated)
        assert not template_problems(translated, _fields(rule.because))
        _check_plurals(translated, locale)
        assert not STOP_LIST.search(_words_only(translated)), (rule.id, translated)
        assert not re.search(r"\b(years?|people|person)\b", _words_only(translated)), translated
    for text in [*texts["categories"].values(), *texts["next_steps"].values()]:
        assert "{" not in text
        assert not STOP_LIST.search(text), text


@pytest.mark.parametrize(("key", "version"), VERSIONS)
def test_english_words_counts_in_plural_forms_and_changes_nothing_else(
    key: str, version: int
) -> None:
    compiled = BUILTIN_VERSIONS[key, version].compiled
    worded, locale = in_locale(compiled, "en")
    assert locale == "en"
    overlay = _file(f"en.{key}.v{version}.json")
    assert set(overlay) == {"because"}
    published = {rule.id: rule.because for rule in compiled.content.rules}
    for rule_id, text in overlay["because"].items():
        assert PLURAL.search(text), text
        assert _fields(text) == _fields(published[rule_id])
        _check_plurals(text, "en")
    assert [r.id for r in worded.content.rules] == [r.id for r in compiled.content.rules]


def test_every_text_with_a_count_before_a_noun_uses_plural_forms() -> None:
    """A number right before a counted noun is a plural form in every version and locale."""
    counted = re.compile(r"\{[a-z_.]+\} (years?|people|conversations|ans|años|Jahre|personas)\b")
    for key, version in VERSIONS:
        for locale in BUILTIN_LOCALES:
            content = in_locale(BUILTIN_VERSIONS[key, version].compiled, locale)[0].content
            for rule in content.rules:
                assert not counted.search(rule.because), (locale, version, rule.because)


def test_the_words_files_have_the_same_words_and_english_matches_the_engine() -> None:
    english = _file("en.words.json")
    assert english == {"yes": ENGLISH.yes, "no": ENGLISH.no, "none": ENGLISH.none}
    for locale in OTHERS:
        words = _file(f"{locale}.words.json")
        assert set(words) == set(english)
        assert not STOP_LIST.search(" ".join(words.values()))
        assert not ENGLISH_WORDS.search(" ".join(words.values())), words


@pytest.mark.parametrize(
    ("locale", "count", "expected"),
    [
        ("en", 1, "1 year"),
        ("en", 3, "3 years"),
        ("en", 1.5, "1.5 years"),
        ("fr", 1, "1 an"),
        ("fr", 1.5, "1,5 an"),
        ("fr", 0, "0 an"),
        ("fr", 4, "4 ans"),
        ("es", 1, "1 año"),
        ("es", 2.5, "2,5 años"),
        ("de", 1, "1 Jahr"),
        ("de", 7, "7 Jahre"),
    ],
)
def test_counts_take_the_plural_form_of_the_locale(
    locale: str, count: float, expected: str
) -> None:
    forms = {
        "en": "one {# year} other {# years}",
        "fr": "one {# an} many {# ans} other {# ans}",
        "es": "one {# año} many {# años} other {# años}",
        "de": "one {# Jahr} other {# Jahre}",
    }[locale]
    template = Template("{answers.n, plural, " + forms + "}")
    assert template.fields == ("answers.n",)
    assert template.fill({"answers.n": count}, wording=wording_in(locale)) == expected


@pytest.mark.parametrize(
    ("locale", "joined", "yes"),
    [
        ("en", "bored, confused and worried", "yes"),
        ("fr", "bored, confused et worried", "oui"),
        ("es", "bored, confused y worried", "sí"),
        ("de", "bored, confused und worried", "ja"),
    ],
)
def test_lists_and_yes_no_are_said_as_the_locale_says_them(
    locale: str, joined: str, yes: str
) -> None:
    template = Template("{answers.signals} / {answers.ok}")
    filled = template.fill(
        {"answers.signals": ["bored", "confused", "worried"], "answers.ok": True},
        wording=wording_in(locale),
    )
    assert filled == f"{joined} / {yes}"


def test_a_plural_needs_an_other_form_and_each_hash_counts_as_a_quote() -> None:
    assert template_problems("{answers.n, plural, one {# year}}", {"answers.n"})
    assert template_problems("{answers.m, plural, other {#}}", {"answers.n"})
    assert not template_problems("{answers.n, plural, one {#} other {# #}}", {"answers.n"})
    assert explanation_chars("{answers.n, plural, one {#} other {# #}}") > 2 * 200


def _verdict(compiled: Any, persona: Persona) -> Any:
    inputs = prepare_inputs(persona.inputs())
    _, shown = visible_answers(BUILTIN_SETS["self-reflection"].compiled, inputs["answers"])
    askable = {f"answers.{key}" for key in shown} | {
        f"feedback.{q.question.key}"
        for q in BUILTIN_SETS["interviewer-feedback"].compiled.questions
    }
    return compiled.evaluate(inputs, askable)


CASES = [(persona, locale) for locale in OTHERS for persona in PERSONAS]


@pytest.mark.parametrize(
    ("persona", "locale"), CASES, ids=[f"{locale}-{p.name}" for p, locale in CASES]
)
def test_default_v1_gives_the_same_verdicts_in_every_locale(persona: Persona, locale: str) -> None:
    v1 = BUILTIN_VERSIONS["default", 1].compiled
    english = _verdict(v1, persona)
    worded, written_in = in_locale(v1, locale)
    assert written_in == locale
    translated = _verdict(worded, persona)
    assert translated.primary_category == english.primary_category
    assert top_factor(translated) == top_factor(english)
    assert [r.id for r in translated.fired_rules] == [r.id for r in english.fired_rules]
    texts = [r.because for r in translated.fired_rules] + [s.text for s in translated.next_steps]
    for text in texts:
        assert "{" not in text, text
        assert not ENGLISH_WORDS.search(text), (text, ENGLISH_WORDS.findall(text))
