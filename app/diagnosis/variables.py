"""The facts a rule may read: `answers.`, `feedback.`, `session.` and `history.`."""

from __future__ import annotations

from typing import Any

from app.question_sets.builtin import BUILTIN_SETS
from app.sessions.schemas import Stage

STAGE_RANK = {stage.value: rank for rank, stage in enumerate(Stage)}
CATEGORIES = ("in_person", "on_paper", "direction")

SESSION_FIELDS = (
    "session.company",
    "session.role_title",
    "session.stage_reached",
    "session.stage_rank",
    "session.outcome",
    "session.posting.required_credentials",
    "session.posting.preferred_credentials",
    "session.posting.years_required",
    "session.years_short",
)
HISTORY_FIELDS = ("history.diagnoses", *(f"history.{c}" for c in CATEGORIES))


def known_fields() -> frozenset[str]:
    answers = {
        f"answers.{q.question.key}" for q in BUILTIN_SETS["self-reflection"].compiled.questions
    }
    feedback = {
        f"feedback.{q.question.key}"
        for q in BUILTIN_SETS["interviewer-feedback"].compiled.questions
    }
    return frozenset(answers | feedback | set(SESSION_FIELDS) | set(HISTORY_FIELDS))


KNOWN_FIELDS = known_fields()


def session_facts(facts: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """Session facts with the derived ones rules need: stage rank, years short."""
    derived = dict(facts)
    stage = derived.get("stage_reached")
    if isinstance(stage, str) and stage in STAGE_RANK:
        derived["stage_rank"] = STAGE_RANK[stage]
    posting = derived.get("posting") or {}
    required = posting.get("years_required") if isinstance(posting, dict) else None
    have = answers.get("years_experience")
    if isinstance(required, int | float) and isinstance(have, int | float):
        derived["years_short"] = max(0.0, float(required) - float(have))
    return derived


def prepare_inputs(inputs: dict[str, Any]) -> dict[str, Any]:
    """The four roots, with the session's derived facts added."""
    answers = dict(inputs.get("answers") or {})
    return {
        "answers": answers,
        "feedback": dict(inputs.get("feedback") or {}),
        "session": session_facts(dict(inputs.get("session") or {}), answers),
        "history": dict(inputs.get("history") or {}),
    }
