"""The article's two question sets, shipped as data files and compiled once at import."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources

from app.core import ids
from app.i18n.locales import BUILTIN_LOCALES
from app.question_sets.compiled import CompiledQuestionSet, compile_question_set
from app.question_sets.definition import QuestionSetContent

# Built-ins sort before every stored set: their ids carry the earliest possible time.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
PUBLISHED_AT = datetime(2026, 11, 26, tzinfo=UTC)


@dataclass(frozen=True)
class BuiltinSet:
    id: str
    key: str
    version: int
    compiled: CompiledQuestionSet

    @property
    def content(self) -> QuestionSetContent:
        return self.compiled.content


def _translations(name: str) -> dict[str, object]:
    """The texts in each other built-in locale: `translations/<locale>/<file>`, one file a
    translator edits without touching the set's structure."""
    folder = resources.files("app.question_sets.builtin_sets").joinpath("translations")
    found: dict[str, object] = {}
    for locale in BUILTIN_LOCALES[1:]:
        file = folder.joinpath(locale, name)
        if file.is_file():
            found[locale] = json.loads(file.read_text(encoding="utf-8"))
    return found


def _load() -> dict[str, BuiltinSet]:
    loaded: dict[str, BuiltinSet] = {}
    files = sorted(
        (
            f
            for f in resources.files("app.question_sets.builtin_sets").iterdir()
            if f.name.endswith(".json")
        ),
        key=lambda f: f.name,
    )
    for position, file in enumerate(files, start=1):
        data = json.loads(file.read_text(encoding="utf-8"))
        data["content"]["translations"] = _translations(file.name)
        content = QuestionSetContent.model_validate(data["content"])
        identifier = f"{ids.QUESTION_SET.lowest_at(_EPOCH)[:-2]}{position:02d}"
        loaded[data["key"]] = BuiltinSet(
            identifier, data["key"], data["version"], compile_question_set(content)
        )
    return loaded


BUILTIN_SETS: dict[str, BuiltinSet] = _load()
