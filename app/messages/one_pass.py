"""A built-in body rendered once for both its plain text and its Markdown (pure).

The two renderings differ only in how `finalize` writes each value (`sandbox.PLAIN`,
`sandbox.MARKDOWN`): the text around the values, which branch an `if` takes and how often
a loop goes round depend on the variables alone. So the body renders once, keeping each
value it writes and writing a placeholder in its place; the text between the placeholders
is then joined with the values written each way.

That holds only where every value reaches the output through `finalize` alone: a macro,
a call, a block, a `{% set %}` or `{% filter %}` block or an include turns rendered text
(placeholders and all) into a value of its own, so a template with one of those, or with
anything else not known here, is not rendered this way (`renders_once`). A rendering that
fails, or whose placeholders do not match the values kept, gives None: the caller renders
twice as before, and fails as it always did.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, Template, nodes, pass_context
from jinja2.runtime import Context

from app.messages.sandbox import markdown_literal, markdown_value, plain_value

# What a value is written as while rendering. The facts' schemas refuse NUL (PostgreSQL
# cannot store it), and a template holding one is not rendered this way.
PLACEHOLDER = "\x00"

# The nodes whose values reach the output only through `finalize`, in an `Output`.
_ONE_PASS_NODES = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.If,
    nodes.For,
    nodes.Name,
    nodes.Const,
    nodes.Getattr,
    nodes.Getitem,
    nodes.Filter,
    nodes.Test,
    nodes.CondExpr,
    nodes.Compare,
    nodes.Operand,
    nodes.And,
    nodes.Or,
    nodes.Not,
)


class _Kept(Context):
    """A rendering's context that also keeps the values the template writes, in order."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.written: list[Any] = []


@pass_context  # so also no constant is written at compile time, unkept
def _keep(context: _Kept, value: Any) -> str:
    context.written.append(value)
    return PLACEHOLDER


def keeping(env: Environment) -> Environment:
    """`env` (a trusted one, finalized as PLAIN or MARKDOWN), keeping values instead."""
    kept = env.overlay(finalize=_keep)
    kept.context_class = _Kept
    return kept


def renders_once(env: Environment, source: str) -> bool:
    """Whether a body may be rendered once for both ways of writing its values."""
    if PLACEHOLDER in source:
        return False
    tree = env.parse(source)
    return all(
        type(node) in _ONE_PASS_NODES and not (isinstance(node, nodes.For) and node.recursive)
        for node in tree.find_all(nodes.Node)
    )


def render_both(template: Template, variables: dict[str, Any]) -> tuple[str, str] | None:
    """The body as plain text and as Markdown, from one rendering of `template` (compiled
    in a `keeping` environment); None if the two renderings must be made (see above)."""
    env = template.environment
    context = _Kept(env, variables, template.name, template.blocks)
    try:
        parts = "".join(template.root_render_func(context)).split(PLACEHOLDER)
        values = context.written
        if len(parts) != len(values) + 1:
            return None
        # A string (most values) as the finalizers write it, without calling them.
        plain = [v if type(v) is str else str(plain_value(v)) for v in values]
        markdown = [
            markdown_literal(v) if type(v) is str else str(markdown_value(v)) for v in values
        ]
    except Exception:  # the two renderings raise it, where they always did
        return None
    pieces = [""] * (2 * len(values) + 1)
    pieces[::2] = parts
    pieces[1::2] = plain
    text = "".join(pieces)
    pieces[1::2] = markdown
    return text, "".join(pieces)
