"""The README keeps its promises: the two-command quick start and every setting."""

from __future__ import annotations

from pathlib import Path

from app.core.config import Settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_quick_start_is_two_make_commands() -> None:
    assert "make run " in README
    assert "make test " in README
    makefile = (Path(__file__).resolve().parents[1] / "Makefile").read_text(encoding="utf-8")
    assert "\nrun:" in makefile
    assert "\ntest:" in makefile


def test_every_setting_is_in_the_configuration_table() -> None:
    for name in Settings.model_fields:
        assert f"`DEBRIEF_{name.upper()}`" in README, name


def test_the_generated_clients_are_documented() -> None:
    assert "## Generated clients" in README
    for promise in (
        "clients/python/flow.py",
        "clients/typescript/flow.ts",
        "listSessions",
        "PreconditionFailedProblem",
        "`current_etag`",
        "/v1/messages/{id}/files/{format}",
        "`DEBRIEF_PUBLIC_URL`",
    ):
        assert promise in README, promise
    for path in ("clients/python/flow.py", "clients/typescript/flow.ts", ".ci/clients"):
        assert (ROOT / path).is_file(), path


def test_the_conventions_name_415_304_and_time_zones() -> None:
    for promise in ("unsupported-media-type", "If-None-Match", "GET /v1/time-zones", "IANA"):
        assert promise in README, promise


def test_fields_are_named_as_the_json_names_them() -> None:
    # Questions and session events say what they are in `kind`; only org events have `type`.
    assert "questions by type" not in README
    assert "`status_changed` event's" not in README
    assert "`kind`" in README


def test_running_elsewhere_and_readiness_are_documented() -> None:
    assert "make run PORT=8001 HOST=0.0.0.0" in README
    assert "not at\nthe latest migration" in README or "not at the latest migration" in README


def test_every_status_move_and_rescheduling_are_documented() -> None:
    from app.sessions.workflow import NEXT

    for source, targets in NEXT.items():
        row = next(
            (line for line in README.splitlines() if line.strip().startswith(f"| `{source}` |")),
            None,
        )
        assert row is not None, source
        cell = row.split("|")[2]
        for target in targets:
            assert f"`{target}`" in cell, (source, target)
        if not targets:
            assert "none" in cell
    assert '{"to": "call_scheduled", "call_scheduled_for":' in README
