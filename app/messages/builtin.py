"""The built-in templates: one file per kind, tone and locale (`en/call_script.warm.j2`).

A file holds the subject template on its first line, after `Subject:`, then a blank line,
then the body template (Markdown that reads well as plain text).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from app.i18n.locales import BUILTIN_LOCALES, DEFAULT_LOCALE, LocaleUnavailable
from app.i18n.locales import builtin_locale as builtin_locale
from app.messages.kinds import MessageKind, Tone
from app.messages.render import Source

LOCALES = BUILTIN_LOCALES
__all__ = ["DEFAULT_LOCALE", "LOCALES", "LocaleUnavailable", "builtin_locale", "builtin_source"]


def parse(text: str) -> Source:
    head, _, body = text.partition("\n\n")
    if not head.startswith("Subject:"):
        raise ValueError("A built-in template starts with a `Subject:` line.")
    return Source(subject=head.removeprefix("Subject:").strip(), body=body)


@cache
def builtin_source(kind: MessageKind, tone: Tone, locale: str) -> Source:
    path = resources.files("app.messages").joinpath(
        f"builtin_templates/{locale}/{kind.value}.{tone.value}.j2"
    )
    return parse(path.read_text(encoding="utf-8"))
