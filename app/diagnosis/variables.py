"""The facts a rule may read: `answers.`, `feedback.`, `session.` and `history.`."""

from __future__ import annotations

from typing import Any

from app.question_sets.builtin import BUILTIN_SETS
from app.question_sets.compiled import CompiledQuestionSet
from app.sessions.schemas import Stage

STAGE_RANK = {stage.value: rank for rank, stage in enumerate(Stage)}
STAGE_WORDS = {
    Stage.APPLICATION: "application",
    Stage.PHONE_SCREEN: "phone screen",
    Stage.FIRST_INTERVIEW: "first interview",
    Stage.LATER_INTERVIEW: "later interview",
    Stage.FINAL_INTERVIEW: "final interview",
    Stage.OFFER_STAGE: "offer",
}
CATEGORIES = ("in_person", "on_paper", "direction")
NEGATIVE_SIGNALS = ("confused", "bored", "worried")
POSITIVE_SIGNALS = ("inspired", "engaged", "excited")

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
    "session.negative_signals",
    "session.positive_signals",
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


def _in_sentence(label: str) -> str:
    """ "More experience" reads "more experience" mid-sentence; "MBA" stays."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def option_words(root: str, question_set: CompiledQuestionSet) -> dict[str, dict[Any, str]]:
    """Each choice question's option keys and their labels, as they read mid-sentence."""
    words: dict[str, dict[Any, str]] = {}
    for compiled in question_set.questions:
        options = getattr(compiled.question, "options", None)
        if options:
            words[f"{root}.{compiled.question.key}"] = {
                o.key: _in_sentence(o.label) for o in options
            }
    return words


def value_labels() -> dict[str, dict[Any, str]]:
    labels = {
        **option_words("answers", BUILTIN_SETS["self-reflection"].compiled),
        **option_words("feedback", BUILTIN_SETS["interviewer-feedback"].compiled),
        "session.stage_reached": {stage.value: words for stage, words in STAGE_WORDS.items()},
    }
    labels["session.negative_signals"] = labels["answers.interviewer_signals"]
    labels["session.positive_signals"] = labels["answers.interviewer_signals"]
    return labels


VALUE_LABELS = value_labels()


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
    signals = answers.get("interviewer_signals")
    if isinstance(signals, list):
        # Quoted by the rules on each: the good signs are no part of the warning signs.
        derived["negative_signals"] = [s for s in signals if s in NEGATIVE_SIGNALS]
        derived["positive_signals"] = [s for s in signals if s in POSITIVE_SIGNALS]
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
