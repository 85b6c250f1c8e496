"""A verdict written as JSON in one pass: the bytes `VerdictRead.of(...)` would serialise to,
without building the models and checking them again on the way out (a preview's answer)."""

from __future__ import annotations

from typing import Any

from pydantic_core import to_json

from app.diagnosis.schemas import RuleSetRef
from app.rules.engine import Verdict


def verdict_fields(verdict: Verdict, rule_set: RuleSetRef) -> dict[str, Any]:
    """`VerdictRead`'s fields in its order; floats made floats as its validation makes them
    (a whole number in a float field is written `1.0`)."""
    return {
        "primary_category": verdict.primary_category,
        "confidence": float(verdict.confidence),
        "margin": float(verdict.margin),
        "categories": [
            {
                "key": c.key,
                "label": c.label,
                "score": float(c.score),
                "factors": [{"factor": f, "score": float(score)} for f, score in c.factors.items()],
            }
            for c in verdict.categories
        ],
        "fired_rules": _fired_rules(verdict),
        # `Step`'s fields are `NextStepRead`'s, in its order: written as they are.
        "next_steps": verdict.next_steps,
        "missing": verdict.missing,
        "pattern": verdict.history_pattern,
        "rule_set": {
            "key": rule_set.key,
            "version": rule_set.version,
            "content_hash": rule_set.content_hash,
        },
    }


def _fired_rules(verdict: Verdict) -> list[Any]:
    """`FiredRule`'s fields are `FiredRuleRead`'s, in its order: written as they are when
    every `cf` is a float already (a whole-number weight of an inline rule set may not be)."""
    if all(type(f.cf) is float for f in verdict.fired_rules):
        return verdict.fired_rules
    return [
        {
            "id": f.id,
            "category": f.category,
            "factor": f.factor,
            "cf": float(f.cf),
            "because": f.because,
            "held": list(f.held),
        }
        for f in verdict.fired_rules
    ]


def verdict_document(verdict: Verdict, rule_set: RuleSetRef) -> bytes:
    # inf_nan_mode: as a model writes a NaN or an infinity (in `held`): null.
    return to_json(verdict_fields(verdict, rule_set), inf_nan_mode="null")
