"""Choosing a locale (``?locale=``, then Accept-Language, then the set's default) and
rendering a set's texts in it."""

from __future__ import annotations

from app.i18n.locales import negotiate
from app.question_sets.definition import QuestionSetContent, ScaleQuestion


def choose_locale(
    available: list[str], default: str, requested: str | None, accept_language: str | None
) -> str:
    """The explicit locale (LocaleUnavailable if the set lacks it), else the best one
    `Accept-Language` asks for, else the set's default."""
    return negotiate(available, accept_language, requested, default)


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
