"""The persona table in every built-in locale: the same verdicts, explained in that locale,
as sentences (no field names, no English left over, every placeholder filled)."""

from __future__ import annotations

import re

import pytest

from app.diagnosis.builtin import DEFAULT_RULE_SET
from app.diagnosis.builtin_locales import in_locale
from app.diagnosis.variables import prepare_inputs
from app.i18n.locales import BUILTIN_LOCALES
from app.question_sets.answers import visible_answers
from app.question_sets.builtin import BUILTIN_SETS
from app.rules.engine import Verdict
from tests.diagnosis.personas import PERSONAS, Persona
from tests.diagnosis.test_personas import REFLECTION, SNAKE, top_factor, verdict_of

OTHERS = [locale for locale in BUILTIN_LOCALES if locale != "en"]
ENGLISH = re.compile(
    r"\b(the|and|your|you|interview|interviewer|credentials?|yes|none|not answered)\b", re.I
)
CASES = [(persona, locale) for locale in OTHERS for persona in PERSONAS]


def verdict_in(persona: Persona, locale: str) -> Verdict:
    compiled, written_in = in_locale(DEFAULT_RULE_SET.compiled, locale)
    assert written_in == locale
    inputs = prepare_inputs(persona.inputs())
    _, shown = visible_answers(REFLECTION, inputs["answers"])
    askable = {f"answers.{key}" for key in shown} | {
        f"feedback.{q.question.key}"
        for q in BUILTIN_SETS["interviewer-feedback"].compiled.questions
    }
    return compiled.evaluate(inputs, askable)


@pytest.mark.parametrize(
    ("persona", "locale"), CASES, ids=[f"{locale}-{p.name}" for p, locale in CASES]
)
def test_the_same_verdict_explained_in_the_locale(persona: Persona, locale: str) -> None:
    english, translated = verdict_of(persona), verdict_in(persona, locale)
    assert translated.primary_category == english.primary_category
    assert top_factor(translated) == top_factor(english)
    assert [r.id for r in translated.fired_rules] == [r.id for r in english.fired_rules]
    texts = [r.because for r in translated.fired_rules] + [s.text for s in translated.next_steps]
    texts += [c.label for c in translated.categories]
    for text in texts:
        assert not SNAKE.findall(text), text
        assert "{" not in text, text
        assert not ENGLISH.search(text), (text, ENGLISH.findall(text))
