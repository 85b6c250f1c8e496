"""Renders a message's subject and body into text, Markdown and HTML (pure)."""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cmarkgfm import markdown_to_html
from cmarkgfm.cmark import Options
from jinja2 import Template, TemplateError

from app.messages import limits
from app.messages.sandbox import MARKDOWN, PLAIN, MessageSandbox

# CommonMark by cmark (C): raw HTML in a template is left out (its safe default), and a
# line break stays a line break, as in the plain text.
_HTML_OPTIONS = Options.CMARK_OPT_HARDBREAKS
_SPACES = re.compile(r"(?<=\S)[ \t]{2,}")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"[ \t]+(?=[,.;:!?])")
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n{3,}")
_SPACE_BEFORE = re.compile(r" [ \n,.;:!?]")


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
    """A template failed while rendering; `part` and `line` say where, `costly` that it
    broke one of the limits on what a template may make or do (`limits`)."""

    def __init__(self, detail: str, part: str, line: int | None, costly: bool = False) -> None:
        super().__init__(detail)
        self.detail = detail
        self.part = part
        self.line = line
        self.costly = costly


@lru_cache(maxsize=512)
def _compiled(env: MessageSandbox, source: str) -> Template:
    return env.from_string(source)


def line_of(exc: BaseException) -> int | None:
    line = getattr(exc, "lineno", None)
    if isinstance(line, int):
        return line
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename == "<template>":
            return frame.lineno
    return None


# What a template can make Jinja or Python raise; anything else is Debrief's own bug.
# (A SyntaxError: Python's compiler refusing what Jinja made of a deeply nested template.)
_TEMPLATE_FAULTS = (
    TemplateError,
    ArithmeticError,
    LookupError,
    TypeError,
    ValueError,
    RecursionError,
    MemoryError,
    SyntaxError,
)


def _run(env: MessageSandbox, source: str, part: str, variables: dict[str, Any]) -> str:
    """One part rendered, with its own budget (constants fold, and are charged, as it
    compiles)."""
    try:
        with limits.budget():
            return _compiled(env, source).render(variables)
    except limits.TooCostly as exc:
        raise RenderError(str(exc), part, line_of(exc), costly=True) from None
    except _TEMPLATE_FAULTS as exc:
        raise RenderError(str(exc) or type(exc).__name__, part, line_of(exc)) from None


def tidy(text: str) -> str:
    """No gaps where an optional fact was left out: no doubled spaces, blank runs or
    trailing space. (Each pass runs only when a quick scan finds something for it; one
    scan first finds whether any of the first three could: each needs a tab, or a space
    before a space, a line break or a mark.)"""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    if "\t" in text or _SPACE_BEFORE.search(text):
        if " \n" in text or "\t\n" in text:
            text = _TRAILING_SPACE.sub("", text)
        if "  " in text or "\t" in text:
            text = _SPACES.sub(" ", text)
        if any(f" {mark}" in text for mark in ",.;:!?") or "\t" in text:
            text = _SPACE_BEFORE_PUNCTUATION.sub("", text)
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip() + "\n"


def one_line(text: str) -> str:
    return " ".join(text.split())


def render(source: Source, variables: dict[str, Any]) -> Rendered:
    return finish(
        _run(PLAIN, source.subject, "subject", variables),
        _run(PLAIN, source.body, "body", variables),
        _run(MARKDOWN, source.body, "body", variables),
    )


def finish(subject: str, text: str, markdown: str) -> Rendered:
    """A rendering's parts as written by its templates, tidied, and the HTML made."""
    markdown = tidy(markdown)
    return Rendered(
        subject=one_line(subject),
        text=tidy(text),
        markdown=markdown,
        html=markdown_to_html(markdown, options=_HTML_OPTIONS),
    )
