"""Diagnoses: a rule set's verdict on a session, stored with what produced it; previews."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.candidates.models import Candidate
from app.core import ids
from app.core.database import SessionOnDemand
from app.core.errors import FieldProblem, NotFound, ValidationFailed
from app.core.ids import utc_now
from app.core.lookup import get_owned, visible
from app.core.pagination import Page, PageRequest, paginate
from app.core.security import Principal
from app.diagnosis import rule_sets
from app.diagnosis.active_rule_sets import ActiveRuleSets
from app.diagnosis.builtin_locales import in_locale
from app.diagnosis.models import Diagnosis
from app.diagnosis.rule_set_limits import invalid_rule_set
from app.diagnosis.schemas import (
    DiagnosisCreate,
    DiagnosisRead,
    PreviewRequest,
    RuleSetRef,
    VerdictRead,
)
from app.diagnosis.variables import CATEGORIES, prepare_inputs
from app.i18n.formatting import english_count
from app.i18n.locales import BUILTIN_LOCALES, DEFAULT_LOCALE, LocaleUnavailable, by_precedence
from app.i18n.problems import LocaleNotAvailable
from app.platform import metrics
from app.question_sets import service as question_sets
from app.question_sets.answers import AnswerReport, check_answers, visible_answers
from app.question_sets.builtin import BUILTIN_SETS
from app.question_sets.compiled import CompiledQuestionSet
from app.rules.engine import CompiledRuleSet, InvalidRuleSet, Verdict
from app.sessions.action_items import add_item
from app.sessions.models import ActionItem, ReflectionSession
from app.sessions.schemas import ActionItemCreate, ActionSource
from app.sessions.service import get_session, record


def inputs_hash(inputs: dict[str, Any]) -> str:
    canonical = json.dumps(inputs, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def _visible(
    reflection: CompiledQuestionSet,
    answers: dict[str, Any],
    feedback_set: CompiledQuestionSet,
    feedback: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, Any], set[str]]:
    """Only answers to questions shown count, and only shown questions can be missing."""
    answers, shown_answers = visible_answers(reflection, answers)
    feedback, shown_feedback = visible_answers(feedback_set, feedback)
    askable = {f"answers.{key}" for key in shown_answers}
    askable |= {f"feedback.{key}" for key in shown_feedback}
    return answers, feedback, askable


_PREVIEWED_SETS = (
    ("answers", "self-reflection"),
    ("feedback", "interviewer-feedback"),
)
# Each question's field as the engine names it (`answers.wanted_job`), made once.
_FIELDS = {
    name: {q.question.key: f"{name}.{q.question.key}" for q in BUILTIN_SETS[key].compiled.questions}
    for name, key in _PREVIEWED_SETS
}


@cache
def _check_of_nothing(key: str) -> AnswerReport:
    """The check of no answers at all (a preview without feedback, say): the same every time."""
    return check_answers(BUILTIN_SETS[key].compiled, {})


@cache
def _askable_given_nothing(name: str, key: str) -> frozenset[str]:
    """The fields of the questions shown when none of `key`'s are answered."""
    return frozenset(map(_FIELDS[name].__getitem__, _check_of_nothing(key).shown))


def _checked_preview_answers(
    data: PreviewRequest,
) -> tuple[dict[str, Any], dict[str, Any], set[str]]:
    """The answers and feedback that count, and the questions that could still be asked,
    as `_visible` gives them; a problem with any answer is a 422. Answers without problems
    are all to questions shown (one to a hidden question is a problem), so the one check
    gives what `_visible` would find by checking again."""
    problems: list[FieldProblem] = []
    given: list[dict[str, Any]] = []
    askable: set[str] = set()
    for name, key in _PREVIEWED_SETS:
        answers = data.answers if name == "answers" else data.feedback
        if not answers:
            given.append({})
            askable.update(_askable_given_nothing(name, key))
            continue
        report = check_answers(BUILTIN_SETS[key].compiled, answers)
        if report.problems:
            problems += [
                FieldProblem(pointer=f"/body/{name}{p.pointer}", detail=p.message, code=p.code)
                for p in report.problems
            ]
        given.append({k: v for k, v in answers.items() if v is not None})
        askable.update(map(_FIELDS[name].__getitem__, report.shown))
    if problems:
        raise ValidationFailed(
            english_count(len(problems), "answer needs", "answers need") + " attention.",
            errors=problems,
        )
    return given[0], given[1], askable


async def preview(
    session: AsyncSession | SessionOnDemand,
    caller: Principal,
    data: PreviewRequest,
    actives: ActiveRuleSets,
    locale: str = DEFAULT_LOCALE,
) -> tuple[Verdict, RuleSetRef, str]:
    """The verdict, explained in `locale` where the rule set has its texts; also the rule
    set that gave it and the locale written in."""
    answers, feedback, askable = _checked_preview_answers(data)
    if data.locale is not None:
        try:
            locale = by_precedence(BUILTIN_LOCALES, [data.locale])
        except LocaleUnavailable as exc:
            raise LocaleNotAvailable.of(exc, "/body/locale") from None
    if data.rule_set is not None:
        try:
            # The route held the rule set to its limits before it was validated.
            compiled = rule_sets.compile_cached(data.rule_set, screened=True)
        except InvalidRuleSet as exc:
            raise invalid_rule_set(exc, "/body/rule_set", "The inline rule set") from None
        ref = RuleSetRef(key="inline", version=0, content_hash=compiled.hash)
    else:
        key, version = await actives.ref(session, caller)
        compiled, ref = await rule_sets.compiled_version(session, caller, key, version)
    inputs = prepare_inputs(
        {
            "answers": answers,
            "feedback": feedback,
            "session": data.session.model_dump(exclude_none=True),
            "history": data.history.model_dump(),
        }
    )
    compiled, written_in = in_locale(compiled, locale)
    return compiled.evaluate(inputs, askable), ref, written_in


async def history_of(
    session: AsyncSession, caller: Principal, candidate_id: str, before_session: str | None
) -> dict[str, int]:
    """How often each category came first in the candidate's other sessions' latest diagnoses."""
    latest = (
        select(Diagnosis.session_id, func.max(Diagnosis.id).label("latest"))
        .where(*visible(Diagnosis, caller), Diagnosis.candidate_id == candidate_id)
        .group_by(Diagnosis.session_id)
        .subquery()
    )
    statement = select(Diagnosis.primary_category).join(latest, Diagnosis.id == latest.c.latest)
    if before_session is not None:
        statement = statement.where(Diagnosis.session_id != before_session)
    history = {"diagnoses": 0, **dict.fromkeys(CATEGORIES, 0)}
    for (category,) in await session.execute(statement):
        history["diagnoses"] += 1
        if category in history:
            history[category] += 1
    return history


async def _resolve_rule_set(
    session: AsyncSession, caller: Principal, named: str | None, actives: ActiveRuleSets
) -> tuple[CompiledRuleSet, RuleSetRef]:
    if named is None:
        key, version = await actives.ref(session, caller)
    else:
        key, _, number = named.partition("@")
        version = int(number)
    try:
        return await rule_sets.compiled_version(session, caller, key, version)
    except NotFound as exc:
        raise ValidationFailed(
            exc.detail,
            errors=[FieldProblem(pointer="/body/rule_set", detail="unknown", code="unknown")],
        ) from None


async def _steps_to_items(
    session: AsyncSession, caller: Principal, row: ReflectionSession, verdict: VerdictRead
) -> list[str]:
    existing = set(
        await session.scalars(
            select(ActionItem.step_id).where(
                ActionItem.session_id == row.id, ActionItem.step_id.is_not(None)
            )
        )
    )
    created = []
    for step in verdict.next_steps:
        if step.id in existing:
            continue
        _, item = await add_item(
            session,
            caller,
            row.id,
            ActionItemCreate(text=step.text[:500]),
            ActionSource.DIAGNOSIS,
            step_id=step.id,  # in the insert: a fresh item is revision 1 however it was made
        )
        created.append(item.id)
    await session.flush()
    return created


def session_locale(
    requested: str | None,
    row: ReflectionSession,
    candidate_locale: str | None,
    accept_language: str | None,
) -> str:
    """The request's locale, else the session's, else the candidate's, else Accept-Language:
    a request's or a session's locale Debrief lacks is a 422 listing those it has."""
    try:
        return by_precedence(
            BUILTIN_LOCALES, [requested, row.locale], candidate_locale, accept_language
        )
    except LocaleUnavailable as exc:
        pointer = "/body/locale" if requested else "/session/locale"
        raise LocaleNotAvailable.of(exc, pointer) from None


async def diagnose_session(
    session: AsyncSession,
    caller: Principal,
    session_id: str,
    data: DiagnosisCreate,
    actives: ActiveRuleSets,
    accept_language: str | None = None,
) -> tuple[Diagnosis, list[str], str]:
    """The diagnosis, the action items it created, and the locale it is written in (the
    request's, the session's, the candidate's or Accept-Language's, where the rule set has
    texts in it)."""
    row = await get_session(session, caller, session_id)
    compiled, ref = await _resolve_rule_set(session, caller, data.rule_set, actives)
    candidate_locale = await session.scalar(
        select(Candidate.locale).where(Candidate.id == row.candidate_id)
    )
    wanted = session_locale(data.locale, row, candidate_locale, accept_language)
    compiled, written_in = in_locale(compiled, wanted)
    facts = {
        "company": row.company,
        "role_title": row.role_title,
        "stage_reached": row.stage_reached,
        "outcome": row.outcome,
        "posting": row.posting,
    }
    history = await history_of(session, caller, row.candidate_id, row.id)
    reflection = await question_sets.compiled_version(
        session, caller, row.reflection_set_key, row.reflection_set_version
    )
    feedback_set = await question_sets.compiled_version(
        session, caller, row.feedback_set_key, row.feedback_set_version
    )
    answers, feedback, askable = _visible(
        reflection, row.answers, feedback_set, row.feedback_answers
    )
    raw = {"answers": answers, "feedback": feedback, "session": facts, "history": history}
    verdict = VerdictRead.of(compiled.evaluate(prepare_inputs(raw), askable), ref)
    metrics.DIAGNOSES.labels(verdict.primary_category or "none").inc()
    now = utc_now()
    diagnosis = Diagnosis(
        id=ids.DIAGNOSIS.new(now),
        organization_id=caller.organization_id,
        session_id=row.id,
        candidate_id=row.candidate_id,
        rule_set_key=ref.key,
        rule_set_version=ref.version,
        rule_set_hash=ref.content_hash,
        inputs_hash=inputs_hash(raw),
        primary_category=verdict.primary_category,
        verdict=verdict.model_dump(mode="json"),
        locale=written_in,
        created_at=now,
    )
    session.add(diagnosis)
    await session.flush()
    record(
        session,
        row,
        "diagnosed",
        {"diagnosis_id": diagnosis.id, "primary_category": verdict.primary_category},
    )
    created = []
    if data.create_action_items:
        created = await _steps_to_items(session, caller, row, verdict)
    await session.flush()
    return diagnosis, created, written_in


def read(diagnosis: Diagnosis, created: list[str] | None = None) -> DiagnosisRead:
    return DiagnosisRead(
        id=diagnosis.id,
        session_id=diagnosis.session_id,
        inputs_hash=diagnosis.inputs_hash,
        created_at=diagnosis.created_at,
        verdict=VerdictRead.model_validate(diagnosis.verdict),
        locale=diagnosis.locale or DEFAULT_LOCALE,
        action_items_created=created or [],
    )


async def list_diagnoses(
    session: AsyncSession, caller: Principal, session_id: str, page: PageRequest
) -> Page[DiagnosisRead]:
    row = await get_session(session, caller, session_id)
    statement = select(Diagnosis).where(Diagnosis.session_id == row.id, *visible(Diagnosis, caller))
    return await paginate(session, statement, Diagnosis.id, page, f"diagnoses:{row.id}", read)


async def get_diagnosis(session: AsyncSession, caller: Principal, diagnosis_id: str) -> Diagnosis:
    return await get_owned(session, Diagnosis, ids.DIAGNOSIS, diagnosis_id, caller, "diagnosis")
