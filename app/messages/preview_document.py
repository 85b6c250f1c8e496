"""A message preview written as JSON in one pass: the bytes `MessagePreview(...)` would
serialise to, without dumping the rendition and validating it again on the way out."""

from __future__ import annotations

from typing import Any

from pydantic_core import to_json

from app.core.json_bytes import json_bytes
from app.messages.kinds import MessageKind, Tone
from app.messages.schemas import Rendition, TemplateRef


def preview_document(
    rendition: Rendition, kind: MessageKind, tone: Tone, locale: str, template: TemplateRef
) -> bytes:
    """`MessagePreview`'s fields in its order (the rendition's, then its own)."""
    document: dict[str, Any] = {
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
        "template": {"source": template.source, "id": template.id, "version": template.version},
    }
    if rendition.questions:  # a call script's: models, which pydantic-core writes
        return to_json(document)
    return json_bytes(document)  # strings, numbers and nulls only: orjson writes them
