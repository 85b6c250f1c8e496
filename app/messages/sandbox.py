"""The Jinja2 environments messages are rendered in: sandboxed, strict, and bounded.

A template is text an organisation typed. The sandbox keeps it away from Python
internals; on top of it, nothing is callable (no globals, a short list of filters) and
the operators that could make a huge value are checked, so a template can neither reach
the file system nor make the service hang or run out of memory.
"""

from __future__ import annotations

import re
from typing import Any

from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

MAX_OUTPUT = 50_000

FILTERS = frozenset(
    {
        "capitalize",
        "count",
        "default",
        "d",
        "first",
        "join",
        "last",
        "length",
        "lower",
        "max",
        "min",
        "reverse",
        "round",
        "sort",
        "string",
        "title",
        "trim",
        "truncate",
        "unique",
        "upper",
        "wordcount",
    }
)


class MessageSandbox(SandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and (not isinstance(right, int | float) or abs(right) > 64):
            raise SecurityError("Exponents above 64 are not allowed in a template.")
        if operator == "*":
            for sequence, times in ((left, right), (right, left)):
                if (
                    isinstance(sequence, str | list | tuple)
                    and isinstance(times, int)
                    and len(sequence) * times > MAX_OUTPUT
                ):
                    raise SecurityError("That repetition would make a value too long.")
        return super().call_binop(context, operator, left, right)


def _plain(value: Any) -> Any:
    return "" if value is None else value


# Characters that mean something to Markdown anywhere in a line, and the markers that
# mean something at the start of one.
_INLINE = re.compile(r"([\\`*_\[\]<>&|~])")
_LINE_START = re.compile(r"^(\s*)([#>+=-])", re.MULTILINE)
_RISKY_START = re.compile(r"\s|[#>+=\d-]")
_ORDERED = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)


def markdown_literal(text: str) -> str:
    """`text` escaped so that Markdown shows it as typed."""
    if "\n" not in text and not _INLINE.search(text) and not _RISKY_START.match(text):
        return text  # most names and places: nothing to escape
    escaped = _LINE_START.sub(r"\1\\\2", _INLINE.sub(r"\\\1", text))
    return _ORDERED.sub(r"\1\\\2", escaped)


def _markdown(value: Any) -> Any:
    if value is None:
        return ""
    return markdown_literal(value if isinstance(value, str) else str(value))


def _environment(finalize: Any) -> MessageSandbox:
    env = MessageSandbox(
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=finalize,
        auto_reload=False,
    )
    env.globals.clear()
    env.filters = {name: f for name, f in env.filters.items() if name in FILTERS}
    return env


# Plain text and subjects take values as they are; Markdown (and the HTML made from it)
# takes them escaped, so a name like `*Dana*` or `<b>` reads literally everywhere.
PLAIN = _environment(_plain)
MARKDOWN = _environment(_markdown)
