"""The two pure cores stay pure, and data flows one way between features."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

APP = Path(__file__).parent.parent / "app"
PURE = [
    "app.rules.engine",
    "app.rules.compiler",
    "app.messages.render",
    "app.messages.facts",
    "app.messages.formats",
    "app.messages.builtin",
    "app.messages.template_checks",
]
# Each feature may import only those before it (question sets ← sessions ← diagnosis ←
# messages ← follow-ups).
ORDER = ["question_sets", "sessions", "diagnosis", "messages", "follow_ups"]


@pytest.mark.parametrize("module", PURE)
def test_the_pure_cores_import_no_web_or_database_framework(module: str) -> None:
    script = (
        f"import sys, {module}; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'fastapi', 'starlette', "
        "'sqlalchemy'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("feature", ORDER)
def test_no_feature_imports_one_above_it(feature: str) -> None:
    above = ORDER[ORDER.index(feature) + 1 :]
    for path in (APP / feature).glob("*.py"):
        for name in _imports(path):
            parts = name.split(".")
            assert not (len(parts) > 1 and parts[0] == "app" and parts[1] in above), (
                f"{path.name} imports {name}"
            )


# Filtering by organisation by hand, outside app/core/lookup.py, where it is not a lookup
# on the caller's behalf: authentication itself (and a coach's grants, read to build the
# coach's scope), the shared-with-people rule of rule sets,
# rows read about a session already found through the scoped lookup, and the worker's
# fan-out, which matches each event to its own organisation's endpoints (no caller there).
ORGANISATION_FILTERS_OUTSIDE_LOOKUP = {
    "access/auth.py": 1,
    "access/coach_reach.py": 1,
    "diagnosis/models.py": 1,
    "events/dispatch.py": 1,
    "messages/service.py": 2,
}


def test_scoping_by_caller_lives_in_one_place() -> None:
    found = {}
    for path in APP.rglob("*.py"):
        relative = path.relative_to(APP).as_posix()
        if relative == "core/lookup.py":
            continue
        count = path.read_text(encoding="utf-8").count("organization_id ==")
        if count:
            found[relative] = count
    assert found == ORGANISATION_FILTERS_OUTSIDE_LOOKUP, (
        "filter what the caller sees with app.core.lookup (visible, find_owned, get_owned)"
    )


SHARED_MODULES = {"time", "datetime", "asyncio", "threading", "os"}


def _patched_shared_module(call: ast.Call) -> bool:
    if not (isinstance(call.func, ast.Attribute) and call.func.attr == "setattr" and call.args):
        return False
    target = call.args[0]
    if isinstance(target, ast.Attribute):
        return target.attr in SHARED_MODULES
    return isinstance(target, ast.Name) and target.id in SHARED_MODULES


def test_no_test_patches_a_module_every_thread_shares() -> None:
    """Patching `some_module.time.monotonic` patches `time.monotonic` for every thread of
    the test process: a render pool's manager thread then computed a deadline on the fake
    clock and slept in poll() for 86 minutes. Patch the name the module imported instead."""
    offenders = []
    for path in sorted(Path("tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _patched_shared_module(node):
                offenders.append(f"{path}:{node.lineno}")
    assert not offenders, offenders
