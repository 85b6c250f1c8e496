"""Question sets: the built-ins and an organisation's own, with their lifecycle."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import ids
from app.core.concurrency import flush_changes
from app.core.errors import (
    Conflict,
    FieldProblem,
    NotFound,
    PreconditionFailed,
    ValidationFailed,
)
from app.core.ids import shown_id, utc_now
from app.core.lookup import visible
from app.core.pagination import Page, PageRequest, page_of, position
from app.core.security import Principal
from app.i18n.formatting import english_count
from app.question_sets.builtin import BUILTIN_SETS
from app.question_sets.compiled import (
    CompiledQuestionSet,
    compile_question_set,
    definition_problems,
)
from app.question_sets.definition import PURPOSE_NAMES, Purpose, QuestionSetContent
from app.question_sets.models import QuestionSetVersion
from app.question_sets.schemas import (
    SET_KEY_PATTERN,
    QuestionSetCreate,
    QuestionSetStatus,
    QuestionSetSummary,
    QuestionSetUpdate,
)
from app.question_sets.views import SetVersionView

_CONTENT_FIELDS = set(QuestionSetContent.model_fields)


def _check_key(key: str) -> None:
    """A key that cannot exist is simply not found (and never reaches the database)."""
    if not re.fullmatch(SET_KEY_PATTERN, key):
        raise NotFound(f"There is no question set {shown_id(key)!r}.")


def _not_found(key: str, version: int | None = None) -> NotFound:
    which = f"version {version} of " if version is not None else "a published version of "
    return NotFound(f"There is no {which}question set {shown_id(key)!r}.")


def _invalid(problems: list[Any]) -> ValidationFailed:
    return ValidationFailed(
        f"The question set has {english_count(len(problems), 'problem', 'problems')}.",
        errors=[
            FieldProblem(pointer="/body" + p.pointer, detail=p.message, code="definition")
            for p in problems
        ],
    )


def _matches_if_match(if_match: str | None, view: SetVersionView) -> None:
    """ETags name the revision and the locale; any locale's ETag of this revision will do."""
    if if_match is None:
        return
    tags = [tag.strip().removeprefix("W/") for tag in if_match.split(",")]
    if "*" in tags or any(tag.strip('"').split("-")[0] == str(view.revision) for tag in tags):
        return
    raise PreconditionFailed(
        "The question set changed since the ETag you sent.",
        extensions={"current_etag": view.etag(view.content.default_locale)},
    )


def _builtin_is_immutable(key: str) -> Conflict:
    return Conflict(f"{key!r} is built in: it cannot be changed. Create your own set instead.")


async def list_sets(
    session: AsyncSession,
    caller: Principal,
    page: PageRequest,
    *,
    purpose: Purpose | None = None,
    status: QuestionSetStatus | None = None,
    key: str | None = None,
) -> Page[QuestionSetSummary]:
    """Built-ins first (their ids sort lowest), then the organisation's, by id."""
    after = position(page, "question-sets") or ""
    views = [
        SetVersionView.of_builtin(b)
        for b in sorted(BUILTIN_SETS.values(), key=lambda b: b.id)
        if b.id > after
        and (purpose is None or b.content.purpose == purpose)
        and (status in (None, QuestionSetStatus.PUBLISHED))
        and (key is None or b.key == key)
    ][: page.limit + 1]
    wanted = page.limit + 1 - len(views)
    if wanted > 0:
        statement = select(QuestionSetVersion).where(
            *visible(QuestionSetVersion, caller), QuestionSetVersion.id > after
        )
        if purpose is not None:
            statement = statement.where(QuestionSetVersion.purpose == purpose.value)
        if status is not None:
            statement = statement.where(QuestionSetVersion.status == status.value)
        if key is not None:
            statement = statement.where(QuestionSetVersion.key == key)
        rows = await session.scalars(statement.order_by(QuestionSetVersion.id).limit(wanted))
        views += [SetVersionView.of_row(row) for row in rows]
    return page_of(views, page, "question-sets", lambda v: v.id, SetVersionView.summary)


async def _row(
    session: AsyncSession, caller: Principal, key: str, version: int
) -> QuestionSetVersion | None:
    return await session.scalar(
        select(QuestionSetVersion).where(
            *visible(QuestionSetVersion, caller),
            QuestionSetVersion.key == key,
            QuestionSetVersion.version == version,
        )
    )


async def get_version(
    session: AsyncSession, caller: Principal, key: str, version: int
) -> SetVersionView:
    _check_key(key)
    builtin = BUILTIN_SETS.get(key)
    if builtin is not None:
        if builtin.version != version:
            raise _not_found(key, version)
        return SetVersionView.of_builtin(builtin)
    row = await _row(session, caller, key, version)
    if row is None:
        raise _not_found(key, version)
    return SetVersionView.of_row(row)


async def get_latest(session: AsyncSession, caller: Principal, key: str) -> SetVersionView:
    """The latest published version (retired and draft versions are not offered)."""
    _check_key(key)
    builtin = BUILTIN_SETS.get(key)
    if builtin is not None:
        return SetVersionView.of_builtin(builtin)
    row = await session.scalar(
        select(QuestionSetVersion)
        .where(
            *visible(QuestionSetVersion, caller),
            QuestionSetVersion.key == key,
            QuestionSetVersion.status == QuestionSetStatus.PUBLISHED.value,
        )
        .order_by(QuestionSetVersion.version.desc())
        .limit(1)
    )
    if row is None:
        raise _not_found(key)
    return SetVersionView.of_row(row)


async def list_versions(
    session: AsyncSession, caller: Principal, key: str, page: PageRequest
) -> Page[QuestionSetSummary]:
    _check_key(key)
    list_name = f"question-set-versions:{key}"
    after = position(page, list_name) or ""
    if key in BUILTIN_SETS:
        views = [v for v in [SetVersionView.of_builtin(BUILTIN_SETS[key])] if v.id > after]
    else:
        rows = await session.scalars(
            select(QuestionSetVersion)
            .where(
                *visible(QuestionSetVersion, caller),
                QuestionSetVersion.key == key,
                QuestionSetVersion.id > after,
            )
            .order_by(QuestionSetVersion.id)
            .limit(page.limit + 1)
        )
        views = [SetVersionView.of_row(row) for row in rows]
        if not views and not after:
            raise NotFound(f"There is no question set {shown_id(key)!r}.")
    return page_of(views, page, list_name, lambda v: v.id, SetVersionView.summary)


def builtin_compiled(key: str, version: int) -> CompiledQuestionSet | None:
    """The built-in set's compiled version, which needs no database; None for any other."""
    builtin = BUILTIN_SETS.get(key)
    if builtin is not None and builtin.version == version:
        return builtin.compiled
    return None


async def compiled_version(
    session: AsyncSession, caller: Principal, key: str, version: int
) -> CompiledQuestionSet:
    builtin = builtin_compiled(key, version)
    if builtin is not None:
        return builtin
    return compile_question_set((await get_version(session, caller, key, version)).content)


async def create_draft(
    session: AsyncSession, caller: Principal, data: QuestionSetCreate
) -> SetVersionView:
    if data.key in BUILTIN_SETS:
        raise Conflict(
            f"{data.key!r} is the key of a built-in set; choose another.",
            errors=[FieldProblem(pointer="/body/key", detail="built-in key", code="reserved")],
        )
    content = QuestionSetContent.model_validate(data.model_dump(include=_CONTENT_FIELDS))
    problems = definition_problems(content)
    if problems:
        raise _invalid(problems)
    existing = (
        await session.scalars(
            select(QuestionSetVersion).where(
                *visible(QuestionSetVersion, caller),
                QuestionSetVersion.key == data.key,
            )
        )
    ).all()
    draft = next((r for r in existing if r.status == QuestionSetStatus.DRAFT.value), None)
    if draft is not None:
        raise Conflict(
            f"Version {draft.version} of {data.key!r} is still a draft: edit or publish it."
        )
    if existing and existing[0].purpose != content.purpose.value:
        raise Conflict(
            f"{data.key!r} is {PURPOSE_NAMES[Purpose(existing[0].purpose)]} question set; "
            "its purpose cannot change.",
            errors=[FieldProblem(pointer="/body/purpose", detail="fixed per key", code="fixed")],
        )
    now = utc_now()
    row = QuestionSetVersion(
        id=ids.QUESTION_SET.new(now),
        organization_id=caller.organization_id,
        key=data.key,
        version=max((r.version for r in existing), default=0) + 1,
        status=QuestionSetStatus.DRAFT.value,
        purpose=content.purpose.value,
        content=content.model_dump(mode="json", exclude_none=True),
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await flush_changes(session, "question set", None)
    return SetVersionView.of_row(row)


async def _mutable(
    session: AsyncSession, caller: Principal, key: str, version: int
) -> QuestionSetVersion:
    _check_key(key)
    if key in BUILTIN_SETS:
        if BUILTIN_SETS[key].version != version:
            raise _not_found(key, version)
        raise _builtin_is_immutable(key)
    row = await _row(session, caller, key, version)
    if row is None:
        raise _not_found(key, version)
    return row


def _require_draft(row: QuestionSetVersion) -> None:
    if row.status != QuestionSetStatus.DRAFT.value:
        raise Conflict(
            f"Version {row.version} of {row.key!r} is {row.status}: published versions never "
            "change. Create a new draft (POST /v1/question-sets with the same key)."
        )


async def update_draft(
    session: AsyncSession,
    caller: Principal,
    key: str,
    version: int,
    patch: QuestionSetUpdate,
    if_match: str | None,
) -> SetVersionView:
    row = await _mutable(session, caller, key, version)
    _matches_if_match(if_match, SetVersionView.of_row(row))
    _require_draft(row)
    changes = patch.model_dump(mode="json", exclude_unset=True)
    merged = {**row.content, **changes}
    content = QuestionSetContent.model_validate(merged)
    problems = definition_problems(content)
    if problems:
        raise _invalid(problems)
    new_content = content.model_dump(mode="json", exclude_none=True)
    if new_content != row.content:
        row.content = new_content
        row.updated_at = utc_now()
        await flush_changes(session, "question set", if_match)
    return SetVersionView.of_row(row)


async def _transition(
    session: AsyncSession,
    caller: Principal,
    key: str,
    version: int,
    if_match: str | None,
    source: QuestionSetStatus,
    target: QuestionSetStatus,
) -> SetVersionView:
    row = await _mutable(session, caller, key, version)
    _matches_if_match(if_match, SetVersionView.of_row(row))
    if row.status == target.value:
        return SetVersionView.of_row(row)
    if row.status != source.value:
        raise Conflict(
            f"Version {version} of {key!r} is {row.status}; only a {source.value} version "
            f"can become {target.value}."
        )
    now = utc_now()
    row.status = target.value
    row.updated_at = now
    if target is QuestionSetStatus.PUBLISHED:
        row.published_at = now
    else:
        row.retired_at = now
    await flush_changes(session, "question set", if_match)
    return SetVersionView.of_row(row)


async def publish(
    session: AsyncSession, caller: Principal, key: str, version: int, if_match: str | None
) -> SetVersionView:
    return await _transition(
        session,
        caller,
        key,
        version,
        if_match,
        QuestionSetStatus.DRAFT,
        QuestionSetStatus.PUBLISHED,
    )


async def retire(
    session: AsyncSession, caller: Principal, key: str, version: int, if_match: str | None
) -> SetVersionView:
    return await _transition(
        session,
        caller,
        key,
        version,
        if_match,
        QuestionSetStatus.PUBLISHED,
        QuestionSetStatus.RETIRED,
    )


async def delete_draft(
    session: AsyncSession, caller: Principal, key: str, version: int, if_match: str | None
) -> None:
    row = await _mutable(session, caller, key, version)
    _matches_if_match(if_match, SetVersionView.of_row(row))
    _require_draft(row)
    await session.delete(row)
    await flush_changes(session, "question set", if_match)
