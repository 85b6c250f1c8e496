"""A message preview written as JSON in one pass: the bytes `MessagePreview(...)` would
serialise to, without dumping the rendition and validating it again on the way out."""

from __future__ import annotations

from pydantic_core import to_json

from app.messages.kinds import MessageKind, Tone
from app.messages.schemas import Rendition, TemplateRef


def preview_document(
    rendition: Rendition, kind: MessageKind, tone: Tone, locale: str, template: TemplateRef
) -> bytes:
    """`MessagePreview`'s fields in its order (the rendition's, then its own)."""
    return to_json(
        {
            "subject": rendition.subject,
            "text": rendition.text,
            "markdown": rendition.markdown,
            "html": rendition.html,
            "mailto_url": rendition.mailto_url,
            "questions": rendition.questions,
            "characters": rendition.characters,
            "kind": kind.value,
            "tone": tone.value,
            "locale": locale,
            "template": template,
        }
    )
