"""The Jinja2 environments messages are rendered in: sandboxed, strict, and bounded.

A template is text an organisation typed. The sandbox keeps it away from Python
internals; on top of it, nothing is callable (no globals, no calls, a short list of
filters), and everything that makes a value or repeats work is bounded as it runs
(`limits`): arithmetic, `~`, %-formats, list and dict literals, slices, every filter,
every loop and the text written. So a template can neither reach the file system nor
make the service hang or run out of memory.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Iterator
from typing import Any

from jinja2 import StrictUndefined, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from app.messages import limits

MAX_OUTPUT = limits.MAX_VALUE

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


class _BoundedCodeGenerator(CodeGenerator):
    """Compiles loops, `~`, literals and constants so that each is checked as it runs."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # What each `for` loop iterates (by id), and the size of the loop's body.
        self._loop_steps: dict[int, int] = {}

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        parts = (*node.body, *node.else_, *([node.test] if node.test else []))
        steps = sum(1 + sum(1 for _ in part.find_all(nodes.Node)) for part in parts)
        self._loop_steps[id(node.iter)] = max(steps, 1)
        super().visit_For(node, frame)

    def visit(self, node: nodes.Node, *args: Any, **kwargs: Any) -> Any:
        steps = self._loop_steps.get(id(node))
        if steps is None:
            return super().visit(node, *args, **kwargs)
        self.write("environment.counted(")
        super().visit(node, *args, **kwargs)
        self.write(f", {steps})")
        return None

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.concatenated((")
        for part in node.nodes:
            self.visit(part, frame)
            self.write(", ")
        self.write("))")

    def visit_Getitem(self, node: nodes.Getitem, frame: Frame) -> None:
        if not isinstance(node.arg, nodes.Slice):  # the sandbox's getitem: a part of a value
            super().visit_Getitem(node, frame)
            return
        # A slice is compiled to plain Python, past the sandbox: each copy is charged.
        self._bounded(lambda: super(_BoundedCodeGenerator, self).visit_Getitem(node, frame))

    def _bounded(self, visit: Callable[[], None]) -> None:
        self.write("environment.bounded(")
        visit()
        self.write(")")

    def visit_List(self, node: nodes.List, frame: Frame) -> None:
        self._bounded(lambda: super(_BoundedCodeGenerator, self).visit_List(node, frame))

    def visit_Dict(self, node: nodes.Dict, frame: Frame) -> None:
        self._bounded(lambda: super(_BoundedCodeGenerator, self).visit_Dict(node, frame))

    def visit_Tuple(self, node: nodes.Tuple, frame: Frame) -> None:
        if node.ctx != "load":  # a loop's or an assignment's names
            super().visit_Tuple(node, frame)
            return
        self._bounded(lambda: super(_BoundedCodeGenerator, self).visit_Tuple(node, frame))

    def visit_Const(self, node: nodes.Const, frame: Frame) -> None:
        try:
            limits.bounded(node.as_const(frame.eval_ctx))
        except limits.TooCostly as exc:
            exc.lineno = node.lineno
            raise
        super().visit_Const(node, frame)


def _check_join(arguments: inspect.BoundArguments) -> None:
    value = arguments.arguments.get("value")
    separator = arguments.arguments.get("d", "")
    items = len(value) if isinstance(value, str | list | tuple | dict) else 0
    size = limits.weight(separator) * max(items - 1, 0) + limits.weight(value)
    if size > limits.MAX_VALUE:
        raise limits.too_long()


# Filters that do Python work for each character or item (the others run in C): what
# they read is charged this many times over.
_SLOW_FILTERS = {"title": 20, "wordcount": 20, "sort": 20, "unique": 20, "max": 20, "min": 20}


def _bounded_filter(name: str, run: Callable[..., Any]) -> Callable[..., Any]:
    """`run`, with what it reads and makes checked and charged (`join` estimated before)."""
    signature = inspect.signature(run)
    slowness = _SLOW_FILTERS.get(name, 1)
    # Filters that take Jinja's context, environment or evaluation context first.
    value_at = 1 if hasattr(run, "jinja_pass_arg") else 0

    @functools.wraps(run)  # keeps Jinja's pass_eval_context and kin
    def bounded_run(*args: Any, **kwargs: Any) -> Any:
        if name == "join":
            _check_join(signature.bind(*args, **kwargs))
        if len(args) > value_at:
            limits.charge(slowness * limits.weight(args[value_at]))
        result = run(*args, **kwargs)
        if isinstance(result, Iterator):  # `unique` and `reverse` may answer a generator
            result = list(result)
        return limits.checked_result(result)

    return bounded_run


class MessageSandbox(SandboxedEnvironment):
    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})
    intercepted_unops = frozenset({"+", "-"})
    code_generator_class = _BoundedCodeGenerator
    concat = staticmethod(limits.joined)  # what a part, or a `{% set %}` block, writes

    counted = staticmethod(limits.counted)
    concatenated = staticmethod(limits.concatenated)
    bounded = staticmethod(limits.bounded)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        limits.check_operands(operator, left, right)
        return limits.checked_result(super().call_binop(context, operator, left, right))

    def call_unop(self, context: Context, operator: str, arg: Any) -> Any:
        limits.check_number(arg)
        return limits.checked_result(super().call_unop(context, operator, arg))

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        raise SecurityError("Templates may not call anything.")


def plain_value(value: Any) -> Any:
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


def markdown_value(value: Any) -> Any:
    if value is None:
        return ""
    return markdown_literal(value if isinstance(value, str) else str(limits.bounded(value)))


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
    env.filters = {
        name: _bounded_filter(name, f) for name, f in env.filters.items() if name in FILTERS
    }
    return env


# Plain text and subjects take values as they are; Markdown (and the HTML made from it)
# takes them escaped, so a name like `*Dana*` or `<b>` reads literally everywhere.
PLAIN = _environment(plain_value)
MARKDOWN = _environment(markdown_value)
