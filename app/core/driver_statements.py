"""Statements compiled once to the driver's SQL, for writes sent many times a second.

`session.execute` of a Core statement derives the statement's cache key on every call
(a walk of the whole expression) to find the compiled form; for the few hot writes that
is most of SQLAlchemy's share of the work. A `DriverStatement` is that compiled form kept:
its SQL, the order of its positional parameters, and each one's bind processor (the
column type's conversion SQLAlchemy would apply, a JSON column's serialiser among them);
for a SELECT, also the conversions SQLAlchemy would apply to the columns it reads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement, Select

_Processor = Callable[[Any], Any] | None


@dataclass(frozen=True, slots=True)
class DriverStatement:
    """A statement as the driver takes it: its SQL, and how to order and convert values."""

    sql: str
    names: tuple[str, ...]
    processors: tuple[_Processor, ...]
    # (position, conversion) of the selected columns that have one.
    result_processors: tuple[tuple[int, Callable[[Any], Any]], ...] = ()

    def positional(self, values: dict[str, Any]) -> tuple[Any, ...]:
        """`values` (by bind name) in the SQL's order, converted as SQLAlchemy would."""
        return tuple(
            values[name] if processor is None else processor(values[name])
            for name, processor in zip(self.names, self.processors, strict=True)
        )

    def row(self, record: Sequence[Any]) -> tuple[Any, ...]:
        """A record the driver read, its values converted as SQLAlchemy would."""
        if not self.result_processors:
            return tuple(record)
        values = list(record)
        for position, processor in self.result_processors:
            values[position] = processor(values[position])
        return tuple(values)


_COMPILED: dict[tuple[int, str], tuple[ClauseElement, DriverStatement]] = {}


def driver_statement(
    statement: ClauseElement, dialect: Dialect, column_keys: Sequence[str] | None = None
) -> DriverStatement:
    """`statement` compiled for `dialect`, once (the statement must be built once too)."""
    key = (id(statement), dialect.name)
    cached = _COMPILED.get(key)
    # The statement is kept beside its compiled form, so that its id is not reused.
    if cached is not None and cached[0] is statement:
        return cached[1]
    compiled: Any = statement.compile(
        dialect=dialect, column_keys=list(column_keys) if column_keys else None
    )
    names = tuple(compiled.positiontup)
    processors = tuple(
        compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    )
    results = []
    if isinstance(statement, Select):
        for position, column in enumerate(statement.selected_columns):
            reader = column.type.dialect_impl(dialect).result_processor(dialect, None)
            if reader is not None:
                results.append((position, reader))
    compiled_statement = DriverStatement(compiled.string, names, processors, tuple(results))
    _COMPILED[key] = (statement, compiled_statement)
    return compiled_statement
