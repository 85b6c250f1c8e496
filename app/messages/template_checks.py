"""Checks an organisation's template before it is saved (pure).

Every problem names the part (`subject` or `body`) and the line. A template may only
read the variables Debrief gives it (`facts.SHAPE`), may not call anything, include,
import or extend other templates, define macros, or nest loops more than two deep; the
sandbox refuses the rest when it renders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateSyntaxError, nodes

from app.messages import limits
from app.messages.facts import SHAPE
from app.messages.pronouns import PRONOUN_FORMS
from app.messages.sandbox import PLAIN

MAX_SUBJECT = 1_000
MAX_BODY = 20_000
MAX_LOOP_DEPTH = 2

ANY = object()  # a value the template made itself: any public attribute may be read
LOOP: dict[str, Any] = dict.fromkeys(
    ("index", "index0", "revindex", "revindex0", "first", "last", "length", "previtem", "nextitem")
)
FORBIDDEN: dict[type[nodes.Node], str] = {
    nodes.Call: "calls",
    nodes.Include: "include",
    nodes.Import: "import",
    nodes.FromImport: "import",
    nodes.Extends: "extends",
    nodes.Macro: "macros",
    nodes.CallBlock: "call blocks",
    nodes.Block: "blocks",
}


@dataclass(frozen=True)
class TemplateProblem:
    part: str
    line: int | None
    detail: str
    costly: bool = False  # it breaks a limit on what a template may make or do


class _Checker:
    def __init__(self, part: str, tree: nodes.Template) -> None:
        self.part = part
        self.problems: list[TemplateProblem] = []
        self.bound: dict[str, Any] = {}
        for loop in tree.find_all(nodes.For):
            element = self._element_of(loop.iter)
            for name in (
                loop.target.find_all(nodes.Name)
                if not isinstance(loop.target, nodes.Name)
                else [loop.target]
            ):
                self.bound[name.name] = element if isinstance(loop.target, nodes.Name) else ANY
        for assigned in tree.find_all((nodes.Assign, nodes.AssignBlock, nodes.With)):
            for name in assigned.find_all(nodes.Name):
                if name.ctx == "store":
                    self.bound.setdefault(name.name, ANY)

    def problem(self, node: nodes.Node, detail: str, costly: bool = False) -> None:
        self.problems.append(TemplateProblem(self.part, node.lineno, detail, costly))

    def _element_of(self, node: nodes.Node) -> Any:
        shape = self.shape_quietly(node)
        return shape[0] if isinstance(shape, list) and shape else ANY

    def shape_quietly(self, node: nodes.Node) -> Any:
        kept = len(self.problems)
        shape = self.shape(node)
        del self.problems[kept:]
        return shape

    def shape(self, node: nodes.Node) -> Any:
        if isinstance(node, nodes.Name):
            if node.name in SHAPE:
                return SHAPE[node.name]
            if node.name in self.bound:
                return self.bound[node.name]
            if node.name == "loop":
                return LOOP
            self.problem(
                node, f"Unknown variable `{node.name}`; known: {', '.join(sorted(SHAPE))}."
            )
            return ANY
        if isinstance(node, nodes.Getattr):
            return self.member(node, self.shape(node.node), node.attr)
        if isinstance(node, nodes.Getitem):
            inner = self.shape(node.node)
            if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
                return self.member(node, inner, node.arg.value)
            self.visit(node.arg, 0)
            if isinstance(inner, list):
                return inner[0] if inner else ANY
            return ANY
        self.visit(node, 0)
        return ANY

    def member(self, node: nodes.Node, shape: Any, name: str) -> Any:
        if name.startswith("_"):
            self.problem(node, f"`{name}`: names starting with an underscore are not allowed.")
            return ANY
        if shape is ANY:
            return ANY
        if isinstance(shape, dict):
            if name in shape:
                return shape[name]
            self.problem(node, f"Unknown field `{name}`; known: {', '.join(sorted(shape))}.")
            return ANY
        self.problem(node, f"`{name}`: this value has no fields.")
        return ANY

    def visit(self, node: nodes.Node, loops: int) -> None:
        for kind, what in FORBIDDEN.items():
            if isinstance(node, kind):
                self.problem(node, f"Templates may not use {what}.")
                return
        if isinstance(node, nodes.Name | nodes.Getattr | nodes.Getitem):
            self.shape(node)
            return
        if isinstance(node, nodes.For):
            if node.recursive:
                self.problem(node, "Recursive loops are not allowed.")
                return
            if loops + 1 > MAX_LOOP_DEPTH:
                self.problem(node, f"Loops may nest at most {MAX_LOOP_DEPTH} deep.", costly=True)
                return
            self.visit(node.iter, loops)
            for child in (*node.body, *node.else_, *([node.test] if node.test else [])):
                self.visit(child, loops + 1)
            return
        if isinstance(node, nodes.Const):
            try:
                limits.check_number(node.value)
            except limits.TooCostly as exc:
                self.problem(node, str(exc), costly=True)
        if isinstance(node, nodes.Filter | nodes.Test):
            table = PLAIN.filters if isinstance(node, nodes.Filter) else PLAIN.tests
            if node.name not in table:
                what = "filter" if isinstance(node, nodes.Filter) else "test"
                self.problem(node, f"Unknown {what} `{node.name}`.")
        for child in node.iter_child_nodes():
            if isinstance(node, nodes.For | nodes.Assign | nodes.With) and isinstance(
                child, nodes.Name
            ):
                continue
            self.visit(child, loops)


def check_part(part: str, source: str, limit: int) -> list[TemplateProblem]:
    if len(source) > limit:
        return [TemplateProblem(part, None, f"The {part} is longer than {limit} characters.")]
    try:
        tree = PLAIN.parse(source)
    except TemplateSyntaxError as exc:
        return [TemplateProblem(part, exc.lineno, exc.message or "Syntax error.")]
    except RecursionError:
        return [TemplateProblem(part, None, f"The {part} is nested too deeply.", costly=True)]
    except ValueError:  # Python refuses to read a number with thousands of digits
        return [TemplateProblem(part, None, limits.TOO_MANY_DIGITS, costly=True)]
    checker = _Checker(part, tree)
    for child in tree.body:
        checker.visit(child, 0)
    return checker.problems


def check(subject: str, body: str) -> list[TemplateProblem]:
    return check_part("subject", subject, MAX_SUBJECT) + check_part("body", body, MAX_BODY)


# Variables whose words Debrief writes, in the locales it speaks: a template in a locale
# Debrief lacks writes these itself (the pronoun forms are English grammar); dates need
# a locale Babel's CLDR data has.
DEBRIEF_TEXTS = frozenset(
    {
        "greeting",
        "questions",
        "closing_notes",
        "call.length",
        "request.elapsed",
        *(f"{who}.{form}" for who in ("candidate", "interviewer") for form in PRONOUN_FORMS),
    }
)
DATES = frozenset({"interview_date", "request.sent_on", "call.when"})


def _path(node: nodes.Node) -> str | None:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        inner = _path(node.node)
        return f"{inner}.{node.attr}" if inner else None
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        inner = _path(node.node)
        return f"{inner}.{node.arg.value}" if inner else None
    return None


def texts_missing(
    subject: str, body: str, locale: str, speaks: list[str], dates: bool
) -> list[TemplateProblem]:
    """What a template in `locale`, which Debrief does not write in, reads of the words
    Debrief writes (`dates`: whether Babel can write dates in it)."""
    wanted = DEBRIEF_TEXTS if dates else DEBRIEF_TEXTS | DATES
    found: list[TemplateProblem] = []
    for part, source in (("subject", subject), ("body", body)):
        try:
            tree = PLAIN.parse(source)
        except (TemplateSyntaxError, RecursionError, ValueError):
            continue  # refused by the other checks
        seen: set[tuple[str, int]] = set()
        for node in tree.find_all((nodes.Name, nodes.Getattr, nodes.Getitem)):
            path = _path(node)
            if path in wanted and (path, node.lineno) not in seen:
                seen.add((path, node.lineno))
                found.append(
                    TemplateProblem(
                        part,
                        node.lineno,
                        f"`{path}` is written by Debrief in {', '.join(speaks)} only: a "
                        f"template in “{locale}” writes those words itself.",
                    )
                )
    return found
