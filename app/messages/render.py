"""Renders a message's subject and body into text, Markdown and HTML (pure)."""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import Template, TemplateError
from markdown_it import MarkdownIt

from app.messages.sandbox import MARKDOWN, MAX_OUTPUT, PLAIN, MessageSandbox

_HTML = MarkdownIt("commonmark", {"html": False, "breaks": True})
_SPACES = re.compile(r"(?<=\S)[ \t]{2,}")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"[ \t]+([,.;:!?])")
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Source:
    subject: str
    body: str


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    markdown: str
    html: str


class RenderError(Exception):
    """A template failed while rendering; `part` and `line` say where."""

    def __init__(self, detail: str, part: str, line: int | None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.part = part
        self.line = line


@lru_cache(maxsize=512)
def _compiled(env: MessageSandbox, source: str) -> Template:
    return env.from_string(source)


def _line_of(exc: BaseException) -> int | None:
    line = getattr(exc, "lineno", None)
    if isinstance(line, int):
        return line
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename == "<template>":
            return frame.lineno
    return None


def _run(env: MessageSandbox, source: str, part: str, variables: dict[str, Any]) -> str:
    try:
        result = _compiled(env, source).render(variables)
    except (TemplateError, ArithmeticError, TypeError, ValueError, RecursionError) as exc:
        raise RenderError(str(exc) or type(exc).__name__, part, _line_of(exc)) from None
    if len(result) > MAX_OUTPUT:
        raise RenderError(f"The {part} is longer than {MAX_OUTPUT} characters.", part, None)
    return result


def tidy(text: str) -> str:
    """No gaps where an optional fact was left out: no doubled spaces, blank runs or
    trailing space."""
    lines = [
        _SPACE_BEFORE_PUNCTUATION.sub(r"\1", _SPACES.sub(" ", line)).rstrip()
        for line in text.splitlines()
    ]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip() + "\n"


def one_line(text: str) -> str:
    return " ".join(text.split())


def render(source: Source, variables: dict[str, Any]) -> Rendered:
    subject = one_line(_run(PLAIN, source.subject, "subject", variables))
    text = tidy(_run(PLAIN, source.body, "body", variables))
    markdown = tidy(_run(MARKDOWN, source.body, "body", variables))
    return Rendered(subject=subject, text=text, markdown=markdown, html=_HTML.render(markdown))
