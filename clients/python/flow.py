"""A short flow through the API with the client openapi-python-client generates from
openapi/openapi.json with its default settings (`.ci/clients` generates it into
`clients/python/generated/`; it is not committed).

Usage: DEBRIEF_URL=http://127.0.0.1:8000 DEBRIEF_KEY=dbr_… python flow.py
"""

from __future__ import annotations

import os
import sys
import uuid
from typing import Any

from debrief_client import AuthenticatedClient
from debrief_client.api.candidates import create_candidate, list_candidates
from debrief_client.api.diagnoses import diagnose_session
from debrief_client.api.messages import create_session_message, get_message, get_message_file
from debrief_client.api.sessions import (
    create_session,
    replace_session_answers,
    transition_session,
    update_session,
)
from debrief_client.models import (
    AnswersUpdate,
    AnswersUpdateAnswers,
    CandidateCreate,
    CandidateRead,
    ConflictProblem,
    DiagnosisCreate,
    DiagnosisRead,
    FileFormat,
    Interviewer,
    MessageCreate,
    MessageKind,
    MessageRead,
    PageCandidateRead,
    PreconditionFailedProblem,
    SessionCreate,
    SessionRead,
    SessionStatus,
    SessionUpdate,
    Transition,
)

ANSWERS = {
    "wow_self_rating": 3,
    "interviewer_signals": ["neutral"],
    "articulated_fit": True,
    "wanted_job": False,
    "enthusiasm": 2,
    "main_motivation": "leaving_current_job",
    "better_fit_positions": ["UX research"],
}


def expect(value: Any, kind: type, what: str) -> Any:
    if not isinstance(value, kind):
        sys.exit(f"{what}: expected {kind.__name__}, got {value!r}")
    return value


def main() -> None:
    client = AuthenticatedClient(
        base_url=os.environ["DEBRIEF_URL"],
        token=os.environ["DEBRIEF_KEY"],
        raise_on_unexpected_status=True,
    )
    run = uuid.uuid4().hex[:8]
    with client:
        # Defaults (locale, time zone) are optional to send and present in the answer.
        candidates = [
            expect(
                create_candidate.sync(
                    client=client,
                    body=CandidateCreate(external_ref=f"py-{run}-{n}", display_name="Alex Morgan"),
                ),
                CandidateRead,
                "create a candidate",
            )
            for n in range(2)
        ]
        candidate = candidates[0]
        assert candidate.time_zone == "UTC", candidate
        assert candidate.locale == "en", candidate

        session = expect(
            create_session.sync(
                client=client,
                body=SessionCreate(
                    candidate_id=candidate.id,
                    company="Northwind Health",
                    role_title="Product designer",
                    interviewer=Interviewer(name="Jordan Lee", email="jordan@example.com"),
                ),
            ),
            SessionRead,
            "create a session",
        )
        session = expect(
            replace_session_answers.sync(
                session.id,
                client=client,
                body=AnswersUpdate(answers=AnswersUpdateAnswers.from_dict(ANSWERS)),
            ),
            SessionRead,
            "answer",
        )
        diagnosis = expect(
            diagnose_session.sync(session.id, client=client, body=DiagnosisCreate()),
            DiagnosisRead,
            "diagnose",
        )
        print("verdict:", diagnosis.verdict.primary_category)

        message = expect(
            create_session_message.sync(
                session.id,
                client=client,
                body=MessageCreate(kind=MessageKind.FEEDBACK_REQUEST_EMAIL),
            ),
            MessageRead,
            "write the feedback request",
        )
        again = expect(get_message.sync(message.id, client=client), MessageRead, "read it")
        assert again.subject == message.subject
        eml = expect(
            get_message_file.sync(message.id, FileFormat.EML, client=client), str, "as .eml"
        )
        assert f"Subject: {message.subject}" in eml or "Subject:" in eml, eml[:200]

        # A move the workflow does not allow: 409, `allowed` lists the ones it does.
        conflict = transition_session.sync(
            session.id, client=client, body=Transition(to=SessionStatus.CALL_SCHEDULED)
        )
        conflict = expect(conflict, ConflictProblem, "a move that is not allowed")
        assert conflict.status == 409, conflict
        assert isinstance(conflict.allowed, list), conflict

        # A stale ETag: 412, `current_etag` says what it is now.
        stale = update_session.sync(
            session.id,
            client=client,
            body=SessionUpdate(notes="Call went well."),
            if_match='"stale"',
        )
        stale = expect(stale, PreconditionFailedProblem, "a stale If-Match")
        assert stale.status == 412, stale
        assert stale.current_etag, stale

        first = expect(
            list_candidates.sync(client=client, limit=1), PageCandidateRead, "a first page"
        )
        assert isinstance(first.next_cursor, str), first
        second = expect(
            list_candidates.sync(client=client, limit=1, cursor=first.next_cursor),
            PageCandidateRead,
            "a second page",
        )
        assert second.items, second
        assert second.items[0].id != first.items[0].id, second
    print("python client flow: ok")


if __name__ == "__main__":
    main()
