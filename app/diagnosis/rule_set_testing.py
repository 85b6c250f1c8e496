"""Dry runs of a rule set version: its embedded tests, and samples against the active one."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.security import Principal
from app.diagnosis import rule_sets
from app.diagnosis.rule_set_limits import invalid_rule_set
from app.diagnosis.schemas import (
    RuleSetTestReport,
    RuleSetTestRequest,
    SampleOutcome,
    TestOutcome,
)
from app.diagnosis.variables import prepare_inputs
from app.rules.engine import InvalidRuleSet, run_tests


async def test_rule_set(
    session: AsyncSession, caller: Principal, key: str, version: int, data: RuleSetTestRequest
) -> RuleSetTestReport:
    read, _ = await rule_sets.get_version(session, caller, key, version)
    try:
        candidate = rule_sets.compile_cached(read.content)
    except InvalidRuleSet as exc:
        raise invalid_rule_set(exc, "", "The rule set (see POST …/validate)") from None
    active_key, active_version = await rule_sets.active_ref(session, caller)
    active, _ = await rule_sets.compiled_version(session, caller, active_key, active_version)
    tests = [
        TestOutcome(
            name=r.name,
            passed=r.passed,
            expected=r.expected,
            actual=r.actual,
            missing_rules=r.missing_rules,
        )
        for r in run_tests(candidate, prepare=prepare_inputs)
    ]
    samples = []
    for sample in data.samples:
        inputs = prepare_inputs(sample.inputs.model_dump())
        mine = candidate.evaluate(inputs).primary_category
        theirs = active.evaluate(inputs).primary_category
        samples.append(
            SampleOutcome(
                name=sample.name,
                primary_category=mine,
                active_primary_category=theirs,
                changed=mine != theirs,
            )
        )
    return RuleSetTestReport(
        passed=all(t.passed for t in tests),
        tests=tests,
        samples=samples,
        active=f"{active_key}@{active_version}",
    )
