"""Choosing a locale (``?locale=``, then Accept-Language, then the set's default) and
rendering a set's texts in it."""

from __future__ import annotations

from app.question_sets.definition import QuestionSetContent, ScaleQuestion

MAX_ACCEPT_LANGUAGE_ENTRIES = 20


def _preferences(accept_language: str) -> list[str]:
    """Language ranges by descending quality, as RFC 9110 orders them."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")[:MAX_ACCEPT_LANGUAGE_ENTRIES]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and quality > 0:
            ranked.append((-quality, position, tag.strip()))
    return [tag for _, _, tag in sorted(ranked)]


def choose_locale(
    available: list[str], default: str, requested: str | None, accept_language: str | None
) -> str:
    """The best available locale: exact match first, then the same language."""
    wanted = [requested] if requested else _preferences(accept_language or "")
    lowered = {locale.lower(): locale for locale in available}
    for tag in wanted:
        if tag == "*":
            return default
        if tag.lower() in lowered:
            return lowered[tag.lower()]
        language = tag.lower().split("-")[0]
        for locale in available:
            if locale.lower().split("-")[0] == language:
                return locale
    return default


def available_locales(content: QuestionSetContent) -> list[str]:
    return [content.default_locale, *sorted(content.translations)]


def localized(content: QuestionSetContent, locale: str) -> QuestionSetContent:
    """The content with every text in ``locale`` where a translation gives one."""
    translation = content.translations.get(locale)
    if translation is None:
        return content
    sections = []
    for section in content.sections:
        section_texts = translation.sections.get(section.key)
        questions = []
        for question in section.questions:
            texts = translation.questions.get(question.key)
            if texts is None:
                questions.append(question)
                continue
            changes: dict[str, object] = {}
            if texts.prompt:
                changes["prompt"] = texts.prompt
            if texts.help:
                changes["help"] = texts.help
            if isinstance(question, ScaleQuestion):
                changes["min_label"] = texts.min_label or question.min_label
                changes["max_label"] = texts.max_label or question.max_label
            options = getattr(question, "options", None)
            if options is not None and texts.options:
                changes["options"] = [
                    option.model_copy(update={"label": texts.options.get(option.key, option.label)})
                    for option in options
                ]
            questions.append(question.model_copy(update=changes))
        section_changes: dict[str, object] = {"questions": questions}
        if section_texts is not None:
            if section_texts.title:
                section_changes["title"] = section_texts.title
            if section_texts.description:
                section_changes["description"] = section_texts.description
        sections.append(section.model_copy(update=section_changes))
    return content.model_copy(
        update={
            "title": translation.title or content.title,
            "description": translation.description or content.description,
            "sections": sections,
        }
    )
