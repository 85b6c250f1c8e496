"""Every built-in locale has every text English has, with the same placeholders, no
leftover English, and each template uses the variables its English original uses."""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

import pytest

from app.i18n.locales import BUILTIN_LOCALES
from app.messages.kinds import MessageKind, Tone
from app.question_sets.builtin import BUILTIN_SETS

TEMPLATES = resources.files("app.messages").joinpath("builtin_templates")
OTHERS = [locale for locale in BUILTIN_LOCALES if locale != "en"]
CATALOGUES = ["phrases", "call_questions"]
# Words that in these texts only English would use.
ENGLISH = re.compile(
    r"\b(the|thank you|and|please|your|would|could|interview|about|with|regards)\b", re.I
)
PLACEHOLDER = re.compile(r"\{\{\s*([\w.\[\]0-9]+)|\{(\w+)\}")


def _load(locale: str, name: str) -> Any:
    return json.loads(TEMPLATES.joinpath(f"{locale}/{name}.json").read_text(encoding="utf-8"))


def _leaves(value: Any, path: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        return {
            k: v for key, item in value.items() for k, v in _leaves(item, f"{path}/{key}").items()
        }
    if isinstance(value, list):
        return {
            k: v for i, item in enumerate(value) for k, v in _leaves(item, f"{path}/{i}").items()
        }
    return {path: value}


def _placeholders(text: str) -> set[str]:
    return {a or b for a, b in PLACEHOLDER.findall(text)}


@pytest.mark.parametrize("locale", OTHERS)
@pytest.mark.parametrize("name", CATALOGUES)
def test_every_key_and_placeholder_of_english_is_in_each_locale(locale: str, name: str) -> None:
    english, translated = _leaves(_load("en", name)), _leaves(_load(locale, name))
    assert set(translated) == set(english)
    for key, text in english.items():
        if isinstance(text, str):
            assert _placeholders(translated[key]) == _placeholders(text), key
            if (
                not key.endswith(("/key", "/categories/0", "/categories/1"))
                and "answer_keys" not in key
            ):
                assert not ENGLISH.search(translated[key]), (key, translated[key])


@pytest.mark.parametrize("locale", OTHERS)
@pytest.mark.parametrize("kind", list(MessageKind))
@pytest.mark.parametrize("tone", list(Tone))
def test_every_template_uses_the_variables_english_does(
    locale: str, kind: MessageKind, tone: Tone
) -> None:
    name = f"{kind.value}.{tone.value}.j2"
    english = TEMPLATES.joinpath(f"en/{name}").read_text(encoding="utf-8")
    translated = TEMPLATES.joinpath(f"{locale}/{name}").read_text(encoding="utf-8")
    # Pronoun forms are English grammar: translations word around them (epicene).
    pronouns = {"interviewer.they", "interviewer.them", "interviewer.their"}
    assert _placeholders(translated) == _placeholders(english) - pronouns
    prose = re.sub(r"\{[{%].*?[}%]\}", " ", translated.partition("\n")[2], flags=re.S)
    assert not ENGLISH.search(prose), ENGLISH.findall(prose)


def _set_texts(content: Any) -> set[str]:
    """The paths of every text a person reads in a question set, as a translation names them."""
    paths = {"/title", "/description"} if content.description else {"/title"}
    for section in content.sections:
        paths.add(f"/sections/{section.key}/title")
        if section.description:
            paths.add(f"/sections/{section.key}/description")
        for question in section.questions:
            base = f"/questions/{question.key}"
            paths.add(f"{base}/prompt")
            if question.help:
                paths.add(f"{base}/help")
            for label in ("min_label", "max_label"):
                if getattr(question, label, None):
                    paths.add(f"{base}/{label}")
            for option in getattr(question, "options", None) or []:
                paths.add(f"{base}/options/{option.key}")
    return paths


@pytest.mark.parametrize("locale", OTHERS)
@pytest.mark.parametrize("key", sorted(BUILTIN_SETS))
def test_every_builtin_question_set_text_is_translated(locale: str, key: str) -> None:
    content = BUILTIN_SETS[key].content
    translation = content.translations[locale].model_dump(exclude_none=True)
    given = {path for path, text in _leaves(translation).items() if text}
    assert given == _set_texts(content)
    for path, text in _leaves(translation).items():
        assert not ENGLISH.search(text), (path, text)
