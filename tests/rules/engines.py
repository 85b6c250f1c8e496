"""The engine as it is, through both of its paths, beside the frozen engine of 652701a."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from app.diagnosis.variables import KNOWN_FIELDS
from app.rules.engine import CompiledRuleSet
from tests.rules.frozen.engine import CompiledRuleSet as FrozenRuleSet


def outcome(engine: Any, inputs: Mapping[str, Any], askable: Collection[str] | None) -> str:
    """The verdict's repr (types show: `1` is not `1.0`), or the kind of error raised."""
    try:
        return repr(engine.evaluate(inputs, askable))
    except Exception as exc:  # the same inputs must fail the same way
        return f"raised {type(exc).__name__}"


@dataclass
class Engines:
    frozen: FrozenRuleSet
    closures: CompiledRuleSet  # never written out
    written_out: CompiledRuleSet  # written out before its first evaluation

    @classmethod
    def of(cls, compiled: CompiledRuleSet, fields: Collection[str] = KNOWN_FIELDS) -> Engines:
        return cls.build(compiled.content, fields, compiled.value_labels, compiled.wording)

    @classmethod
    def build(cls, content: Any, fields: Collection[str], labels: Any, wording: Any) -> Engines:
        def current(after: int) -> CompiledRuleSet:
            engine = CompiledRuleSet(content, fields, labels, screened=True, wording=wording)
            engine.written_out_after = after
            return engine

        frozen = FrozenRuleSet(content, fields, labels, screened=True, wording=wording)
        return cls(frozen, current(10**9), current(0))

    def compare(self, inputs: Mapping[str, Any], askable: Collection[str] | None = None) -> int:
        expected = outcome(self.frozen, inputs, askable)
        assert outcome(self.closures, inputs, askable) == expected
        assert outcome(self.written_out, inputs, askable) == expected
        return 1
