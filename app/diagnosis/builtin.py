"""The built-in rule sets, shipped as data files (one per version) and compiled once at import.

Every version stays loadable: an organisation that activated `default@1`, or a stored
diagnosis that names it, still finds it; a new key's latest version is what new callers get.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

from app.diagnosis.variables import KNOWN_FIELDS, VALUE_LABELS
from app.rules.definition import RuleSetContent
from app.rules.engine import CompiledRuleSet


@dataclass(frozen=True)
class BuiltinRuleSet:
    key: str
    version: int
    compiled: CompiledRuleSet


def _load() -> dict[tuple[str, int], BuiltinRuleSet]:
    loaded = {}
    folder = resources.files("app.diagnosis.builtin_rule_sets")
    for file in sorted(folder.iterdir(), key=lambda f: f.name):
        if file.name.endswith(".json"):
            data = json.loads(file.read_text(encoding="utf-8"))
            content = RuleSetContent.model_validate(data["content"])
            loaded[data["key"], data["version"]] = BuiltinRuleSet(
                data["key"], data["version"], CompiledRuleSet(content, KNOWN_FIELDS, VALUE_LABELS)
            )
    return loaded


BUILTIN_VERSIONS = _load()
BUILTIN_RULE_SETS = {
    key: max((b for b in BUILTIN_VERSIONS.values() if b.key == key), key=lambda b: b.version)
    for key, _ in BUILTIN_VERSIONS
}
DEFAULT_RULE_SET = BUILTIN_RULE_SETS["default"]
