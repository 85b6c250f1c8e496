"""A verdict written as JSON in one pass: the bytes `VerdictRead.of(...)` would serialise to,
without building the models and checking them again on the way out (a preview's answer)."""

from __future__ import annotations

from typing import Any

from app.core.json_bytes import json_bytes
from app.diagnosis.schemas import RuleSetRef
from app.rules.engine import Verdict


def verdict_fields(verdict: Verdict, rule_set: RuleSetRef) -> dict[str, Any]:
    """`VerdictRead`'s fields in its order, as plain dicts and lists (orjson writes a
    dataclass several times slower than a dict); floats made floats as its validation makes
    them (a whole number in a float field is written `1.0`)."""
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
        "fired_rules": [
            {
                "id": f.id,
                "category": f.category,
                "factor": f.factor,
                "cf": float(f.cf),
                "because": f.because,
                "held": f.held,
            }
            for f in verdict.fired_rules
        ],
        "next_steps": [
            {
                "id": s.id,
                "priority": s.priority,
                "text": s.text,
                "category": s.category,
                "rule_id": s.rule_id,
            }
            for s in verdict.next_steps
        ],
        "missing": verdict.missing,
        "pattern": verdict.history_pattern,
        "rule_set": {
            "key": rule_set.key,
            "version": rule_set.version,
            "content_hash": rule_set.content_hash,
        },
    }


def verdict_document(verdict: Verdict, rule_set: RuleSetRef) -> bytes:
    """By orjson, or pydantic-core for what orjson refuses (a huge integer in `held`): the
    same bytes either way, a NaN or an infinity written null as a model writes it."""
    return json_bytes(verdict_fields(verdict, rule_set))
