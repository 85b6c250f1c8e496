"""Problem details name statuses, message kinds and purposes in words. Every problem the
suite provokes is also checked by the `client` fixture's transport
(tests/problem_text_guard.py); these tests enumerate what the suite cannot all provoke."""

from __future__ import annotations

import pytest

from app.messages.kinds import KIND_NAMES, MessageKind
from app.question_sets.definition import PURPOSE_NAMES, Purpose
from app.sessions.schemas import SessionStatus
from app.sessions.workflow import NEXT, STATUS_NAMES, refused_move
from tests.problem_text_guard import leaks


@pytest.mark.parametrize(
    ("names", "codes"),
    [(STATUS_NAMES, SessionStatus), (KIND_NAMES, MessageKind), (PURPOSE_NAMES, Purpose)],
)
def test_every_code_has_words(names: dict[object, str], codes: type) -> None:
    assert set(names) == set(codes)
    assert not [n for n in names.values() if leaks({"detail": n})]


def test_every_refused_move_reads_without_codes() -> None:
    details = [
        refused_move(current, target, allowed, unanswered)
        for current in SessionStatus
        for target in SessionStatus
        if target not in NEXT[current]
        for allowed in (list(NEXT[current]), [])
        for unanswered in (None, 1, 3)
    ]
    assert len(details) >= 3 * 20
    assert not [leak for d in details for leak in leaks({"detail": d})]
    assert not [d for d in details if "(s)" in d]


def test_a_refused_move_names_the_moves_that_remain() -> None:
    detail = refused_move(
        SessionStatus.FEEDBACK_REQUESTED,
        SessionStatus.OPEN,
        [SessionStatus.CALL_SCHEDULED, SessionStatus.FEEDBACK_RECEIVED, SessionStatus.CLOSED],
        None,
    )
    assert detail == (
        "This session is at \u201cfeedback requested\u201d and cannot move to \u201copen\u201d "
        "now. It can move to \u201ccall scheduled\u201d, \u201cfeedback received\u201d, or "
        "\u201cclosed\u201d."
    )
