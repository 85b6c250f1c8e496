"""The default rule set, shipped as a data file and compiled once at import."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

from app.diagnosis.variables import KNOWN_FIELDS
from app.rules.definition import RuleSetContent
from app.rules.engine import CompiledRuleSet


@dataclass(frozen=True)
class BuiltinRuleSet:
    key: str
    version: int
    compiled: CompiledRuleSet


def _load() -> dict[str, BuiltinRuleSet]:
    loaded = {}
    folder = resources.files("app.diagnosis.builtin_rule_sets")
    for file in sorted(folder.iterdir(), key=lambda f: f.name):
        if file.name.endswith(".json"):
            data = json.loads(file.read_text(encoding="utf-8"))
            content = RuleSetContent.model_validate(data["content"])
            loaded[data["key"]] = BuiltinRuleSet(
                data["key"], data["version"], CompiledRuleSet(content, KNOWN_FIELDS)
            )
    return loaded


BUILTIN_RULE_SETS = _load()
DEFAULT_RULE_SET = BUILTIN_RULE_SETS["default"]
