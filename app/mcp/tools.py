"""The tools: a reflection from the rejection to the call script, nothing else of the API.

Every tool calls the same services as the HTTP routes, as the same Principal, with the
same scope checks: a candidate's token sees that candidate's sessions only.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from mcp.server.mcpserver import Context, MCPServer
from sqlalchemy import select

from app import __version__
from app.core.lookup import visible
from app.core.security import Principal, Scope
from app.diagnosis import service as diagnoses
from app.diagnosis.schemas import DiagnosisCreate
from app.follow_ups import service as follow_ups
from app.follow_ups.models import FollowUp
from app.follow_ups.schemas import OPEN_STATUSES
from app.mcp.backend import Backend
from app.messages import service as messages
from app.messages.kinds import MessageKind, Tone
from app.messages.schemas import MessageCreate
from app.question_sets import service as question_sets
from app.question_sets.builtin import BUILTIN_SETS
from app.sessions import service as sessions
from app.sessions.models import ReflectionSession
from app.sessions.schemas import SessionCreate, SessionStatus

INSTRUCTIONS = """\
Debrief helps a job seeker learn from a rejection. Start a reflection for the rejection,
ask the questions `next_questions` gives (they branch on earlier answers), save the
answers, diagnose, then draft the feedback request to the interviewer and the call script.
`whats_due` lists the follow-ups to send or do, soonest first, and the open reflections
with what to do next in each."""

MAX_DUE = 50
Part = Literal["self_reflection", "interviewer_feedback"]

# Each open session's next step, beside its follow-ups.
NEXT_STEPS = {
    SessionStatus.OPEN: "Answer the self-reflection questions (next_questions).",
    SessionStatus.REFLECTED: "Diagnose, then draft and send the feedback request.",
    SessionStatus.FEEDBACK_REQUESTED: "Schedule the call with the interviewer; draft the "
    "call script.",
    SessionStatus.CALL_SCHEDULED: "Hold the call, then save the interviewer's feedback "
    "(save_answers with part interviewer_feedback).",
    SessionStatus.FEEDBACK_RECEIVED: "Diagnose again with the feedback and turn the next "
    "steps into action.",
}


def _pending(backend_row: ReflectionSession, part: Part) -> tuple[str, int, list[str], bool]:
    if part == "self_reflection":
        key, version = backend_row.reflection_set_key, backend_row.reflection_set_version
        progress = backend_row.reflection_progress
    else:
        key, version = backend_row.feedback_set_key, backend_row.feedback_set_version
        progress = backend_row.feedback_progress
    answered = set(progress.get("answered", []))
    pending = [k for k in progress.get("shown", []) if k not in answered]
    return key, version, pending, bool(progress.get("complete"))


async def _next_questions(
    backend: Backend, principal: Principal, session_id: str
) -> dict[str, Any]:
    async with backend.transaction(writing=False) as session:
        row = await sessions.get_session(session, principal, session_id)
        part: Part = "self_reflection"
        key, version, pending, complete = _pending(row, part)
        if complete:
            part = "interviewer_feedback"
            key, version, pending, complete = _pending(row, part)
        compiled = await question_sets.compiled_version(session, principal, key, version)
    questions = [
        compiled.by_key[k].question.model_dump(mode="json", exclude={"show_if"}, exclude_none=True)
        for k in pending
        if k in compiled.by_key
    ]
    return {
        "session_id": row.id,
        "status": row.status,
        "part": part,
        "question_set": {"key": key, "version": version},
        "questions": questions,
        "complete": complete,
        "next_step": NEXT_STEPS.get(SessionStatus(row.status), "Nothing: the session is closed."),
    }


def build_server(backend: Backend) -> MCPServer:
    server: MCPServer = MCPServer(
        name="debrief", title="Debrief", instructions=INSTRUCTIONS, version=__version__
    )

    @server.tool(description="Start a reflection session for one rejection (one interview).")
    async def start_reflection(details: SessionCreate, ctx: Context) -> dict[str, Any]:
        principal = backend.principal(ctx, Scope.WRITE)
        async with backend.transaction(writing=True) as session:
            row = await sessions.create_session(session, principal, details)
            created = sessions.read(row).model_dump(mode="json")
        return created

    @server.tool(
        description="The questions to ask next in a session, given the answers so far "
        "(questions appear and disappear with earlier answers): the self-reflection first, "
        "then the questions for the interviewer."
    )
    async def next_questions(session_id: str, ctx: Context) -> dict[str, Any]:
        return await _next_questions(backend, backend.principal(ctx, Scope.READ), session_id)

    @server.tool(
        description="Save answers (question key → answer; null removes one) and get the next "
        "questions. `part` is `self_reflection` or `interviewer_feedback`."
    )
    async def save_answers(
        session_id: str, answers: dict[str, Any], ctx: Context, part: Part = "self_reflection"
    ) -> dict[str, Any]:
        principal = backend.principal(ctx, Scope.WRITE)
        async with backend.transaction(writing=True) as session:
            await sessions.put_answers(
                session,
                principal,
                session_id,
                answers,
                None,
                feedback=part == "interviewer_feedback",
            )
        return await _next_questions(backend, principal, session_id)

    @server.tool(
        description="Diagnose a session: the likely reasons (in-person, on-paper, or a sign "
        "to target other positions), the rules that fired with their evidence, and next steps."
    )
    async def diagnose(session_id: str, ctx: Context) -> dict[str, Any]:
        principal = backend.principal(ctx, Scope.WRITE)
        async with backend.transaction(writing=True) as session:
            diagnosis, _, _ = await diagnoses.diagnose_session(
                session,
                principal,
                session_id,
                DiagnosisCreate(),
                backend.app.state.active_rule_sets,
            )
            return diagnoses.read(diagnosis).model_dump(mode="json")

    @server.tool(
        description="Draft the email that asks the interviewer for feedback "
        "(`feedback_request_email`) or the script for the call (`call_script`)."
    )
    async def draft_message(
        session_id: str,
        kind: Literal["feedback_request_email", "call_script"],
        ctx: Context,
        tone: Tone = Tone.WARM,
    ) -> dict[str, Any]:
        principal = backend.principal(ctx, Scope.WRITE)
        data = MessageCreate(kind=MessageKind(kind), tone=tone)
        async with backend.transaction(writing=True) as session:
            message = await messages.generate(
                session, principal, session_id, data, backend.app.state.render_pool
            )
            return messages.read(message).model_dump(mode="json")

    @server.tool(
        description="What is due: the follow-ups still open (what to send or do, and when; "
        "soonest first, overdue ones included), and the open reflection sessions you can "
        "see, newest first, each with its next step."
    )
    async def whats_due(ctx: Context) -> dict[str, Any]:
        principal = backend.principal(ctx, Scope.READ)
        async with backend.transaction(writing=False) as session:
            rows = (
                await session.scalars(
                    select(ReflectionSession)
                    .where(
                        *visible(ReflectionSession, principal),
                        ReflectionSession.status != SessionStatus.CLOSED.value,
                    )
                    .order_by(ReflectionSession.id.desc())
                    .limit(MAX_DUE)
                )
            ).all()
            open_follow_ups = (
                await session.scalars(
                    select(FollowUp)
                    .where(
                        *visible(FollowUp, principal),
                        FollowUp.status.in_([status.value for status in OPEN_STATUSES]),
                    )
                    .order_by(FollowUp.due_at, FollowUp.id)
                    .limit(MAX_DUE)
                )
            ).all()
        return {
            "follow_ups": [follow_ups.read(row).model_dump(mode="json") for row in open_follow_ups],
            "items": [
                {
                    "session_id": row.id,
                    "candidate_id": row.candidate_id,
                    "company": row.company,
                    "role_title": row.role_title,
                    "status": row.status,
                    "next_step": NEXT_STEPS[SessionStatus(row.status)],
                }
                for row in rows
            ],
        }

    @server.resource(
        "debrief://question-sets/{key}",
        name="question-set",
        description="A question set's latest published version: its sections and questions, "
        "with the conditions that show them.",
        mime_type="application/json",
    )
    async def question_set(key: str, ctx: Context) -> str:
        principal = backend.principal(ctx, Scope.READ)
        async with backend.transaction(writing=False) as session:
            view = await question_sets.get_latest(session, principal, key)
        return json.dumps(view.read("en").model_dump(mode="json"))

    for builtin_key in BUILTIN_SETS:
        _add_builtin_resource(server, backend, builtin_key)
    return server


def _add_builtin_resource(server: MCPServer, backend: Backend, key: str) -> None:
    @server.resource(
        f"debrief://question-sets/{key}",
        name=key,
        description=f"The built-in `{key}` question set.",
        mime_type="application/json",
    )
    async def builtin_set() -> str:
        return json.dumps(BUILTIN_SETS[key].content.model_dump(mode="json"))
